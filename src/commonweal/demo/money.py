"""The money of the demo: gifts, monthly plans, refunds, and their rows and ledger entries.

Gifts follow what Chinese online giving looks like: most are a few yuan, a third ¥20-¥200, a
long tail beyond ¥10,000; popularity is Zipf-like; people give in the evening and on 99 Giving
Day. Each gift becomes the rows ``donation_confirm`` writes; each refund those of ``refund_create``.
"""

import base64
import bisect
import datetime as dt
import math
import random
from typing import TYPE_CHECKING

from commonweal.core.identifiers import ulid_str
from commonweal.core.models import AuditEvent
from commonweal.core.money import CURRENCY
from commonweal.core.privacy import donor_commitment, new_salt
from commonweal.core.timeutil import SHANGHAI, add_months
from commonweal.demo import vocab
from commonweal.demo.sketch import PlanSketch, ProjectSketch, epoch, utc
from commonweal.giving.models import (
    ChargeStatus,
    Donation,
    DonationIntent,
    IntentStatus,
    MonthlyCharge,
    MonthlyPlan,
    PlanStatus,
    Provider,
    Refund,
)
from commonweal.giving.providers import sandbox_charge_recurring
from commonweal.giving.services.donations import donation_entry_fields
from commonweal.giving.services.monthly import MAX_ATTEMPTS, RETRY_AFTER
from commonweal.giving.services.refunds import refund_entry_fields
from commonweal.ledger.services import outbox_entry_json
from commonweal.projects.models import ProjectStatus

if TYPE_CHECKING:
    from commonweal.demo.generate import Generator

__all__ = [
    "rank_projects", "plan_monthly_giving", "draw_gifts", "draw_refunds", "money_rows", "outbox_rows",
    "INTENT_COLUMNS", "INTENT_DEFAULTS", "DONATION_COLUMNS", "REFUND_COLUMNS", "OUTBOX_COLUMNS",
]

# What the sandbox payment page sends as the payer (giving.views.SANDBOX_PAYER) and how it
# names transactions, so demo donations look like ones made through the site.
SANDBOX_PAYER = "sandbox-web-payer"
SANDBOX_TXN_PREFIX = "sbx_p_"

ZIPF_EXPONENT = 1.0
"""Project popularity falls off as 1 / rank^s."""
REGISTERED_SHARE = 0.05
"""Share of donations made by signed-in users."""
GIVING_DAY_SHARE = 0.15
"""Share of a project's donations on 99 Giving Day (9/7-9/9) when its period includes one."""

# Amount bands (fen, weight); the micro band is about 60% of all gifts.
_MICRO = ((100, 14), (200, 8), (300, 4), (500, 18), (520, 3), (600, 4), (666, 6), (800, 4), (888, 6),
          (990, 4), (1000, 14))
_REGULAR = ((2000, 14), (3000, 7), (5000, 20), (6600, 5), (8800, 6), (9900, 5), (10000, 22), (12000, 3),
            (16800, 3), (18800, 3), (20000, 12))
_LARGE = ((30000, 15), (50000, 25), (52000, 4), (66600, 3), (88800, 4), (100000, 25), (131400, 2),
          (200000, 12))
_BANDS = (0.60, 0.945, 0.995)  # cumulative: micro, regular, large; the rest is the long tail
# Donations by hour of day in Shanghai: quiet at night, peaks at lunch and in the evening.
_HOURS = (2, 1, 0.5, 0.3, 0.3, 0.4, 1, 2, 3, 3.5, 4, 4.5, 5.5, 4.5, 4, 4, 4, 4, 4.5, 5.5, 7, 7.5, 6, 4)


def rank_projects(g: "Generator") -> list[ProjectSketch]:
    """The projects that can have received gifts, most popular first, with their Zipf weights
    (fewer for projects open only a short while); the most popular fundraising ones are featured."""
    rng = g.rng
    donatable = [p for p in g.projects if p.hi > p.lo]
    rng.shuffle(donatable)
    first = next((p for p in donatable if p.org is g.orgs[0] and p.status == ProjectStatus.FUNDRAISING), None)
    if first is not None:
        donatable.remove(first)
        donatable.insert(0, first)
    for rank, p in enumerate(donatable):
        p.weight = min(1.0, (p.hi - p.lo) / (120 * 86400)) / (rank + 1) ** ZIPF_EXPONENT
    featured = sorted((p for p in donatable if p.status == ProjectStatus.FUNDRAISING), key=lambda p: -p.weight)
    g.featured = set(featured[: max(1, len(g.projects) // 30)])
    return donatable


def gift_time(g: "Generator", p: ProjectSketch) -> int:
    """A Unix time in the project's donation window: on a uniform day (or 99 Giving Day), at an
    hour people give."""
    rng = g.rng
    if p.giving_days and rng.random() < GIVING_DAY_SHARE:
        day_start = rng.choice(p.giving_days)
    else:
        first_day = p.lo - (p.lo + 8 * 3600) % 86400
        day_start = first_day + 86400 * int(rng.random() * ((p.hi - first_day) // 86400 + 1))
    hour = bisect.bisect(_HOUR_WEIGHTS, rng.random() * _HOUR_WEIGHTS[-1])
    moment = day_start + hour * 3600 + int(rng.random() * 3600)
    if not p.lo <= moment <= p.hi:
        moment = p.lo + int(rng.random() * (p.hi - p.lo))
    return moment


def plan_monthly_giving(g: "Generator", donatable: list[ProjectSketch]) -> None:
    """A few monthly plans with their charges; one paused after declined charges, one cancelled."""
    rng, today = g.rng, g.today
    count = min(20, g.size.donations // 1000)
    candidates = [p for p in donatable if p.status == ProjectStatus.FUNDRAISING and p.starts_on <= today - dt.timedelta(days=45)]
    if not count or not candidates:
        return
    weights = [p.weight for p in candidates]
    donors = [g.donor] + rng.sample(g.donors, min(count - 1, len(g.donors)))
    for number, donor in enumerate(donors):
        project = candidates[0] if number == 0 else rng.choices(candidates, weights)[0]
        paused, cancelled = count >= 3 and number == 1, count >= 3 and number == 2
        first_day = max(project.starts_on, utc(project.lo).astimezone(SHANGHAI).date() + dt.timedelta(days=1))
        if paused:
            start = today - dt.timedelta(days=rng.randint(3, 6))
        else:  # a plan to cancel ran for a few months first
            start = g.days_between(first_day, max(first_day, today - dt.timedelta(days=100 if cancelled else 20)))
        created = g.moment(start, earliest_hour=8, latest_hour=23)
        public = rng.random() < 0.4
        plan = MonthlyPlan(
            id=g.ids.take(MonthlyPlan), public_id=g.pid(created), donor_id=donor.id, project_id=0,
            amount_fen=66_600 if paused else rng.choice((1000, 2000, 3000, 5000, 10000, 20000)),
            provider=Provider.SANDBOX, payer_agreement=f"agreement-{rng.getrandbits(96):024x}",
            donor_name=donor.display_name, donor_public=public, day_of_month=min(start.day, 28),
            next_charge_on=start, status=PlanStatus.ACTIVE, created_at=created,
        )
        entry = PlanSketch(obj=plan, project=project, donor=donor)
        g.plans.append(entry)
        g.record(created, donor, "plan.create", plan, data={"amount_fen": plan.amount_fen})
        if paused:  # 666.xx yuan: the sandbox declines every recurring charge (docs/payments.md)
            _decline(g, entry, start)
            continue
        cancel_after = rng.randint(2, 3) if cancelled else None
        due = start
        while due < today:
            charged = epoch(g.moment(due, earliest_hour=9, latest_hour=11) if due > start else created + dt.timedelta(seconds=20))
            if charged > project.hi:
                break
            entry.charges.append((due, charged))
            g.gifts.append((charged, project, plan.amount_fen, donor, plan.donor_name, plan.donor_public, "", entry, due))
            due = add_months(due.replace(day=plan.day_of_month), 1)
            if cancel_after and len(entry.charges) == cancel_after:
                break
        plan.next_charge_on = due
        if cancel_after and len(entry.charges) == cancel_after and due < today:
            plan.status = PlanStatus.CANCELLED
            plan.cancelled_at = g.moment(g.days_between(utc(entry.charges[-1][1]).date() + dt.timedelta(days=1),
                                                              min(due, today) - dt.timedelta(days=1)), latest_hour=22)
            g.record(plan.cancelled_at, donor, "plan.cancel", plan)


def _decline(g: "Generator", entry: PlanSketch, start: dt.date) -> None:
    """Three declined charges a day apart, then the plan pauses, as ``monthly_charge`` records them:
    attempts are numbered per period (the month of the day tried), and each period's intent
    stays pending."""
    plan = entry.obj
    day = start
    for failures in range(1, MAX_ATTEMPTS + 1):
        at = g.moment(day, earliest_hour=9, latest_hour=11) if failures > 1 else plan.created_at + dt.timedelta(seconds=20)
        period = day.strftime("%Y-%m")
        attempt = sum(charge.period == period for charge in g.charges if charge.plan_id == plan.id) + 1
        if attempt == 1:
            entry.declined.append((epoch(at) - 1, period))
        g.charges.append(MonthlyCharge(
            id=g.ids.take(MonthlyCharge), plan_id=plan.id, period=period, attempt=attempt,
            status=ChargeStatus.FAILED, error_code="charge_declined", donation_id=None, attempted_at=at,
        ))
        paused = failures == MAX_ATTEMPTS
        g.record(at, None, "plan.charge_failed", plan, data={"code": "charge_declined", "paused": paused})
        plan.failed_attempts = failures
        if paused:
            plan.status = PlanStatus.PAUSED
        else:
            day = day + RETRY_AFTER
            plan.next_charge_on = day


def draw_gifts(g: "Generator", donatable: list[ProjectSketch]) -> None:
    """The one-off gifts: the demo donor's, then the rest up to the requested number."""
    rng = g.rng
    if not donatable:
        return
    # The demo donor's own one-off gifts, to popular projects.
    for _ in range(min(12, g.size.donations // 100)):
        p = rng.choices(donatable, [q.weight for q in donatable])[0]
        public = rng.random() < 0.5
        g.gifts.append((gift_time(g, p), p, rng.choice((1000, 2000, 5000, 6600, 10000, 20000, 50000)),
                        g.donor, g.donor.display_name, public, rng.choice(vocab.DONOR_MESSAGES) if public else "",
                        None, None))
    remaining = g.size.donations - len(g.gifts)
    cumulative = list(_cumulative(p.weight for p in donatable))
    total = cumulative[-1]
    donors, names_zh, names_en, messages = g.donors, g.names_zh, g.names_en, vocab.DONOR_MESSAGES
    random_, amount = rng.random, _AmountPicker(rng)
    append = g.gifts.append
    for _ in range(remaining):
        p = donatable[bisect.bisect(cumulative, random_() * total)]
        if random_() < REGISTERED_SHARE:
            user = donors[int(len(donors) * random_() ** 2.5)]
            name = user.display_name if random_() < 0.6 else ""
            public = bool(name) and random_() < 0.5
        else:
            user = None
            r = random_()
            name = "" if r < 0.55 else names_zh[int(random_() * 3000)] if r < 0.96 else names_en[int(random_() * 300)]
            public = bool(name) and random_() < 0.3
        message = messages[int(random_() * len(messages))] if random_() < 0.06 else ""
        append((gift_time(g, p), p, amount(), user, name, public, message, None, None))


def draw_refunds(g: "Generator") -> dict[int, tuple[int, int, str]]:
    """A few one-off gifts refunded (fully or in part) by the recipient: index -> (fen, time, reason)."""
    rng, gifts = g.rng, g.gifts
    wanted = max(2, len(gifts) // 2000) if len(gifts) >= 100 else 0
    candidates = [k for k, gift in enumerate(gifts) if gift[7] is None and gift[0] < g.now_ts - 3 * 3600]
    first_org = [k for k in candidates if gifts[k][1].recipient is g.orgs[0]]
    chosen = (first_org[:1] if wanted else []) + rng.sample(candidates, min(wanted, len(candidates)))
    refunds: dict[int, tuple[int, int, str]] = {}
    for k in chosen[:wanted]:
        ts, amount = gifts[k][0], gifts[k][2]
        at = min(ts + rng.randint(2 * 3600, 15 * 86400), g.now_ts - 600)
        partial = amount >= 200 and rng.random() < 0.3
        refunds[k] = (amount // 2 if partial else amount, at, rng.choice(vocab.REFUND_REASONS))
    return refunds


def money_rows(g: "Generator") -> tuple[list, list, list, list]:
    """Intents, donations and refunds, and the ledger events in time order (for ``outbox_rows``)."""
    rng, writer, gifts = g.rng, g.writer, g.gifts
    refunds = g.refunds
    intent_id, donation_id = g.ids.next[DonationIntent], g.ids.next[Donation]
    g.ids.next[DonationIntent] += len(gifts)
    g.ids.next[Donation] += len(gifts)
    intents, donations, events = [], [], []
    db_time, randbits, randrange = writer.db_time, rng.getrandbits, rng.randrange
    b64 = base64.urlsafe_b64encode
    paid, sandbox = IntentStatus.PAID, Provider.SANDBOX
    for k, (ts, p, amount, user, name, public, message, plan, due) in enumerate(gifts):
        recipient = p.recipient.obj
        created_ts = ts - 5 - randrange(240) if plan is None else ts - 1
        intent_pid = ulid_str(created_ts * 1000 + randrange(1000), randbits(80))
        donation_pid = ulid_str(ts * 1000 + randrange(1000), randbits(80))
        if plan is None:
            key = b64(randbits(192).to_bytes(24, "big")).decode("ascii")
            txn, payer, plan_id = SANDBOX_TXN_PREFIX + intent_pid, SANDBOX_PAYER, None
        else:
            key = f"monthly:{plan.obj.public_id}:{due.strftime('%Y-%m')}"
            charged = sandbox_charge_recurring(
                credentials={"secret": p.recipient.secret}, intent_reference=intent_pid,
                amount_fen=amount, payer=plan.obj.payer_agreement, now=utc(ts),
            )
            txn, payer, plan_id = charged.provider_txn_id, charged.payer_reference, plan.obj.id
            g.charges.append(MonthlyCharge(
                id=g.ids.take(MonthlyCharge), plan_id=plan_id, period=due.strftime("%Y-%m"), attempt=1,
                status=ChargeStatus.SUCCEEDED, error_code="", donation_id=donation_id + k, attempted_at=utc(ts - 2),
            ))
        user_id = user.id if user is not None else None
        salt = new_salt()
        commitment = donor_commitment(salt, f"user:{user_id}" if user_id else f"intent:{intent_pid}")
        confirmed_db = db_time(ts)
        refunded = refunds.get(k, (0,))[0]
        intents.append((intent_id + k, intent_pid, key, p.obj.id, recipient.id, amount, CURRENCY, sandbox, user_id,
                        name, public, message, plan_id, paid, db_time(created_ts)))
        donations.append((donation_id + k, donation_pid, intent_id + k, p.obj.id, recipient.id, amount, CURRENCY,
                          sandbox, txn, payer, user_id, name, public, message, salt.hex(), commitment, plan_id,
                          refunded, confirmed_db))
        donation = (amount, recipient.public_id, p.obj.public_id, ts, commitment)
        events.append((ts, 0, k, "donation", donation_pid, donation, confirmed_db))
    refund_rows = []
    refund_id = g.ids.next[Refund]
    for number, (k, (amount, at, reason)) in enumerate(sorted(refunds.items(), key=lambda item: item[1][1])):
        ts, p = gifts[k][0], gifts[k][1]
        donation_pid, recipient = donations[k][1], p.recipient
        refund_pid = g.pid(at)
        actor = g.finance if recipient is g.orgs[0] else recipient.admin
        refund_rows.append((refund_id + number, refund_pid, donation_id + k, amount, reason, actor.id, db_time(at)))
        fields = refund_entry_fields(
            donation_public_id=donation_pid, amount_fen=amount, currency=CURRENCY,
            org_public_id=recipient.obj.public_id, project_public_id=p.obj.public_id, refunded_at=utc(at),
        )
        events.append((at, 1, k, "refund", refund_pid, fields, db_time(at)))
        g.audit.append(AuditEvent(at=utc(at), actor_id=actor.id, action="donation.refund", target_type="donation",
                                  target_id=donation_pid, reason=reason, data={"amount_fen": amount}))
    g.ids.next[Refund] += len(refund_rows)
    for entry in g.plans:  # the intents declined monthly charges leave behind, unpaid
        for created, period in entry.declined:
            p, plan = entry.project, entry.obj
            intents.append((g.ids.take(DonationIntent), ulid_str(created * 1000 + randrange(1000), randbits(80)),
                            f"monthly:{plan.public_id}:{period}", p.obj.id, p.recipient.obj.id, plan.amount_fen,
                            CURRENCY, sandbox, plan.donor_id, plan.donor_name, plan.donor_public, "", plan.id,
                            IntentStatus.PENDING, db_time(created)))
    events.sort(key=_event_order)
    return intents, donations, refund_rows, events


class _AmountPicker:
    """Draws gift amounts: ~60% ¥1-¥10, ~35% ¥20-¥200, ~5% ¥300-¥2,000, a tail to ¥20,000 and beyond."""

    def __init__(self, rng: random.Random):
        self.random = rng.random
        self.tables = [(list(_cumulative(w for _, w in band)), [a for a, _ in band]) for band in (_MICRO, _REGULAR, _LARGE)]

    def __call__(self) -> int:
        r, random_ = self.random(), self.random
        for limit, (cumulative, amounts) in zip(_BANDS, self.tables):
            if r < limit:
                if limit == _BANDS[0] and random_() < 0.15:
                    return 100 + int(random_() * 901)  # "round up the change": ¥1.00-¥10.00 to the fen
                return amounts[bisect.bisect(cumulative, random_() * cumulative[-1])]
        if random_() < 0.04:
            return int(math.exp(math.log(2_000_000) + random_() * math.log(10))) // 100_000 * 100_000
        return int(math.exp(math.log(200_000) + random_() * math.log(10))) // 10_000 * 10_000


def _cumulative(weights):
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def outbox_rows(events: list[tuple], first_id: int) -> list[tuple]:
    """The outbox rows of the ledger events, ids in event order, with exactly the canonical JSON
    ``outbox_append`` writes (most of the generator's time goes into ``rfc8785.dumps``)."""
    rows = []
    for number, (_time, _order, _gift, entry_type, subject_id, fields, created) in enumerate(events):
        if entry_type == "donation":
            amount, org_id, project_id, confirmed, commitment = fields
            fields = donation_entry_fields(
                amount_fen=amount, currency=CURRENCY, org_public_id=org_id, project_public_id=project_id,
                confirmed_at=utc(confirmed), donor_commitment=commitment,
            )
        canonical_json = outbox_entry_json(entry_type=entry_type, subject_id=subject_id, fields=fields)
        rows.append((first_id + number, entry_type, subject_id, canonical_json, created))
    return rows


INTENT_COLUMNS = ("id", "public_id", "idempotency_key", "project_id", "recipient_org_id", "amount_fen", "currency",
                  "provider", "donor_id", "donor_name", "donor_public", "message", "monthly_plan_id", "status",
                  "created_at")
INTENT_DEFAULTS = {"attribution": "", "client_fingerprint": "", "device_fingerprint": ""}
"""Intent columns the demo leaves at their defaults (no team, no risk fingerprints)."""
DONATION_COLUMNS = ("id", "public_id", "intent_id", "project_id", "recipient_org_id", "amount_fen", "currency",
                    "provider", "provider_txn_id", "payer_reference", "donor_id", "donor_name", "donor_public",
                    "message", "donor_salt", "donor_commitment", "monthly_plan_id", "refunded_fen", "confirmed_at")
REFUND_COLUMNS = ("id", "public_id", "donation_id", "amount_fen", "reason", "requested_by_id", "created_at")
OUTBOX_COLUMNS = ("id", "entry_type", "subject_id", "canonical_json", "created_at")


def gift_time_of(gift: tuple) -> int:
    """Sort key of a gift: its Unix time."""
    return gift[0]


def _event_order(event: tuple) -> tuple:
    return event[0], event[1], event[2]


_HOUR_WEIGHTS = tuple(_cumulative(_HOURS))
