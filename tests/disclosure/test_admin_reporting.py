"""Back office: report followers and sent reminders are listed for operators, read-only, and the
unsubscribe secret is never shown."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from commonweal.disclosure.models.reporting import Follow, ReminderSent
from commonweal.disclosure.services.reporting import follow_start, follow_stop, reminders_send
from tests.disclosure.reporting_support import long_project, make_team
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def test_follows_are_listed_filtered_and_read_only(operator_client):
    project = long_project(make_team())
    staying, leaving = make_user(email="stay@example.org"), make_user(email="leave@example.org")
    kept = follow_start(project=project, user=staying)
    follow_start(project=project, user=leaving)
    follow_stop(project=project, user=leaving)
    listing = reverse("admin:disclosure_follow_changelist")
    everyone = page(operator_client, listing)
    assert "stay@example.org" in everyone and "leave@example.org" in everyone and project.title_zh in everyone
    active = page(operator_client, listing + "?active=yes")
    assert "stay@example.org" in active and "leave@example.org" not in active
    assert "leave@example.org" in page(operator_client, listing + "?active=no")
    detail = page(operator_client, reverse("admin:disclosure_follow_change", args=[kept.pk]))
    assert kept.token not in detail and 'name="_save"' not in detail
    assert operator_client.post(reverse("admin:disclosure_follow_change", args=[kept.pk]), {"email": "x@example.org"}).status_code == 403
    assert operator_client.post(reverse("admin:disclosure_follow_delete", args=[kept.pk]), {"post": "yes"}).status_code == 403
    assert Follow.objects.filter(pk=kept.pk, unsubscribed_at__isnull=True).exists()


def test_sent_reminders_are_listed(operator_client):
    project = long_project(make_team(), started_days_ago=100)
    reminders_send(today=timezone.localdate())
    assert ReminderSent.objects.get(project=project).step == "overdue"
    listing = reverse("admin:disclosure_remindersent_changelist")
    assert project.title_zh in page(operator_client, listing + "?step=overdue")
    assert project.title_zh not in page(operator_client, listing + "?step=before")
