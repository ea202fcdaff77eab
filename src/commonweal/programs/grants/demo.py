"""Demo data of prize and grant programs (a ``demo.extensions`` module, after ``programs.demo``).

- An XPLORER-style prize for young scientists with last year's round completed: applications by
  self-application and by nomination, referee letters on file, screening, panel review with
  rubric scores (one reviewer recused automatically for sharing the applicant's institution,
  one by declaration), a final round with a defence, decisions with reasons, awards of ¥3M paid
  ¥600k a year, and each award's first installment reported and paid with four eyes; each award
  has impact indicators (papers, early-career researchers trained) with quarterly targets and
  results since the award.
- A CarbonX-style challenge whose call is open now, with a few applications in screening.

The base dataset runs in one durable transaction, and the grants services open their own, so
rows are written here as the services write them, with the same pure rules
(``grants.eligibility``, ``grants.conflicts``, ``grants.schedule``). Commitments and payments go
through the services (``award_commitment_create``, ``grant_payment_record``), so the fund's
limits hold and every payment writes its ``grant_payment`` ledger entry.
"""

import datetime as dt
import hashlib
import random

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile

from commonweal.accounts.models import User
from commonweal.core.domains import Domain
from commonweal.core.timeutil import SHANGHAI, shanghai_date
from commonweal.demo.generate import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from commonweal.programs.demo import FINANCE_EMAIL, MANAGER_EMAIL, _demo_funds, _indicators_delete, _indicators_write, _user
from commonweal.programs.grants.conflicts import Person, conflicts_detect
from commonweal.programs.grants.eligibility import eligibility_check
from commonweal.programs.grants.models import (
    Application,
    ApplicationStatus,
    Assignment,
    AssignmentStatus,
    Award,
    Call,
    Decision,
    Installment,
    InstallmentStatus,
    Nomination,
    Nominator,
    Outcome,
    Program,
    ProgramKind,
    Referee,
    Review,
    Reviewer,
    Round,
    RoundKind,
    Route,
)
from commonweal.programs.grants.schedule import payment_schedule
from commonweal.programs.grants.services import award_commitment_create
from commonweal.programs.grants.tokens import token_new
from commonweal.programs.models import OfficeMember, OfficeRole
from commonweal.programs.services import grant_payment_record

__all__ = ["generate", "wipe", "FINANCE2_EMAIL"]

FINANCE2_EMAIL = f"programs-finance2@{DEMO_EMAIL_DOMAIN}"
LOGINS = ((FINANCE2_EMAIL, "second program office finance member (the other pair of eyes)"),)
"""A second program finance member: the approver of the demo installments (four eyes)."""

_FIELDS = ["数学物理", "生命科学", "天文和地学", "化学新材料", "信息电子", "能源环境", "先进制造", "交通建筑", "前沿交叉"]
_INSTITUTIONS = ["清华大学", "北京大学", "复旦大学", "浙江大学", "中国科学技术大学", "南京大学", "上海交通大学", "中山大学",
                 "武汉大学", "西安交通大学", "香港大学", "澳门大学"]
_POSITION = {
    "清华大学": ("mainland", "北京市"), "北京大学": ("mainland", "北京市"), "复旦大学": ("mainland", "上海市"),
    "浙江大学": ("mainland", "浙江省"), "中国科学技术大学": ("mainland", "安徽省"), "南京大学": ("mainland", "江苏省"),
    "上海交通大学": ("mainland", "上海市"), "中山大学": ("mainland", "广东省"), "武汉大学": ("mainland", "湖北省"),
    "西安交通大学": ("mainland", "陕西省"), "香港大学": ("hong_kong", ""), "澳门大学": ("macao", ""),
}
"""Each institution's region and province, as its applicants give them."""
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = ["子涵", "思远", "雨桐", "浩然", "欣怡", "宇航", "梓萱", "俊杰", "若曦", "明哲", "嘉怡", "天佑", "语嫣", "博文", "诗涵", "致远"]
_RUBRIC = [
    {"key": "originality", "label_zh": "原创性", "label_en": "Originality"},
    {"key": "rigour", "label_zh": "科学严谨性", "label_en": "Scientific rigour"},
    {"key": "potential", "label_zh": "发展潜力", "label_en": "Potential"},
    {"key": "impact", "label_zh": "社会影响", "label_en": "Social impact"},
]
_CHALLENGE_RUBRIC = [
    {"key": "carbon", "label_zh": "减排潜力", "label_en": "Emission cuts"},
    {"key": "feasibility", "label_zh": "可行性", "label_en": "Feasibility"},
    {"key": "scale", "label_zh": "可推广性", "label_en": "Scalability"},
]
_LETTER = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF\n")
_N_APPLICANTS = 12
# Impact indicators of each award, as in ``programs.demo._LAB_INDICATORS``.
_AWARD_INDICATORS = (
    ("sdg", "9.5", "发表的研究论文", "Research papers published", "篇", True, "higher", 2),
    ("custom", "", "培养的青年科研人员", "Early-career researchers trained", "人", True, "higher", 3),
)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


class _Writer:
    """Counts what it writes, per model label."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def add(self, obj):
        obj.save()
        label = f"grants.{type(obj).__name__}"
        self.counts[label] = self.counts.get(label, 0) + 1
        return obj


def _letter(w: _Writer, referee: Referee, when: dt.datetime) -> None:
    referee.letter.save(f"{referee.application.public_id}/{referee.public_id}.pdf", ContentFile(_LETTER), save=False)
    referee.letter_content_type = "application/pdf"
    referee.letter_sha256 = hashlib.sha256(_LETTER).hexdigest()
    referee.letter_uploaded_at = when
    referee.save(update_fields=["letter", "letter_content_type", "letter_sha256", "letter_uploaded_at"])


def _apply(w: _Writer, *, rng, call: Call, applicant: User, route: str, nomination=None, when: dt.datetime,
           first_round: Round, letters: bool, institution: str | None = None) -> Application:
    year = call.year
    gender = rng.choice(["female", "male", "male"])
    birth = dt.date(year - rng.randint(32, 44), rng.randint(1, 12), rng.randint(1, 28))
    field = rng.choice(call.program.fields)
    institution = institution or rng.choice(_INSTITUTIONS)
    region, province = _POSITION[institution]
    results = eligibility_check(call=call, program_fields=call.program.fields, birth_date=birth, gender=gender,
                                full_time=True, region=region, field=field)
    application = w.add(Application(
        call=call, applicant=applicant, route=route, nomination=nomination, full_name=applicant.display_name,
        gender=gender, birth_date=birth, institution=institution, region=region, province=province,
        full_time=True, field=field, coauthors=[_name(rng) for _ in range(rng.randint(1, 4))],
        answers=_answers(rng, call), eligibility=[r.as_json() for r in results], status=ApplicationStatus.IN_REVIEW,
        current_round=first_round, submitted_at=when,
    ))
    required = call.referees_nomination if route == Route.NOMINATION else call.referees_self
    for n in range(required):
        referee = w.add(Referee(
            application=application, name=_name(rng), email=f"referee-{application.public_id[-8:]}-{n}@{DEMO_EMAIL_DOMAIN}",
            institution=rng.choice(_INSTITUTIONS), token_hash=token_new()[1],
        ))
        if letters:
            _letter(w, referee, when + dt.timedelta(days=rng.randint(1, 20)))
    return application


def _answers(rng, call: Call) -> dict:
    answers = {}
    for field in call.form_fields:
        if field["type"] == "integer":
            answers[field["key"]] = rng.randint(field.get("min", 0), min(field.get("max", 20), 20))
        elif field["type"] == "url":
            answers[field["key"]] = "https://example.org/team"
        else:
            answers[field["key"]] = rng.choice(["低维量子材料中的新奇物态", "单细胞测序揭示衰老机制", "面向碳中和的新型储能", "县域清洁取暖改造"])
    return answers


def _review(w: _Writer, rng, assignment: Assignment, rubric: list[dict], quality: int, when: dt.datetime) -> None:
    scores = {}
    for criterion in rubric:
        scores[criterion["key"]] = None if rng.random() < 0.1 else max(0, min(5, quality + rng.choice((-1, 0, 0, 1))))
    values = [v for v in scores.values() if v is not None]
    w.add(Review(assignment=assignment, scores=scores, score_sum=sum(values), score_count=len(values),
                 comment=rng.choice(["研究问题重要，方案清晰。", "前期工作扎实，创新性有待加强。", "方向前沿，团队能力强。", ""]),
                 submitted_at=when))
    assignment.status = AssignmentStatus.SUBMITTED
    assignment.save(update_fields=["status"])


def _assign(w: _Writer, review_round: Round, application: Application, reviewer: Reviewer, manager: User,
            when: dt.datetime) -> Assignment:
    found = conflicts_detect(
        reviewer=Person(name=reviewer.name, email=reviewer.user.email, institution=reviewer.institution),
        applicant_institution=application.institution,
        referees=[Person(name=r.name, email=r.email) for r in application.referees.all()], coauthors=application.coauthors,
    )
    return w.add(Assignment(round=review_round, application=application, reviewer=reviewer, assigned_by=manager,
                            conflicts=found, status=AssignmentStatus.RECUSED if found else AssignmentStatus.ASSIGNED,
                            recused_at=when if found else None))


def generate(*, seed: int, now: dt.datetime) -> dict[str, int]:
    rng = random.Random(seed ^ 0x6A17)
    w = _Writer()
    fund = _demo_funds().first()
    manager = User.objects.get(email=MANAGER_EMAIL)
    finance = User.objects.get(email=FINANCE_EMAIL)
    password = make_password(DEMO_PASSWORD)
    finance2 = _user(FINANCE2_EMAIL, "项目办公室财务（复核）", password)
    OfficeMember.objects.create(user=finance2, role=OfficeRole.FINANCE)
    today = shanghai_date(now)
    last = today.year - 1

    # --- XPLORER-style prize, last year's round completed --------------------------------
    prize = w.add(Program(
        kind=ProgramKind.PRIZE, name_zh="探索者奖（演示）", name_en="XPLORER-style Prize (demo)", domain=Domain.BASIC_SCIENCE,
        fund=fund, fields=_FIELDS, created_by=manager,
        description="资助45周岁以下（女性48周岁以下）、在中国内地及港澳全职工作的青年科学家，每人300万元，分五年支付。",
    ))
    call = w.add(Call(
        program=prize, title_zh=f"{last} 年探索者奖", title_en=f"XPLORER-style Prize {last}", year=last,
        opens_on=dt.date(last, 1, 10), closes_on=dt.date(last, 3, 31), budget_fen=15_000_000_00,
        max_age=45, max_age_women=48, women_limit_from_year=2024, require_full_time=True,
        eligible_regions=["mainland", "hong_kong", "macao"], require_field=True, self_application=True, nomination=True,
        referees_self=3, referees_nomination=2, award_amount_fen=3_000_000_00, installments=5, rubric=_RUBRIC,
        form_fields=[
            {"key": "title", "label_zh": "研究方向", "label_en": "Research direction", "type": "text", "required": True, "max_length": 200},
            {"key": "papers", "label_zh": "代表性论文数", "label_en": "Key papers", "type": "integer", "required": True, "min": 0, "max": 50},
        ],
        description="面向基础科学与前沿技术领域的青年科学家。",
    ))
    screening = w.add(Round(call=call, kind=RoundKind.SCREENING, position=1))
    panel = w.add(Round(call=call, kind=RoundKind.PANEL, position=2))
    final = w.add(Round(call=call, kind=RoundKind.FINAL, position=3, defence_at=_at(dt.date(last, 8, 20), 9),
                        defence_place="北京 · 答辩会场"))
    reviewers = []
    for n, institution in enumerate(_INSTITUTIONS[:6]):
        user = _user(f"grants-reviewer{n + 1}@{DEMO_EMAIL_DOMAIN}", f"评审专家{n + 1}", password)
        reviewers.append(w.add(Reviewer(program=prize, user=user, name=user.display_name, institution=institution)))
    nominators = [
        w.add(Nominator(call=call, name=f"提名人{n + 1}", email=f"grants-nominator{n + 1}@{DEMO_EMAIL_DOMAIN}",
                        institution=_INSTITUTIONS[-1 - n], token_hash=token_new()[1], invited_by=manager))
        for n in range(2)
    ]
    applications = []
    for n in range(_N_APPLICANTS):
        user = _user(f"grants-applicant{n + 1}@{DEMO_EMAIL_DOMAIN}", _name(rng), password)
        nomination = None
        if n % 4 == 3:
            nomination = w.add(Nomination(nominator=nominators[n % 2], nominee_name=user.display_name, nominee_email=user.email,
                                          statement="候选人在该领域取得了突出的原创成果。"))
        # The first applicant shares the first reviewer's institution: detection recuses that reviewer.
        applications.append(_apply(
            w, rng=rng, call=call, applicant=user, route=Route.NOMINATION if nomination else Route.SELF, nomination=nomination,
            when=_at(dt.date(last, 2, 1) + dt.timedelta(days=n * 3)), first_round=screening, letters=True,
            institution=reviewers[0].institution if n == 0 else None,
        ))
    quality = {a.pk: rng.randint(2, 5) for a in applications}
    plan = ((screening, dt.date(last, 5, 10), 10, 2), (panel, dt.date(last, 7, 1), 6, 4), (final, dt.date(last, 8, 25), 0, 0))
    awarded = []
    alive = list(applications)
    for review_round, day, advance, _reject in plan:
        for index, application in enumerate(alive):
            chosen = [reviewers[(index + k) % len(reviewers)] for k in range(3 if review_round.kind != RoundKind.SCREENING else 2)]
            if index == 0 and review_round.kind == RoundKind.SCREENING and reviewers[0] not in chosen:
                chosen[0] = reviewers[0]
            for reviewer in chosen:
                assignment = _assign(w, review_round, application, reviewer, manager, _at(day - dt.timedelta(days=20)))
                if assignment.status == AssignmentStatus.RECUSED:
                    continue
                if review_round.kind == RoundKind.PANEL and index == 1 and reviewer is chosen[-1]:
                    assignment.declared_conflict = "申请人曾是我课题组的博士后。"
                    assignment.status, assignment.recused_at = AssignmentStatus.RECUSED, _at(day - dt.timedelta(days=15))
                    assignment.save(update_fields=["declared_conflict", "status", "recused_at"])
                    continue
                _review(w, rng, assignment, _RUBRIC, quality[application.pk], _at(day - dt.timedelta(days=5)))
        ranked = sorted(alive, key=lambda a: -quality[a.pk])
        next_alive = []
        for rank, application in enumerate(ranked):
            if review_round.kind == RoundKind.FINAL:
                outcome = Outcome.AWARD if rank < 4 else Outcome.REJECT
            else:
                outcome = Outcome.ADVANCE if rank < advance else Outcome.REJECT
            reason = {Outcome.ADVANCE: "评审均分位居前列，进入下一轮。", Outcome.REJECT: "综合评审意见，本轮未入选。",
                      Outcome.AWARD: "答辩表现优秀，授予探索者奖。"}[outcome]
            w.add(Decision(application=application, round=review_round, outcome=outcome, reason=reason, decided_by=manager,
                           decided_at=_at(day, 15)))
            if outcome == Outcome.ADVANCE:
                application.current_round = {screening.pk: panel, panel.pk: final}[review_round.pk]
                next_alive.append(application)
            else:
                application.status = ApplicationStatus.AWARDED if outcome == Outcome.AWARD else ApplicationStatus.REJECTED
                if outcome == Outcome.AWARD:
                    awarded.append(application)
            application.save(update_fields=["status", "current_round"])
        alive = next_alive
    for application in awarded:
        award = Award(application=application, amount_fen=call.award_amount_fen, awarded_by=manager,
                      awarded_at=_at(dt.date(last, 8, 25), 16))
        award.commitment = award_commitment_create(actor=manager, award=award)
        w.add(award)
        for p in payment_schedule(amount_fen=award.amount_fen, count=call.installments, first_due_on=dt.date(last, 10, 15)):
            installment = w.add(Installment(award=award, number=p.number, due_on=p.due_on, amount_fen=p.amount_fen))
            if p.number == 1:
                installment.report = "已完成开题，组建研究团队，购置关键实验设备，并完成第一阶段实验设计。"
                installment.report_submitted_at = _at(dt.date(last, 10, 1))
                installment.status = InstallmentStatus.PAID
                installment.proposed_by, installment.proposed_at = finance, _at(dt.date(last, 10, 10))
                installment.approved_by, installment.paid_on = finance2, min(dt.date(last, 10, 15), today)
                installment.payment = grant_payment_record(
                    commitment=award.commitment, amount_fen=p.amount_fen, paid_on=installment.paid_on,
                    created_by=finance, approved_by=finance2,
                )
                installment.save()

    impact = _indicators_write(
        [(award, prize.domain, spec, dt.date(last, 10, 1)) for award in Award.objects.filter(application__in=awarded).order_by("pk")
         for spec in _AWARD_INDICATORS],
        rng=rng, today=today,
    )

    # --- CarbonX-style challenge, open now -----------------------------------------------
    challenge = w.add(Program(
        kind=ProgramKind.CHALLENGE, name_zh="碳路挑战赛（演示）", name_en="CarbonX-style Challenge (demo)",
        domain=Domain.CARBON_NEUTRALITY, fund=fund, fields=["清洁能源", "低碳农业", "建筑节能", "碳捕集与利用", "循环经济"],
        created_by=manager, description="征集可落地的减碳技术方案：入围者获50万元小额资助，优胜者获大额资助与试点机会。",
    ))
    open_call = w.add(Call(
        program=challenge, title_zh=f"{today.year} 碳路挑战赛", title_en=f"CarbonX-style Challenge {today.year}", year=today.year,
        opens_on=today - dt.timedelta(days=15), closes_on=today + dt.timedelta(days=45), budget_fen=15_000_000_00,
        require_full_time=False, eligible_regions=["mainland", "hong_kong", "macao", "taiwan"], require_field=True,
        self_application=True, nomination=False, referees_self=2, referees_nomination=0, award_amount_fen=500_000_00,
        installments=1, rubric=_CHALLENGE_RUBRIC,
        form_fields=[
            {"key": "summary", "label_zh": "方案简介", "label_en": "Summary", "type": "textarea", "required": True, "max_length": 5000},
            {"key": "team_size", "label_zh": "团队人数", "label_en": "Team size", "type": "integer", "required": True, "min": 1, "max": 200},
            {"key": "pilot_site", "label_zh": "试点地点", "label_en": "Pilot site", "type": "text", "required": False, "max_length": 200},
            {"key": "website", "label_zh": "团队网站", "label_en": "Team website", "type": "url", "required": False, "max_length": 500},
        ],
        description="面向高校、企业与公益组织团队；流程：征集 → 初筛 → 专家评审 → 入围资助 → 优胜资助 → 试点。",
    ))
    challenge_screening = w.add(Round(call=open_call, kind=RoundKind.SCREENING, position=1))
    w.add(Round(call=open_call, kind=RoundKind.PANEL, position=2))
    w.add(Round(call=open_call, kind=RoundKind.FINAL, position=3, defence_at=_at(open_call.closes_on + dt.timedelta(days=60), 9),
                defence_place="深圳 · 路演大厅"))
    for n in range(3):
        user = _user(f"grants-team{n + 1}@{DEMO_EMAIL_DOMAIN}", _name(rng), password)
        _apply(w, rng=rng, call=open_call, applicant=user, route=Route.SELF, when=now - dt.timedelta(days=10 - n),
               first_round=challenge_screening, letters=n != 2)
    w.counts["programs.OfficeMember"] = 1
    return {**w.counts, **impact}


def wipe() -> int:
    """Delete the grants rows under the demo funds (and the letters' files), before the programs
    demo wipes the funds themselves."""
    programs = Program.objects.filter(fund__in=_demo_funds())
    calls = Call.objects.filter(program__in=programs)
    applications = Application.objects.filter(call__in=calls)
    deleted = _indicators_delete(Award.objects.filter(application__in=applications))
    deleted += Installment.objects.filter(award__application__in=applications).delete()[0]
    deleted += Award.objects.filter(application__in=applications).delete()[0]
    deleted += Decision.objects.filter(application__in=applications).delete()[0]
    deleted += Review.objects.filter(assignment__application__in=applications).delete()[0]
    deleted += Assignment.objects.filter(application__in=applications).delete()[0]
    referees = Referee.objects.filter(application__in=applications)
    storage = Referee._meta.get_field("letter").storage
    for name in referees.exclude(letter="").values_list("letter", flat=True):
        storage.delete(name)
    deleted += referees.delete()[0]
    deleted += applications.delete()[0]
    deleted += Nomination.objects.filter(nominator__call__in=calls).delete()[0]
    deleted += Nominator.objects.filter(call__in=calls).delete()[0]
    deleted += Reviewer.objects.filter(program__in=programs).delete()[0]
    deleted += Round.objects.filter(call__in=calls).delete()[0]
    deleted += calls.delete()[0]
    deleted += programs.delete()[0]
    return deleted
