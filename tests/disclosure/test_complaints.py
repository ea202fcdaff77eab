"""Complaints end to end: anyone reports a project (with evidence checked by content), the
deadline is five working days (weekends excluded), operators see the queue with overdue ones
marked and record outcomes through the service, the reporter is emailed, the scorecard counts it."""

import datetime as dt
import html
import io
import itertools

import pytest
from django.contrib.admin import helpers
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.models import AuditEvent
from commonweal.disclosure.complaints_lifecycle import COMPLAINT_TRANSITIONS
from commonweal.disclosure.models import Complaint, ComplaintStatus, OrgScorecard
from commonweal.disclosure.services.complaints import complaint_decide, complaint_submit
from tests.disclosure.spending_support import PDF_BYTES, jpeg_bytes, upload
from tests.factories import add_member, enable_totp, make_operator, make_project, make_project_in, make_user

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at_beijing(year, month, day, hour=12, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def project():
    return make_project()


@pytest.fixture
def operator():
    user = make_operator()
    enable_totp(user)
    return user


_senders = itertools.count()


def submit(project, **overrides):
    # A new sender each time, so that the rate limits (test_complaint_limits.py) stay out of the way.
    fields = {"reason": "misuse", "details": "善款被用于与项目无关的支出。", "reporter_email": f"whistle{next(_senders)}@example.org"}
    fields.update(overrides)
    return complaint_submit(project=project, **fields)


def _text(response) -> str:
    return html.unescape(response.content.decode())


# --- submitting --------------------------------------------------------------------------------------

@pytest.mark.parametrize("received, due", [
    (at_beijing(2026, 11, 20, 18), dt.date(2026, 11, 27)),  # Friday evening -> next Friday
    (at_beijing(2026, 11, 21, 9), dt.date(2026, 11, 27)),  # Saturday -> Friday
    (at_beijing(2026, 11, 22, 23, 59), dt.date(2026, 11, 27)),  # Sunday night -> Friday
    (dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.UTC), dt.date(2026, 11, 27)),  # Fri 16:30 UTC is Sat 00:30 in Beijing
    (at_beijing(2026, 11, 23, 0, 1), dt.date(2026, 11, 30)),  # Monday -> next Monday
])
def test_the_deadline_is_five_working_days_after_the_beijing_day_of_receipt(project, received, due):
    complaint = submit(project, now=received)
    assert complaint.respond_by == due and complaint.respond_by.weekday() < 5


def test_configured_holidays_move_the_deadline(project, settings):
    settings.COMMONWEAL_HOLIDAYS = ["2026-11-26", "2026-11-27"]
    complaint = submit(project, now=at_beijing(2026, 11, 23))
    assert complaint.respond_by == dt.date(2026, 12, 2)


def test_holidays_from_the_environment(project, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("COMMONWEAL_HOLIDAYS", "2026-11-26, 2026-11-27")
    assert submit(project, now=at_beijing(2026, 11, 23)).respond_by == dt.date(2026, 12, 2)
    monkeypatch.setenv("COMMONWEAL_HOLIDAYS", "26/11/2026")
    with pytest.raises(ImproperlyConfigured):
        submit(project, now=at_beijing(2026, 11, 23))


def test_a_complaint_is_recorded_with_audit_and_acknowledged(project, django_capture_on_commit_callbacks):
    reporter = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = submit(project, reporter=reporter, reporter_email="", reason="fraud")
    assert (complaint.org, complaint.reporter, complaint.reporter_email, complaint.status) == (
        project.org, reporter, reporter.email, "open")
    event = AuditEvent.objects.get(action="complaint.submit")
    assert event.target_id == complaint.public_id and event.actor == reporter
    assert "@" not in str(event.data)  # no email address in the audit trail
    [ack] = mail.outbox
    assert ack.to == [reporter.email] and complaint.public_id in ack.subject
    assert complaint.respond_by.isoformat() in ack.body


@pytest.mark.parametrize("overrides, field", [
    ({"reason": "spam"}, "reason"), ({"details": "   "}, "details"), ({"details": "x" * 5001}, "details"),
    ({"reporter_email": "not-an-email"}, "reporter_email"), ({"reporter_email": ""}, "reporter_email"),
])
def test_bad_input_is_refused_with_the_field(project, overrides, field):
    with pytest.raises(InvalidInput) as info:
        submit(project, **overrides)
    assert info.value.field == field
    assert not Complaint.objects.exists()


def test_only_public_projects_can_be_reported(client):
    draft = make_project_in("draft")
    with pytest.raises(NotFound):
        submit(draft)
    assert client.get(reverse("complaint-new", args=[draft.public_id])).status_code == 404


def test_evidence_is_checked_by_content_and_stripped(project):
    complaint = submit(project, evidence=upload(jpeg_bytes(exif=True), "photo.jpg"))
    assert complaint.evidence_content_type == "image/jpeg" and len(complaint.evidence_sha256) == 64
    with complaint.evidence.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert not image.getexif()  # camera, date and GPS removed
    assert complaint.evidence.name.startswith("complaints/") and complaint.evidence.name.endswith(".jpg")
    pdf = submit(project, evidence=upload(PDF_BYTES, "scan.pdf", "application/pdf"))
    assert pdf.evidence_content_type == "application/pdf"


@pytest.mark.parametrize("data, code", [
    (b"MZ\x90\x00" + b"\x00" * 200, "evidence_executable"),
    (b"\x7fELF" + b"\x00" * 200, "evidence_executable"),
    (jpeg_bytes()[:60], "evidence_corrupt_image"),
    (b"", "evidence_empty"),
])
def test_bad_evidence_is_refused_and_nothing_is_written(project, data, code):
    with pytest.raises(InvalidInput) as info:
        submit(project, evidence=upload(data, "innocent.jpg"))
    assert info.value.code == code and info.value.field == "evidence"
    assert not Complaint.objects.exists()


# --- the public pages ------------------------------------------------------------------------------------

def test_the_project_page_links_to_the_report_form(client, project):
    page = client.get(reverse("project-detail", args=[project.public_id])).content.decode()
    assert reverse("complaint-new", args=[project.public_id]) in page


def test_anyone_reports_a_project_from_the_web(client, project, django_capture_on_commit_callbacks):
    url = reverse("complaint-new", args=[project.public_id])
    form = _text(client.get(url))
    assert "举报问题" in form and 'enctype="multipart/form-data"' in form and "诈骗" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "false_information", "details": "照片是网上找的。",
                                     "reporter_email": "anon@example.org",
                                     "evidence": upload(jpeg_bytes(exif=True), "proof.jpg")})
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("complaint-received", args=[complaint.public_id])
    received = _text(client.get(response["Location"]))
    assert complaint.public_id in received and complaint.respond_by.isoformat() in received and "anon@example.org" in received
    assert mail.outbox[0].to == ["anon@example.org"]
    # Another browser cannot read the confirmation.
    other = client.__class__()
    assert other.get(response["Location"]).status_code == 404


def test_the_form_shows_evidence_errors_in_chinese(client, project):
    url = reverse("complaint-new", args=[project.public_id])
    response = client.post(url, {"reason": "fraud", "details": "x", "reporter_email": "a@example.org",
                                 "evidence": upload(b"MZ" + b"\x00" * 100, "photo.jpg")})
    assert response.status_code == 400
    assert "不是图片或 PDF" in _text(response)
    assert not Complaint.objects.exists()


def test_evidence_is_downloadable_by_operators_only(client, project, operator):
    complaint = submit(project, evidence=upload(PDF_BYTES, "scan.pdf", "application/pdf"))
    url = reverse("complaint-evidence", args=[complaint.public_id])
    assert client.get(url).status_code == 404
    client.force_login(project.org.memberships.get().user)
    assert client.get(url).status_code == 404
    client.force_login(operator)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and b"".join(response.streaming_content) == PDF_BYTES


# --- outcomes ---------------------------------------------------------------------------------------------

def test_only_operators_decide_and_a_note_is_required(project, operator):
    complaint = submit(project)
    for actor in (make_user(), project.org.memberships.get().user, add_member(project.org, "finance")):
        with pytest.raises(NotFound):
            complaint_decide(complaint=complaint, actor=actor, outcome="not_upheld", note="无")
    with pytest.raises(InvalidInput):
        complaint_decide(complaint=complaint, actor=operator, outcome="upheld", note="  ")
    with pytest.raises(InvalidInput):
        complaint_decide(complaint=complaint, actor=operator, outcome="open", note="x")
    complaint.refresh_from_db()
    assert complaint.status == "open" and complaint.first_response_at is None


def test_every_complaint_edge(project, operator):
    statuses = ComplaintStatus.values
    for source, target in itertools.product(statuses, ("upheld", "not_upheld", "needs_information")):
        complaint = submit(project)
        if source != "open":
            complaint = complaint_decide(complaint=complaint, actor=operator, outcome=source, note="先前的结论")
        if (source, target) in COMPLAINT_TRANSITIONS:
            assert complaint_decide(complaint=complaint, actor=operator, outcome=target, note="结论").status == target
        else:
            with pytest.raises(Conflict):
                complaint_decide(complaint=complaint, actor=operator, outcome=target, note="结论")
            complaint.refresh_from_db()
            assert complaint.status == source


def test_needs_information_counts_as_the_response_then_a_final_outcome(project, operator, django_capture_on_commit_callbacks):
    complaint = submit(project)
    with django_capture_on_commit_callbacks(execute=True):
        asked = complaint_decide(complaint=complaint, actor=operator, outcome="needs_information", note="请提供转账截图。")
    first = asked.first_response_at
    with django_capture_on_commit_callbacks(execute=True):
        final = complaint_decide(complaint=complaint, actor=operator, outcome="not_upheld", note="核实后支出合规。")
    assert final.first_response_at == first and final.decided_at >= first
    assert "请提供转账截图。" in mail.outbox[0].body and complaint.public_id in mail.outbox[0].body
    assert "核实后支出合规。" in mail.outbox[1].body and "不成立" in mail.outbox[1].subject


# --- the operators' queue, end to end ------------------------------------------------------------------------

def _action(client, action, objects, **extra):
    url = reverse("admin:disclosure_complaint_changelist") + "?queue=all"
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **extra}
    return client.post(url, data, follow=True)


def test_the_queue_shows_deadlines_and_overdue_complaints(client, project, operator):
    today = timezone.localdate()
    old = submit(project, now=timezone.now() - dt.timedelta(days=20))
    fresh = submit(project)
    done = submit(project, now=timezone.now() - dt.timedelta(days=20))
    complaint_decide(complaint=done, actor=operator, outcome="not_upheld", note="已核实")
    client.force_login(operator)
    queue = _text(client.get(reverse("admin:disclosure_complaint_changelist")))
    assert "complaint-overdue" in queue and old.respond_by.isoformat() in queue
    assert fresh.respond_by.isoformat() in queue
    default = client.get(reverse("admin:disclosure_complaint_changelist"))
    assert [c.pk for c in default.context["cl"].result_list] == [old.pk, fresh.pk]  # awaiting a response, most urgent first
    overdue = client.get(reverse("admin:disclosure_complaint_changelist") + "?queue=overdue")
    assert [c.pk for c in overdue.context["cl"].result_list] == [old.pk]
    assert old.respond_by < today <= fresh.respond_by


def test_operator_upholds_in_the_back_office_reporter_is_told_and_scorecard_counts_it(
    client, project, operator, django_capture_on_commit_callbacks
):
    complaint = submit(project, reporter_email="reporter@example.org")
    client.force_login(operator)
    # The action first asks for the note; nothing changes yet.
    page = _action(client, "uphold", [complaint])
    assert "给投诉人的说明" in _text(page)
    complaint.refresh_from_db()
    assert complaint.status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        done = _action(client, "uphold", [complaint], apply="1", reason="经核查，部分支出缺少凭证，已要求机构整改。")
    assert done.status_code == 200
    complaint.refresh_from_db()
    assert (complaint.status, complaint.decided_by, complaint.outcome_note) == (
        "upheld", operator, "经核查，部分支出缺少凭证，已要求机构整改。")
    event = AuditEvent.objects.get(action="complaint.uphold")
    assert event.actor == operator and event.reason == complaint.outcome_note and event.data["late"] is False
    [told] = [m for m in mail.outbox if "成立" in m.subject]
    assert told.to == ["reporter@example.org"] and complaint.outcome_note in told.body
    card = OrgScorecard.objects.get(org=project.org)
    assert card.complaints_upheld == 1


def test_a_late_response_is_recorded_as_late(project, operator):
    complaint = submit(project, now=timezone.now() - dt.timedelta(days=30))
    complaint_decide(complaint=complaint, actor=operator, outcome="not_upheld", note="已核实")
    assert AuditEvent.objects.get(action="complaint.dismiss").data["late"] is True
