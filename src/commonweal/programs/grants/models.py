"""Prize and grant programs: calls, applications, referees, review rounds, awards and payments.

- :class:`Program` (a prize or a challenge, in one domain, paid from a ``programs.Fund``) has
  :class:`Call` s: dates, eligibility rules, custom form fields, rubric, budget, award schedule.
- :class:`Application` s come by self-application or by :class:`Nomination` from an invited
  :class:`Nominator`; :class:`Referee` s upload their letters through a private link.
- :class:`Round` s (screening, panel, final with a defence) hold :class:`Assignment` s of
  :class:`Reviewer` s; a :class:`Review` is one reviewer's rubric scores; a :class:`Decision` is the
  program manager's outcome for one application in one round.
- An :class:`Award` is a ``programs.Commitment`` paid in :class:`Installment` s, each after the
  grantee's report and with four eyes (``programs.GrantPayment``).

Every write goes through ``grants.services``; the lifecycles are the tables in ``grants.lifecycle``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonweal.core.domains import Domain
from commonweal.core.identifiers import new_public_id
from commonweal.disclosure.models.spending import evidence_storage

__all__ = [
    "ProgramKind",
    "Program",
    "Call",
    "Route",
    "Gender",
    "Nominator",
    "Nomination",
    "ApplicationStatus",
    "Application",
    "Referee",
    "RoundKind",
    "Round",
    "Reviewer",
    "AssignmentStatus",
    "Assignment",
    "Review",
    "Outcome",
    "Decision",
    "Award",
    "InstallmentStatus",
    "Installment",
    "MAX_REFEREES",
    "SCORE_MAX",
]

MAX_REFEREES = 5
"""The most referees a call may require on one route."""
SCORE_MAX = 5
"""Rubric scores are 0..SCORE_MAX per criterion (or n/a)."""


class ProgramKind(models.TextChoices):
    PRIZE = "prize", _("Prize")
    CHALLENGE = "challenge", _("Challenge")


class Program(models.Model):
    """A prize or challenge program of the program office, in one domain, paid from one fund."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=ProgramKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    fund = models.ForeignKey("programs.Fund", on_delete=models.PROTECT, related_name="grant_programs")
    # The fields (disciplines) the program funds; an applicant's field must be one of them.
    fields = models.JSONField(_("fields"), default=list)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ProgramKind.values), name="grant_program_kind_known"),
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="grant_program_domain_known"),
        ]

    def __str__(self) -> str:
        return self.name_zh

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


class Call(models.Model):
    """One call for applications of a program, with its rules.

    ``form_fields`` is a list of ``{"key", "label_zh", "label_en", "type", "required",
    "max_length", "choices"}`` (see ``grants.custom_fields``); ``rubric`` a list of
    ``{"key", "label_zh", "label_en"}`` criteria, each scored 0–5 or n/a.
    """

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="calls")
    title_zh = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("application year"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    budget_fen = models.BigIntegerField(_("budget (fen)"))
    # Eligibility rules (grants.eligibility); a null age means no age limit.
    max_age = models.PositiveSmallIntegerField(_("maximum age on 1 January"), null=True, blank=True)
    max_age_women = models.PositiveSmallIntegerField(_("maximum age for women"), null=True, blank=True)
    women_limit_from_year = models.PositiveSmallIntegerField(_("women's limit applies from"), null=True, blank=True)
    require_full_time = models.BooleanField(_("full-time position required"), default=False)
    eligible_regions = models.JSONField(_("eligible regions"), default=list, blank=True)
    require_field = models.BooleanField(_("field must be one of the program's"), default=True)
    # Entry routes and referees required on each.
    self_application = models.BooleanField(_("self-application open"), default=True)
    nomination = models.BooleanField(_("nomination open"), default=False)
    referees_self = models.PositiveSmallIntegerField(_("referees for self-application"), default=2)
    referees_nomination = models.PositiveSmallIntegerField(_("referees for nominees"), default=2)
    form_fields = models.JSONField(_("application form fields"), default=list, blank=True)
    rubric = models.JSONField(_("rubric"), default=list)
    # Award: the amount per award and the number of annual installments.
    award_amount_fen = models.BigIntegerField(_("award amount (fen)"))
    installments = models.PositiveSmallIntegerField(_("installments"), default=1)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="grant_call_dates_ordered"),
            models.CheckConstraint(condition=Q(budget_fen__gt=0), name="grant_call_budget_positive"),
            models.CheckConstraint(condition=Q(award_amount_fen__gt=0), name="grant_call_award_positive"),
            models.CheckConstraint(
                condition=Q(award_amount_fen__lte=F("budget_fen")), name="grant_call_award_within_budget"
            ),
            models.CheckConstraint(condition=Q(installments__gte=1, installments__lte=10), name="grant_call_installments_range"),
            models.CheckConstraint(
                condition=Q(referees_self__lte=MAX_REFEREES, referees_nomination__lte=MAX_REFEREES),
                name="grant_call_referees_range",
            ),
            models.CheckConstraint(condition=Q(self_application=True) | Q(nomination=True), name="grant_call_has_a_route"),
        ]

    def __str__(self) -> str:
        return self.title_zh

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh


class Route(models.TextChoices):
    SELF = "self", _("Self-application")
    NOMINATION = "nomination", _("Nomination")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Nominator(models.Model):
    """Someone the program office invited to nominate candidates for a call, through a private link."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="nominators")
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"))
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    # SHA-256 of the private link's token; the token itself is only ever in the link.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "email"], name="grant_nominator_once_per_call")]

    def __str__(self) -> str:
        return f"{self.name} ({self.call_id})"


class Nomination(models.Model):
    """A nominator's nomination of one candidate, who then applies on the nomination route."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    nominator = models.ForeignKey(Nominator, on_delete=models.PROTECT, related_name="nominations")
    nominee_name = models.CharField(_("candidate's name"), max_length=100)
    nominee_email = models.EmailField(_("candidate's email"))
    statement = models.TextField(_("why you nominate this candidate"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["nominator", "nominee_email"], name="grant_nomination_once_per_candidate"),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_name} ← {self.nominator_id}"


class ApplicationStatus(models.TextChoices):
    IN_REVIEW = "in_review", _("In review")
    REJECTED = "rejected", _("Not selected")
    AWARDED = "awarded", _("Awarded")


class Application(models.Model):
    """An applicant's application to a call. Personal facts are seen by the program office,
    the applicant and the assigned reviewers only."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_applications")
    route = models.CharField(_("route"), max_length=16, choices=Route.choices)
    nomination = models.OneToOneField(
        Nomination, null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )
    full_name = models.CharField(_("full name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"))
    institution = models.CharField(_("institution"), max_length=200)
    region = models.CharField(_("region of your position"), max_length=32)
    # The full name of a mainland province (``core.divisions``), or "": an award's commitment
    # carries it, so the fund's drill-down by region counts the grant there.
    province = models.CharField(_("province of your position"), max_length=32, blank=True, default="")
    full_time = models.BooleanField(_("full-time position"))
    field = models.CharField(_("field"), max_length=100)
    coauthors = models.JSONField(_("co-authors"), default=list, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # The eligibility check at submission: [{"rule", "ok", "message"}].
    eligibility = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.IN_REVIEW)
    current_round = models.ForeignKey("Round", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant"], name="grant_application_once_per_call"),
            models.CheckConstraint(condition=Q(route__in=Route.values), name="grant_application_route_known"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="grant_application_status_known"),
            models.CheckConstraint(
                condition=Q(route=Route.SELF, nomination__isnull=True) | Q(route=Route.NOMINATION, nomination__isnull=False),
                name="grant_application_nomination_matches_route",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.status})"


class Referee(models.Model):
    """A referee named by the applicant; uploads their letter through a private link."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="referees")
    name = models.CharField(_("referee's name"), max_length=100)
    email = models.EmailField(_("referee's email"))
    institution = models.CharField(_("referee's institution"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # The letter, checked by content (disclosure.evidence) and kept in private storage.
    letter = models.FileField(storage=evidence_storage, upload_to="grants/letters/", max_length=255, blank=True)
    letter_content_type = models.CharField(max_length=32, blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    letter_uploaded_at = models.DateTimeField(null=True, blank=True)
    link_sent_at = models.DateTimeField(null=True, blank=True)
    """When the referee was last emailed their private link (a resend replaces it)."""
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "email"], name="grant_referee_once_per_application"),
            models.CheckConstraint(
                condition=Q(letter="", letter_content_type="", letter_sha256="", letter_uploaded_at__isnull=True)
                | (~Q(letter="") & ~Q(letter_content_type="") & ~Q(letter_sha256="") & Q(letter_uploaded_at__isnull=False)),
                name="grant_referee_letter_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.application_id}"

    @property
    def has_letter(self) -> bool:
        return bool(self.letter)


class RoundKind(models.TextChoices):
    SCREENING = "screening", _("Screening")
    PANEL = "panel", _("Panel review")
    FINAL = "final", _("Final round with defence")


class Round(models.Model):
    """A review round of a call; applications go through the rounds in ``position`` order."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField(_("kind"), max_length=16, choices=RoundKind.choices)
    position = models.PositiveSmallIntegerField()
    defence_at = models.DateTimeField(_("defence"), null=True, blank=True)
    defence_place = models.CharField(_("defence place"), max_length=200, blank=True)

    class Meta:
        ordering = ["call", "position"]
        constraints = [
            models.UniqueConstraint(fields=["call", "position"], name="grant_round_position_unique"),
            models.CheckConstraint(condition=Q(kind__in=RoundKind.values), name="grant_round_kind_known"),
            models.CheckConstraint(
                condition=Q(kind=RoundKind.FINAL) | Q(defence_at__isnull=True, defence_place=""),
                name="grant_round_defence_only_in_final",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} #{self.position} {self.kind}"


class Reviewer(models.Model):
    """A person who reviews for a program, with the institution conflict detection compares."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_reviewer_roles")
    name = models.CharField(_("name"), max_length=100)
    institution = models.CharField(_("institution"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["program", "user"], name="grant_reviewer_once_per_program")]

    def __str__(self) -> str:
        return self.name


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("To review")
    RECUSED = "recused", _("Recused")
    SUBMITTED = "submitted", _("Review submitted")


class Assignment(models.Model):
    """One reviewer assigned one application in one round. ``conflicts`` lists what detection
    found ([{"rule", "detail"}]) and ``declared_conflict`` what the reviewer declared; either
    recuses the reviewer, and a recused reviewer cannot score."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="assignments")
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED)
    conflicts = models.JSONField(default=list, blank=True)
    declared_conflict = models.TextField(_("conflict of interest"), blank=True)
    recused_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "application", "reviewer"], name="grant_assignment_once"),
            models.CheckConstraint(condition=Q(status__in=AssignmentStatus.values), name="grant_assignment_status_known"),
            models.CheckConstraint(
                condition=~Q(status=AssignmentStatus.RECUSED) | Q(recused_at__isnull=False),
                name="grant_assignment_recusal_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} → {self.application_id} ({self.status})"


class Review(models.Model):
    """A reviewer's submitted rubric: ``scores`` maps each criterion to 0–5 or null (n/a);
    ``score_sum`` / ``score_count`` are over the criteria that were scored."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="review")
    scores = models.JSONField()
    score_sum = models.PositiveIntegerField()
    score_count = models.PositiveSmallIntegerField()
    comment = models.TextField(_("comment"), max_length=5000, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score_sum__lte=F("score_count") * SCORE_MAX), name="grant_review_sum_in_range"),
        ]

    def __str__(self) -> str:
        return f"review of {self.assignment_id}"


class Outcome(models.TextChoices):
    ADVANCE = "advance", _("Advance to the next round")
    REJECT = "reject", _("Do not select")
    AWARD = "award", _("Make the award")


class Decision(models.Model):
    """A program manager's decision on one application in one round, with the reason."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    reason = models.TextField(_("reason"), max_length=5000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="grant_decision_once_per_round"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="grant_decision_outcome_known"),
            models.CheckConstraint(condition=~Q(reason=""), name="grant_decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.outcome}"


class Award(models.Model):
    """A prize or grant made to one application: a fund commitment paid in installments."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    commitment = models.OneToOneField("programs.Commitment", on_delete=models.PROTECT, related_name="grant_award")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField()

    class Meta:
        ordering = ["-awarded_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="grant_award_amount_positive")]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount_fen} fen"


class InstallmentStatus(models.TextChoices):
    DUE = "due", _("Awaiting the grantee's report")
    REPORTED = "reported", _("Report received")
    PROPOSED = "proposed", _("Payment proposed")
    PAID = "paid", _("Paid")


class Installment(models.Model):
    """One payment of an award's schedule. Paid only after the grantee's report, proposed by one
    finance member and approved by another (``grant_installment_four_eyes``)."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("due on"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    status = models.CharField(max_length=16, choices=InstallmentStatus.choices, default=InstallmentStatus.DUE)
    report = models.TextField(_("report"), max_length=20000, blank=True)
    report_submitted_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(null=True, blank=True)
    payment = models.OneToOneField(
        "programs.GrantPayment", null=True, blank=True, on_delete=models.PROTECT, related_name="grant_installment"
    )

    class Meta:
        ordering = ["award", "number"]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="grant_installment_number_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="grant_installment_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=InstallmentStatus.values), name="grant_installment_status_known"),
            models.CheckConstraint(
                condition=Q(status=InstallmentStatus.DUE) | (~Q(report="") & Q(report_submitted_at__isnull=False)),
                name="grant_installment_report_before_payment",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[InstallmentStatus.PROPOSED, InstallmentStatus.PAID])
                | Q(proposed_by__isnull=False, proposed_at__isnull=False),
                name="grant_installment_proposal_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status=InstallmentStatus.PAID)
                | Q(approved_by__isnull=False, paid_on__isnull=False, payment__isnull=False),
                name="grant_installment_payment_recorded",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
                name="grant_installment_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_id} #{self.number} {self.amount_fen} fen ({self.status})"
