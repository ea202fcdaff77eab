"""The impact part of `commonweal demo`: indicators with targets and results on a good share of
the public demo projects, a mix of frameworks, valid values, SROI worksheets that compute, and a
wipe that removes it all."""

import io

import pytest
from django.core.management import call_command

from commonweal.core.sdg import validate_sdg_tags
from commonweal.demo import demo_wipe
from commonweal.impact.frameworks import validate_code
from commonweal.impact.models import Indicator, Result, SroiWorksheet, Target
from commonweal.impact.periods import parse_period
from commonweal.impact.selectors import impact_by_domain, sroi_view
from commonweal.projects.models import Project
from commonweal.projects.permissions import PUBLIC_STATUSES

pytestmark = pytest.mark.django_db


def test_demo_has_indicators_results_and_sroi():
    call_command("demo", "--donations", "300", "--orgs", "6", "--projects", "30", stdout=io.StringIO())
    public = Project.objects.filter(status__in=PUBLIC_STATUSES)
    with_indicators = public.filter(indicators__isnull=False).distinct().count()
    assert with_indicators >= public.count() // 3
    assert set(Indicator.objects.values_list("framework", flat=True)) == {"sdg", "iris", "custom"}
    for indicator in Indicator.objects.all():
        assert validate_code(indicator.framework, indicator.code) == indicator.code
        # Labs', studios' and awards' indicators (programs' demo) have no project.
        assert indicator.project_id is None or (
            indicator.org_id == indicator.project.org_id and indicator.domain == indicator.project.domain
        )
        if indicator.framework == "sdg":
            validate_sdg_tags([indicator.code])
    assert Result.objects.count() > 0 and Target.objects.count() >= Result.objects.count()
    for row in list(Target.objects.all()) + list(Result.objects.all()):
        period = parse_period(row.period)
        assert (period.label, period.ends_on) == (row.period, row.ends_on)
    assert not Result.objects.filter(evidence_text="").exists() and not Result.objects.filter(evidence_url="").exists()
    assert SroiWorksheet.objects.count() >= 3
    for worksheet in SroiWorksheet.objects.all():
        view = sroi_view(worksheet.project)
        assert view is not None and view.result.ratio > 0 and len(view.sensitivity) == 20
    assert sum(summary.indicators for _info, summary in impact_by_domain()) == Indicator.objects.filter(project__in=public).count()

    demo_wipe()
    assert not Indicator.objects.exists() and not Result.objects.exists() and not SroiWorksheet.objects.exists()


def test_generate_and_wipe_on_their_own():
    """impact.demo alone, on projects of organizations with the demo's e-mail domain (the base
    dataset's marker), so it is checked even while the base dataset is being changed."""
    import datetime as dt

    from commonweal.impact import demo
    from commonweal.orgs.models import Organization
    from tests.factories import make_project, make_project_in

    projects = [make_project(domain=domain) for domain in ("few", "carbon_neutrality", "education_innovation",
                                                          "elderly_care_tech", "public_emergency", "basic_science")]
    draft = make_project_in("draft")
    outsider = make_project()
    Organization.objects.exclude(pk=outsider.org_id).update(contact_email="contact@demo.commonweal.local")
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    counts = demo.generate(seed=7, now=now)
    assert counts["impact.Indicator"] == Indicator.objects.count() > 0
    assert counts["impact.SroiWorksheet"] == SroiWorksheet.objects.count() >= 1
    assert not Indicator.objects.filter(project__in=[draft, outsider]).exists()
    assert Indicator.objects.filter(project__in=projects).count() == Indicator.objects.count()
    assert not Result.objects.filter(ends_on__gte=now.date()).exists()  # only past periods have results
    for indicator in Indicator.objects.all():
        assert validate_code(indicator.framework, indicator.code) == indicator.code
    for row in list(Target.objects.all()) + list(Result.objects.all()):
        assert parse_period(row.period).ends_on == row.ends_on
    for worksheet in SroiWorksheet.objects.all():
        assert sroi_view(worksheet.project).result.ratio >= 0
    deleted = demo.wipe()
    assert deleted > 0 and not Indicator.objects.exists() and not SroiWorksheet.objects.exists()
    assert demo.generate(seed=7, now=now) == counts  # the same seed gives the same shape
