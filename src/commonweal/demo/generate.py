"""The demo dataset: organizations, projects, donations, refunds and monthly plans, in one transaction.

Every row is what the services would have written, so pages, the API and the ledger see a
consistent world (tests/test_demo.py checks it):

- organizations as after ``org_register`` (admin membership, sandbox credentials, audit),
  ``org_transition`` to verified (yearly renewals) and, when registered at least a year,
  ``org_grant_fundraising_qualification``; unqualified ones raise funds through a qualified
  partner (Charity Law Art. 26); a few await verification, one was rejected;
- projects with budget lines summing to the goal, moved along the lifecycle table with audit rows;
- each donation exactly as ``donation_confirm`` leaves it: a paid ``DonationIntent`` with a unique
  idempotency key, the ``Donation`` with a fresh salt and ``core.privacy.donor_commitment``, the
  project totals, and one ``OutboxEntry`` whose bytes come from the same functions the service
  uses (``donation_entry_fields`` and ``outbox_entry_json``); outbox ids follow event time;
- refunds as ``refund_create`` records them, monthly plans with their charges as
  ``monthly_charge`` makes them (transaction ids from ``sandbox_charge_recurring``).

This module plans organizations, projects and people and writes everything in foreign-key order;
``demo.money`` draws the gifts, plans and refunds and builds their rows. Rows are written with
:class:`~commonweal.demo.rows.RowWriter` (``executemany``), about ten times faster than
``bulk_create`` here, and keeping backdated times. The same seed and the same ``now`` give the
same dataset, except salts, credentials and invitation tokens, which always come from the
operating system's CSPRNG as in production.
"""

import datetime as dt
import math
import random
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from commonweal.accounts.models import User
from commonweal.core.credit_code import generate_credit_code, validate_credit_code
from commonweal.core.domains import DOMAIN_LABELS_EN, DOMAIN_LABELS_ZH, Domain
from commonweal.core.identifiers import ulid_str
from commonweal.core.models import AuditEvent
from commonweal.core.money import format_fen_compact, validate_fen
from commonweal.core.sdg import validate_sdg_tags
from commonweal.core.sealing import seal_json
from commonweal.core.timeutil import SHANGHAI, UTC, add_months
from commonweal.demo import money, vocab
from commonweal.demo.extensions import extensions_generate, extensions_logins
from commonweal.demo.rows import RowWriter
from commonweal.demo.sketch import HISTORY_DAYS, Ids, OrgSketch, PlanSketch, ProjectSketch, epoch, local, utc
from commonweal.giving.models import Donation, DonationIntent, MonthlyCharge, MonthlyPlan, Provider, Refund
from commonweal.ledger.models import OutboxEntry
from commonweal.orgs.lifecycle import VERIFICATION_PERIOD_DAYS, VERIFICATION_TRANSITIONS
from commonweal.orgs.models import (
    Invitation,
    Membership,
    Organization,
    OrgType,
    ProviderCredential,
    Role,
    VerificationStatus,
)
from commonweal.projects.lifecycle import PROJECT_TRANSITIONS
from commonweal.projects.models import BudgetLine, Project, ProjectStatus, ProjectUpdate, ReportKind

__all__ = [
    "DEFAULT_SEED",
    "DEMO_EMAIL_DOMAIN",
    "DEMO_PASSWORD",
    "DemoSize",
    "DemoResult",
    "demo_generate",
    "demo_logins",
]

DEFAULT_SEED = 20240905
"""The default seed: the day the amended Charity Law came into force."""
DEMO_EMAIL_DOMAIN = "demo.commonweal.local"
"""Every demo user and organization has an address here (a reserved name: no mail leaves)."""
DEMO_PASSWORD = "commonweal-demo"
"""The password of every demo user."""

OPERATOR_EMAIL = f"operator@{DEMO_EMAIL_DOMAIN}"
ADMIN_EMAIL = f"admin@{DEMO_EMAIL_DOMAIN}"
FINANCE_EMAIL = f"finance@{DEMO_EMAIL_DOMAIN}"
EDITOR_EMAIL = f"editor@{DEMO_EMAIL_DOMAIN}"
DONOR_EMAIL = f"donor@{DEMO_EMAIL_DOMAIN}"

PLATFORM_DAYS = 720
"""The platform has been running for about two years."""

_PUBLIC = (ProjectStatus.FUNDRAISING, ProjectStatus.EXECUTING, ProjectStatus.COMPLETED)
_TYPE_ZH = {
    OrgType.FOUNDATION: "基金会",
    OrgType.SOCIAL_ORGANIZATION: "社会团体",
    OrgType.SOCIAL_SERVICE: "社会服务机构",
}
_TYPE_EN = {
    OrgType.FOUNDATION: "foundation",
    OrgType.SOCIAL_ORGANIZATION: "social organization",
    OrgType.SOCIAL_SERVICE: "social service institution",
}
# GB 32100-2015 category code under civil affairs ("5"), by organization type.
_CREDIT_CATEGORY = {OrgType.SOCIAL_ORGANIZATION: "1", OrgType.SOCIAL_SERVICE: "2", OrgType.FOUNDATION: "3"}
_REJECTION = "登记证书扫描件不清晰，且联系人信息与登记信息不一致，请核对后重新提交。"


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoSize:
    """How much to generate."""

    orgs: int = 50
    """Organizations (at least 3)."""
    projects: int = 300
    """Projects (at least 8, one per domain)."""
    donations: int = 200_000
    """Confirmed donations, monthly charges included."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoResult:
    """What was written."""

    counts: dict[str, int]
    """Rows per model label ("giving.Donation": 200000)."""
    raised_fen: int
    """Sum of all donations."""
    refunded_fen: int
    """Sum of all refunds."""
    logins: tuple[tuple[str, str], ...]
    """(email, what the account is for), in the order to print them."""


# --- the generator ---------------------------------------------------------------------------

class Generator:
    """Plans the whole dataset in memory, then writes it in foreign-key order."""

    def __init__(self, *, seed: int, size: DemoSize, now: dt.datetime):
        self.rng = random.Random(seed)
        self.size = size
        self.now = now.astimezone(UTC).replace(microsecond=0)
        self.now_ts = epoch(self.now)
        self.today = self.now.astimezone(SHANGHAI).date()
        self.platform_since = self.today - dt.timedelta(days=PLATFORM_DAYS)
        fake_zh, fake_en = Faker("zh_CN"), Faker("en_US")
        fake_zh.seed_instance(seed)
        fake_en.seed_instance(seed)
        self.fake = fake_zh
        self.names_zh = [fake_zh.name() for _ in range(3000)]
        self.names_en = [fake_en.name() for _ in range(300)]
        self.writer = RowWriter()
        self.writer.lock(_MODELS)
        self.ids = Ids({model: self.writer.first_id(model) for model in _MODELS})
        self.password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo user
        self.users: list[User] = []
        self.orgs: list[OrgSketch] = []
        self.projects: list[ProjectSketch] = []
        self.plans: list[PlanSketch] = []
        self.audit: list[AuditEvent] = []
        self.memberships: list[Membership] = []
        self.invitations: list[Invitation] = []
        self.updates: list[ProjectUpdate] = []
        self.budget_lines: list[BudgetLine] = []
        self.charges: list[MonthlyCharge] = []
        # Planned gifts: (Unix time, project, fen, user, name, public, message, plan, due day).
        self.gifts: list[tuple] = []
        self.first_gift: dict[int, int] = {}
        """User id -> Unix time of their first gift."""
        self.refunds: dict[int, tuple[int, int, str]] = {}
        """Index in ``gifts`` -> (fen, Unix time, reason)."""
        self.featured: set[ProjectSketch] = set()
        # People with a part to play, set while planning.
        self.operator = self.finance = self.editor = self.donor = None
        self.donors: list[User] = []

    # -- small helpers --

    def pid(self, moment: dt.datetime | int) -> str:
        """A public id (ULID) whose time part is ``moment``; deterministic for the seed."""
        seconds = moment if isinstance(moment, int) else epoch(moment)
        return ulid_str(seconds * 1000 + self.rng.randrange(1000), self.rng.getrandbits(80))

    def days_between(self, start: dt.date, end: dt.date) -> dt.date:
        """A uniformly random day from ``start`` to ``end`` inclusive (``end`` if they cross)."""
        span = (end - start).days
        return end if span <= 0 else start + dt.timedelta(days=self.rng.randint(0, span))

    def moment(self, day: dt.date, *, earliest_hour: int = 9, latest_hour: int = 18) -> dt.datetime:
        """A working-hours moment on ``day``, never after now."""
        rng = self.rng
        moment = local(day, rng.randint(earliest_hour, latest_hour - 1), rng.randrange(60), rng.randrange(60))
        return min(moment, self.now - dt.timedelta(minutes=rng.randint(5, 120)))

    def record(self, at: dt.datetime, actor: User | None, action: str, target, *, reason: str = "",
               data: dict | None = None) -> None:
        """An audit row, as ``core.audit.audit_record`` writes it."""
        self.audit.append(AuditEvent(
            at=at, actor_id=actor.pk if actor else None, action=action, target_type=target._meta.model_name,
            target_id=target.public_id, reason=reason, data=data or {},
        ))

    def user(self, email: str, display_name: str, joined: dt.datetime, *, staff: bool = False) -> User:
        user = User(
            id=self.ids.take(User), email=email, display_name=display_name, password=self.password,
            is_staff=staff, is_superuser=staff, is_active=True, date_joined=joined,
        )
        self.users.append(user)
        return user

    # -- organizations --

    def make_orgs(self) -> None:
        rng, n = self.rng, self.size.orgs
        kinds = (["submitted"] * max(1, round(n * 0.06)) + ["rejected"] * (1 if n >= 20 else 0)
                 + ["young"] * max(1, round(n * 0.08)) + ["unqualified"] * round(n * 0.04))
        kinds += ["qualified"] * (n - 1 - len(kinds))
        rng.shuffle(kinds)
        kinds.insert(0, "qualified")  # the first organization shows every feature
        self.operator = self.user(OPERATOR_EMAIL, "平台运营", local(self.platform_since - dt.timedelta(days=30), 10),
                                  staff=True)
        taken_names: set[str] = set()
        taken_codes = set(Organization.objects.values_list("credit_code", flat=True))
        for index, kind in enumerate(kinds):
            self.orgs.append(self.make_org(index, kind, taken_names, taken_codes))

    def make_org(self, index: int, kind: str, taken_names: set[str], taken_codes: set[str]) -> OrgSketch:
        rng, today = self.rng, self.today
        first = index == 0
        org_type = OrgType.FOUNDATION if first else rng.choices(
            (OrgType.FOUNDATION, OrgType.SOCIAL_ORGANIZATION, OrgType.SOCIAL_SERVICE), (50, 25, 25))[0]
        province = vocab.PROVINCES[0] if first else rng.choice(vocab.PROVINCES)
        while True:
            suffix_zh, suffix_en, implied = rng.choice(vocab.ORG_SUFFIXES[org_type][:2] if first else vocab.ORG_SUFFIXES[org_type])
            brand_zh, brand_en = rng.choice(vocab.BRANDS)
            place = rng.choice(province.places) if rng.random() < 0.4 else None
            name_zh = f"{place.full if place else province.zh}{brand_zh}{suffix_zh}"
            if name_zh not in taken_names:
                break
        taken_names.add(name_zh)
        name_en = f"{place.en if place else province.en} {brand_en} {suffix_en}" if first or rng.random() < 0.9 else ""
        while True:
            code = generate_credit_code(rng, category=_CREDIT_CATEGORY[org_type], division=province.code)
            if code not in taken_codes:
                break
        taken_codes.add(code)
        focus0 = implied or (Domain.EDUCATION_INNOVATION if first else rng.choice(Domain.values))
        focus1 = Domain.RURAL_REVITALIZATION if first else rng.choice([d for d in Domain.values if d != focus0])

        # Registration, joining the platform, verification (renewed yearly), qualification.
        if kind == "young":
            registered = today - dt.timedelta(days=rng.randint(150, 330))
            joined_day = registered + dt.timedelta(days=rng.randint(10, 40))
        else:
            latest = min(dt.date(2025, 12, 31), today - dt.timedelta(days=400))
            registered = (dt.date(2011, 5, 16) if first else self.days_between(dt.date(2005, 1, 1), latest))
            if kind == "submitted":
                joined_day = today - dt.timedelta(days=rng.randint(2, 20))
            elif kind == "rejected":
                joined_day = today - dt.timedelta(days=rng.randint(40, 120))
            else:
                joined_day = self.platform_since + dt.timedelta(days=0 if first else rng.randint(0, 240))
            joined_day = max(joined_day, registered + dt.timedelta(days=1))
        joined = self.moment(joined_day)
        contact = rng.choice(self.names_zh)
        email = ADMIN_EMAIL if first else f"org{index + 1:02d}-admin@{DEMO_EMAIL_DOMAIN}"
        admin = self.user(email, self.names_zh[rng.randrange(len(self.names_zh))] if first else contact,
                          joined - dt.timedelta(minutes=rng.randint(5, 60)))
        place_text = place.full if place else province.zh
        obj = Organization(
            id=self.ids.take(Organization), public_id=self.pid(joined), name_zh=name_zh, name_en=name_en,
            credit_code=code, certificate_number=code, registration_date=registered, org_type=org_type,
            description_zh=(
                f"{name_zh}成立于{registered.year}年，是在{province.zh}民政部门登记的{_TYPE_ZH[org_type]}，"
                f"长期关注{DOMAIN_LABELS_ZH[focus0]}和{DOMAIN_LABELS_ZH[focus1]}领域，"
                f"坚持专业、透明、可持续的公益理念。"
            ),
            description_en=(
                f"Registered with the civil affairs authorities of {province.en} in {registered.year}, "
                f"this {_TYPE_EN[org_type]} works on {DOMAIN_LABELS_EN[focus0].lower()} and "
                f"{DOMAIN_LABELS_EN[focus1].lower()}, and publishes what it does and spends."
            ) if name_en else "",
            contact_name=contact, contact_phone=self.fake.phone_number(),
            contact_email=f"org{index + 1:02d}@{DEMO_EMAIL_DOMAIN}",
            address=f"{place_text}{self.fake.street_name()}{rng.randint(1, 399)}号",
            verification_status=VerificationStatus.SUBMITTED, created_at=joined, updated_at=joined,
        )
        org = OrgSketch(obj=obj, kind=kind, province=province, focus=(focus0, focus1), joined=joined, admin=admin,
                   secret=secrets.token_hex(32))
        self.memberships.append(Membership(id=self.ids.take(Membership), org_id=obj.id, user_id=admin.id,
                                           role=Role.ADMIN, created_at=joined))
        self.record(joined, admin, "org.register", obj)
        if kind == "rejected":
            at = self.moment(joined_day + dt.timedelta(days=rng.randint(2, 8)))
            obj.verification_status, obj.rejection_reason, obj.updated_at = VerificationStatus.REJECTED, _REJECTION, at
            self.record(at, self.operator, _verification_action(VerificationStatus.SUBMITTED, VerificationStatus.REJECTED),
                        obj, reason=_REJECTION)
        elif kind != "submitted":
            verified_on = joined_day + dt.timedelta(days=rng.randint(1, 7))
            self.record(self.moment(verified_on), self.operator,
                        _verification_action(VerificationStatus.SUBMITTED, VerificationStatus.VERIFIED), obj)
            renewed = verified_on
            while renewed + dt.timedelta(days=VERIFICATION_PERIOD_DAYS) <= today:
                renewed += dt.timedelta(days=VERIFICATION_PERIOD_DAYS)
                self.record(self.moment(renewed), self.operator,
                            _verification_action(VerificationStatus.VERIFIED, VerificationStatus.VERIFIED), obj)
            obj.verification_status = VerificationStatus.VERIFIED
            obj.verified_until = renewed + dt.timedelta(days=VERIFICATION_PERIOD_DAYS)
            obj.updated_at = self.moment(renewed)
            org.ready_on = verified_on
            if kind == "qualified":
                granted = max(add_months(registered, 12), verified_on) + dt.timedelta(days=rng.randint(0, 20))
                granted = min(granted, today - dt.timedelta(days=1))
                obj.fundraising_qualified, obj.fundraising_qualified_on = True, granted
                self.record(self.moment(granted), self.operator, "org.qualify", obj)
                obj.updated_at = max(obj.updated_at, self.moment(granted))
                org.ready_on = granted
        return org

    def make_org_team(self) -> None:
        """The first organization's finance and editor members joined by invitation."""
        org = self.orgs[0]
        for email, role, days in ((FINANCE_EMAIL, Role.FINANCE, 12), (EDITOR_EMAIL, Role.EDITOR, 20)):
            invited = org.joined + dt.timedelta(days=days)
            accepted = invited + dt.timedelta(hours=self.rng.randint(1, 40))
            member = self.user(email, self.rng.choice(self.names_zh), accepted - dt.timedelta(minutes=3))
            invitation = Invitation(
                id=self.ids.take(Invitation), public_id=self.pid(invited), org_id=org.obj.id, email=email, role=role,
                token=secrets.token_urlsafe(32), invited_by_id=org.admin.id, created_at=invited,
                expires_at=invited + dt.timedelta(days=7), accepted_at=accepted,
            )
            self.invitations.append(invitation)
            self.memberships.append(Membership(id=self.ids.take(Membership), org_id=org.obj.id, user_id=member.id,
                                               role=role, created_at=accepted))
            self.record(invited, org.admin, "member.invite", org.obj, data={"role": role, "invitation": invitation.public_id})
            self.record(accepted, member, "member.join", org.obj, data={"role": role})
            if role == Role.FINANCE:
                self.finance = member
            else:
                self.editor = member

    # -- projects --

    def make_projects(self) -> None:
        rng, n = self.rng, self.size.projects
        first = self.orgs[0]
        pinned = ([ProjectStatus.FUNDRAISING] * 3 + [ProjectStatus.EXECUTING, ProjectStatus.COMPLETED,
                   ProjectStatus.DRAFT, ProjectStatus.IN_REVIEW]) if n >= 30 else [ProjectStatus.FUNDRAISING, ProjectStatus.DRAFT]
        slots: list[tuple[OrgSketch, str | None]] = [(first, status) for status in pinned]
        active = [o for o in self.orgs[1:] if o.kind in ("qualified", "unqualified", "young")]
        slots += [(o, ProjectStatus.DRAFT) for o in self.orgs if o.kind == "submitted"]
        slots += [(o, None) for o in active]
        rng.shuffle(active)
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(active))]
        if active:
            slots += [(o, None) for o in rng.choices(active, weights, k=max(0, n - len(slots)))]
        for index, (org, status) in enumerate(slots[:n]):
            self.projects.append(self.plan_project(index, org, status))
        self.assign_domains()

    def plan_project(self, index: int, org: OrgSketch, status: str | None) -> ProjectSketch:
        rng, today = self.rng, self.today
        if status is None:
            status = rng.choices(
                (ProjectStatus.FUNDRAISING, ProjectStatus.EXECUTING, ProjectStatus.COMPLETED,
                 ProjectStatus.DRAFT, ProjectStatus.IN_REVIEW), (72, 12, 9, 4, 3))[0]
        project = ProjectSketch(index=index, org=org, status=status)
        if org.kind in ("young", "unqualified"):
            project.partner = rng.choice([o for o in self.orgs if o.kind == "qualified" and o is not org])
        ready = org.ready_on
        if ready is None:  # not verified: drafts only
            project.status = ProjectStatus.DRAFT
            earliest = None
        else:
            if project.partner is not None:
                ready = max(ready, project.partner.ready_on)
            earliest = max(today - dt.timedelta(days=HISTORY_DAYS), ready + dt.timedelta(days=3),
                           org.joined.date() + dt.timedelta(days=12))
            # A status needs a period that started long enough ago; newer organizations step down.
            while project.status in _STARTED_BY and earliest > today - dt.timedelta(days=_STARTED_BY[project.status]):
                project.status = _STEP_DOWN[project.status]
        project.creator = self.editor if org is self.orgs[0] and rng.random() < 0.5 else org.admin
        self.plan_dates(project, earliest, ready)
        return project

    def plan_dates(self, p: ProjectSketch, earliest: dt.date | None, ready: dt.date | None) -> None:
        rng, today, operator, admin = self.rng, self.today, self.operator, p.org.admin
        days = dt.timedelta
        joined = p.org.joined
        if p.status in _PUBLIC:
            if p.status == ProjectStatus.FUNDRAISING:
                p.starts_on = self.days_between(earliest, today - days(3))
                p.ends_on = max(p.starts_on + days(rng.randint(90, 540)), today + days(rng.randint(7, 240)))
            elif p.status == ProjectStatus.EXECUTING:
                p.starts_on = self.days_between(earliest, today - days(200))
                p.ends_on = min(p.starts_on + days(rng.randint(60, 300)), today - days(10))
            else:
                p.starts_on = self.days_between(earliest, today - days(320))
                p.ends_on = min(p.starts_on + days(rng.randint(60, 200)), today - days(120))
            # Created, submitted and approved before the period starts (and after the rules allow).
            approved_day = max(p.starts_on - days(rng.randint(1, 6)), ready + days(1), joined.date() + days(3))
            approved = self.moment(approved_day)
            submitted = max(approved - days(days=rng.randint(1, 3), hours=rng.randint(0, 6)), joined + days(hours=2))
            p.created_at = max(submitted - days(days=rng.randint(1, 20), hours=rng.randint(0, 8)), joined + days(hours=1))
            submitted = max(submitted, p.created_at + days(hours=1))
            approved = max(approved, submitted + days(hours=1))
            p.history += [(submitted, ProjectStatus.IN_REVIEW, p.creator), (approved, ProjectStatus.FUNDRAISING, operator)]
            if p.status in (ProjectStatus.EXECUTING, ProjectStatus.COMPLETED):
                executed = self.moment(p.ends_on + days(rng.randint(1, 7)))
                p.history.append((executed, ProjectStatus.EXECUTING, admin))
                if p.status == ProjectStatus.COMPLETED:
                    completed = self.moment(min(p.ends_on + days(rng.randint(40, 110)), today - days(1)))
                    p.history.append((completed, ProjectStatus.COMPLETED, admin))
            # Donations: from the start of the period (after approval) to its end or now.
            lo = max(epoch(local(p.starts_on)), epoch(approved) + 60, self.now_ts - HISTORY_DAYS * 86400)
            hi = min(epoch(local(p.ends_on + days(1))) - 1, self.now_ts - 60)
            if hi > lo:
                p.lo, p.hi = lo, hi
                p.giving_days = tuple(
                    epoch(local(dt.date(year, 9, day)))
                    for year in range(p.starts_on.year, p.ends_on.year + 1) for day in (7, 8, 9)
                    if lo <= epoch(local(dt.date(year, 9, day))) and epoch(local(dt.date(year, 9, day + 1))) <= hi
                )
        elif p.status == ProjectStatus.IN_REVIEW:
            p.created_at = self.moment(today - days(rng.randint(1, 10)))
            p.created_at = max(p.created_at, joined + days(hours=1))
            p.history.append((min(p.created_at + days(hours=rng.randint(1, 20)), self.now - days(minutes=1)),
                              ProjectStatus.IN_REVIEW, p.creator))
            p.starts_on = today + days(rng.randint(7, 40))
            p.ends_on = p.starts_on + days(rng.randint(90, 365))
        else:
            p.created_at = max(self.moment(today - days(rng.randint(0, 30))), joined + days(minutes=30))
            p.starts_on = today + days(rng.randint(15, 60))
            p.ends_on = p.starts_on + days(rng.randint(90, 365))

    def assign_domains(self) -> None:
        """Give each project a domain and region, so that every domain has a fundraising project."""
        rng = self.rng
        for p in self.projects:
            r = rng.random()
            p.domain = p.org.focus[0] if r < 0.5 else p.org.focus[1] if r < 0.75 else rng.choice(Domain.values)
        fundraising = [p for p in self.projects if p.status == ProjectStatus.FUNDRAISING]
        for domain in Domain.values:
            if not any(p.domain == domain for p in fundraising):
                counts = {d: sum(p.domain == d for p in fundraising) for d in Domain.values}
                donor = max((p for p in fundraising if counts[p.domain] > 1), key=lambda p: counts[p.domain], default=None)
                if donor is None:
                    donor = next((p for p in self.projects if p.domain != domain and sum(q.domain == p.domain for q in self.projects) > 1), None)
                if donor is not None:
                    donor.domain = domain
        used: set[str] = set()
        for p in self.projects:
            concepts = vocab.DOMAIN_TEXT[p.domain].concepts
            for _attempt in range(20):
                # Mostly where the organization is, else anywhere (villages for rural work);
                # always a place that suits the project (no herders in a city).
                concept = rng.choice(concepts)
                province = p.org.province if rng.random() < 0.45 else rng.choices(
                    vocab.PROVINCES, [3 if concept.setting == "rural" and prov.zh in vocab.RURAL_PROVINCES else 1
                                      for prov in vocab.PROVINCES])[0]
                places = [pl for pl in province.places if concept.setting in (None, *pl.settings)]
                if not places:
                    province = rng.choice([prov for prov in vocab.PROVINCES
                                           if any(concept.setting in pl.settings for pl in prov.places)])
                    places = [pl for pl in province.places if concept.setting in pl.settings]
                place = rng.choice(places)
                if concept.title_zh.format(p=place.short) not in used:
                    break
            used.add(concept.title_zh.format(p=place.short))
            p.concept, p.province, p.place = concept, province, place

    # -- texts, goals, budgets, updates --

    def finish_project(self, p: ProjectSketch) -> Project:
        rng, today = self.rng, self.today
        text = vocab.DOMAIN_TEXT[p.domain]
        net = p.raised - p.refunded
        if p.count:
            if p.status == ProjectStatus.FUNDRAISING:
                elapsed = (today - p.starts_on).days / max(1, (p.ends_on - p.starts_on).days)
                progress = rng.uniform(0.35, 0.95) * (0.25 + 0.75 * min(1.0, elapsed))
            elif p.status == ProjectStatus.EXECUTING:
                progress = rng.uniform(0.8, 1.05)
            else:
                progress = rng.uniform(0.95, 1.12)
            goal = net / progress
        else:
            goal = math.exp(rng.uniform(math.log(5_000_00), math.log(300_000_00)))
        goal_fen = validate_fen(_nice(min(max(goal, 5_000_00), 5_000_000_00)))
        sdg = [*text.sdg_core[:1], *rng.sample(text.sdg_core[1:], rng.randint(0, len(text.sdg_core) - 1)),
               *rng.sample(text.sdg_extra, rng.randint(1, 3))]
        sdg = validate_sdg_tags(sdg)
        lines = self.budget(p, goal_fen, text)
        place_zh, place_en = p.place.short, p.place.en
        need_zh, need_en = rng.choice(text.needs)
        how_zh, how_en = rng.choice(text.approaches)
        close_zh, close_en = rng.choice(vocab.CLOSINGS)
        partner_zh = (
            f"本项目由具有公开募捐资格的{p.partner.obj.name_zh}作为公募合作方接收善款（《慈善法》第二十六条），"
            f"{p.org.obj.name_zh}负责执行。" if p.partner else ""
        )
        period = f"{p.starts_on.year}年{p.starts_on.month}月{p.starts_on.day}日至{p.ends_on.year}年{p.ends_on.month}月{p.ends_on.day}日"
        reach_lo, reach_hi = p.concept.reach
        last = p.history[-1][0] if p.history else p.created_at
        return Project(
            id=self.ids.take(Project), public_id=self.pid(p.created_at), org_id=p.org.obj.id,
            partner_org_id=p.partner.obj.id if p.partner else None,
            title_zh=p.concept.title_zh.format(p=place_zh), title_en=p.concept.title_en.format(p=place_en),
            summary_zh=p.concept.what_zh, summary_en=p.concept.what_en,
            story_zh="".join((need_zh.format(p=place_zh), p.concept.what_zh, how_zh, vocab.TRANSPARENCY_ZH, close_zh)),
            story_en=" ".join((need_en.format(p=place_en), p.concept.what_en, how_en, vocab.TRANSPARENCY_EN, close_en)),
            domain=p.domain, sdg_tags=sdg, goal_fen=goal_fen, beneficiaries=p.concept.beneficiaries,
            beneficiary_count=max(reach_lo, int(math.exp(rng.uniform(math.log(reach_lo), math.log(reach_hi)))) // 10 * 10),
            region=p.province.zh,
            fundraising_plan=(
                f"本项目计划于{period}公开募集善款{format_fen_compact(goal_fen)}，用于"
                f"{'、'.join(line.name for line in lines)}。{partner_zh}"
                "募集期满未达目标的，将按实际到账金额调整执行规模并公示；如有结余，经公示后用于同类项目。"
            ),
            starts_on=p.starts_on, ends_on=p.ends_on, status=p.status, review_note="",
            featured=p in self.featured, raised_fen=p.raised, refunded_fen=p.refunded, donation_count=p.count,
            created_by_id=p.creator.id, created_at=p.created_at, updated_at=last,
        )

    def budget(self, p: ProjectSketch, goal_fen: int, text: vocab.DomainText) -> list[BudgetLine]:
        """Two to four lines from the domain's items plus a management line under 10% of the goal."""
        rng = self.rng
        items = rng.sample(text.budget_items, rng.randint(2, min(4, len(text.budget_items))))
        management = max(100, goal_fen * rng.randint(3, 8) // 100 // 10_000 * 10_000)
        shares = [rng.uniform(1, 3) for _ in items]
        rest, amounts = goal_fen - management, []
        for share in shares[:-1]:
            amounts.append(max(10_000, int(rest * share / sum(shares)) // 10_000 * 10_000))
        amounts.append(rest - sum(amounts))
        lines = [(name, amount) for name, amount in zip(items, amounts)] + [(vocab.MANAGEMENT_LINE, management)]
        assert all(amount > 0 for _, amount in lines) and sum(a for _, a in lines) == goal_fen
        p.budget = [BudgetLine(id=self.ids.take(BudgetLine), project_id=0, name=name, amount_fen=amount, position=i)
                    for i, (name, amount) in enumerate(lines)]
        return p.budget

    def make_updates(self) -> None:
        """Reports on the Charity Law's rhythm (at most 3 months apart); about one project in
        eight has let its last report slip, so the overdue badge shows on a few pages."""
        rng, today = self.rng, self.today
        public = [p for p in self.projects if p.status in _PUBLIC and p.starts_on <= today - dt.timedelta(days=14)]
        for p in public:
            end = p.history[-1][0].astimezone(SHANGHAI).date() if p.status == ProjectStatus.COMPLETED else today
            if rng.random() < 0.12:
                end -= dt.timedelta(days=rng.randint(100, 140))
            days, day = [], p.starts_on + dt.timedelta(days=rng.randint(20, 45))
            while day <= end:
                days.append(day)
                day += dt.timedelta(days=rng.randint(55, 85))
            for number, day in enumerate(days):
                final = p.status == ProjectStatus.COMPLETED and number == len(days) - 1
                title, body = vocab.UPDATE_TEMPLATES[-1] if final else rng.choice(vocab.UPDATE_TEMPLATES[:-1])
                values = {"place": p.place.short, "n": max(1, p.obj.beneficiary_count * rng.randint(20, 90) // 100),
                          "k": rng.randint(2, 12), "pct": rng.randint(3, 9) * 10}
                at = self.moment(day)
                author = p.creator
                update = ProjectUpdate(id=self.ids.take(ProjectUpdate), public_id=self.pid(at), project_id=p.obj.id,
                                       kind=ReportKind.FINAL if final else ReportKind.PROGRESS,
                                       title=title.format(**values), body=body.format(**values), published_at=at,
                                       author_id=author.id)
                self.updates.append(update)
                self.record(at, author, "project.publish_update", p.obj, data={"update": update.public_id})

    # -- putting it together --

    def run(self) -> DemoResult:
        rng = self.rng
        self.make_orgs()
        self.make_org_team()
        self.donor = self.user(DONOR_EMAIL, rng.choice(self.names_zh), local(self.platform_since + dt.timedelta(days=30), 20))
        self.donors = [
            self.user(f"donor{n:04d}@{DEMO_EMAIL_DOMAIN}", rng.choice(self.names_zh), self.now)
            for n in range(1, min(2000, max(20, self.size.donations // 400)) + 1)
        ]
        self.make_projects()
        donatable = money.rank_projects(self)
        money.plan_monthly_giving(self, donatable)
        money.draw_gifts(self, donatable)
        self.gifts.sort(key=money.gift_time_of)
        for ts, p, amount, user, *_rest in self.gifts:
            p.raised += amount
            p.count += 1
            if user is not None:
                self.first_gift.setdefault(user.id, ts)
        self.refunds = money.draw_refunds(self)
        for k, (amount, _at, _reason) in self.refunds.items():
            self.gifts[k][1].refunded += amount
        for p in self.projects:
            p.obj = self.finish_project(p)
            for line in p.budget:
                line.project_id = p.obj.id
            self.budget_lines += p.budget
            self.check_project(p)
            self.record(p.created_at, p.creator, "project.create", p.obj)
            status = ProjectStatus.DRAFT
            for at, to, actor in p.history:  # audited as project_transition does, from its table
                self.record(at, actor, PROJECT_TRANSITIONS[(status, to)].action, p.obj, data={"to": to})
                status = to
        for entry in self.plans:
            entry.obj.project_id = entry.project.obj.id
        self.make_updates()
        return self.write()

    def check_project(self, p: ProjectSketch) -> None:
        """The rules ``project_create`` and ``project_transition`` enforce (impossible to break here)."""
        obj = p.obj
        assert obj.ends_on >= obj.starts_on and obj.title_zh and obj.summary_zh
        assert sum(line.amount_fen for line in p.budget) == obj.goal_fen
        if p.status in (*_PUBLIC, ProjectStatus.IN_REVIEW):
            org = p.org.obj
            assert org.verification_status == VerificationStatus.VERIFIED and org.verified_until >= self.today
            recipient = p.recipient.obj
            assert recipient.fundraising_qualified and recipient.verification_status == VerificationStatus.VERIFIED
            assert p.partner is None or p.partner is not p.org

    def write(self) -> DemoResult:
        writer = self.writer
        for user in self.users:
            user.date_joined = min(user.date_joined, utc(self.first_gift.get(user.id, self.now_ts))
                                   - dt.timedelta(days=self.rng.randint(0, 20)))
            user.date_joined = max(user.date_joined, local(self.platform_since - dt.timedelta(days=30)))
        writer.objects(self.users)
        writer.objects([EmailAddress(id=self.ids.take(EmailAddress), user_id=u.id, email=u.email, verified=True, primary=True)
                        for u in self.users])
        for org in self.orgs:
            org.obj.full_clean()
            validate_credit_code(org.obj.credit_code)
        writer.objects([org.obj for org in self.orgs])
        writer.objects(self.memberships)
        writer.objects(self.invitations)
        writer.objects([
            ProviderCredential(id=self.ids.take(ProviderCredential), org_id=org.obj.id, provider=Provider.SANDBOX,
                               sealed=seal_json({"secret": org.secret}), updated_at=org.joined)
            for org in self.orgs
        ])
        for p in self.projects:
            p.obj.full_clean()
        writer.objects([p.obj for p in self.projects])
        writer.objects(self.budget_lines)
        writer.objects(self.updates)
        writer.objects([entry.obj for entry in self.plans])
        intents, donations, refunds, events = money.money_rows(self)
        outbox_id = self.ids.next[OutboxEntry]
        self.ids.next[OutboxEntry] += len(events)
        defaults = tuple(money.INTENT_DEFAULTS.values())
        writer.rows(DonationIntent, money.INTENT_COLUMNS + tuple(money.INTENT_DEFAULTS), (row + defaults for row in intents))
        writer.rows(Donation, money.DONATION_COLUMNS, donations)
        writer.rows(Refund, money.REFUND_COLUMNS, refunds)
        writer.objects(self.charges)
        writer.rows(OutboxEntry, money.OUTBOX_COLUMNS, money.outbox_rows(events, outbox_id))
        self.audit.sort(key=lambda event: event.at)
        for event in self.audit:
            event.id = self.ids.take(AuditEvent)
        writer.objects(self.audit)
        writer.finish()
        return DemoResult(
            counts=dict(writer.counts),
            raised_fen=sum(p.raised for p in self.projects),
            refunded_fen=sum(p.refunded for p in self.projects),
            logins=_logins(self.orgs[0].obj.name_zh, sum(1 for gift in self.gifts if gift[3] is self.donor)),
        )


def _verification_action(from_status: str, to: str) -> str:
    return VERIFICATION_TRANSITIONS[(from_status, to)].action


def _logins(first_org: str, donor_gifts: int) -> tuple[tuple[str, str], ...]:
    return (*_base_logins(first_org, donor_gifts), *extensions_logins())


def _base_logins(first_org: str, donor_gifts: int) -> tuple[tuple[str, str], ...]:
    return (
        (OPERATOR_EMAIL, "platform operator (staff, superuser); enrol TOTP on your first visit to /admin/"),
        (ADMIN_EMAIL, f"admin of {first_org}"),
        (FINANCE_EMAIL, f"finance member of {first_org}"),
        (EDITOR_EMAIL, f"editor of {first_org}"),
        (DONOR_EMAIL, f"donor with {donor_gifts} donations and a monthly plan"),
    )


def demo_logins() -> tuple[tuple[str, str], ...]:
    """The demo accounts to print, read back from the database."""
    first = Organization.objects.filter(memberships__user__email=ADMIN_EMAIL).values_list("name_zh", flat=True).first()
    return _logins(first or "?", Donation.objects.filter(donor__email=DONOR_EMAIL).count())


def _nice(fen: float) -> int:
    """Round a goal to an amount people would choose."""
    for limit, step in ((20_000_00, 1_000_00), (200_000_00, 5_000_00), (1_000_000_00, 10_000_00)):
        if fen < limit:
            return max(step, round(fen / step) * step)
    return round(fen / 50_000_00) * 50_000_00


# Status -> days its period must have started before today; and what a too-new project becomes.
_STARTED_BY = {ProjectStatus.COMPLETED: 320, ProjectStatus.EXECUTING: 200, ProjectStatus.FUNDRAISING: 3}
_STEP_DOWN = {ProjectStatus.COMPLETED: ProjectStatus.EXECUTING, ProjectStatus.EXECUTING: ProjectStatus.FUNDRAISING,
              ProjectStatus.FUNDRAISING: ProjectStatus.IN_REVIEW}
_MODELS = (User, EmailAddress, Organization, Membership, Invitation, ProviderCredential, Project, BudgetLine,
           ProjectUpdate, MonthlyPlan, DonationIntent, Donation, Refund, MonthlyCharge, OutboxEntry, AuditEvent)



def demo_generate(*, seed: int = DEFAULT_SEED, size: DemoSize = DemoSize(), now: dt.datetime | None = None) -> DemoResult:
    """Generate the demo dataset in one transaction (see the module docstring)."""
    if size.orgs < 3 or size.projects < len(Domain) or size.donations < 0:
        raise ValueError(f"need at least 3 organizations, {len(Domain)} projects and 0 donations, got {size}")
    with transaction.atomic(durable=True):
        generator = Generator(seed=seed, size=size, now=now or timezone.now())
        try:
            result = generator.run()
        finally:
            generator.writer.close()
        result.counts.update(extensions_generate(seed=seed, now=generator.now))
        return result
