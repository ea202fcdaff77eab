"""Reads of impact: indicators of any subjects, their status against targets, aggregation per
domain and per set of subjects (a fund's labs and grants), and a project's SROI result.

``indicators_for(subjects=...)`` takes model instances or querysets of any models, so the
programs app can ask for "the indicators of the labs and grants of fund F" without this app
knowing those models.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Prefetch, Q, QuerySet

from commonweal.core.domains import DOMAINS, DomainInfo
from commonweal.core.errors import NotFound
from commonweal.impact.frameworks import Direction
from commonweal.impact.models import Indicator, Result, SroiWorksheet, Target
from commonweal.impact.sroi import OutcomeAssumptions, SensitivityRow, SroiInput, SroiResult, sroi_compute, sroi_sensitivity
from commonweal.projects.models import Project
from commonweal.projects.permissions import PUBLIC_STATUSES
from commonweal.projects.selectors import project_get_public

__all__ = [
    "IndicatorStatus",
    "UnitTotal",
    "ImpactSummary",
    "SroiView",
    "indicators_for",
    "indicator_status",
    "indicator_with_values",
    "indicator_statuses",
    "impact_summary",
    "impact_by_domain",
    "public_indicators",
    "project_impact_public",
    "public_indicator",
    "sroi_input",
    "sroi_view",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorStatus:
    """An indicator with its targets, results and where it stands."""

    indicator: Indicator
    """The indicator (targets and results prefetched)."""
    rows: tuple[tuple[str, Decimal | None, Result | None], ...]
    """(period, target, result) for every period with a target or a result, in time order."""
    latest: Result | None
    """The result of the latest period with one."""
    latest_target: Decimal | None
    """The target of that same period, if any."""
    on_track: bool | None
    """Whether the latest result meets its period's target in the indicator's direction; None
    without a result or without a target for that period."""
    total: Decimal | None
    """Sum of all results for an additive indicator; None otherwise."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitTotal:
    """Results of additive indicators in one unit, summed."""

    unit: str
    """The unit as written ("人", "tCO2e")."""
    total: Decimal
    """Sum over the indicators and periods."""
    indicators: int
    """How many indicators contributed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImpactSummary:
    """Aggregation over a set of indicators."""

    indicators: int = 0
    """Indicators in the set."""
    on_track: int = 0
    """Latest result meets the target."""
    off_track: int = 0
    """Latest result misses the target."""
    no_target: int = 0
    """A latest result, but no target for its period."""
    no_result: int = 0
    """No result yet."""
    totals: tuple[UnitTotal, ...] = field(default=())
    """Sums of additive indicators per unit, largest count of indicators first."""


def _subject_q(subjects) -> Q:
    """A filter matching the indicators of ``subjects``: instances or querysets of any models."""
    if isinstance(subjects, (QuerySet, Model)):
        subjects = [subjects]
    condition = Q(pk__in=[])
    by_type: dict[type, list] = defaultdict(list)
    for item in subjects:
        if isinstance(item, QuerySet):
            if item.model is Project:
                condition |= Q(project__in=item.values("pk"))
            else:
                ct = ContentType.objects.get_for_model(item.model, for_concrete_model=True)
                condition |= Q(subject_type=ct, subject_id__in=item.values("pk"))
        elif isinstance(item, Model):
            by_type[type(item)].append(item.pk)
        else:
            raise TypeError(f"subjects are model instances or querysets, got {type(item).__name__}")
    for model, pks in by_type.items():
        if model is Project:
            condition |= Q(project__in=pks)
        else:
            condition |= Q(subject_type=ContentType.objects.get_for_model(model, for_concrete_model=True), subject_id__in=pks)
    return condition


def _with_values(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    return indicators.prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("ends_on", "period")),
        Prefetch("results", queryset=Result.objects.order_by("ends_on", "period")),
    )


def indicators_for(*, subjects: Iterable | QuerySet | Model) -> QuerySet[Indicator]:
    """The indicators attached to any of ``subjects``, with targets and results prefetched."""
    return _with_values(Indicator.objects.filter(_subject_q(subjects)).select_related("project", "org"))


def _meets(direction: str, actual: Decimal, target: Decimal) -> bool:
    return actual >= target if direction == Direction.HIGHER else actual <= target


def indicator_with_values(indicator: Indicator) -> Indicator:
    """``indicator`` read again with its project, organization, targets and results."""
    return _with_values(Indicator.objects.filter(pk=indicator.pk).select_related("project", "org")).get()


def indicator_status(indicator: Indicator) -> IndicatorStatus:
    """Where one indicator stands (uses its prefetched targets and results)."""
    targets = {t.period: t for t in indicator.targets.all()}
    results = {r.period: r for r in indicator.results.all()}
    ends = {p: t.ends_on for p, t in targets.items()} | {p: r.ends_on for p, r in results.items()}
    periods = sorted(ends, key=lambda p: (ends[p], p))
    rows = tuple((p, targets[p].value if p in targets else None, results.get(p)) for p in periods)
    latest = max(results.values(), key=lambda r: (r.ends_on, r.period), default=None)
    latest_target = targets[latest.period].value if latest is not None and latest.period in targets else None
    on_track = None if latest is None or latest_target is None else _meets(indicator.direction, latest.value, latest_target)
    total = sum((r.value for r in results.values()), Decimal(0)) if indicator.additive else None
    return IndicatorStatus(indicator=indicator, rows=rows, latest=latest, latest_target=latest_target, on_track=on_track, total=total)


def indicator_statuses(indicators: Iterable[Indicator]) -> list[IndicatorStatus]:
    return [indicator_status(i) for i in indicators]


def impact_summary(*, indicators: Iterable[Indicator]) -> ImpactSummary:
    """Counts on and off track and sums per unit over ``indicators`` (e.g. ``indicators_for(...)``)."""
    statuses = indicator_statuses(indicators)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for s in statuses:
        if s.total is not None and s.latest is not None:
            sums[s.indicator.unit] += s.total
            counts[s.indicator.unit] += 1
    return ImpactSummary(
        indicators=len(statuses),
        on_track=sum(1 for s in statuses if s.on_track is True),
        off_track=sum(1 for s in statuses if s.on_track is False),
        no_target=sum(1 for s in statuses if s.latest is not None and s.on_track is None),
        no_result=sum(1 for s in statuses if s.latest is None),
        totals=tuple(
            UnitTotal(unit=unit, total=sums[unit], indicators=counts[unit])
            for unit in sorted(sums, key=lambda u: (-counts[u], u))
        ),
    )


def public_indicators() -> QuerySet[Indicator]:
    """Indicators of public projects (fundraising and later)."""
    return _with_values(Indicator.objects.filter(project__status__in=PUBLIC_STATUSES).select_related("project"))


def impact_by_domain(*, indicators: Iterable[Indicator] | None = None) -> list[tuple[DomainInfo, ImpactSummary]]:
    """The eight domains in display order, each with the summary of its indicators among
    ``indicators`` (e.g. ``indicators_for(subjects=<a fund's labs and grants>)``), or of all
    public projects' indicators when none are given."""
    by_domain: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in public_indicators() if indicators is None else indicators:
        by_domain[indicator.domain].append(indicator)
    return [(info, impact_summary(indicators=by_domain.get(info.domain.value, []))) for info in DOMAINS]


@dataclass(frozen=True, slots=True, kw_only=True)
class SroiView:
    """A worksheet with its result and sensitivity table, for pages."""

    worksheet: SroiWorksheet
    """The stored worksheet (outcomes prefetched)."""
    result: SroiResult
    """Present value, net present value, ratio."""
    sensitivity: list[SensitivityRow]
    """The ratio with each assumption moved."""


def sroi_input(worksheet: SroiWorksheet) -> SroiInput:
    return SroiInput(
        outcomes=tuple(
            OutcomeAssumptions(
                quantity=o.quantity, proxy_fen=o.proxy_fen, deadweight_pct=o.deadweight_pct, attribution_pct=o.attribution_pct,
                displacement_pct=o.displacement_pct, drop_off_pct=o.drop_off_pct, duration_years=o.duration_years,
            )
            for o in worksheet.outcomes.all()
        ),
        discount_rate_pct=worksheet.discount_rate_pct,
        investment_fen=worksheet.investment_fen,
    )


def sroi_view(project: Project) -> SroiView | None:
    """The project's worksheet computed, or None when it has none (or no outcomes)."""
    worksheet = SroiWorksheet.objects.filter(project=project).prefetch_related("outcomes").first()
    if worksheet is None or not worksheet.outcomes.all():
        return None
    data = sroi_input(worksheet)
    return SroiView(worksheet=worksheet, result=sroi_compute(data), sensitivity=sroi_sensitivity(data))


def project_impact_public(*, public_id: str) -> tuple[Project, list[IndicatorStatus], SroiView | None]:
    """A public project's indicators with their status, and its SROI; NotFound otherwise."""
    project = project_get_public(public_id=public_id)
    return project, indicator_statuses(indicators_for(subjects=[project])), sroi_view(project)


def public_indicator(*, public_id: str) -> Indicator:
    """One indicator of a public project (for its chart); NotFound otherwise."""
    indicator = public_indicators().filter(public_id=public_id).first() if isinstance(public_id, str) else None
    if indicator is None:
        raise NotFound(f"no indicator {str(public_id)[:40]!r}")
    return indicator

