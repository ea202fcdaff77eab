"""New reports by email to donors and followers, the one-click unsubscribe (RFC 8058), the
follow button, and the pre-payment confirmation on the donate form (Tencent, 2018)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.disclosure.models import Follow, FollowSource
from commonweal.disclosure.services.reporting import follow_start, report_publish
from commonweal.disclosure.tasks import report_notify
from commonweal.giving.models import DonationIntent, MonthlyPlan
from tests.disclosure.reporting_support import long_project, make_team
from tests.factories import donate, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


@pytest.fixture
def project(team):
    return long_project(team)


def publish(project, actor, capture, title="第一批图书到校"):
    """Publish a report and run what it schedules on commit (the email task, run immediately)."""
    with capture(execute=True):
        return report_publish(project=project, actor=actor, title=title, body="一千二百册图书已送达。",
                              figures=[{"label": "图书送达", "value": "1200", "unit": "册"}])


def unsubscribe_url(message) -> str:
    return re.search(r"<(http[^>]+)>", message.extra_headers["List-Unsubscribe"])[1]


def by_address():
    return {m.to[0]: m for m in mail.outbox}


# --- who receives new reports --------------------------------------------------------------------

def test_a_new_report_goes_to_signed_in_donors_and_followers(team, project, django_capture_on_commit_callbacks):
    donor = make_user("donor@example.org")
    donate(project, 10_000, donor=donor)
    donate(project, 20_000, donor=donor)          # one email however many gifts
    donate(project, 5_000, donor_name="匿名")      # no account, no email
    follower = make_user("fan@example.org")
    follow_start(project=project, user=follower)
    Follow.objects.create(project=project, email="newsletter@example.org", token="e" * 43)
    other_project = long_project(team)
    donate(other_project, 10_000, donor=make_user("elsewhere@example.org"))

    update = publish(project, team.editor, django_capture_on_commit_callbacks)

    assert sorted(by_address()) == ["donor@example.org", "fan@example.org", "newsletter@example.org"]
    message = by_address()["donor@example.org"]
    assert message.subject == (f"「{project.title_zh}」发布新报告：第一批图书到校 / "
                               f"New report from “{project.title_en}”: 第一批图书到校")
    for text in ("一千二百册图书已送达。", "· 图书送达: 1200 册", "您收到这封邮件，是因为您捐赠过该项目。",
                 "You receive this email because you gave to this project.",
                 f"/projects/{project.public_id}/#report-{update.public_id}"):
        assert text in message.body, text
    assert "您收到这封邮件，是因为您关注了该项目。" in by_address()["fan@example.org"].body
    token = Follow.objects.get(project=project, user=donor).token
    assert Follow.objects.get(project=project, user=donor).source == FollowSource.DONATION
    assert message.extra_headers == {
        "List-Unsubscribe": f"<http://127.0.0.1:8000/unsubscribe/{token}/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert f"/unsubscribe/{token}/" in message.body
    assert "donor@example.org" not in "".join(m.body for m in mail.outbox if m.to != ["donor@example.org"])


def test_unsubscribing_stops_further_reports_for_that_recipient_only(team, project, django_capture_on_commit_callbacks):
    donor, follower = make_user("donor@example.org"), make_user("fan@example.org")
    donate(project, 10_000, donor=donor)
    follow_start(project=project, user=follower)
    publish(project, team.editor, django_capture_on_commit_callbacks)
    link = unsubscribe_url(by_address()["donor@example.org"])
    mail.outbox.clear()

    # A mail client's one-click POST (RFC 8058): no session, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(link.removeprefix("http://127.0.0.1:8000"), "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "您将不再通过邮件接收" in response.content.decode()
    assert Follow.objects.get(user=donor).unsubscribed_at is not None

    donate(project, 10_000, donor=donor)  # giving again does not subscribe them again
    publish(project, team.editor, django_capture_on_commit_callbacks, title="第二批图书到校")
    assert sorted(by_address()) == ["fan@example.org"]


def test_the_unsubscribe_link_asks_first_and_a_token_stops_only_its_own_follow(client, team, project, django_capture_on_commit_callbacks):
    a, b = make_user("a@example.org"), make_user("b@example.org")
    follow_a, follow_b = follow_start(project=project, user=a), follow_start(project=project, user=b)
    url = reverse("unsubscribe", args=[follow_a.token])

    page = client.get(url)  # a link scanner or a curious click: nothing changes
    html = page.content.decode()
    assert page.status_code == 200 and "退订" in html and f'action="{url}"' in html and 'method="post"' in html
    assert "a@example.org" not in html
    follow_a.refresh_from_db()
    assert follow_a.active

    assert client.post(url).status_code == 200
    follow_a.refresh_from_db(), follow_b.refresh_from_db()
    assert not follow_a.active and follow_b.active
    assert client.post(url).status_code == 200  # again: still unsubscribed, nothing else changes
    for bad in ("x" * 43, follow_a.token[:-1], "short", "a" * 65):
        assert client.post(reverse("unsubscribe", args=[bad])).status_code == 404
        assert client.get(reverse("unsubscribe", args=[bad])).status_code == 404
    follow_b.refresh_from_db()
    assert follow_b.active
    publish(project, team.editor, django_capture_on_commit_callbacks)
    assert sorted(by_address()) == ["b@example.org"]


def test_the_task_skips_a_report_that_is_gone(team, project):
    assert report_notify.call(update_public_id="01jnosuchupdatexxxxxxxxxxx") == 0


# --- the follow button -------------------------------------------------------------------------

def test_the_follow_button(client, team, project):
    page = reverse("project-detail", args=[project.public_id])
    follow_url = reverse("project-follow", args=[project.public_id])
    html = client.get(page).content.decode()
    assert "登录后关注该项目" in html and follow_url not in html
    assert client.post(follow_url, {"action": "follow"})["Location"].startswith("/accounts/login/")

    user = make_user("fan@example.org")
    client.force_login(user)
    assert f'action="{follow_url}"' in client.get(page).content.decode()
    assert client.get(follow_url).status_code == 405
    response = client.post(follow_url, {"action": "follow"}, follow=True)
    html = response.content.decode()
    assert "您已关注该项目，项目的新报告会通过邮件发送给您。" in html and "不再接收报告邮件" in html
    assert Follow.objects.get(project=project, user=user).active

    client.post(follow_url, {"action": "stop"})
    assert not Follow.objects.get(project=project, user=user).active
    client.post(follow_url, {"action": "follow"})
    assert Follow.objects.get(project=project, user=user).active  # the same row, active again
    assert Follow.objects.count() == 1


def test_a_donor_sees_they_receive_reports_and_can_stop_them(client, team, project, django_capture_on_commit_callbacks):
    donor = make_user("donor@example.org")
    donate(project, 10_000, donor=donor)
    client.force_login(donor)
    page = reverse("project-detail", args=[project.public_id])
    assert "您捐赠过本项目，项目发布新报告时会通过邮件通知您。" in client.get(page).content.decode()
    client.post(reverse("project-follow", args=[project.public_id]), {"action": "stop"})
    assert "关注该项目" in client.get(page).content.decode()
    publish(project, team.editor, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_following_a_draft_is_404(client, team):
    from tests.factories import make_project_in

    draft = make_project_in("draft", team.org)
    client.force_login(make_user())
    assert client.post(reverse("project-follow", args=[draft.public_id]), {"action": "follow"}).status_code == 404
    assert not Follow.objects.exists()


# --- the pre-payment confirmation -------------------------------------------------------------

def donate_page(client, project) -> str:
    response = client.get(reverse("donate", args=[project.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_donate_form_shows_the_start_date_the_latest_report_and_the_finances(client, team, project):
    donate(project, 123_45)
    html = donate_page(client, project)
    assert "付款前请了解" in html
    block = html[html.index("付款前请了解"):html.index("去支付")]
    for text in ("项目开始日期", project.starts_on.isoformat(), "最近一次进展报告", "尚未发布", "已筹", "¥123.45",
                 "已支出", "¥0.00", "结余", "我已阅读项目信息", 'name="confirm_read"'):
        assert text in block, text
    assert re.search(r'<input type="checkbox" name="confirm_read"(?![^>]*checked)[^>]*required', block)

    report_publish(project=project, actor=team.admin, title="进展", body="正文")
    assert timezone.localdate().isoformat() in donate_page(client, project).split("最近一次进展报告", 1)[1][:200]


def test_the_donate_form_warns_about_an_overdue_project(client, team):
    late = long_project(team, started_days_ago=200)
    assert "该项目未按《慈善法》要求按时公开报告。" in donate_page(client, late)


def test_paying_without_confirming_creates_nothing_and_says_why(client, team, project):
    html = donate_page(client, project)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html)[1]
    data = {"amount": "1000", "idempotency_key": key}
    response = client.post(reverse("donate", args=[project.public_id]), data)
    assert response.status_code == 200
    assert "付款前请勾选确认您已阅读项目信息。" in response.content.decode()
    assert not DonationIntent.objects.exists()

    client.force_login(make_user())
    response = client.post(reverse("donate", args=[project.public_id]), {**data, "monthly": "on"})
    assert "付款前请勾选确认您已阅读项目信息。" in response.content.decode()
    assert not MonthlyPlan.objects.exists()

    response = client.post(reverse("donate", args=[project.public_id]), {**data, "confirm_read": "on"})
    assert response.status_code == 302 and DonationIntent.objects.count() == 1
