"""Demo data of impact (``commonweal demo``, through ``demo/extensions.py``): indicators with
baselines, quarterly targets and results on about two thirds of the public demo projects (SDG,
IRIS+ and custom, chosen by domain), and SROI worksheets on a few of them.

Rows are written with ``bulk_create`` in the demo's transaction; every value satisfies the same
rules the services check (canonical periods, exact decimals, evidence text and link).
"""

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Q

from commonweal.core.timeutil import SHANGHAI
from commonweal.impact.models import Indicator, Result, SroiOutcome, SroiWorksheet, Target
from commonweal.impact.periods import parse_period
from commonweal.projects.models import Project
from commonweal.projects.permissions import PUBLIC_STATUSES

__all__ = ["generate", "wipe"]

_DEMO_DOMAIN = "demo.commonweal.local"  # commonweal.demo.generate.DEMO_EMAIL_DOMAIN (not imported: demo sits above impact)

# (framework, code, name_zh, name_en, unit, additive, direction, typical quarterly value)
_LIBRARY: dict[str, list[tuple]] = {
    "basic_science": [
        ("sdg", "9.5", "资助的青年科研人员", "Young researchers funded", "人", True, "higher", 12),
        ("custom", "", "开放数据集下载次数", "Open dataset downloads", "次", True, "higher", 4000),
        ("iris", "PI2998", "参与科普活动的学生", "Students in science outreach", "人", True, "higher", 600),
    ],
    "education_innovation": [
        ("sdg", "4.1", "达到阅读基本水平的学生比例", "Students at minimum reading proficiency", "%", False, "higher", 70),
        ("iris", "PI4060", "受益学生人数", "Students reached", "人", True, "higher", 900),
        ("custom", "", "受训乡村教师", "Rural teachers trained", "人", True, "higher", 40),
    ],
    "rural_revitalization": [
        ("iris", "PI4060", "受益农户", "Farming households reached", "户", True, "higher", 300),
        ("sdg", "1.2", "脱贫监测户人均增收", "Income gain per monitored household", "元", False, "higher", 1800),
        ("custom", "", "合作社新增就业岗位", "New cooperative jobs", "个", True, "higher", 25),
    ],
    "carbon_neutrality": [
        ("iris", "OI1479", "温室气体减排量", "Greenhouse gas emissions avoided", "tCO2e", True, "higher", 150),
        ("sdg", "7.2", "社区光伏装机容量", "Community solar capacity installed", "kW", True, "higher", 80),
        ("custom", "", "单位面积能耗", "Energy use per square metre", "kWh/m²", False, "lower", 95),
    ],
    "few": [
        ("sdg", "6.1", "饮用安全饮水的人数", "People with safe drinking water", "人", True, "higher", 1500),
        ("iris", "PI4060", "受益学生人数", "Students reached", "人", True, "higher", 700),
        ("custom", "", "节约灌溉用水", "Irrigation water saved", "立方米", True, "higher", 5000),
    ],
    "public_emergency": [
        ("custom", "", "发放应急物资包", "Emergency kits delivered", "份", True, "higher", 2000),
        ("sdg", "11.5", "受训社区应急志愿者", "Community emergency volunteers trained", "人", True, "higher", 120),
        ("custom", "", "物资送达平均用时", "Average delivery time of supplies", "小时", False, "lower", 36),
    ],
    "elderly_care_tech": [
        ("iris", "PI4060", "使用智能看护设备的老人", "Older people using care devices", "人", True, "higher", 350),
        ("sdg", "3.8", "定期健康随访的老人比例", "Older people with regular health follow-up", "%", False, "higher", 60),
        ("custom", "", "紧急呼叫平均响应时间", "Average response time to emergency calls", "分钟", False, "lower", 12),
    ],
    "public_welfare_digital": [
        ("custom", "", "使用开源工具的公益机构", "Charities using the open-source tools", "家", True, "higher", 30),
        ("sdg", "17.8", "数字技能培训人次", "Digital skills training sessions", "人次", True, "higher", 800),
        ("iris", "OI8869", "公开数据集数量", "Open datasets published", "个", True, "higher", 6),
    ],
}

# (description, stakeholder, unit proxy in fen, proxy source)
_OUTCOMES = [
    ("稳定就业的青年", "16–24 岁青年", 2_400_000, "当地最低工资一年（2025 年）"),
    ("学业成绩提升的学生", "乡村小学学生", 150_000, "课外辅导市场价一学期"),
    ("减少的急诊就医", "独居老人", 80_000, "县医院急诊平均费用"),
    ("减少的二氧化碳排放（吨）", "社区与社会", 9_000, "全国碳市场成交均价"),
    ("获得安全饮水的家庭", "农村家庭", 60_000, "桶装水一年支出"),
]


def _quarters(starts_on: dt.date, today: dt.date, count: int) -> list:
    first = (starts_on.year, (starts_on.month - 1) // 3 + 1)
    periods = []
    year, quarter = first
    while len(periods) < count:
        periods.append(parse_period(f"{year}-Q{quarter}"))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return [p for p in periods if p.starts_on <= today + dt.timedelta(days=92)]


def _demo_projects():
    return Project.objects.filter(Q(org__contact_email__endswith=f"@{_DEMO_DOMAIN}") | Q(partner_org__contact_email__endswith=f"@{_DEMO_DOMAIN}"))


def _round(value: float | int, places: int) -> Decimal:
    return Decimal(str(round(value, places)))


def generate(*, seed: int, now: dt.datetime) -> dict[str, int]:
    rng = random.Random(f"impact-{seed}")
    today = now.astimezone(SHANGHAI).date()
    projects = list(_demo_projects().filter(status__in=PUBLIC_STATUSES).select_related("org").order_by("pk"))
    chosen = [p for p in projects if rng.random() < 0.65]
    indicators, targets, results = [], [], []
    plans = []
    for project in chosen:
        library = _LIBRARY[project.domain]
        for position, spec in enumerate(rng.sample(library, k=rng.randint(1, len(library)))):
            framework, code, name_zh, name_en, unit, additive, direction, typical = spec
            places = 0 if additive and unit not in ("tCO2e", "kW") else 1
            baseline = _round(typical * rng.uniform(0.4, 0.8) if not additive else 0, places)
            indicator = Indicator(
                project=project, org=project.org, domain=project.domain, framework=framework, code=code, name_zh=name_zh,
                name_en=name_en, unit=unit, additive=additive, direction=direction, baseline_value=baseline,
                baseline_on=project.starts_on, position=position, created_by=None,
            )
            indicators.append(indicator)
            plans.append((indicator, typical, additive, direction, places))
    Indicator.objects.bulk_create(indicators)
    for indicator, typical, additive, direction, places in plans:
        project = indicator.project
        periods = _quarters(project.starts_on, today, rng.randint(3, 8))
        for step, period in enumerate(periods, start=1):
            if additive:
                goal = typical * (0.6 + 0.1 * step)
            else:
                goal = typical * (1 + 0.03 * step) if direction == "higher" else typical * (1 - 0.03 * step)
            targets.append(Target(indicator=indicator, period=period.label, ends_on=period.ends_on, value=_round(goal, places)))
            if period.ends_on < today:
                actual = goal * rng.uniform(0.75, 1.2)
                results.append(Result(
                    indicator=indicator, period=period.label, ends_on=period.ends_on, value=_round(actual, places),
                    evidence_text=rng.choice(["季度进展报告中的统计表", "合作学校提供的名册", "第三方抽样核查", "项目管理系统导出数据"]),
                    evidence_url=f"https://{_DEMO_DOMAIN}/evidence/{indicator.public_id}/{period.label}",
                ))
    Target.objects.bulk_create(targets)
    Result.objects.bulk_create(results)

    worksheets, outcomes = [], []
    for project in chosen[: max(3, len(chosen) // 10)]:
        worksheet = SroiWorksheet(project=project, investment_fen=max(project.goal_fen, 100_000), discount_rate_pct=Decimal("3.5"),
                                  notes="代理值与比例为机构估算，参考当地统计数据。")
        worksheets.append(worksheet)
        for position, (description, stakeholder, proxy_fen, source) in enumerate(rng.sample(_OUTCOMES, k=rng.randint(1, 3))):
            outcomes.append(SroiOutcome(
                worksheet=worksheet, position=position, description=description, stakeholder=stakeholder, proxy_fen=proxy_fen,
                proxy_source=source, quantity=Decimal(rng.randint(5, 400)),
                deadweight_pct=Decimal(rng.choice([10, 15, 20, 25, 30])), attribution_pct=Decimal(rng.choice([10, 20, 30])),
                displacement_pct=Decimal(rng.choice([0, 0, 5, 10])), drop_off_pct=Decimal(rng.choice([10, 20, 33, 50])),
                duration_years=rng.randint(1, 5),
            ))
    SroiWorksheet.objects.bulk_create(worksheets)
    SroiOutcome.objects.bulk_create(outcomes)
    return {"impact.Indicator": len(indicators), "impact.Target": len(targets), "impact.Result": len(results),
            "impact.SroiWorksheet": len(worksheets), "impact.SroiOutcome": len(outcomes)}


def wipe() -> int:
    projects = _demo_projects()
    deleted, _ = Indicator.objects.filter(project__in=projects).delete()
    more, _ = SroiWorksheet.objects.filter(project__in=projects).delete()
    return deleted + more
