"""The daily reminder job run several times at once (two workers, a retry, a manual command):
every reminder is recorded and emailed exactly once. Run on SQLite and on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connections

from commonweal.disclosure.models import ReminderSent
from commonweal.disclosure.services.reporting import reminders_send
from tests.disclosure.reporting_support import long_project, make_team, today

RUNS = 8


@pytest.mark.django_db(transaction=True)
def test_parallel_runs_send_each_reminder_once():
    team = make_team()
    late = [long_project(team, started_days_ago=100 + n) for n in range(3)]
    mail.outbox.clear()  # the invitations of the team's members
    start = threading.Barrier(RUNS)
    errors: list[BaseException] = []

    def run(_):
        try:
            start.wait()
            reminders_send(today=today())
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=RUNS) as pool:
        list(pool.map(run, range(RUNS)))

    assert errors == []
    assert ReminderSent.objects.count() == len(late)
    assert sorted(ReminderSent.objects.values_list("project_id", flat=True)) == sorted(p.pk for p in late)
    assert len(mail.outbox) == len(late)
    assert all(m.subject.startswith("逾期提醒") for m in mail.outbox)
