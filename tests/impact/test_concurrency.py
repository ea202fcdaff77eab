"""The same quarter's result recorded from several sessions at once (two editors, a double
click): exactly one is kept, the others get ``result_exists``, and every indicator's targets
replaced at the same time end up as one whole set. Run on SQLite and on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from commonweal.core.errors import Conflict
from commonweal.impact.models import Result, Target
from commonweal.impact.services import indicator_targets_set, result_record
from tests.factories import add_member, make_project
from tests.impact.support import people_reached

RUNS = 8


def _parallel(work) -> list:
    start = threading.Barrier(RUNS)
    outcomes: list = []

    def run(n):
        try:
            start.wait()
            outcomes.append(work(n))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted by the caller
            outcomes.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=RUNS) as pool:
        list(pool.map(run, range(RUNS)))
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_one_result_per_period_under_concurrency():
    project = make_project()
    admin = project.org.memberships.get().user
    editors = [admin] + [add_member(project.org, "editor") for _ in range(2)]
    indicator = people_reached(project, admin)

    outcomes = _parallel(lambda n: result_record(
        indicator=indicator, actor=editors[n % len(editors)], period="2026-Q1", value=str(100 + n), evidence_text=f"第 {n} 次提交",
        evidence_url="https://example.org/",
    ))
    kept = [o for o in outcomes if isinstance(o, Result)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(kept) == 1 and len(refused) == RUNS - 1, outcomes
    assert all(exc.code == "result_exists" for exc in refused)
    assert Result.objects.get().public_id == kept[0].public_id


@pytest.mark.django_db(transaction=True)
def test_concurrent_target_sets_leave_one_whole_set():
    project = make_project()
    admin = project.org.memberships.get().user
    indicator = people_reached(project, admin)
    sets = [{f"2026-Q{q}": str(n * 10 + q) for q in range(1, 5)} for n in range(RUNS)]
    outcomes = _parallel(lambda n: indicator_targets_set(indicator=indicator, actor=admin, targets=sets[n]))
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    stored = {t.period: str(t.value.normalize()) for t in Target.objects.all()}
    assert stored in sets  # one writer's whole set, never a mix
