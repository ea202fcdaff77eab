"""Reports on the Charity Law's clock: publishing (figures, photos checked by content and
stored without EXIF), who may publish when, the console page, the public page's badge, search
ranking, matching eligibility, and the reminder task with explicit dates (never sleeping)."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_tasks import TaskResultStatus
from PIL import Image

from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.models import AuditEvent
from commonweal.core.timeutil import SHANGHAI, UTC, add_months
from commonweal.disclosure.compliance import Duty
from commonweal.disclosure.models import ReminderSent
from commonweal.disclosure.selectors.reporting import (
    overdue_project_ids,
    project_deadlines,
    project_is_overdue,
)
from commonweal.disclosure.services.reporting import report_publish, reminders_send
from commonweal.disclosure.tasks import next_reminder_run, send_reminders
from commonweal.projects.models import Project, ProjectUpdate, ProjectUpdatePhoto
from commonweal.projects.selectors import project_featured, project_list
from commonweal.projects.services import project_transition
from tests.disclosure.reporting_support import first_due, long_project, make_team, today
from tests.disclosure.spending_support import PDF_BYTES, jpeg_bytes, upload
from tests.factories import donate, make_project_in

pytestmark = pytest.mark.django_db

PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."
FIGURES = [{"label": "图书送达", "value": "1200", "unit": "册"}, {"label": "受益学校", "value": "12", "unit": "所"}]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team():
    return make_team()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An instant on ``day`` in Shanghai."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def publish(project, actor, **fields):
    fields.setdefault("title", "第一批图书到校")
    fields.setdefault("body", "一千二百册图书已送达十二所学校。")
    return report_publish(project=project, actor=actor, **fields)


# --- publishing --------------------------------------------------------------------------------

def test_a_report_with_figures_and_photos_is_stored_without_photo_metadata(team):
    project = long_project(team)
    photo = jpeg_bytes(size=(320, 240), exif=True)
    assert b"CameraMaker" in photo and b"Exif" in photo
    update = publish(project, team.editor, figures=FIGURES, photos=[upload(photo, "现场.jpg")],
                     photo_descriptions=["孩子们在新书架前读书"])

    assert (update.kind, update.title, update.author) == ("progress", "第一批图书到校", team.editor)
    assert update.figures == FIGURES
    stored = ProjectUpdatePhoto.objects.get(update=update)
    assert (stored.width, stored.height, stored.description, stored.position) == (320, 240, "孩子们在新书架前读书", 0)
    assert stored.image.name.startswith("reports/") and stored.image.name.endswith(".jpg")
    data = stored.image.read()
    for secret in (b"Exif", b"CameraMaker", b"Phone X"):
        assert secret not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif() and image.size == (320, 240)

    event = AuditEvent.objects.get(action="project.publish_update")
    assert (event.actor, event.target_id) == (team.editor, project.public_id)
    assert event.data == {"update": update.public_id, "kind": "progress", "photos": 1, "figures": 2}
    project.refresh_from_db()
    assert project.report_due_on == add_months(today(), 3)  # the clock restarts from the report


@pytest.mark.parametrize(
    "data, name, code",
    [
        (PE, "photo.jpg", "evidence_executable"),                 # a Windows program called .jpg
        (jpeg_bytes(size=(400, 300))[:500], "cut.jpg", "evidence_corrupt_image"),
        (PDF_BYTES, "report.pdf", "photo_not_image"),
        (b"", "empty.jpg", "evidence_empty"),
    ],
)
def test_refused_photos_write_nothing(team, data, name, code):
    project = long_project(team)
    with pytest.raises(InvalidInput) as caught:
        publish(project, team.admin, photos=[upload(jpeg_bytes(), "ok.jpg"), upload(data, name)])
    assert (caught.value.code, caught.value.field) == (code, "photos")
    assert not ProjectUpdate.objects.exists() and not ProjectUpdatePhoto.objects.exists()
    assert not AuditEvent.objects.filter(action="project.publish_update").exists()


def test_an_oversized_photo_is_refused_before_it_is_read(team):
    project = long_project(team)
    big = upload(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 + 1), "big.jpg")
    with pytest.raises(InvalidInput) as caught:
        publish(project, team.admin, photos=[big])
    assert caught.value.code == "evidence_too_large"
    assert "10,485,760" in caught.value.message


def test_at_most_nine_photos(team):
    with pytest.raises(InvalidInput) as caught:
        publish(long_project(team), team.admin, photos=[upload(jpeg_bytes())] * 10)
    assert caught.value.code == "too_many_photos" and "got 10" in caught.value.message


@pytest.mark.parametrize(
    "figures, code, message",
    [
        ([{"label": "图书", "value": "1,200", "unit": "册"}], "figure_value", "figure 1 must be a number such as 1200 or 3.5, got '1,200'"),
        ([{"label": "图书", "value": "-5"}], "figure_value", "got '-5'"),
        ([{"label": "图书", "value": "１２"}], "figure_value", "got '１２'"),  # full-width digits
        ([{"label": "图书", "value": "1e3"}], "figure_value", "got '1e3'"),
        ([{"label": "图书", "value": "3.5"}, {"label": " ", "value": "1"}], "figure_label", "figure 2 needs a name"),
        ([{"label": "图书", "value": "1", "unit": "x" * 17}], "figure_unit", "got 17"),
        ([{"label": "图书", "value": "1"}] * 21, "too_many_figures", "got 21"),
    ],
)
def test_figures_are_checked(team, figures, code, message):
    with pytest.raises(InvalidInput) as caught:
        publish(long_project(team), team.admin, figures=figures)
    assert caught.value.code == code and message in caught.value.message
    assert not ProjectUpdate.objects.exists()


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"title": "  "}, "title", "an update needs a title and text"),
        ({"body": ""}, "body", "an update needs a title and text"),
        ({"title": "标" * 121}, "title", "at most 120 characters, got 121"),
        ({"body": "字" * 20_001}, "body", "at most 20,000 characters, got 20,001"),
    ],
)
def test_title_and_text_are_required_and_bounded(team, fields, field, message):
    with pytest.raises(InvalidInput) as caught:
        publish(long_project(team), team.admin, **fields)
    assert caught.value.field == field and message in caught.value.message


def test_figures_keep_exact_decimal_text(team):
    update = publish(long_project(team), team.admin, figures=[{"label": "覆盖率", "value": "99.95", "unit": "%"}])
    assert update.figures == [{"label": "覆盖率", "value": "99.95", "unit": "%"}]


def test_only_administrators_and_editors_of_the_organization_publish(team):
    project = long_project(team)
    other = make_team("别的基金会")
    for actor in (team.finance, other.admin):
        with pytest.raises(NotFound):
            publish(project, actor)
    assert not ProjectUpdate.objects.exists()
    publish(project, team.editor)
    publish(project, team.admin)
    assert ProjectUpdate.objects.count() == 2


def test_when_reports_can_be_published(team):
    draft = make_project_in("draft", team.org)
    with pytest.raises(Conflict) as caught:
        publish(draft, team.admin)
    assert caught.value.code == "project_not_public"
    fundraising = long_project(team)
    with pytest.raises(Conflict) as caught:
        publish(fundraising, team.admin, kind="final")
    assert caught.value.code == "final_while_fundraising"
    with pytest.raises(InvalidInput):
        publish(fundraising, team.admin, kind="rumour")
    closed_without_gifts = make_project_in("closed", team.org)
    with pytest.raises(Conflict):
        publish(closed_without_gifts, team.admin)
    # Closed after raising money: it owes, and may publish, a final report.
    donate(fundraising, 50_000)
    closed = project_transition(project=fundraising, to="closed", actor=team.admin, reason="项目终止")
    assert publish(closed, team.admin, kind="final").kind == "final"


# --- the console ---------------------------------------------------------------------------

def console_url(name: str, project) -> str:
    return reverse(name, kwargs={"org": project.org.public_id, "project": project.public_id})


def test_the_console_publishes_a_report_with_figures_and_photos(client, team):
    project = long_project(team)
    client.force_login(team.editor)
    page = client.get(console_url("console-project", project)).content.decode()
    assert 'enctype="multipart/form-data"' in page and "报告类型" in page and "信息公开期限" in page
    assert first_due(project).isoformat() in page
    response = client.post(console_url("console-project-update", project), {
        "kind": "progress", "title": "第一批图书到校", "body": "共 1200 册。",
        "figures": "图书送达 | 1200 | 册\n受益学校 | 12 | 所\n", "photo_descriptions": "新书架\n",
        "photos": [upload(jpeg_bytes(exif=True), "a.jpg"), upload(jpeg_bytes(size=(80, 60)), "b.jpg")],
    })
    assert response.status_code == 302
    update = ProjectUpdate.objects.get(project=project)
    assert update.figures == FIGURES
    assert [(p.description, p.width) for p in update.photos.all()] == [("新书架", 64), ("", 80)]

    public = client.get(reverse("project-detail", args=[project.public_id])).content.decode()
    assert f'id="report-{update.public_id}"' in public
    for text in ("第一批图书到校", "进展报告", "图书送达", "1200 册", 'alt="新书架"', 'width="64" height="48"', 'loading="lazy"'):
        assert text in public, text


@pytest.mark.parametrize(
    "extra, error",
    [
        ({"figures": "图书送达 1200 册"}, "第 1 行：请按“名称 | 数值 | 单位”填写"),
        ({"figures": "图书送达 | 一千 | 册"}, "第 1 项数据的数值应为数字"),
        ({"photos": [upload(PE, "photo.jpg")]}, "不是图片或 PDF"),
        ({"kind": "final"}, "募捐结束后才能发布结项报告"),
    ],
)
def test_the_console_explains_a_refused_report(client, team, extra, error):
    project = long_project(team)
    client.force_login(team.admin)
    data = {"title": "进展", "body": "正文", **extra}
    response = client.post(console_url("console-project-update", project), data, follow=True)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ProjectUpdate.objects.exists()


# --- the public page, ranking and matching eligibility ------------------------------------------

def test_an_overdue_project_is_flagged_on_its_public_page_with_the_reason(client, team):
    project = long_project(team, started_days_ago=120)
    due = first_due(project)
    html = client.get(reverse("project-detail", args=[project.public_id])).content.decode()
    assert "信息公开逾期" in html
    assert f"进展报告应于 {due.isoformat()} 前发布，目前尚未发布（已逾期 {(today() - due).days} 天）" in html
    assert "《慈善法》第七十九条" in html and "不能参加配捐活动" in html

    publish(project, team.admin)
    html = client.get(reverse("project-detail", args=[project.public_id])).content.decode()
    assert "信息公开逾期" not in html
    assert f"按时公开</span>\n  下一次进展报告应于 {add_months(today(), 3).isoformat()} 前发布。" in html


def test_a_compliant_project_shows_its_next_deadline_in_english(client, team):
    project = long_project(team)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("project-detail", args=[project.public_id])).content.decode()
    assert "Reports on time" in html and f"Next progress report due by {first_due(project).isoformat()}." in html


def test_an_emergency_appeal_publishes_receipts_every_five_days(client, team):
    project = long_project(team, started_days_ago=6, domain="public_emergency")
    assert [(d.duty, d.due_on) for d in project_deadlines(project, today=today())] == [
        (Duty.RECEIPTS, project.starts_on + dt.timedelta(days=5)),
        (Duty.PROGRESS, first_due(project)),
    ]
    assert "募得款物接收情况应于" in client.get(reverse("project-detail", args=[project.public_id])).content.decode()
    publish(project, team.admin, kind="receipts", title="第一周收到的捐赠", body="共收到 120 笔。")
    assert not project_is_overdue(project, today())


def test_overdue_projects_rank_after_compliant_ones_and_leave_matching(team):
    late = long_project(team, started_days_ago=200)
    on_time = long_project(team)
    assert project_is_overdue(late, today()) and not project_is_overdue(on_time, today())
    assert overdue_project_ids(today()) == {late.pk}
    # The newest project comes first, until the daily job stores the clocks.
    assert list(project_list())[:2] == [on_time, late]
    late_again = long_project(team, started_days_ago=150)
    reminders_send(today=today())
    assert list(project_list()) == [on_time, late_again, late]
    assert project_featured(limit=3) == [on_time, late_again, late]
    # Publishing brings a project back at once (its stored due date moves on): newest first again.
    publish(late, team.admin)
    assert list(project_list()) == [on_time, late, late_again]
    assert overdue_project_ids(today()) == {late_again.pk}


def test_a_completed_project_owes_a_final_report_three_months_after_it_ended(team):
    project = make_project_in("completed", team.org)
    ended = today()  # completed just now, through project_transition
    [deadline] = project_deadlines(project, today=ended)
    assert (deadline.duty, deadline.due_on) == (Duty.FINAL, add_months(ended, 3))
    assert project_is_overdue(project, add_months(ended, 3) + dt.timedelta(days=1))
    publish(project, team.admin, kind="final", title="结项报告", body="项目已全部完成。")
    assert project_deadlines(project, today=add_months(ended, 6)) == ()


def test_a_project_closed_before_any_donation_owes_nothing(team):
    assert project_deadlines(make_project_in("closed", team.org), today=today()) == ()


# --- reminders -------------------------------------------------------------------------------

def reminder_mail():
    return [(m.subject, sorted(m.to)) for m in mail.outbox]


def test_reminders_go_before_the_due_date_then_the_day_after_and_weekly_once_each(team, django_capture_on_commit_callbacks):
    project = long_project(team)
    due = first_due(project)
    staff = sorted([team.admin.email, team.editor.email])  # not the finance member

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send(today=day)

    run(due - dt.timedelta(days=8))
    assert mail.outbox == []
    run(due - dt.timedelta(days=7))
    assert reminder_mail() == [(f"提醒：「{project.title_zh}」的报告应于 {due} 前发布 / "
                                f"Reminder: report for “{project.title_en}” due on {due}", staff)]
    body = mail.outbox[0].body
    assert f"「{project.title_zh}」的进展报告应于 {due} 前发布。" in body and "剩余天数：7" in body
    assert f"Progress report for “{project.title_en}” is due by {due}." in body
    assert f"/console/{team.org.public_id}/projects/{project.public_id}/" in body
    for day in (due - dt.timedelta(days=7), due - dt.timedelta(days=3), due):
        outcome = run(day)
    assert len(mail.outbox) == 1 and outcome["sent"] == 0 and outcome["already_sent"] == 1

    run(due + dt.timedelta(days=1))
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.startswith(f"逾期提醒：「{project.title_zh}」的报告应于 {due} 前发布")
    assert "逾期天数：1" in mail.outbox[1].body and "Days overdue: 1" in mail.outbox[1].body
    for offset in range(2, 8):
        run(due + dt.timedelta(days=offset))
    assert len(mail.outbox) == 2
    run(due + dt.timedelta(days=8))
    run(due + dt.timedelta(days=9))
    assert len(mail.outbox) == 3 and "逾期天数：8" in mail.outbox[2].body
    run(due + dt.timedelta(days=20))  # a missed week is caught up once, not twice
    assert len(mail.outbox) == 4
    assert list(ReminderSent.objects.order_by("pk").values_list("step", "week", "due_on")) == [
        ("before", 0, due), ("overdue", 0, due), ("overdue", 1, due), ("overdue", 2, due),
    ]
    assert all(sorted(m.to) == staff for m in mail.outbox)


def test_a_report_resets_the_clock_and_ends_the_overdue_reminders(team, django_capture_on_commit_callbacks):
    project = long_project(team, started_days_ago=100)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=today())
    assert len(mail.outbox) == 1 and "逾期" in mail.outbox[0].subject
    publish(project, team.editor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = reminders_send(today=today() + dt.timedelta(days=7))
    assert mail.outbox == [] and outcome["sent"] == 0
    project.refresh_from_db()
    assert project.report_due_on == add_months(today(), 3)


def test_each_reminder_is_recorded_once_by_the_database(team):
    project = long_project(team)
    row = {"project": project, "duty": "progress", "due_on": first_due(project), "step": "before", "week": 0, "sent_on": today()}
    ReminderSent.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(**row)


def test_the_daily_task_and_the_command(team, capsys):
    project = long_project(team)
    due = first_due(project)
    result = send_reminders.enqueue(reschedule=False, today=(due - dt.timedelta(days=2)).isoformat())
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    assert result.return_value == {"projects": 1, "stored": 1, "sent": 1, "already_sent": 0}
    call_command("send_reminders", "--today", (due - dt.timedelta(days=1)).isoformat())
    assert capsys.readouterr().out.strip() == "projects=1 stored=0 sent=0 already_sent=1"
    with pytest.raises(CommandError, match="--today must be a date such as 2025-03-31, got 'tomorrow'"):
        call_command("send_reminders", "--today", "tomorrow")


@pytest.mark.parametrize(
    "now, expected",
    [
        (dt.datetime(2025, 3, 31, 0, 59, tzinfo=UTC), dt.datetime(2025, 3, 31, 9, 0, tzinfo=SHANGHAI)),  # 08:59 in Shanghai
        (dt.datetime(2025, 3, 31, 1, 0, tzinfo=UTC), dt.datetime(2025, 4, 1, 9, 0, tzinfo=SHANGHAI)),
        (dt.datetime(2024, 2, 28, 20, 0, tzinfo=UTC), dt.datetime(2024, 2, 29, 9, 0, tzinfo=SHANGHAI)),
        (dt.datetime(2025, 12, 31, 16, 0, tzinfo=UTC), dt.datetime(2026, 1, 1, 9, 0, tzinfo=SHANGHAI)),
    ],
)
def test_the_daily_task_renews_itself_for_the_next_morning_in_shanghai(now, expected):
    assert next_reminder_run(now) == expected


def test_the_emergency_receipts_reminder_comes_two_days_ahead(team, django_capture_on_commit_callbacks):
    project = long_project(team, domain="public_emergency")
    receipts_due = project.starts_on + dt.timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=receipts_due - dt.timedelta(days=3))
        assert mail.outbox == []
        reminders_send(today=receipts_due - dt.timedelta(days=2))
    assert len(mail.outbox) == 1
    assert f"「{project.title_zh}」的募得款物接收情况应于 {receipts_due} 前发布。" in mail.outbox[0].body
    assert "至少每五日公开一次" in mail.outbox[0].body


def test_the_daily_job_keeps_the_stored_due_dates_true(team):
    late, dropped = long_project(team, started_days_ago=200), long_project(team, started_days_ago=200)
    reminders_send(today=today())
    assert set(Project.objects.values_list("report_due_on", flat=True)) == {first_due(late)}
    # Closed after raising money: the final report is due. Closed without a gift: nothing is.
    donate(late, 10_000)
    project_transition(project=late, to="closed", actor=team.admin, reason="停止")
    project_transition(project=dropped, to="closed", actor=team.admin, reason="停止")
    reminders_send(today=today())
    late.refresh_from_db(), dropped.refresh_from_db()
    assert (late.report_due_on, dropped.report_due_on) == (add_months(today(), 3), None)
