"""Factories for the grants tests: a prize call with three rounds, applications with referees."""

import datetime as dt
import re

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from commonweal.core.domains import Domain
from commonweal.programs.grants.models import Application, Call, RoundKind
from commonweal.programs.grants.services import (
    application_submit,
    call_create,
    program_create,
    referee_letter_upload,
    reviewer_add,
    round_create,
)
from commonweal.programs.grants.permissions import access_referee_by_token
from commonweal.programs.models import OfficeRole
from tests.factories import make_user
from tests.programs.factories import make_fund, make_office

__all__ = ["PDF", "RUBRIC", "World", "make_world", "make_call", "apply", "referee_tokens", "upload_all_letters", "make_reviewer"]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
RUBRIC = [
    {"key": "originality", "label_zh": "原创性", "label_en": "Originality"},
    {"key": "rigour", "label_zh": "严谨性", "label_en": "Rigour"},
    {"key": "impact", "label_zh": "影响", "label_en": "Impact"},
]
YEAR = 2026


def today() -> dt.date:
    return timezone.localdate()


class World:
    """The program office, a fund with allocations for ``YEAR``, a prize program and its call."""

    def __init__(self, *, call_overrides: dict | None = None):
        self.manager = make_office(OfficeRole.MANAGER)
        self.finance = make_office(OfficeRole.FINANCE)
        self.finance2 = make_office(OfficeRole.FINANCE)
        self.fund = make_fund(total_fen=100_000_000_00, year=YEAR,
                              allocations={Domain.BASIC_SCIENCE: 50_000_000_00, Domain.CARBON_NEUTRALITY: 10_000_000_00})
        self.program = program_create(
            actor=self.manager, kind="prize", name_zh="探索奖", name_en="Explorer Prize", domain=Domain.BASIC_SCIENCE,
            fund=self.fund, fields=["数学", "物理", "生命科学"],
        )
        self.call = make_call(self.manager, self.program, **(call_overrides or {}))
        self.rounds = {
            "screening": round_create(actor=self.manager, call=self.call, kind=RoundKind.SCREENING),
            "panel": round_create(actor=self.manager, call=self.call, kind=RoundKind.PANEL),
            "final": round_create(actor=self.manager, call=self.call, kind=RoundKind.FINAL,
                                  defence_at=timezone.now() + dt.timedelta(days=30), defence_place="北京"),
        }


def make_world(**kwargs) -> World:
    return World(**kwargs)


def make_call(manager, program, **overrides) -> Call:
    fields = dict(
        title_zh=f"{YEAR} 年探索奖", title_en=f"Explorer Prize {YEAR}", year=YEAR,
        opens_on=today() - dt.timedelta(days=10), closes_on=today() + dt.timedelta(days=20),
        budget_fen=15_000_000_00, award_amount_fen=3_000_000_00, installments=5, rubric=RUBRIC,
        max_age=45, max_age_women=48, women_limit_from_year=2024, require_full_time=True,
        eligible_regions=["mainland", "hong_kong", "macao"], self_application=True, nomination=True,
        referees_self=3, referees_nomination=2,
        form_fields=[
            {"key": "title", "label_zh": "研究题目", "label_en": "Research title", "type": "text", "required": True},
            {"key": "papers", "label_zh": "代表性论文数", "label_en": "Key papers", "type": "integer", "min": 0, "max": 50},
        ],
    )
    fields.update(overrides)
    return call_create(actor=manager, program=program, **fields)


def _referees(n: int, tag: str) -> list[dict]:
    return [{"name": f"推荐人{tag}{i}", "email": f"ref{i}-{tag}@example.org", "institution": f"大学{i}"} for i in range(n)]


def apply(call, applicant=None, *, route="self", nomination=None, referees=None, **overrides) -> Application:
    applicant = applicant or make_user()
    tag = str(applicant.pk)
    fields = dict(
        full_name=f"申请人{tag}", gender="male", birth_date=dt.date(YEAR - 40, 6, 1), institution="清华大学",
        region="mainland", full_time=True, field="物理", coauthors=["王五"],
        answers={"title": "量子材料", "papers": "5"},
    )
    fields.update(overrides)
    if referees is None:
        referees = _referees(call.referees_nomination if route == "nomination" else call.referees_self, tag)
    # The referees' emails go out on commit; run those callbacks as a real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return application_submit(applicant=applicant, call=call, route=route, nomination=nomination, referees=referees, **fields)


_LINK = re.compile(r"/grants/referee/([A-Za-z0-9_-]{43})/")


def referee_tokens(application: Application) -> dict[str, str]:
    """Referee email → token, read from the emails sent (the only place a token exists)."""
    tokens = {}
    for message in mail.outbox:
        match = _LINK.search(message.body)
        if match and message.to[0] in {r.email for r in application.referees.all()}:
            tokens[message.to[0]] = match.group(1)
    return tokens


def upload_all_letters(application: Application) -> None:
    for email, token in referee_tokens(application).items():
        referee = access_referee_by_token(token)
        referee_letter_upload(referee=referee, upload=SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"))


def make_reviewer(world: World, *, name: str = "赵评审", institution: str = "北京大学", email: str | None = None):
    user = make_user(email)
    return reviewer_add(actor=world.manager, program=world.program, user=user, name=name, institution=institution)
