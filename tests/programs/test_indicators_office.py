"""Program managers keep the impact indicators of labs, lab projects, studios and grant awards
from the office's pages: add one on the subject's page, set targets, record results with
evidence; the subject's public page shows where it stands. Anyone else gets 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonweal.core.errors import NotFound
from commonweal.impact.models import Indicator, Result
from commonweal.impact.services import IndicatorInput, indicator_create
from commonweal.programs.models import OfficeRole
from tests.factories import make_org, make_project, make_user
from tests.impact.support import people_reached
from tests.programs.factories import make_fund, make_lab, make_office

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def lab_world():
    manager = make_office()
    return {"manager": manager, "lab": make_lab(manager, make_fund())}


def test_a_manager_adds_an_indicator_to_a_lab_sets_targets_and_records_a_result(client, lab_world):
    manager, lab = lab_world["manager"], lab_world["lab"]
    client.force_login(manager)
    page = client.get(reverse("programs-lab", args=[lab.public_id])).content.decode()
    new = reverse("programs-office-indicator-new", kwargs={"kind": "lab", "public_id": lab.public_id})
    assert new in page
    response = client.post(new, {"framework": "custom", "code": "", "name_zh": "受益农户", "name_en": "Households", "unit": "户",
                                 "additive": "on", "direction": "higher"})
    indicator = Indicator.objects.get()
    url = reverse("programs-office-indicator", args=[indicator.public_id])
    assert response.status_code == 302 and response["Location"] == url
    assert (indicator.org_id, indicator.subject, indicator.domain) == (None, lab, lab.domain)
    assert client.post(url + "targets/", {"targets": "2026-Q1 | 100\n2026-Q2 | 200"}).status_code == 302
    response = client.post(url + "results/", {"period": "2026-Q1", "value": "120", "evidence_text": "入户核查",
                                              "evidence_file": SimpleUploadedFile("核查.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302, response.content.decode()[:2000]
    result = Result.objects.get()
    page = client.get(url).content.decode()
    evidence = f"{url}results/{result.public_id}/evidence/"
    assert "受益农户" in page and "120" in page and "100" in page and evidence in page
    download = client.get(evidence)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # Bad input is refused on the page, with the reason, and writes nothing.
    refused = client.post(url + "results/", {"period": "2026-13", "value": "1", "evidence_text": "x"})
    assert refused.status_code == 200 and Result.objects.count() == 1 and "2026-Q1" in refused.content.decode()
    # The lab's public page shows it, with the manager's link to its page.
    public = client.get(reverse("programs-lab", args=[lab.public_id])).content.decode()
    assert "受益农户" in public and url in public
    client.logout()
    public = client.get(reverse("programs-lab", args=[lab.public_id])).content.decode()
    assert "受益农户" in public and url not in public and new not in public


@pytest.mark.parametrize("who", ["anonymous", "user", "office_finance", "org_admin"])
def test_only_program_managers_reach_the_pages(client, lab_world, who):
    lab = lab_world["lab"]
    indicator = indicator_create(actor=lab_world["manager"], subject=lab, domain=lab.domain, data=IndicatorInput(
        framework="custom", code="", name_zh="受益农户", unit="户"))
    org = make_org()
    users = {"user": make_user(), "office_finance": make_office(OfficeRole.FINANCE), "org_admin": org.memberships.get().user}
    if who != "anonymous":
        client.force_login(users[who])
    urls = [reverse("programs-office-indicator-new", kwargs={"kind": "lab", "public_id": lab.public_id}),
            reverse("programs-office-indicator", args=[indicator.public_id])]
    posts = [urls[1] + "targets/", urls[1] + "results/"]
    expected = 302 if who == "anonymous" else 404
    assert all(client.get(url).status_code == expected for url in urls)
    assert all(client.post(url, {"targets": "2026 | 1", "period": "2026", "value": "1", "evidence_text": "x"}).status_code == expected
               for url in posts)
    assert not indicator.targets.exists() and not indicator.results.exists()
    assert Indicator.objects.count() == 1


def test_an_organizations_indicator_and_unknown_subjects_are_not_the_offices(client, lab_world):
    org = make_org()
    kept = people_reached(make_project(org), org.memberships.get().user, name="参与学生")
    client.force_login(lab_world["manager"])
    assert client.get(reverse("programs-office-indicator", args=[kept.public_id])).status_code == 404
    for kind, public_id in (("fund", lab_world["lab"].public_id), ("lab", "01jzzzzzzzzzzzzzzzzzzzzzzz"), ("lab", "x")):
        assert client.get(reverse("programs-office-indicator-new", kwargs={"kind": kind, "public_id": public_id})).status_code == 404


def test_the_impact_service_lets_program_managers_keep_unowned_indicators_and_nobody_else(lab_world):
    lab, data = lab_world["lab"], IndicatorInput(framework="custom", code="", name_zh="受益农户", unit="户")
    assert not lab_world["manager"].is_staff
    indicator_create(actor=lab_world["manager"], subject=lab, domain=lab.domain, data=data)
    for outsider in (make_user(), make_office(OfficeRole.FINANCE)):
        with pytest.raises(NotFound):
            indicator_create(actor=outsider, subject=lab, domain=lab.domain, data=data)
    assert Indicator.objects.count() == 1


def test_a_manager_adds_an_indicator_to_a_grant_award(client):
    from tests.programs.grants.test_impact import _award
    from tests.programs.grants.factories import make_world

    world = make_world()
    award = _award(world)
    client.force_login(world.manager)
    page = client.get(reverse("grants-application", args=[award.application.public_id])).content.decode()
    new = reverse("programs-office-indicator-new", kwargs={"kind": "award", "public_id": award.public_id})
    assert new in page
    response = client.post(new, {"framework": "custom", "code": "", "name_zh": "发表论文", "unit": "篇", "additive": "on",
                                 "direction": "higher"})
    indicator = Indicator.objects.get()
    assert response.status_code == 302 and indicator.subject == award and indicator.domain == world.call.program.domain
    office = client.get(response["Location"]).content.decode()
    assert reverse("grants-application", args=[award.application.public_id]) in office  # back to the award
    client.force_login(award.application.applicant)
    page = client.get(reverse("grants-application", args=[award.application.public_id])).content.decode()
    assert "发表论文" in page and new not in page
