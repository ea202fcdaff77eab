"""The program office's demo data: a ¥50B fund, payments with their outbox rows, labs with
projects at every stage, a studio, impact indicators on them, the two office logins; and the wipe
removes it all."""

import datetime as dt
import json

import pytest
from django.db.models import Sum

from commonweal.demo.generate import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from commonweal.demo.extensions import EXTENSION_MODULES
from commonweal.impact.frameworks import validate_code
from commonweal.impact.models import Indicator, Result, Target
from commonweal.impact.periods import parse_period
from commonweal.impact.selectors import indicator_status, indicators_for
from commonweal.ledger.models import OutboxEntry
from commonweal.orgs.models import Organization
from commonweal.programs import demo
from commonweal.programs.demo import FINANCE_EMAIL, FUND_TOTAL_FEN, MANAGER_EMAIL
from commonweal.programs.models import (
    Commitment,
    Fund,
    FundAllocation,
    GateReview,
    GrantPayment,
    Lab,
    LabProject,
    OfficeMember,
    Stage,
    Studio,
)
from commonweal.programs.services.portfolio import grant_payment_entry_fields
from tests.factories import make_org, make_project

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)


def test_demo_is_registered():
    assert "commonweal.programs.demo" in EXTENSION_MODULES


def test_demo_dataset_and_wipe(client):
    # The base dataset's organizations and projects, in small: demo organizations are those
    # with a contact address at the demo domain.
    for n in range(3):
        org = make_org()
        Organization.objects.filter(pk=org.pk).update(contact_email=f"org{n}@{DEMO_EMAIL_DOMAIN}")
        for _ in range(3):
            make_project(org)
    counts = demo.generate(seed=11, now=NOW)
    assert counts["programs.Fund"] == 1 and counts["programs.Studio"] == 1
    fund = Fund.objects.get()
    assert fund.total_fen == FUND_TOTAL_FEN == 50_000_000_000_00
    assert FundAllocation.objects.filter(fund=fund).aggregate(s=Sum("amount_fen"))["s"] == FUND_TOTAL_FEN
    assert FundAllocation.objects.filter(fund=fund).values("domain").distinct().count() == 8
    # Every payment has exactly the outbox row grant_payment_record writes.
    payments = list(GrantPayment.objects.select_related("commitment__fund", "commitment__recipient_org"))
    assert len(payments) > 100
    entries = {e.subject_id: e for e in OutboxEntry.objects.filter(entry_type="grant_payment")}
    assert set(entries) == {p.public_id for p in payments}
    p = payments[0]
    fields = grant_payment_entry_fields(commitment=p.commitment, amount_fen=p.amount_fen, paid_on=p.paid_on)
    assert json.loads(bytes(entries[p.public_id].canonical_json)) == {"v": 1, "type": "grant_payment", "id": p.public_id, **fields}
    for c in Commitment.objects.annotate(paid=Sum("payments__amount_fen")):
        assert (c.paid or 0) <= c.amount_fen
    assert set(LabProject.objects.values_list("stage", flat=True)) == set(Stage.values)
    studio = Studio.objects.get()
    assert studio.commitment.source_kind == "studio" and GateReview.objects.filter(project=studio.project).count() >= 4
    assert set(OfficeMember.objects.values_list("user__email", "role")) == {(MANAGER_EMAIL, "manager"), (FINANCE_EMAIL, "finance")}
    assert client.login(email=MANAGER_EMAIL, password=DEMO_PASSWORD) or client.post(
        "/accounts/login/", {"login": MANAGER_EMAIL, "password": DEMO_PASSWORD}
    ).status_code == 302
    assert client.get("/programs/office/").status_code == 200
    assert client.get("/programs/").status_code == 200

    # Impact indicators on every lab, every lab project past the idea stage and the studio, with
    # quarterly targets and results (evidence linked) for the quarters already over.
    labs = Lab.objects.all()
    assert counts["impact.Indicator"] == Indicator.objects.count() > 0
    assert (counts["impact.Target"], counts["impact.Result"]) == (Target.objects.count(), Result.objects.count())
    subjects = [(lab, lab) for lab in labs] + [(p, p.lab) for p in LabProject.objects.exclude(stage=Stage.IDEA).select_related("lab")]
    for subject, lab in [*subjects, (studio, studio.project.lab)]:
        indicators = list(indicators_for(subjects=[subject]))
        assert indicators and all(i.domain == lab.domain and i.org_id is None for i in indicators)
        assert all(indicator_status(i).latest is not None for i in indicators)
    assert not indicators_for(subjects=LabProject.objects.filter(stage=Stage.IDEA)).exists()
    for indicator in Indicator.objects.all():
        assert validate_code(indicator.framework, indicator.code) == indicator.code and indicator.project_id is None
    for row in [*Target.objects.all(), *Result.objects.all()]:
        period = parse_period(row.period)
        assert (period.label, period.ends_on) == (row.period, row.ends_on)
    assert not Result.objects.filter(ends_on__gte=NOW.date()).exists() and not Result.objects.filter(evidence_url="").exists()
    html = client.get(f"/programs/funds/{fund.public_id}/").content.decode()
    assert f'data-figure="indicators">{Indicator.objects.count()}<' in html
    lab = labs.first()
    assert 'data-indicator="' in client.get(f"/programs/labs/{lab.public_id}/").content.decode()

    assert demo.wipe() > 0
    assert not Fund.objects.exists() and not Commitment.objects.exists() and not LabProject.objects.exists()
    assert not Indicator.objects.exists() and not Target.objects.exists() and not Result.objects.exists()
    assert not OutboxEntry.objects.filter(entry_type="grant_payment").exists()
    assert not OfficeMember.objects.exists()
