"""Factories for the program office's tests."""

from commonweal.core.domains import Domain
from commonweal.programs.models import Fund, FundAllocation, OfficeRole
from commonweal.programs.services import Kpi, TeamMember, lab_create, lab_project_create, office_member_set
from tests.factories import make_user

__all__ = ["make_office", "make_fund", "make_lab", "TEAM"]

TEAM = (
    TeamMember(name="Wang Fang", department="Research", role="lead"),
    TeamMember(name="Li Lei", department="Engineering", role="engineer"),
)


def make_office(role: str = OfficeRole.MANAGER, email: str | None = None):
    user = make_user(email)
    office_member_set(user=user, role=role)
    return user


def make_fund(*, total_fen: int = 1_000_000_00, year: int = 2026, allocations: dict | None = None) -> Fund:
    """A fund with allocations {domain: amount_fen} for ``year`` (default: 100,000 fen each for
    two domains), written directly: the allocation service has its own tests."""
    fund = Fund.objects.create(name_zh="测试基金", name_en="Test fund", total_fen=total_fen, start_year=year - 1, end_year=year + 1)
    if allocations is None:
        allocations = {Domain.BASIC_SCIENCE: 400_000_00, Domain.CARBON_NEUTRALITY: 400_000_00}
    for domain, amount in allocations.items():
        FundAllocation.objects.create(fund=fund, domain=domain, year=year, amount_fen=amount)
    return fund


def make_lab(manager, fund: Fund, *, budget_fen: int = 100_000_00, year: int = 2026, domain=Domain.CARBON_NEUTRALITY):
    return lab_create(
        actor=manager, fund=fund, name_zh="碳实验室", name_en="Carbon lab", mission="Cut emissions in villages",
        domain=domain, budget_fen=budget_fen, year=year, team=TEAM,
        kpis=[Kpi(kind="output", label="Prototypes", target=3), Kpi(kind="reach", label="Households", target=1000, actual=120)],
    )


def make_lab_project(manager, lab, title: str = "Solar dryer"):
    return lab_project_create(actor=manager, lab=lab, title=title)
