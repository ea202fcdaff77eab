"""The datasets: what each export contains, read in batches and built one record at a time.

``iati_activities()`` yields ``iati-activity`` elements (funds, then grant awards, labs and
studios, then public projects); ``threesixty_grants()`` yields 360Giving grant dicts (one per
fund commitment, with the award's details when the commitment is a grant award). Both read with
``selectors.batches`` so memory does not grow with the number of rows.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from commonweal.impact.models import Indicator
from commonweal.impact.periods import parse_period
from commonweal.opendata import selectors
from commonweal.opendata.conf import Publisher, publisher as configured_publisher
from commonweal.opendata.iati import (
    IndicatorData,
    activity_identifier,
    award_activity,
    fund_activity,
    lab_activity,
    project_activity,
    studio_activity,
)
from commonweal.programs.grants.models import Award, Installment
from commonweal.programs.models import Commitment, Fund, GrantPayment, Lab, Studio

__all__ = ["iati_activities", "indicator_data"]


def indicator_data(indicators) -> dict[object, list[IndicatorData]]:
    """IndicatorData grouped by subject key: ``("project", pk)`` or ``(content type id, object id)``."""
    out: dict[object, list[IndicatorData]] = defaultdict(list)
    for indicator in indicators:
        periods: dict[str, list] = {}
        for target in indicator.targets.all():
            periods.setdefault(target.period, [None, None, target.ends_on])[0] = target.value
        for result in indicator.results.all():
            periods.setdefault(result.period, [None, None, result.ends_on])[1] = result.value
        rows = []
        for label, (target, actual, ends_on) in sorted(periods.items(), key=lambda item: item[1][2]):
            period = parse_period(label)
            rows.append((period.starts_on, period.ends_on, target, actual))
        key = ("project", indicator.project_id) if indicator.project_id else (indicator.subject_type_id, indicator.subject_id)
        baseline = (indicator.baseline_on, indicator.baseline_value) if indicator.baseline_value is not None else None
        out[key].append(IndicatorData(
            name_zh=indicator.name_zh, name_en=indicator.name_en, unit=indicator.unit, code=indicator.code,
            framework=indicator.get_framework_display() if indicator.code else "", ascending=indicator.direction == "higher",
            baseline=baseline, periods=rows,
        ))
    return out


def _fund_activities(pub: Publisher, today: dt.date) -> Iterator:
    for funds in selectors.batches(Fund.objects.all(), size=50):
        for fund in funds:
            commitments = (Commitment.objects.filter(fund=fund).select_related("recipient_org", "project__org")
                           .order_by("created_at", "pk").iterator(chunk_size=1000))
            payments = (GrantPayment.objects.filter(commitment__fund=fund)
                        .select_related("commitment__recipient_org", "commitment__project__org")
                        .order_by("paid_on", "pk").iterator(chunk_size=1000))
            yield fund_activity(fund, publisher=pub, allocations=list(fund.allocations.all()), commitments=commitments,
                                payments=payments, today=today)


def _award_activities(pub: Publisher, batch_size: int) -> Iterator:
    award_type = ContentType.objects.get_for_model(Award)
    queryset = Award.objects.select_related("application__call__program__fund", "commitment")
    for awards in selectors.batches(queryset, size=batch_size):
        ids = [a.pk for a in awards]
        installments: dict[int, list] = defaultdict(list)
        for installment in Installment.objects.filter(award_id__in=ids).order_by("number"):
            installments[installment.award_id].append(installment)
        indicators = indicator_data(Indicator.objects.filter(subject_type=award_type, subject_id__in=ids)
                                    .prefetch_related("targets", "results"))
        for award in awards:
            fund = award.application.call.program.fund
            yield award_activity(award, publisher=pub, fund_identifier=activity_identifier(pub.credit_code, fund.public_id),
                                 installments=installments[award.pk], indicators=indicators.get((award_type.pk, award.pk), ()))


def _budget_line_activities(pub: Publisher, batch_size: int) -> Iterator:
    """Labs, then studios: each with the payments on its commitment and its indicators."""
    for model, queryset, build, fund_of in (
        (Lab, Lab.objects.select_related("fund", "commitment").filter(commitment__isnull=False), lab_activity,
         lambda lab: lab.fund),
        (Studio, Studio.objects.select_related("project__lab__fund", "commitment"), studio_activity,
         lambda studio: studio.project.lab.fund),
    ):
        content_type = ContentType.objects.get_for_model(model)
        for rows in selectors.batches(queryset, size=batch_size):
            payments: dict[int, list] = defaultdict(list)
            for payment in GrantPayment.objects.filter(commitment_id__in=[r.commitment_id for r in rows]).order_by("paid_on", "pk"):
                payments[payment.commitment_id].append(payment)
            indicators = indicator_data(Indicator.objects.filter(subject_type=content_type, subject_id__in=[r.pk for r in rows])
                                        .prefetch_related("targets", "results"))
            for row in rows:
                yield build(row, publisher=pub, fund_identifier=activity_identifier(pub.credit_code, fund_of(row).public_id),
                            payments=payments[row.commitment_id], indicators=indicators.get((content_type.pk, row.pk), ()))


def _project_activities(pub: Publisher, batch_size: int) -> Iterator:
    for projects in selectors.batches(selectors.public_projects(), size=batch_size):
        ids = [p.pk for p in projects]
        facts = selectors.project_batch_facts(projects)
        indicators = indicator_data(Indicator.objects.filter(project_id__in=ids).prefetch_related("targets", "results"))
        fund_payments: dict[int, list] = defaultdict(list)
        for payment in (GrantPayment.objects.filter(commitment__project_id__in=ids)
                        .select_related("commitment__fund").order_by("paid_on", "pk")):
            fund_id = activity_identifier(pub.credit_code, payment.commitment.fund.public_id)
            fund_payments[payment.commitment.project_id].append((payment, fund_id, pub))
        for project in projects:
            yield project_activity(project, facts[project.pk], indicators=indicators.get(("project", project.pk), ()),
                                   fund_payments=fund_payments.get(project.pk, ()))


def iati_activities(*, batch_size: int = selectors.DEFAULT_BATCH_SIZE, pub: Publisher | None = None) -> Iterator:
    """Every public activity: funds, grant awards, labs and studios, projects."""
    pub = pub or configured_publisher()
    today = timezone.localdate()
    yield from _fund_activities(pub, today)
    yield from _award_activities(pub, batch_size)
    yield from _budget_line_activities(pub, batch_size)
    yield from _project_activities(pub, batch_size)
