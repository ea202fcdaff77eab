"""Complaint rate limits: per account, per email address and per network address, in any hour, in
any 24 hours and about one project in 24 hours. A refusal names the limit and when to come back,
and writes nothing (no complaint, no evidence file, no audit event, no email)."""

import datetime as dt
import html
import importlib
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core import mail
from django.db import connections
from django.urls import reverse

from commonweal.core.errors import RateLimited
from commonweal.core.models import AuditEvent
from commonweal.core.privacy import fingerprint
from commonweal.core.timeutil import to_shanghai
from commonweal.disclosure.models import Complaint
from commonweal.disclosure.models.spending import evidence_storage
from commonweal.disclosure.services.complaints import complaint_limits, complaint_submit, mailbox_key
from tests.disclosure.spending_support import jpeg_bytes, upload
from tests.factories import make_project, make_user

T0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def limits(settings):
    """Small limits, so each can be reached on its own: 3 an hour, 5 a day, 2 per project a day."""
    settings.COMPLAINTS_PER_HOUR, settings.COMPLAINTS_PER_DAY, settings.COMPLAINTS_PER_PROJECT_PER_DAY = 3, 5, 2


def send(project, *, minutes: int = 0, now_at: dt.datetime | None = None, **sender):
    now = now_at or T0 + minutes * MINUTE
    return complaint_submit(project=project, reason="fraud", details="照片是网上找的。", now=now, **sender)


def sender(shared: str, n: int, account) -> dict:
    """The n-th sender of a series that has only the identity ``shared`` in common."""
    args = {"reporter_email": f"sender{n}@example.org", "client_address": f"198.51.100.{n}"}
    if shared == "account":
        args["reporter"] = account
    elif shared == "email":
        # One mailbox, however it is written: case and "+tags" do not matter.
        args["reporter_email"] = ("same@example.org", "Same+2@Example.org", "same+complaints@example.ORG")[n % 3]
    else:
        args["client_address"] = "203.0.113.7"
    return args


def evidence_files() -> set[Path]:
    return set(Path(evidence_storage().path("complaints")).rglob("*"))


# limit: (accepted complaints as (minutes after T0, project index), the refused one, when it fits again)
SCHEDULES = {
    "per_hour": ([(0, 0), (1, 1), (2, 0)], (3, 1), T0 + dt.timedelta(hours=1)),
    "per_day": ([(0, 0), (61, 1), (122, 0), (183, 1), (244, 2)], (305, 2), T0 + dt.timedelta(days=1)),
    "per_project_per_day": ([(0, 0), (1, 0)], (2, 0), T0 + dt.timedelta(days=1)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("identity", ["account", "email", "address"])
@pytest.mark.parametrize("limit", SCHEDULES)
def test_each_limit_refuses_the_next_complaint_and_writes_nothing(limits, limit, identity,
                                                                  django_capture_on_commit_callbacks):
    projects, account = [make_project() for _ in range(3)], make_user()
    accepted, (minutes, index), retry_at = SCHEDULES[limit]
    for n, (at, which) in enumerate(accepted):
        send(projects[which], minutes=at, **sender(identity, n, account))
    written = (Complaint.objects.count(), AuditEvent.objects.count(), evidence_files())
    mail.outbox.clear()
    refused = sender(identity, len(accepted), account)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RateLimited) as info:
        send(projects[index], minutes=minutes, evidence=upload(jpeg_bytes(), "proof.jpg"), **refused)
    error = info.value
    assert (error.code, error.http_status, error.limit, error.identity, error.retry_at) == (
        "rate_limited", 429, limit, identity, retry_at)
    assert (Complaint.objects.count(), AuditEvent.objects.count(), evidence_files()) == written
    assert mail.outbox == []

    # The window slides: still refused a second before it frees up, accepted from then on.
    with pytest.raises(RateLimited):
        send(projects[index], now_at=retry_at - dt.timedelta(seconds=1), **refused)
    assert send(projects[index], now_at=retry_at, **refused).received_at == retry_at
    # Someone else is not affected.
    stranger = {"reporter_email": "stranger@example.org", "client_address": "192.0.2.1", "reporter": make_user()}
    assert send(projects[index], minutes=minutes, **stranger).reporter_email == "stranger@example.org"


@pytest.mark.parametrize(("address", "mailbox"), [
    ("Li.Wei+tips@Example.org", "li.wei@example.org"),
    ("A.Li+2@GoogleMail.com", "ali@gmail.com"),
    ("a.l.i@gmail.com", "ali@gmail.com"),
    ("+only-a-tag@example.org", "+only-a-tag@example.org"),
    ("  ali@qq.com ", "ali@qq.com"),
])
def test_a_mailbox_key_ignores_what_the_provider_ignores(address, mailbox):
    assert mailbox_key(address) == mailbox


@pytest.mark.django_db
def test_different_mailboxes_stay_different_senders(limits):
    project = make_project()
    for n, address in enumerate(["li.wei@example.org", "liwei@example.org", "li.wei@example.com"]):
        send(project, minutes=n, reporter_email=address, client_address=f"198.51.100.{n}")
    send(project, minutes=3, reporter_email="liwei+again@example.org", client_address="198.51.100.9")
    with pytest.raises(RateLimited) as info:
        send(project, minutes=4, reporter_email="LIWEI+third@example.org", client_address="198.51.100.10")
    assert (info.value.limit, info.value.identity) == ("per_project_per_day", "email")
    assert Complaint.objects.filter(reporter_mailbox="liwei@example.org").count() == 2


@pytest.mark.django_db
def test_the_refusal_names_the_limit_that_frees_up_last(limits):
    first, second = make_project(), make_project()
    for minutes, project in ((0, first), (1, first), (2, second)):
        send(project, minutes=minutes, reporter_email="busy@example.org")
    with pytest.raises(RateLimited) as info:  # both the hour and the project's day are full
        send(first, minutes=3, reporter_email="busy@example.org")
    assert (info.value.limit, info.value.retry_at) == ("per_project_per_day", T0 + dt.timedelta(days=1))
    assert "at most 2 complaints about one project in 24 hours from one email address" in info.value.message
    assert "try again after 2026-11-24 10:00 Beijing time" in info.value.message


@pytest.mark.django_db
def test_the_retry_time_is_rounded_up_to_the_minute(limits):
    project = make_project()
    for _ in range(2):
        send(project, minutes=0, reporter_email="busy@example.org")
    Complaint.objects.update(received_at=T0 + dt.timedelta(seconds=30))
    with pytest.raises(RateLimited) as info:
        send(project, minutes=2, reporter_email="busy@example.org")
    assert info.value.retry_at == T0 + dt.timedelta(days=1, minutes=1)


def test_defaults_and_switching_a_limit_off(settings):
    assert [(limit.name, limit.most, limit.window) for limit in complaint_limits()] == [
        ("per_hour", 5, dt.timedelta(hours=1)), ("per_day", 20, dt.timedelta(days=1)),
        ("per_project_per_day", 3, dt.timedelta(days=1))]
    settings.COMPLAINTS_PER_HOUR = 0
    assert [limit.name for limit in complaint_limits()] == ["per_day", "per_project_per_day"]


@pytest.mark.django_db
def test_the_page_shows_which_limit_and_when_to_try_again(client, limits):
    projects = [make_project() for _ in range(3)]
    for n, project in enumerate(projects):
        url = reverse("complaint-new", args=[project.public_id])
        data = {"reason": "fraud", "details": "照片是网上找的。", "reporter_email": f"page{n}@example.org"}
        assert client.post(url, data).status_code == 302
    first = Complaint.objects.earliest("received_at")
    # The network address is kept only as a keyed hash.
    assert first.client_fingerprint == fingerprint("address", "127.0.0.1")
    assert not Complaint.objects.filter(client_fingerprint__contains="127.0.0.1").exists()

    response = client.post(url, {**data, "reporter_email": "page9@example.org"})
    assert response.status_code == 429 and Complaint.objects.count() == 3
    frees_up = to_shanghai(first.received_at + dt.timedelta(hours=1))
    retry_at = frees_up.replace(second=0, microsecond=0) + (MINUTE if frees_up.second or frees_up.microsecond else dt.timedelta())
    text = html.unescape(response.content.decode())
    assert f"同一网络地址一小时内最多提交 3 条投诉。 请在 {retry_at:%Y-%m-%d %H:%M}（北京时间）之后再试。" in text


SENDERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_do_not_slip_past_the_count(limits):
    """Run on SQLite and PostgreSQL: eight submissions at once from one email address, three fit."""
    projects = [make_project() for _ in range(SENDERS)]
    start = threading.Barrier(SENDERS)
    outcomes: list[object] = []

    def submit(project):
        try:
            start.wait()
            send(project, minutes=0, reporter_email="flood@example.org")
            outcomes.append("accepted")
        except RateLimited as error:
            outcomes.append(error.limit)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            outcomes.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        list(pool.map(submit, projects))
    assert sorted(outcomes, key=str) == ["accepted"] * 3 + ["per_hour"] * (SENDERS - 3)
    assert Complaint.objects.filter(reporter_email="flood@example.org").count() == 3


@pytest.mark.django_db
def test_complaints_from_before_the_mailbox_column_get_their_mailbox(limits):
    from django.apps import apps
    migration = importlib.import_module("commonweal.disclosure.migrations.0005_complaint_sender_mailbox")
    project = make_project()
    older = [send(project, minutes=n, reporter_email=address) for n, address in enumerate(["A.Li+1@Gmail.com", "a.li@googlemail.com"])]
    Complaint.objects.update(reporter_mailbox="")  # as the column's default left them

    migration.fill_mailboxes(apps, None)

    assert [Complaint.objects.get(pk=c.pk).reporter_mailbox for c in older] == ["ali@gmail.com", "ali@gmail.com"]
    with pytest.raises(RateLimited):  # they count again: that mailbox sent two about this project today
        send(project, minutes=5, reporter_email="ali@gmail.com")
