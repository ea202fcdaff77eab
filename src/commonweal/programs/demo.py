"""Demo data of the program office (a ``demo.extensions`` module).

A ¥50B social-value fund over five years (two past, this one, two to come) allocated across the
eight domains; XPLORER Prize commitments to individual scientists (¥3M each, paid ¥600k a year),
CarbonX grants to demo organizations, direct commitments to demo projects; payments through
``grant_payment_record`` (so each writes its ``grant_payment`` outbox entry); three labs with
projects at every stage, their gate histories, and a studio spun off; impact indicators with
quarterly targets and results on the labs, their projects past the idea stage and the studio. A
program manager and a program finance login at the demo email domain.

Commitments and payments go through the services. Labs, projects and gates are written as rows
equal to what ``lab_create`` and ``gate_review_record`` write (those open a durable transaction,
and the demo runs inside the base dataset's), with the same audit rows; budget lines and the
studio's commitment still go through ``commitment_create``. Indicators, targets and results are
rows too, as ``impact.demo`` writes them (``indicator_create`` and the others are durable
transactions), with values the impact services would accept; ``_indicators_write`` is shared with
the grants demo (awards).
"""

import datetime as dt
import random
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record
from commonweal.core.domains import Domain
from commonweal.core.models import AuditEvent
from commonweal.core.timeutil import shanghai_date
from commonweal.demo.generate import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from commonweal.impact.models import Indicator, Result, Target
from commonweal.impact.periods import parse_period
from commonweal.ledger.models import OutboxEntry
from commonweal.orgs.models import Organization, VerificationStatus
from commonweal.programs.models import (
    Commitment,
    Fund,
    FundAllocation,
    GateDecision,
    GateReview,
    GrantPayment,
    KpiKind,
    Lab,
    LabKpi,
    LabMember,
    LabProject,
    OfficeMember,
    OfficeRole,
    RecipientKind,
    SourceKind,
    Stage,
    Studio,
)
from commonweal.programs.services import commitment_create, grant_payment_record
from commonweal.projects.models import Project, ProjectStatus

__all__ = ["generate", "wipe", "MANAGER_EMAIL", "FINANCE_EMAIL", "FUND_TOTAL_FEN"]

MANAGER_EMAIL = f"programs@{DEMO_EMAIL_DOMAIN}"
FINANCE_EMAIL = f"programs-finance@{DEMO_EMAIL_DOMAIN}"
LOGINS = (
    (MANAGER_EMAIL, "program office manager: /programs/office/ (funds, labs, gates) and /grants/office/"),
    (FINANCE_EMAIL, "program office finance: proposes and approves grant installments (four eyes)"),
)
FUND_TOTAL_FEN = 50_000_000_000_00
"""¥50,000,000,000."""

_WEIGHTS = {
    Domain.BASIC_SCIENCE: 25, Domain.EDUCATION_INNOVATION: 15, Domain.RURAL_REVITALIZATION: 15,
    Domain.CARBON_NEUTRALITY: 15, Domain.FEW: 10, Domain.PUBLIC_EMERGENCY: 5, Domain.ELDERLY_CARE_TECH: 8,
    Domain.PUBLIC_WELFARE_DIGITAL: 7,
}
_PROVINCES = ("北京市", "上海市", "广东省", "浙江省", "四川省", "云南省", "甘肃省", "湖北省", "陕西省", "贵州省")
_XPLORER_PER_YEAR = 50
_XPLORER_FEN = 3_000_000_00
_XPLORER_YEARLY_FEN = 600_000_00
_PATH = (Stage.IDEA, Stage.INCUBATING, Stage.PILOT, Stage.SCALING)

_LABS = (
    {
        "name_zh": "碳中和科技向善实验室", "name_en": "Carbon Neutrality Tech-for-Good Lab", "domain": Domain.CARBON_NEUTRALITY,
        "mission": "让县域和乡村用得起、管得好低碳技术：从清洁取暖到农业减排。", "budget_fen": 120_000_000_00,
        "team": (("张伟", "研究院", "实验室负责人"), ("李娜", "工程部", "硬件工程师"), ("王强", "公益部", "项目经理"), ("赵敏", "数据中心", "数据分析")),
        "kpis": ((KpiKind.OUTPUT, "试点技术方案", "个", 12, 7), (KpiKind.REACH, "受益农户", "户", 50_000, 18_400)),
        "projects": ("太阳能农产品烘干", "秸秆还田碳核算", "乡村清洁取暖", "小水电数字运维", "低碳校园", "沼气安全监测"),
    },
    {
        "name_zh": "养老科技实验室", "name_en": "Elderly-Care Technology Lab", "domain": Domain.ELDERLY_CARE_TECH,
        "mission": "用适老化技术让独居老人安全、有尊严地居家养老。", "budget_fen": 80_000_000_00,
        "team": (("陈静", "研究院", "实验室负责人"), ("刘洋", "产品部", "产品经理"), ("孙丽", "公益部", "社区协调")),
        "kpis": ((KpiKind.OUTPUT, "开源适老化组件", "个", 20, 9), (KpiKind.REACH, "服务老人", "人", 100_000, 36_000)),
        "projects": ("跌倒检测手环", "方言语音助手", "社区助餐调度", "远程问诊小站", "认知训练游戏"),
    },
    {
        "name_zh": "公益数字化实验室", "name_en": "Public-Welfare Digitalization Lab", "domain": Domain.PUBLIC_WELFARE_DIGITAL,
        "mission": "为中小公益机构提供开源、免费的数字化工具。", "budget_fen": 60_000_000_00,
        "team": (("周杰", "工程部", "技术负责人"), ("吴芳", "公益部", "机构联络"), ("郑磊", "法务部", "合规顾问")),
        "kpis": ((KpiKind.OUTPUT, "开源工具", "个", 8, 5), (KpiKind.REACH, "使用机构", "家", 2_000, 640)),
        "projects": ("志愿者排班系统", "捐赠票据工具", "项目披露模板", "公益数据看板", "线上筹款合规检查"),
    },
)
# Stage of each lab project, by position: every stage appears, and the first lab spins one off.
_STAGES = (Stage.SPUN_OFF, Stage.SCALING, Stage.PILOT, Stage.INCUBATING, Stage.IDEA, Stage.STOPPED)

# Impact indicators per lab domain: (framework, code, name_zh, name_en, unit, additive, direction,
# typical quarterly value). A lab gets all of its domain's; each project past the idea stage and
# the studio get the first, at a fifth of the scale.
_LAB_INDICATORS = {
    Domain.CARBON_NEUTRALITY: (
        ("iris", "OI1479", "温室气体减排量", "Greenhouse gas emissions avoided", "tCO2e", True, "higher", 150),
        ("custom", "", "受益农户", "Farming households reached", "户", True, "higher", 1200),
    ),
    Domain.ELDERLY_CARE_TECH: (
        ("iris", "PI4060", "使用智能看护设备的老人", "Older people using care devices", "人", True, "higher", 800),
        ("custom", "", "紧急呼叫平均响应时间", "Average response time to emergency calls", "分钟", False, "lower", 12),
    ),
    Domain.PUBLIC_WELFARE_DIGITAL: (
        ("custom", "", "使用开源工具的公益机构", "Charities using the open-source tools", "家", True, "higher", 60),
        ("sdg", "17.8", "数字技能培训人次", "Digital skills training sessions", "人次", True, "higher", 900),
    ),
}
_EVIDENCE = ("季度进展报告中的统计表", "合作方提供的名册", "第三方抽样核查", "项目管理系统导出数据")

_CRITERIA = {
    Stage.INCUBATING: "问题真实存在；有明确的受益人群；团队具备基本能力。",
    Stage.PILOT: "原型可用；用户访谈不少于30人；成本测算完成。",
    Stage.SCALING: "试点达到目标的70%以上；单位成本下降；有合作伙伴愿意推广。",
    Stage.SPUN_OFF: "可持续运营模式清晰；独立团队到位；三年预算与治理结构经评审。",
    Stage.STOPPED: "阶段目标未达成且无可行调整方案。",
}


def _user(email: str, display_name: str, password: str) -> User:
    user = User.objects.create(email=email, display_name=display_name, password=password, is_active=True)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _split(total: int, weights: dict) -> dict:
    """``total`` split by integer ``weights``; the remainder goes to the first key, so the parts
    add up exactly."""
    whole = sum(weights.values())
    parts = {key: total * weight // whole for key, weight in weights.items()}
    first = next(iter(parts))
    parts[first] += total - sum(parts.values())
    return parts


def generate(*, seed: int, now: dt.datetime) -> dict[str, int]:
    rng = random.Random(seed ^ 0x5EED)
    password = make_password(DEMO_PASSWORD)
    manager = _user(MANAGER_EMAIL, "项目办公室经理", password)
    finance = _user(FINANCE_EMAIL, "项目办公室财务", password)
    OfficeMember.objects.create(user=manager, role=OfficeRole.MANAGER)
    OfficeMember.objects.create(user=finance, role=OfficeRole.FINANCE)
    this_year = shanghai_date(now).year
    years = list(range(this_year - 2, this_year + 3))
    today = shanghai_date(now)

    fund = Fund.objects.create(
        name_zh="社会价值基金（演示）", name_en="Social Value Fund (demo)", total_fen=FUND_TOTAL_FEN,
        start_year=years[0], end_year=years[-1],
        description="500亿元，五年内投向八个领域：基础科学、教育创新、乡村振兴、碳中和、食物能源与水、公众应急、养老科技、公益数字化。",
    )
    audit_record(actor=manager, action="fund.create", target=fund, data={"total_fen": FUND_TOTAL_FEN})
    allocations = []
    for domain, share in _split(FUND_TOTAL_FEN, _WEIGHTS).items():
        for year, amount in _split(share, {y: 1 for y in years}).items():
            allocations.append(FundAllocation(fund=fund, domain=domain, year=year, amount_fen=amount))
    FundAllocation.objects.bulk_create(allocations)

    orgs = list(
        Organization.objects.filter(verification_status=VerificationStatus.VERIFIED, contact_email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .order_by("pk")
    )
    projects = list(
        Project.objects.filter(org__in=orgs, status__in=[ProjectStatus.FUNDRAISING, ProjectStatus.EXECUTING, ProjectStatus.COMPLETED])
        .order_by("pk")
    )
    past = [y for y in years if y <= this_year]
    commitments = 0

    def commit(**kw) -> Commitment:
        nonlocal commitments
        commitments += 1
        return commitment_create(actor=manager, fund=fund, **kw)

    def pay(c: Commitment, amount: int, on: dt.date) -> None:
        grant_payment_record(commitment=c, amount_fen=amount, paid_on=min(on, today), created_by=manager, approved_by=finance)

    # XPLORER Prize: 50 young scientists a year, ¥3M each, ¥600k a year for five years.
    for year in past:
        for _n in range(_XPLORER_PER_YEAR):
            c = commit(
                domain=Domain.BASIC_SCIENCE, year=year, amount_fen=_XPLORER_FEN, program="XPLORER Prize",
                recipient_name=f"{rng.choice('王李张刘陈杨黄赵吴周')}{rng.choice('伟芳娜敏静磊洋勇艳杰')}", recipient_kind=RecipientKind.INDIVIDUAL,
                region=rng.choice(_PROVINCES), source_kind=SourceKind.GRANT,
            )
            for k in range(this_year - year + 1):
                pay(c, _XPLORER_YEARLY_FEN, dt.date(year + k, 3, 15))
    # CarbonX: 30 finalists at ¥500k, 13 winners with a large grant, last year's challenge.
    challenge_year = this_year - 1
    for n in range(30):
        org = orgs[n % len(orgs)]
        c = commit(
            domain=Domain.CARBON_NEUTRALITY, year=challenge_year, amount_fen=500_000_00, program="CarbonX",
            recipient_name=org.name_zh, recipient_org=org, region=rng.choice(_PROVINCES), source_kind=SourceKind.GRANT,
        )
        pay(c, 500_000_00, dt.date(challenge_year, 9, 1))
        if n < 13:
            c = commit(
                domain=Domain.CARBON_NEUTRALITY, year=this_year, amount_fen=5_000_000_00, program="CarbonX",
                recipient_name=org.name_zh, recipient_org=org, region=c.region, source_kind=SourceKind.GRANT,
            )
            pay(c, 2_000_000_00, dt.date(this_year, 4, 1))
    # Direct commitments to demo projects, in their own domains.
    for project in projects[: 6 * len(Domain)]:
        year = rng.choice(past)
        amount = rng.randrange(2_000_000, 50_000_000) * 100
        c = commit(
            domain=project.domain, year=year, amount_fen=amount, program="Direct", recipient_name=project.org.name_zh,
            recipient_org=project.org, project=project, region=project.region, source_kind=SourceKind.DIRECT,
        )
        if rng.random() < 0.7:
            pay(c, amount * rng.choice((25, 50, 100)) // 100, dt.date(year, 6, 30))

    counts = _labs(rng=rng, fund=fund, manager=manager, finance=finance, year=this_year, now=now)
    commitments += counts.pop("commitments")
    counts.update(_lab_indicators(rng=rng, fund=fund, today=today))
    return {
        "programs.Fund": 1, "programs.FundAllocation": len(allocations), "programs.Commitment": commitments,
        "programs.GrantPayment": GrantPayment.objects.filter(commitment__fund=fund).count(), "programs.OfficeMember": 2,
        **counts,
    }


def _labs(*, rng: random.Random, fund: Fund, manager: User, finance: User, year: int, now: dt.datetime) -> dict[str, int]:
    labs = projects = gates = studios = commitments = 0
    for spec in _LABS:
        lab = Lab.objects.create(
            name_zh=spec["name_zh"], name_en=spec["name_en"], mission=spec["mission"], domain=spec["domain"], fund=fund,
            budget_fen=spec["budget_fen"],
        )
        lab.commitment = commitment_create(
            actor=manager, fund=fund, domain=lab.domain, year=year, amount_fen=lab.budget_fen, recipient_name=lab.name_zh,
            recipient_kind=RecipientKind.ORGANIZATION, program=f"Lab: {lab.name_en}", source_kind=SourceKind.LAB,
            source_public_id=lab.public_id,
        )
        commitments += 1
        lab.save(update_fields=["commitment"])
        LabMember.objects.bulk_create([LabMember(lab=lab, name=n, department=d, role=r) for n, d, r in spec["team"]])
        LabKpi.objects.bulk_create(
            [LabKpi(lab=lab, kind=k, label=label, unit=unit, target=t, actual=a) for k, label, unit, t, a in spec["kpis"]]
        )
        audit_record(actor=manager, action="lab.create", target=lab, data={"budget_fen": lab.budget_fen, "domain": lab.domain})
        labs += 1
        for position, title in enumerate(spec["projects"]):
            stage = _STAGES[position % len(_STAGES)]
            if stage == Stage.SPUN_OFF and labs > 1:
                stage = Stage.SCALING  # one studio in the demo
            project = LabProject.objects.create(lab=lab, title=title, summary=f"{lab.name_zh}的项目：{title}。", stage=Stage.IDEA)
            audit_record(actor=manager, action="lab_project.create", target=project)
            projects += 1
            if stage == Stage.STOPPED:
                path = [Stage.INCUBATING, Stage.STOPPED]
            elif stage == Stage.SPUN_OFF:
                path = [Stage.INCUBATING, Stage.PILOT, Stage.SCALING, Stage.SPUN_OFF]
            else:
                path = list(_PATH[1 : _PATH.index(stage) + 1])
            current = Stage.IDEA
            for to in path:
                if to != Stage.STOPPED and rng.random() < 0.25:
                    _gate(project, current, to, GateDecision.REJECT, manager, finance, "证据不足，补充用户研究后再议。")
                    gates += 1
                _gate(project, current, to, GateDecision.APPROVE, manager, finance, "达到本阶段标准。" if to != Stage.STOPPED else "试点未达目标，停止。")
                gates += 1
                if to == Stage.SPUN_OFF:
                    studio = Studio(name=f"{title}工作室", project=project)
                    studio.commitment = commitment_create(
                        actor=manager, fund=fund, domain=lab.domain, year=year, amount_fen=30_000_000_00,
                        recipient_name=studio.name, recipient_kind=RecipientKind.ORGANIZATION, program=f"Studio: {studio.name}",
                        source_kind=SourceKind.STUDIO, source_public_id=studio.public_id,
                    )
                    studio.save()
                    audit_record(actor=manager, action="studio.create", target=studio, data={"project": project.public_id})
                    grant_payment_record(
                        commitment=studio.commitment, amount_fen=10_000_000_00, paid_on=shanghai_date(now),
                        created_by=manager, approved_by=finance,
                    )
                    studios += 1
                    commitments += 1
                current = to
            LabProject.objects.filter(pk=project.pk).update(stage=current, stage_changed_at=now)
    return {
        "programs.Lab": labs, "programs.LabProject": projects, "programs.GateReview": gates, "programs.Studio": studios,
        "commitments": commitments,
    }


def _lab_indicators(*, rng: random.Random, fund: Fund, today: dt.date) -> dict[str, int]:
    """Indicators on the fund's labs, their projects past the idea stage and their studios."""
    start = dt.date(today.year - 1, 1, 1)
    items = []
    for lab in Lab.objects.filter(fund=fund).order_by("pk"):
        specs = _LAB_INDICATORS[lab.domain]
        items += [(lab, lab.domain, spec, start) for spec in specs]
        first = specs[0][:7] + (max(1, specs[0][7] // 5),)
        for project in lab.projects.exclude(stage=Stage.IDEA).order_by("pk"):
            items.append((project, lab.domain, first, start + dt.timedelta(days=92)))
            studio = Studio.objects.filter(project=project).first()
            if studio is not None:
                items.append((studio, lab.domain, first, dt.date(today.year, 1, 1)))
    return _indicators_write(items, rng=rng, today=today)


def _round(value: float, places: int) -> Decimal:
    return Decimal(str(round(value, places)))


def _indicators_write(items, *, rng: random.Random, today: dt.date) -> dict[str, int]:
    """Indicator, Target and Result rows for ``items`` (subject, domain, spec as in
    ``_LAB_INDICATORS``, first day): kept by platform staff (no organization), quarterly targets
    from the first day's quarter, results with evidence text and link for the quarters already
    over. Written as ``impact.demo`` writes them, inside the demo's transaction."""
    indicators, plans, targets, results = [], [], [], []
    for position, (subject, domain, spec, starts_on) in enumerate(items):
        framework, code, name_zh, name_en, unit, additive, direction, typical = spec
        places = 0 if additive and unit not in ("tCO2e", "kW") else 1
        indicator = Indicator(
            subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True), subject_id=subject.pk, org=None,
            domain=domain, framework=framework, code=code, name_zh=name_zh, name_en=name_en, unit=unit, additive=additive,
            direction=direction, baseline_value=_round(0 if additive else typical * (1.1 if direction == "lower" else 0.8), places), baseline_on=starts_on,
            position=position, created_by=None,
        )
        indicators.append(indicator)
        plans.append((indicator, typical, additive, direction, places, starts_on))
    Indicator.objects.bulk_create(indicators)
    for indicator, typical, additive, direction, places, starts_on in plans:
        year, quarter = starts_on.year, (starts_on.month - 1) // 3 + 1
        for step in range(1, rng.randint(4, 7)):
            period = parse_period(f"{year}-Q{quarter}")
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
            if period.starts_on > today + dt.timedelta(days=92):
                break
            if additive:
                goal = typical * (0.6 + 0.1 * step)
            else:
                goal = typical * (1 + 0.03 * step) if direction == "higher" else typical * (1 - 0.03 * step)
            targets.append(Target(indicator=indicator, period=period.label, ends_on=period.ends_on, value=_round(goal, places)))
            if period.ends_on < today:
                results.append(Result(
                    indicator=indicator, period=period.label, ends_on=period.ends_on,
                    value=_round(goal * rng.uniform(0.75, 1.2), places), evidence_text=rng.choice(_EVIDENCE),
                    evidence_url=f"https://{DEMO_EMAIL_DOMAIN}/evidence/{indicator.public_id}/{period.label}",
                ))
    Target.objects.bulk_create(targets)
    Result.objects.bulk_create(results)
    return {"impact.Indicator": len(indicators), "impact.Target": len(targets), "impact.Result": len(results)}


def _indicators_delete(*subjects) -> int:
    """Delete the indicators (with their targets and results) of the querysets ``subjects``."""
    deleted = 0
    for queryset in subjects:
        ct = ContentType.objects.get_for_model(queryset.model, for_concrete_model=True)
        deleted += Indicator.objects.filter(subject_type=ct, subject_id__in=list(queryset.values_list("pk", flat=True))).delete()[0]
    return deleted


def _gate(project, src: str, to: str, decision: str, manager: User, finance: User, reasons: str) -> GateReview:
    gate = GateReview.objects.create(
        project=project, from_stage=src, to_stage=to, criteria=_CRITERIA[to],
        evidence=f"阶段报告、用户访谈记录与预算执行表（{project.title}）。",
        evidence_links=[f"https://example.org/labs/{project.public_id}/{to}.pdf"], decision=decision, reasons=reasons,
        decided_by=manager,
    )
    gate.reviewers.set([manager, finance])
    action = {
        Stage.INCUBATING: "lab_project.incubate", Stage.PILOT: "lab_project.pilot", Stage.SCALING: "lab_project.scale",
        Stage.SPUN_OFF: "lab_project.spin_off", Stage.STOPPED: "lab_project.stop",
    }[to] if decision == GateDecision.APPROVE else "lab_project.gate_reject"
    audit_record(actor=manager, action=action, target=project, reason=reasons, data={"gate": gate.public_id, "from": src, "to": to, "decision": decision})
    return gate


def _demo_funds():
    demo_actors = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").values("pk")
    created = AuditEvent.objects.filter(action="fund.create", actor__in=demo_actors).values("target_id")
    return Fund.objects.filter(public_id__in=created)


def wipe() -> int:
    """Delete the demo funds (those a demo user created) and everything under them."""
    from commonweal.demo.wipe import DemoInLog

    funds = Fund.objects.filter(pk__in=list(_demo_funds().values_list("pk", flat=True)))
    commitments = Commitment.objects.filter(fund__in=funds)
    payments = GrantPayment.objects.filter(commitment__in=commitments)
    outbox = OutboxEntry.objects.filter(entry_type="grant_payment", subject_id__in=payments.values("public_id"))
    if outbox.filter(log_index__isnull=False).exists():
        raise DemoInLog("demo grant payments are already in the public log, which is append-only: start from a fresh database")
    labs = Lab.objects.filter(fund__in=funds)
    lab_projects = LabProject.objects.filter(lab__in=labs)
    studios = Studio.objects.filter(project__in=lab_projects)
    gates = GateReview.objects.filter(project__in=lab_projects)
    audit = AuditEvent.objects.filter(
        Q(target_type="fund", target_id__in=funds.values("public_id"))
        | Q(target_type="commitment", target_id__in=commitments.values("public_id"))
        | Q(target_type="grantpayment", target_id__in=payments.values("public_id"))
        | Q(target_type="lab", target_id__in=labs.values("public_id"))
        | Q(target_type="labproject", target_id__in=lab_projects.values("public_id"))
        | Q(target_type="studio", target_id__in=studios.values("public_id"))
    )
    deleted = _indicators_delete(labs, lab_projects, studios)
    deleted += AuditEvent.objects.filter(pk__in=list(audit.values_list("pk", flat=True))).delete()[0]
    deleted += OutboxEntry.objects.filter(pk__in=list(outbox.values_list("pk", flat=True))).delete()[0]
    deleted += payments.delete()[0]
    deleted += studios.delete()[0]
    deleted += gates.delete()[0]
    deleted += lab_projects.delete()[0]
    Lab.objects.filter(pk__in=labs.values("pk")).update(commitment=None)
    deleted += labs.delete()[0]
    deleted += commitments.delete()[0]
    deleted += FundAllocation.objects.filter(fund__in=funds).delete()[0]
    deleted += funds.delete()[0]
    deleted += OfficeMember.objects.filter(user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}").delete()[0]
    return deleted
