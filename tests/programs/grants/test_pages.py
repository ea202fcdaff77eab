"""The grants pages: who sees what, and the flows through them."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from commonweal.programs.grants.models import Program, Application, AssignmentStatus, InstallmentStatus, Referee, Review
from commonweal.programs.grants.services import (
    assignment_create,
    decision_record,
    installment_propose,
    installment_report,
    nominator_invite,
    review_submit,
)
from commonweal.programs.models import GrantPayment
from tests.factories import make_user
from tests.programs.grants.factories import PDF, YEAR, apply, make_reviewer, make_world, referee_tokens, upload_all_letters

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _apply_form(call, **overrides):
    data = {
        "full_name": "林一", "gender": "female", "birth_date": f"{YEAR - 48}-01-01", "institution": "中山大学",
        "region": "mainland", "full_time": "on", "field": "物理", "coauthors": "王五\n赵六",
        "answer_title": "二维材料", "answer_papers": "7",
    }
    for i in range(call.referees_self):
        data.update({f"referee_{i}_name": f"推荐人{i}", f"referee_{i}_email": f"r{i}@example.org", f"referee_{i}_institution": "复旦大学"})
    data.update(overrides)
    return data


def test_public_call_pages(client, world):
    assert world.call.title_zh in client.get(reverse("grants-calls")).content.decode()
    page = client.get(reverse("grants-call", args=[world.call.public_id])).content.decode()
    assert "1 January 2026" in page or "2026" in page
    assert reverse("grants-apply", args=[world.call.public_id]) in page
    assert client.get(reverse("grants-call", args=["nope"])).status_code == 404


def test_apply_needs_sign_in_and_shows_eligibility_reasons(client, world, django_capture_on_commit_callbacks):
    url = reverse("grants-apply", args=[world.call.public_id])
    assert client.get(url).status_code == 302
    user = make_user()
    client.force_login(user)
    too_old = client.post(url, _apply_form(world.call, birth_date=f"{YEAR - 49}-12-31", region="overseas"))
    assert too_old.status_code == 400
    body = too_old.content.decode()
    assert "1977-12-31" in body and "1978-01-01" in body  # the women's limit of 48, with the dates
    assert not Application.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _apply_form(world.call))
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("grants-application", args=[application.public_id])
    assert (application.gender, application.coauthors, application.answers) == ("female", ["王五", "赵六"], {"title": "二维材料", "papers": 7})
    assert sorted(m.to[0] for m in mail.outbox) == ["r0@example.org", "r1@example.org", "r2@example.org"]
    status = client.get(response["Location"]).content.decode()
    assert "Awaiting the letter" in status or "等待推荐信" in status


def test_the_province_is_asked_for_and_checked_against_the_region(client, world, django_capture_on_commit_callbacks):
    url = reverse("grants-apply", args=[world.call.public_id])
    client.force_login(make_user())
    form = client.get(url).content.decode()
    assert 'name="province"' in form and '<option value="云南省">' in form
    refused = client.post(url, _apply_form(world.call, region="macao", province="广东省"))
    assert refused.status_code == 400 and not Application.objects.exists()
    body = refused.content.decode()
    assert "Leave the province empty" in body or "请勿填写省份" in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _apply_form(world.call, province="广东省"))
    assert Application.objects.get().province == "广东省"


def test_custom_field_is_validated_on_the_form(client, world):
    client.force_login(make_user())
    response = client.post(reverse("grants-apply", args=[world.call.public_id]), _apply_form(world.call, answer_papers="5x"))
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_referee_uploads_through_the_private_link(client, world):
    application = apply(world.call)
    token = next(iter(referee_tokens(application).values()))
    url = reverse("grants-referee", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    bad = client.post(url, {"letter": SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf")})
    assert bad.status_code == 400 and not Referee.objects.exclude(letter="").exists()
    ok = client.post(url, {"letter": SimpleUploadedFile("letter.pdf", PDF)})
    assert ok.status_code == 302
    referee = Referee.objects.exclude(letter="").get()
    assert referee.letter_content_type == "application/pdf"
    # Private storage, outside MEDIA_ROOT (which a web server may serve to anyone).
    assert not referee.letter.path.startswith(str(settings.MEDIA_ROOT))
    assert referee.letter.path.startswith(str(settings.VAR_DIR / "private"))
    # A wrong or malformed token is a 404, and the letter is never downloadable by the applicant.
    assert client.get(reverse("grants-referee", args=["x" * 43])).status_code == 404
    assert client.get(reverse("grants-referee", args=["short"])).status_code == 404
    client.force_login(application.applicant)
    assert client.get(reverse("grants-letter", args=[referee.public_id])).status_code == 404


def test_nominator_link_and_nominee_application(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, token = nominator_invite(actor=world.manager, call=world.call, name="钱院士", email="nominator@example.org")
    assert token in mail.outbox[-1].body
    nominee = make_user("nominee@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("grants-nominator", args=[token]),
                               {"nominee_name": "孙一", "nominee_email": "Nominee@example.org", "statement": "杰出的青年学者"})
    assert response.status_code == 302
    link = re.search(r"(/grants/calls/\S+)", mail.outbox[-1].body).group(1)
    client.force_login(nominee)
    form = _apply_form(world.call, gender="male", birth_date=f"{YEAR - 40}-01-01")
    for key in [k for k in form if k.startswith("referee_2")]:
        del form[key]
    form["nomination"] = re.search(r"nomination=(\w+)", link).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, form)
    assert response.status_code == 302
    application = Application.objects.get(applicant=nominee)
    assert (application.route, application.referees.count()) == ("nomination", 2)
    # Someone else cannot use the nomination.
    client.force_login(make_user())
    assert client.get(link).status_code == 404


def test_reviewer_page_hides_others_scores_until_submitting(client, world):
    application = apply(world.call, province="广东省")
    first, second = make_reviewer(world, name="甲评审", institution="甲大学"), make_reviewer(world, name="乙评审", institution="乙大学")
    screening = world.rounds["screening"]
    a1 = assignment_create(actor=world.manager, round=screening, application=application, reviewer=first)
    a2 = assignment_create(actor=world.manager, round=screening, application=application, reviewer=second)
    review_submit(actor=first.user, assignment=a1, scores={"originality": 5, "rigour": 5, "impact": 5}, comment="第一位评审的意见XYZ")
    client.force_login(second.user)
    url = reverse("grants-review", args=[a2.public_id])
    before = client.get(url).content.decode()
    assert "第一位评审的意见XYZ" not in before and "5.00" not in before
    assert "中国内地 · 广东省" in before  # where the position is
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mainland China · Guangdong" in english
    response = client.post(url, {"score_originality": "2", "score_rigour": "na", "score_impact": "3", "comment": ""})
    assert response.status_code == 302
    after = client.get(url).content.decode()
    assert "第一位评审的意见XYZ" in after and "5.00" in after and "2.50" in after
    # Other users cannot open the assignment.
    client.force_login(first.user)
    assert client.get(url).status_code == 404


def test_recused_reviewer_page_has_no_rubric_and_post_is_refused(client, world):
    application = apply(world.call, institution="北京大学")
    reviewer = make_reviewer(world, name="丙评审", institution="北京大学")
    assignment = assignment_create(actor=world.manager, round=world.rounds["screening"], application=application, reviewer=reviewer)
    assert assignment.status == AssignmentStatus.RECUSED
    client.force_login(reviewer.user)
    url = reverse("grants-review", args=[assignment.public_id])
    page = client.get(url).content.decode()
    assert 'name="score_originality"' not in page and "北京大学" in page
    response = client.post(url, {"score_originality": "5", "score_rigour": "5", "score_impact": "5"})
    assert response.status_code == 400 and not Review.objects.exists()


def test_declaring_a_conflict_on_the_page(client, world):
    application = apply(world.call)
    reviewer = make_reviewer(world, name="丁评审", institution="丁大学")
    assignment = assignment_create(actor=world.manager, round=world.rounds["screening"], application=application, reviewer=reviewer)
    client.force_login(reviewer.user)
    client.post(reverse("grants-conflict", args=[assignment.public_id]), {"reason": "申请人是我以前的学生"})
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.RECUSED


@pytest.mark.parametrize("name, args", [
    ("grants-office", []), ("grants-office-program-new", []), ("grants-office-call", ["call"]), ("grants-office-round", ["round"]), ("grants-finance", []),
])
def test_office_pages_are_404_to_everyone_else(client, world, name, args):
    values = {"call": world.call.public_id, "round": world.rounds["screening"].public_id}
    url = reverse(name, args=[values[a] for a in args])
    assert client.get(url).status_code == 302  # anonymous: sign in
    for user in (make_user(), make_reviewer(world).user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "round", "round-kind": "panel"}).status_code in (404, 405)
    expected_ok = world.finance if name == "grants-finance" else world.manager
    other = world.manager if name == "grants-finance" else world.finance
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(expected_ok)
    assert client.get(url).status_code == 200


def test_application_page_is_the_applicants_and_the_managers(client, world):
    application = apply(world.call)
    url = reverse("grants-application", args=[application.public_id])
    for user, status in ((make_user(), 404), (world.finance, 404), (application.applicant, 200), (world.manager, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_manager_assigns_ranks_decides_and_finance_pays(client, world):
    application = apply(world.call)
    upload_all_letters(application)
    reviewer = make_reviewer(world, name="戊评审", institution="戊大学")
    client.force_login(world.manager)
    for kind in ("screening", "panel", "final"):
        url = reverse("grants-office-round", args=[world.rounds[kind].public_id])
        response = client.post(url, {"action": "assign", "application": application.public_id, "reviewer": str(reviewer.pk)})
        assert response.status_code == 302
        assignment = application.assignments.get(round=world.rounds[kind])
        review_submit(actor=reviewer.user, assignment=assignment, scores={"originality": 4, "rigour": 5, "impact": None})
        page = client.get(url).content.decode()
        assert "4.50" in page
        outcome = "award" if kind == "final" else "advance"
        data = {"action": "decide", "application": application.public_id, "outcome": outcome, "reason": f"{kind} 通过"}
        if outcome == "award":
            data["first_due_on"] = "2026-03-01"
        assert client.post(url, data).status_code == 302
    award = application.award
    assert award.installments.count() == 5
    first = award.installments.get(number=1)
    installment_report(actor=application.applicant, installment=first, report="第一年报告")
    client.force_login(world.finance)
    assert client.post(reverse("grants-finance"), {"installment": first.public_id, "action": "propose"}).status_code == 302
    # The proposer's own approval is refused, visibly.
    response = client.post(reverse("grants-finance"), {"installment": first.public_id, "action": "approve", "paid_on": "2026-03-02"}, follow=True)
    assert not GrantPayment.objects.exists()
    client.force_login(world.finance2)
    client.post(reverse("grants-finance"), {"installment": first.public_id, "action": "approve", "paid_on": "2026-03-02"})
    first.refresh_from_db()
    assert first.status == InstallmentStatus.PAID and GrantPayment.objects.get().amount_fen == 600_000_00
    client.force_login(application.applicant)
    page = client.get(reverse("grants-application", args=[application.public_id])).content.decode()
    assert "2026-03-02" in page


def test_grantee_reports_on_the_status_page(client, world):
    application = apply(world.call)
    upload_all_letters(application)
    for outcome in ("advance", "advance", "award"):
        decision_record(actor=world.manager, application=application, outcome=outcome, reason="好")
    first = application.award.installments.get(number=1)
    client.force_login(make_user())
    assert client.post(reverse("grants-installment-report", args=[first.public_id]), {"report": "x"}).status_code == 404
    client.force_login(application.applicant)
    client.post(reverse("grants-installment-report", args=[first.public_id]), {"report": "第一年：发表论文两篇。"})
    first.refresh_from_db()
    assert first.status == InstallmentStatus.REPORTED
    installment_propose(actor=world.finance, installment=first)


def test_letters_download_for_managers_and_non_recused_reviewers_only(client, world):
    application = apply(world.call, institution="南开大学")
    upload_all_letters(application)
    referee = application.referees.first()
    url = reverse("grants-letter", args=[referee.public_id])
    ok = make_reviewer(world, name="己评审", institution="己大学")
    recused = make_reviewer(world, name="庚评审", institution="南开大学")
    for reviewer in (ok, recused):
        assignment_create(actor=world.manager, round=world.rounds["screening"], application=application, reviewer=reviewer)
    for user, status in ((world.manager, 200), (ok.user, 200), (recused.user, 404), (world.finance, 404), (make_user(), 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Disposition"].startswith("attachment;")


def test_office_call_page_lists_applications_awards_and_installments(client, world, django_assert_max_num_queries):
    awarded = apply(world.call)
    upload_all_letters(awarded)
    for outcome in ("advance", "advance", "award"):
        decision_record(actor=world.manager, application=awarded, outcome=outcome, reason="好")
    for _ in range(3):
        apply(world.call)
    client.force_login(world.manager)
    with django_assert_max_num_queries(20):  # no query per application or installment
        page = client.get(reverse("grants-office-call", args=[world.call.public_id])).content.decode()
    assert awarded.full_name in page and "¥3,000,000.00" in page and page.count("#5 ") == 1


def test_round_page_queries_do_not_grow_with_applications(client, world, django_assert_max_num_queries):
    screening = world.rounds["screening"]
    reviewers = [make_reviewer(world, name=f"评审{n}", institution=f"学院{n}") for n in range(3)]
    for _ in range(6):
        application = apply(world.call)
        for reviewer in reviewers:
            assignment = assignment_create(actor=world.manager, round=screening, application=application, reviewer=reviewer)
            review_submit(actor=reviewer.user, assignment=assignment, scores={"originality": 3, "rigour": 4, "impact": None})
    client.force_login(world.manager)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("grants-office-round", args=[screening.public_id])).content.decode()
    assert page.count('data-testid="average">3.50<') == 6


def test_manager_creates_a_call_with_rubric_and_questions(client, world):
    url = reverse("grants-office-call-new")
    data = {
        "program": world.program.public_id, "title_zh": "2027 年探索奖", "year": "2027", "opens_on": "2027-01-10",
        "closes_on": "2027-03-31", "budget_yuan": "15,000,000", "award_yuan": "3000000", "installments": "5",
        "max_age": "45", "max_age_women": "48", "women_limit_from_year": "2024", "require_full_time": "on",
        "eligible_regions": ["mainland", "macao"], "self_application": "on", "referees_self": "3", "referees_nomination": "2",
        "rubric": "originality | 原创性 | Originality\nrigour | 严谨性",
        "form_fields": "title | text | yes | 研究题目 | Title\nstage | choice | no | 阶段 | Stage | 早期，中期",
    }
    client.force_login(world.finance)
    assert client.get(url).status_code == 404
    client.force_login(world.manager)
    bad = client.post(url, {**data, "award_yuan": "3000000.001"})
    assert bad.status_code == 400
    response = client.post(url, data)
    assert response.status_code == 302
    from commonweal.programs.grants.models import Call
    call = Call.objects.get(title_zh="2027 年探索奖")
    assert (call.budget_fen, call.award_amount_fen, call.installments, call.eligible_regions) == (15_000_000_00, 3_000_000_00, 5, ["mainland", "macao"])
    assert [c["key"] for c in call.rubric] == ["originality", "rigour"]
    assert call.form_fields[1]["choices"] == ["早期", "中期"] and call.form_fields[0]["required"] is True
    bad_type = client.post(url, {**data, "title_zh": "x", "form_fields": "title | essay | yes | 题目"})
    assert bad_type.status_code == 400 and "essay" in bad_type.content.decode()


def test_manager_creates_a_program_from_the_office(client, world):
    url = reverse("grants-office-program-new")
    client.force_login(world.manager)
    home = client.get(reverse("grants-office")).content.decode()
    assert url in home
    data = {
        "kind": "challenge", "name_zh": "碳中和挑战赛", "name_en": "CarbonX Challenge", "domain": "carbon_neutrality",
        "fund": world.fund.public_id, "disciplines": "能源\n\n 农业 \n", "description": "Cut emissions in villages",
    }
    bad = client.post(url, {**data, "disciplines": "能源\n能源"})
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert list(errors) == ["disciplines"] and escape(errors["disciplines"][0]) in bad.content.decode()
    assert client.post(url, {**data, "kind": "lottery"}).status_code == 400
    assert not Program.objects.filter(name_zh="碳中和挑战赛").exists()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("grants-office-call-new")
    program = Program.objects.get(name_zh="碳中和挑战赛")
    assert (program.kind, program.name_en, program.domain, program.fund, program.fields, program.description, program.created_by) == (
        "challenge", "CarbonX Challenge", "carbon_neutrality", world.fund, ["能源", "农业"], "Cut emissions in villages", world.manager,
    )
    # the new program is offered on the new call page
    assert program.public_id in client.get(reverse("grants-office-call-new")).content.decode()


def test_only_managers_create_programs(client, world):
    url = reverse("grants-office-program-new")
    data = {"kind": "prize", "name_zh": "新奖", "domain": "basic_science", "fund": world.fund.public_id}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)
    for user in (make_user(), world.finance):
        client.force_login(user)
        assert client.post(url, data).status_code == 404
        assert url not in client.get(reverse("grants-calls")).content.decode()
    assert not Program.objects.filter(name_zh="新奖").exists()


def test_a_lost_referee_link_is_sent_again_and_the_old_one_stops_working(client, world, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from commonweal.core.models import AuditEvent
    from commonweal.programs.grants.services import referee_link_resend

    application = apply(world.call)
    referee = application.referees.order_by("pk").first()
    old = referee_tokens(application)[referee.email]
    resend = reverse("grants-referee-resend", args=[application.public_id, referee.public_id])
    # Only the applicant and program managers may; anyone else gets 404 and nothing is sent.
    client.force_login(make_user())
    sent = len(mail.outbox)
    assert client.post(resend).status_code == 404 and len(mail.outbox) == sent
    # Within the first hour of the original email: refused, with the reason.
    client.force_login(application.applicant)
    assert resend in client.get(reverse("grants-application", args=[application.public_id])).content.decode()
    page = client.post(resend, follow=True).content.decode()
    assert ("less than an hour ago" in page or "一小时内" in page) and len(mail.outbox) == sent
    Referee.objects.filter(pk=referee.pk).update(link_sent_at=timezone.now() - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(resend, follow=True).content.decode()
    assert referee.name in page and len(mail.outbox) == sent + 1 and mail.outbox[-1].to == [referee.email]
    new = referee_tokens(application)[referee.email]  # the newest email's link
    assert new != old
    assert client.get(reverse("grants-referee", args=[old])).status_code == 404
    assert client.get(reverse("grants-referee", args=[new])).status_code == 200
    assert AuditEvent.objects.filter(action="grant_referee.link_resend", actor=application.applicant).count() == 1
    # Once the letter is in, there is nothing to resend (no button, and the service refuses).
    client.post(reverse("grants-referee", args=[new]), {"letter": SimpleUploadedFile("letter.pdf", PDF)})
    assert resend not in client.get(reverse("grants-application", args=[application.public_id])).content.decode()
    with pytest.raises(Exception, match="already received"):
        referee_link_resend(referee=Referee.objects.get(pk=referee.pk), actor=world.manager, now=timezone.now() + dt.timedelta(hours=3))
    # A program manager may resend another referee's link.
    other = application.referees.exclude(pk=referee.pk).first()
    with django_capture_on_commit_callbacks(execute=True):
        referee_link_resend(referee=other, actor=world.manager, now=timezone.now() + dt.timedelta(hours=2))
    assert mail.outbox[-1].to == [other.email]
