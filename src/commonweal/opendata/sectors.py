"""DAC 5-digit sectors (IATI Sector codelist, vocabulary 1) for the eight domains.

One table, reviewed by people: each domain maps to one or more sectors whose percentages sum to
100. ``tests/opendata/test_standards.py`` checks every code against the Sector codelist in
``../shared/standards/iati/codelists`` (active, not withdrawn) and every domain for a row.

| domain | sectors | why |
|---|---|---|
| basic science | 43082 Research/scientific institutions | research and the institutions behind it |
| education innovation | 11182 Educational research | new ways of teaching and learning, tried and studied |
| rural revitalization | 43040 Rural development | livelihoods and services in villages |
| carbon neutrality | 41010 Environmental policy and administrative management | the DAC home of climate-change mitigation and adaptation policy |
| FEW (food, energy, water) | 43071 Food security policy (34), 23210 Renewable energy generation (33), 14030 Basic drinking water and sanitation (33) | the three parts of the nexus |
| public emergency | 74020 Multi-hazard response preparedness (50), 72010 Material relief assistance and services (50) | preparing, and responding |
| elderly-care technology | 16010 Social Protection | care services for older people |
| public-welfare digitalization | 22040 Information and communication technology (50), 15150 Democratic participation and civil society (50) | digital tools for civil society |
"""

from commonweal.core.domains import Domain

__all__ = ["DOMAIN_SECTORS"]

DOMAIN_SECTORS: dict[str, tuple[tuple[str, int], ...]] = {
    Domain.BASIC_SCIENCE: (("43082", 100),),
    Domain.EDUCATION_INNOVATION: (("11182", 100),),
    Domain.RURAL_REVITALIZATION: (("43040", 100),),
    Domain.CARBON_NEUTRALITY: (("41010", 100),),
    Domain.FEW: (("43071", 34), ("23210", 33), ("14030", 33)),
    Domain.PUBLIC_EMERGENCY: (("74020", 50), ("72010", 50)),
    Domain.ELDERLY_CARE_TECH: (("16010", 100),),
    Domain.PUBLIC_WELFARE_DIGITAL: (("22040", 50), ("15150", 50)),
}
"""domain value -> ((DAC 5-digit code, percentage), ...), percentages summing to 100."""
