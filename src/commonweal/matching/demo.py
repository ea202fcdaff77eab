"""Demo data of matching (``commonweal.demo.extensions``): a 99 Giving Day–style campaign running
now, with two sponsors' pools opening in daily tranches at 10:00, the usual caps, and team pages
(一起捐) on the most popular projects. Gifts made through the site are matched live."""

import datetime as dt
import random

from django.db.models import Q

from commonweal.accounts.models import User
from commonweal.core.timeutil import SHANGHAI
from commonweal.ledger.models import OutboxEntry
from commonweal.matching.models import Campaign, CampaignStatus, Counter, MatchDecision, Pool, Sponsor, Team, Tranche
from commonweal.projects.models import Project, ProjectStatus

SLUG = "demo-99-giving-day"
DAYS = 3
DAILY_FEN = 100_000_000  # ¥1,000,000 a day per sponsor (the real one: ¥100M)


def _ten_oclock(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)


def generate(*, seed: int, now: dt.datetime) -> dict[str, int]:
    from commonweal.demo.generate import DEMO_EMAIL_DOMAIN

    rng = random.Random(seed)
    first_day = now.astimezone(SHANGHAI).date()
    starts_at = min(now - dt.timedelta(hours=1), _ten_oclock(first_day))
    campaign = Campaign.objects.create(
        slug=SLUG, name_zh="99公益日（演示）", name_en="99 Giving Day (demo)",
        description_zh="两家配捐方每天 10:00 开放配捐池，先到先得；每位捐赠人每天最多获配 ¥999。",
        description_en="Two sponsors open their pools at 10:00 each day, first come, first served; "
                       "at most ¥999 of matching per donor per day.",
        status=CampaignStatus.PUBLISHED, starts_at=starts_at, ends_at=_ten_oclock(first_day + dt.timedelta(days=DAYS)),
        review_days=7, ratio_num=1, ratio_den=1, min_donation_fen=100, cap_donor_day_fen=99_900,
        cap_donor_project_fen=50_000, cap_project_fen=2_000_000, monthly_first_only=True,
    )
    counts = {"matching.Campaign": 1, "matching.Sponsor": 0, "matching.Pool": 0, "matching.Tranche": 0, "matching.Team": 0}
    for priority, (zh, en) in enumerate((("腾讯公益慈善基金会", "Tencent Charity Foundation"), ("爱心企业联盟", "Kind Companies")), 1):
        sponsor = Sponsor.objects.create(campaign=campaign, name_zh=zh, name_en=en)
        pool = Pool.objects.create(campaign=campaign, sponsor=sponsor, name=f"{zh}配捐池", total_fen=DAILY_FEN * DAYS, priority=priority)
        openings = [starts_at] + [_ten_oclock(first_day + dt.timedelta(days=d)) for d in range(1, DAYS)]
        Tranche.objects.bulk_create(Tranche(pool=pool, opens_at=at, amount_fen=DAILY_FEN) for at in openings)
        counts["matching.Sponsor"] += 1
        counts["matching.Pool"] += 1
        counts["matching.Tranche"] += len(openings)
    leaders = list(User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}", email__startswith="donor0")[:20])
    popular = list(Project.objects.filter(status=ProjectStatus.FUNDRAISING, org__contact_email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
                   .order_by("-raised_fen")[:5])
    names = ["跑团", "读书会", "校友会", "同事队", "家人队"]
    for project in popular:
        for n in range(2):
            Team.objects.create(project=project, leader=rng.choice(leaders), name=f"{rng.choice(names)} {n + 1}",
                                goal_fen=rng.choice((50_000, 100_000, 500_000)), story="一起为这个项目筹款。",
                                status=Team.Status.APPROVED)
            counts["matching.Team"] += 1
    return counts


def wipe() -> int:
    from commonweal.demo.generate import DEMO_EMAIL_DOMAIN

    campaigns = Campaign.objects.filter(slug__startswith="demo-")
    decisions = MatchDecision.objects.filter(Q(campaign__in=campaigns) | Q(org__contact_email__endswith=f"@{DEMO_EMAIL_DOMAIN}"))
    entries = OutboxEntry.objects.filter(entry_type="match", subject_id__in=decisions.values("public_id"), log_index__isnull=True)
    deleted = entries.delete()[0]
    deleted += decisions.delete()[0]
    deleted += Counter.objects.filter(campaign__in=campaigns).delete()[0]
    deleted += Team.objects.filter(project__org__contact_email__endswith=f"@{DEMO_EMAIL_DOMAIN}").delete()[0]
    deleted += Pool.objects.filter(campaign__in=campaigns).delete()[0]  # before their sponsors (PROTECT)
    deleted += campaigns.delete()[0]
    return deleted
