"""Campaigns for tests, configured as an operator would (pools through ``pool_add``)."""

import datetime as dt
import itertools
import json

from django.utils import timezone

from commonweal.matching.models import Campaign, CampaignStatus, Sponsor
from commonweal.matching.services import campaign_check, pool_add

_seq = itertools.count(1)


def make_campaign(*, pools=(1_000_000,), tranches=None, starts_at=None, hours=48, **fields) -> Campaign:
    """A published campaign running now (by default) with one pool per amount in ``pools``.

    ``tranches``, if given, is a list per pool of (opens_at, amount) pairs."""
    starts_at = starts_at or timezone.now() - dt.timedelta(hours=1)
    n = next(_seq)
    fields.setdefault("min_donation_fen", 100)
    campaign = Campaign.objects.create(
        slug=f"test-campaign-{n}", name_zh=f"测试配捐活动 {n}", name_en=f"Test matching {n}", status=CampaignStatus.PUBLISHED,
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=hours), **fields,
    )
    campaign_check(campaign)
    sponsor = Sponsor.objects.create(campaign=campaign, name_zh="爱心企业", name_en="Kind Co.")
    for i, total in enumerate(pools):
        pool_add(campaign=campaign, sponsor=sponsor, name=f"Pool {i + 1}", total_fen=total, priority=i + 1,
                 tranches=tranches[i] if tranches else None)
    return campaign


def entry_fields(entry) -> dict:
    """The fields of an outbox entry, parsed from its canonical JSON."""
    return json.loads(bytes(entry.canonical_json))
