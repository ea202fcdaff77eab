"""`commonweal demo`: the generated data keeps every invariant the services keep.

The dataset is small here (3,000 donations); the checks are aggregate queries over all of it,
so they hold for the full-size demo too (bench/demo_generation.py times that one).
"""

import datetime as dt
import hashlib
import io
import json

import pytest
import rfc8785
from django.core.management import call_command
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.credit_code import registration_authority, validate_credit_code
from commonweal.core.domains import Domain
from commonweal.core.models import AuditEvent
from commonweal.core.sdg import validate_sdg_tags
from commonweal.core.timeutil import SHANGHAI, rfc3339, shanghai_date
from commonweal.demo import DemoInLog, DemoSize, demo_generate, demo_present, demo_wipe
from commonweal.demo.generate import ADMIN_EMAIL, DONOR_EMAIL, EDITOR_EMAIL, FINANCE_EMAIL, OPERATOR_EMAIL
from commonweal.demo.rows import RowWriter
from commonweal.disclosure.selectors.reporting import projects_overdue
from commonweal.giving.models import Donation, DonationIntent, MonthlyCharge, MonthlyPlan, Refund
from commonweal.giving.providers import sandbox_charge_recurring
from commonweal.giving.services import credentials_get, refund_create
from commonweal.ledger.models import OutboxEntry
from commonweal.ledger.services import FORBIDDEN_ENTRY_KEYS
from commonweal.orgs.models import Membership, Organization
from commonweal.orgs.services import org_is_verified
from commonweal.projects.models import Project
from tests.factories import donate

pytestmark = pytest.mark.django_db

N = 3000
SMALL = ["--donations", str(N), "--orgs", "8", "--projects", "30"]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo() -> str:
    output = _run(*SMALL)
    assert "demo data generated" in output
    return output


def _donation_entry(donation: Donation) -> bytes:
    """The bytes outbox_append writes for a confirmed donation, built from the entry's definition."""
    return rfc8785.dumps({
        "v": 1, "type": "donation", "id": donation.public_id, "amount_fen": donation.amount_fen, "currency": "CNY",
        "org": donation.recipient_org.public_id, "project": donation.project.public_id,
        "time": rfc3339(donation.confirmed_at), "donor": donation.donor_commitment,
    })


def _refund_entry(refund: Refund) -> bytes:
    donation = refund.donation
    return rfc8785.dumps({
        "v": 1, "type": "refund", "id": refund.public_id, "donation": donation.public_id,
        "amount_fen": refund.amount_fen, "currency": "CNY", "org": donation.recipient_org.public_id,
        "project": donation.project.public_id, "time": rfc3339(refund.created_at),
    })


def test_every_donation_is_what_donation_confirm_would_have_written(demo):
    assert Donation.objects.count() == DonationIntent.objects.filter(status="paid").count() == N
    assert DonationIntent.objects.filter(status="paid", donation__isnull=True).count() == 0
    # Only declined monthly charges left intents unpaid, one per period, as monthly_charge does.
    pending = DonationIntent.objects.exclude(status="paid").order_by("id")
    assert [(i.status, i.idempotency_key, hasattr(i, "donation")) for i in pending] == [
        ("pending", f"monthly:{charge.plan.public_id}:{charge.period}", False)
        for charge in MonthlyCharge.objects.filter(status="failed", attempt=1).order_by("id")
    ]
    # The donation repeats its intent, goes to the project's recipient, and follows the intent.
    assert Donation.objects.exclude(
        amount_fen=F("intent__amount_fen"), project=F("intent__project"), recipient_org=F("intent__recipient_org"),
        currency=F("intent__currency"), provider=F("intent__provider"), donor_name=F("intent__donor_name"),
        donor_public=F("intent__donor_public"), message=F("intent__message"),
    ).count() == 0
    assert Donation.objects.exclude(Q(donor=F("intent__donor")) | Q(donor__isnull=True, intent__donor__isnull=True)).count() == 0
    assert Donation.objects.exclude(
        Q(monthly_plan=F("intent__monthly_plan")) | Q(monthly_plan__isnull=True, intent__monthly_plan__isnull=True)
    ).count() == 0
    assert Donation.objects.filter(intent__created_at__gt=F("confirmed_at")).count() == 0
    assert Donation.objects.exclude(recipient_org=Coalesce("project__partner_org", "project__org")).count() == 0
    assert Donation.objects.values("provider", "provider_txn_id").distinct().count() == N
    assert DonationIntent.objects.values("idempotency_key").distinct().count() == DonationIntent.objects.count()
    # Salted commitments as core.privacy computes them, one fresh salt each.
    rows = list(Donation.objects.values_list("donor_salt", "donor_commitment", "donor_id", "intent__public_id"))
    assert len({salt for salt, *_ in rows}) == N
    for salt, commitment, donor_id, intent_id in rows:
        reference = f"user:{donor_id}" if donor_id else f"intent:{intent_id}"
        assert hashlib.sha256(bytes.fromhex(salt) + reference.encode()).hexdigest() == commitment
    # Every gift was made while its project was raising funds, never in the future.
    now = timezone.now()
    spans = Project.objects.filter(donation_count__gt=0).annotate(first=Min("donations__confirmed_at"), last=Max("donations__confirmed_at"))
    for project in spans:
        assert project.first.astimezone(SHANGHAI).date() >= project.starts_on, project.title_zh
        assert project.last.astimezone(SHANGHAI).date() <= project.ends_on and project.last <= now, project.title_zh
    assert not Project.objects.filter(donation_count__gt=0, status__in=["draft", "in_review"]).exists()


def test_project_totals_equal_the_sums_of_their_donations_and_refunds(demo):
    gifts = {row["project"]: row for row in Donation.objects.values("project").annotate(
        raised=Sum("amount_fen"), count=Count("id"), refunded=Sum("refunded_fen"))}
    refunds = dict(Refund.objects.values("donation__project").annotate(total=Sum("amount_fen")).values_list("donation__project", "total"))
    for project in Project.objects.all():
        row = gifts.get(project.pk, {"raised": 0, "count": 0, "refunded": 0})
        assert (project.raised_fen, project.donation_count, project.refunded_fen) == (row["raised"], row["count"], row["refunded"])
        assert project.refunded_fen == refunds.get(project.pk, 0)
    by_donation = dict(Refund.objects.values("donation").annotate(total=Sum("amount_fen")).values_list("donation", "total"))
    assert by_donation and Donation.objects.filter(refunded_fen__gt=0).count() == len(by_donation)
    for donation in Donation.objects.filter(refunded_fen__gt=0):
        assert donation.refunded_fen == by_donation[donation.pk] <= donation.amount_fen
    assert Project.objects.aggregate(total=Sum("raised_fen"))["total"] == Donation.objects.aggregate(total=Sum("amount_fen"))["total"]


def test_one_outbox_row_per_money_event_with_the_canonical_json_in_time_order(demo):
    donations = Donation.objects.select_related("project", "recipient_org")
    refunds = Refund.objects.select_related("donation__project", "donation__recipient_org")
    expected = {("donation", d.public_id): _donation_entry(d) for d in donations}
    expected |= {("refund", r.public_id): _refund_entry(r) for r in refunds}
    # The base dataset's money events; the apps above giving (demo.extensions) test their own.
    rows = list(OutboxEntry.objects.filter(entry_type__in=("donation", "refund")).order_by("id"))
    assert len(rows) == len(expected) == N + Refund.objects.count()
    assert {(row.entry_type, row.subject_id): bytes(row.canonical_json) for row in rows} == expected
    assert all(row.log_index is None for row in rows)
    # Ids follow the time of the events, as the sequencer reads them.
    times = [json.loads(bytes(row.canonical_json))["time"] for row in rows]
    assert times == sorted(times)
    assert [row.created_at for row in rows] == sorted(row.created_at for row in rows)
    # No personal data: no names, e-mails, payer ids or messages, only the allowed keys.
    text = b"\n".join(bytes(row.canonical_json) for row in rows).decode()
    for value in {*Donation.objects.exclude(donor_name="").values_list("donor_name", flat=True),
                  *User.objects.values_list("email", flat=True),
                  *Donation.objects.values_list("payer_reference", flat=True)}:
        assert value not in text
    for row in rows:
        keys = json.loads(bytes(row.canonical_json)).keys()
        assert not keys & FORBIDDEN_ENTRY_KEYS
        assert keys <= {"v", "type", "id", "amount_fen", "currency", "org", "project", "time", "donor", "donation"}
    assert AuditEvent.objects.filter(action="donation.refund").count() == Refund.objects.count()


def test_organizations_follow_the_charity_law_rules(demo):
    orgs = list(Organization.objects.all())
    assert len(orgs) == 8
    for org in orgs:
        assert validate_credit_code(org.credit_code) == org.credit_code
        assert registration_authority(org.credit_code).is_civil_affairs
        assert org.memberships.filter(role="admin").count() == 1
        assert len(credentials_get(org=org, provider="sandbox")["secret"]) == 64
        if org.fundraising_qualified:  # Art. 22: registered for at least a year, verified
            assert org.fundraising_qualified_on >= org.registration_date.replace(year=org.registration_date.year + 1)
            assert org_is_verified(org)
    statuses = {org.verification_status for org in orgs}
    assert {"verified", "submitted"} <= statuses
    assert any(org_is_verified(org) and not org.fundraising_qualified for org in orgs)
    # Public projects: verified organization, qualified recipient (Art. 26 partner if need be).
    for project in Project.objects.exclude(status="draft").select_related("org", "partner_org"):
        assert org_is_verified(project.org)
        recipient = project.partner_org or project.org
        assert recipient.fundraising_qualified and org_is_verified(recipient)
        assert project.partner_org_id != project.org_id
    assert Project.objects.filter(partner_org__isnull=False).exclude(status="draft").exists()
    assert not Project.objects.filter(org__verification_status="submitted").exclude(status="draft").exists()
    # The credit code's category is the organization's type (GB 32100-2015, civil affairs).
    categories = {"foundation": "foundation", "social_organization": "social organization",
                  "social_service": "social service institution"}
    for org in orgs:
        assert registration_authority(org.credit_code).category_en == categories[org.org_type]


def test_projects_are_complete_and_cover_every_domain(demo):
    projects = list(Project.objects.prefetch_related("budget_lines"))
    assert len(projects) == 30
    fundraising = [p for p in projects if p.status == "fundraising"]
    assert {p.domain for p in fundraising} == set(Domain.values)
    assert {p.status for p in projects} >= {"draft", "in_review", "fundraising", "executing", "completed"}
    assert any(p.featured for p in fundraising) and not any(p.featured for p in projects if p.status != "fundraising")
    for project in projects:
        project.full_clean()
        assert sum(line.amount_fen for line in project.budget_lines.all()) == project.goal_fen
        assert 5_000_00 <= project.goal_fen <= 5_000_000_00
        assert validate_sdg_tags(project.sdg_tags) == project.sdg_tags and project.sdg_tags
        assert project.title_en and project.summary_en and project.story_zh and project.story_en
        assert "lorem" not in (project.story_en + project.summary_en).lower()
    assert len({p.title_zh for p in projects}) == len(projects)
    # The audit trail project_create and project_transition leave.
    public = sum(p.status in ("fundraising", "executing", "completed") for p in projects)
    audit = AuditEvent.objects.filter(target_type="project")
    assert audit.filter(action="project.create").count() == len(projects)
    assert audit.filter(action="project.approve").count() == public
    assert audit.filter(action="project.submit").count() == public + sum(p.status == "in_review" for p in projects)


def test_the_gift_distribution_looks_like_real_giving(demo):
    micro = Donation.objects.filter(amount_fen__lte=10_00).count() / N
    assert 0.5 <= micro <= 0.7
    assert 0.2 <= Donation.objects.filter(amount_fen__gte=20_00, amount_fen__lte=200_00).count() / N <= 0.45
    assert Donation.objects.filter(amount_fen__gt=1_000_00).exists()
    registered = Donation.objects.filter(donor__isnull=False).count() / N
    assert 0.03 <= registered <= 0.09
    assert Donation.objects.filter(donor_public=True).exclude(donor_name="").exists()
    assert Donation.objects.filter(donor_public=False).exclude(donor_name="").exists()
    # Popularity is skewed: the busiest project has many times the median project's gifts.
    counts = sorted(Project.objects.filter(donation_count__gt=0).values_list("donation_count", flat=True))
    assert counts[-1] >= 5 * counts[len(counts) // 2]


def test_monthly_plans_charge_like_monthly_charge(demo):
    plans = list(MonthlyPlan.objects.select_related("project__org", "project__partner_org"))
    assert len(plans) == 3
    assert {plan.status for plan in plans} == {"active", "paused", "cancelled"}
    for plan in plans:
        recipient = plan.project.recipient_org
        secret = credentials_get(org=recipient, provider="sandbox")["secret"]
        for charge in plan.charges.filter(status="succeeded").select_related("donation__intent"):
            donation = charge.donation
            assert donation.monthly_plan_id == plan.pk and donation.amount_fen == plan.amount_fen
            assert donation.intent.idempotency_key == f"monthly:{plan.public_id}:{charge.period}"
            assert donation.provider_txn_id == sandbox_charge_recurring(
                credentials={"secret": secret}, intent_reference=donation.intent.public_id,
                amount_fen=plan.amount_fen, payer=plan.payer_agreement, now=donation.confirmed_at,
            ).provider_txn_id
        if plan.status == "paused":
            assert plan.failed_attempts == 3 and not plan.donations.exists()
            assert plan.charges.filter(status="failed", error_code="charge_declined").count() == 3
            assert plan.intents.filter(status="pending").count() == plan.charges.filter(attempt=1).count()
    assert MonthlyCharge.objects.filter(status="succeeded").count() == Donation.objects.filter(monthly_plan__isnull=False).count()


def test_logins_and_roles(demo):
    for email in (OPERATOR_EMAIL, ADMIN_EMAIL, FINANCE_EMAIL, EDITOR_EMAIL, DONOR_EMAIL):
        assert email in demo
        assert User.objects.get(email=email).check_password("commonweal-demo")
    operator = User.objects.get(email=OPERATOR_EMAIL)
    assert operator.is_staff and operator.is_superuser and operator.is_operator
    first = Organization.objects.get(memberships__user__email=ADMIN_EMAIL)
    roles = dict(Membership.objects.filter(org=first).values_list("user__email", "role"))
    assert roles == {ADMIN_EMAIL: "admin", FINANCE_EMAIL: "finance", EDITOR_EMAIL: "editor"}
    donor = User.objects.get(email=DONOR_EMAIL)
    assert donor.donations.count() >= 5 and donor.monthly_plans.exists()
    assert "TOTP" in demo
    # The apps above giving add their own (demo.extensions): the program office.
    for email in ("programs@demo.commonweal.local", "programs-finance@demo.commonweal.local",
                  "programs-finance2@demo.commonweal.local"):
        assert email in demo
        assert User.objects.get(email=email).check_password("commonweal-demo")


def test_second_run_is_a_no_op_and_force_regenerates(demo):
    before = (Donation.objects.count(), OutboxEntry.objects.count(), User.objects.count())
    again = _run(*SMALL)
    assert again.startswith("demo data already present")
    assert (Donation.objects.count(), OutboxEntry.objects.count(), User.objects.count()) == before
    old_salts = set(Donation.objects.values_list("donor_salt", flat=True)[:50])
    forced = _run(*SMALL, "--force")
    assert "deleted the demo data" in forced and "demo data generated" in forced
    assert (Donation.objects.count(), OutboxEntry.objects.count(), User.objects.count()) == before
    assert not Donation.objects.filter(donor_salt__in=old_salts).exists()  # new rows, new salts


def test_the_same_seed_and_time_give_the_same_data():
    now = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)
    size = DemoSize(orgs=5, projects=12, donations=800)

    def fingerprint():
        return (
            list(Organization.objects.order_by("id").values_list("name_zh", "credit_code", "registration_date")),
            list(Project.objects.order_by("id").values_list("public_id", "title_en", "goal_fen", "status", "raised_fen")),
            list(Donation.objects.order_by("id").values_list("public_id", "amount_fen", "confirmed_at", "donor_name")),
        )

    demo_generate(seed=7, size=size, now=now)
    first = fingerprint()
    demo_wipe()
    assert not demo_present() and not Donation.objects.exists() and not OutboxEntry.objects.exists()
    demo_generate(seed=7, size=size, now=now)
    assert fingerprint() == first
    demo_wipe()
    demo_generate(seed=8, size=size, now=now)
    assert fingerprint() != first


def test_the_services_keep_working_on_the_demo_data(demo):
    """New ids follow the demo's explicit ones (sequences were moved past them)."""
    # About one demo project in eight is late with a report, and so not matched: take another.
    candidates = list(Project.objects.filter(status="fundraising").order_by("-donation_count")[:20])
    late = projects_overdue(candidates, shanghai_date(timezone.now()))
    project = next(p for p in candidates if p.pk not in late)
    before = (project.raised_fen, project.donation_count)
    donation = donate(project, 12_345)
    project.refresh_from_db()
    assert (project.raised_fen, project.donation_count) == (before[0] + 12_345, before[1] + 1)
    assert OutboxEntry.objects.filter(entry_type="donation").order_by("-id").first().subject_id == donation.public_id
    assert donation.match.amount_fen == 12_345  # the demo's matching campaign is running
    finance = User.objects.get(email=FINANCE_EMAIL)
    own = Donation.objects.filter(recipient_org__memberships__user=finance, refunded_fen=0).first()
    refund = refund_create(donation=own, amount_fen=own.amount_fen, reason="demo", actor=finance)
    assert OutboxEntry.objects.order_by("-id").first().subject_id == refund.public_id


def test_wipe_refuses_once_demo_entries_are_in_the_public_log(demo):
    OutboxEntry.objects.filter(pk=OutboxEntry.objects.order_by("id").first().pk).update(log_index=0)
    with pytest.raises(DemoInLog):
        demo_wipe()
    assert Donation.objects.count() == N


@pytest.mark.django_db(transaction=False)
def test_the_fast_time_text_is_what_django_stores():
    from django.db import connection, transaction

    with transaction.atomic():
        writer = RowWriter()
        for seconds in (0, 86_399, 1_700_000_000, 1_779_999_999, 4_102_444_799):
            expected = connection.ops.adapt_datetimefield_value(dt.datetime.fromtimestamp(seconds, dt.UTC))
            assert writer.db_time(seconds) == expected
