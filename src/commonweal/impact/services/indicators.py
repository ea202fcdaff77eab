"""Indicator use cases: create an indicator on a subject, set its targets, record a result.

Each is one durable transaction with an audit row. Results are not money events, so nothing is
written to the ledger outbox. Evidence files are read and checked by content
(``disclosure.evidence``) before the transaction starts, and deleted again if it does not commit.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from commonweal.core.audit import audit_record
from commonweal.core.domains import domain_info
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.disclosure.evidence import evidence_clean, evidence_read
from commonweal.impact.frameworks import Direction, validate_code
from commonweal.impact.inputs import clean_text, clean_value
from commonweal.impact.models import Indicator, Result, Target
from commonweal.impact.periods import parse_period
from commonweal.impact.permissions import ADMIN_EDITOR, keeps_unowned_indicators, may_edit_indicator
from commonweal.orgs.models import Organization
from commonweal.orgs.permissions import member_role
from commonweal.projects.models import Project

__all__ = ["MAX_TARGETS", "MAX_INDICATORS", "IndicatorInput", "indicator_create", "indicator_targets_set", "result_record"]

MAX_TARGETS = 60
"""Periods with a target per indicator (five years of months)."""
MAX_INDICATORS = 50
"""Indicators per subject."""
_NAME_ZH_MAX, _NAME_EN_MAX, _UNIT_MAX, _EVIDENCE_MAX, _URL_MAX = 120, 200, 32, 500, 500


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorInput:
    """What a person fills in for a new indicator."""

    framework: str
    """``sdg``, ``iris`` or ``custom``."""
    code: str
    """SDG goal or target ("4.1"), IRIS+ id ("PI4060"), or "" for custom."""
    name_zh: str
    """Name in Chinese (required)."""
    unit: str
    """Unit of the values: 人, 吨二氧化碳当量, %."""
    name_en: str = ""
    """Name in English (optional)."""
    additive: bool = True
    """Values add up across periods and subjects (counts), or not (rates)."""
    direction: str = Direction.HIGHER
    """``higher`` or ``lower`` is better."""
    baseline_value: Decimal | str | None = None
    """Baseline value (text or Decimal), with ``baseline_on``; both or neither."""
    baseline_on: dt.date | None = None
    """Date of the baseline."""


def _subject_fields(*, actor, subject, org: Organization | None, domain: str | None) -> dict:
    """Where the indicator hangs and who keeps it, after the permission check."""
    if isinstance(subject, Project):
        if member_role(actor, subject.org) not in ADMIN_EDITOR:
            raise NotFound(f"no project {subject.public_id!r} in your console")
        return {"project": subject, "org": subject.org, "domain": subject.domain}
    if subject is None or getattr(subject, "pk", None) is None:
        raise InvalidInput("an indicator needs a saved subject", code="invalid_subject", field="subject")
    if org is not None and member_role(actor, org) not in ADMIN_EDITOR:
        raise NotFound(f"no organization {org.public_id!r} in your console")
    if org is None and not keeps_unowned_indicators(actor):
        raise NotFound("only platform staff and program managers keep indicators that no organization keeps")
    info = domain_info(domain or "", field="domain")
    return {
        "subject_type": ContentType.objects.get_for_model(subject, for_concrete_model=True),
        "subject_id": subject.pk, "org": org, "domain": info.domain.value,
    }


def indicator_create(*, actor, subject, data: IndicatorInput, org: Organization | None = None, domain: str | None = None) -> Indicator:
    """Attach a new indicator to ``subject``: a project (kept by its organization, in its
    domain; administrators and editors) or any saved model instance (then ``domain`` is
    required, and ``org`` keeps it, or platform staff if none)."""
    code = validate_code(data.framework, data.code)
    name_zh = clean_text(data.name_zh, field="name_zh", limit=_NAME_ZH_MAX, required=True)
    name_en = clean_text(data.name_en, field="name_en", limit=_NAME_EN_MAX, required=False)
    unit = clean_text(data.unit, field="unit", limit=_UNIT_MAX, required=True)
    if data.direction not in Direction.values:
        raise InvalidInput(f"direction must be higher or lower, got {data.direction!r}", code="invalid_direction", field="direction")
    baseline = None if data.baseline_value in (None, "") else clean_value(data.baseline_value, field="baseline_value")
    if (baseline is None) != (data.baseline_on is None):
        raise InvalidInput("a baseline needs both its value and its date", code="baseline_incomplete",
                           field="baseline_on" if baseline is not None else "baseline_value")
    with transaction.atomic(durable=True):
        fields = _subject_fields(actor=actor, subject=subject, org=org, domain=domain)
        siblings = Indicator.objects.filter(
            **({"project": fields["project"]} if "project" in fields else {"subject_type": fields["subject_type"], "subject_id": fields["subject_id"]})
        )
        count = siblings.count()
        if count >= MAX_INDICATORS:
            raise Conflict(f"a subject has at most {MAX_INDICATORS} indicators, it has {count}", code="too_many_indicators")
        indicator = Indicator.objects.create(
            **fields, framework=data.framework, code=code, name_zh=name_zh, name_en=name_en, unit=unit,
            additive=bool(data.additive), direction=data.direction, baseline_value=baseline, baseline_on=data.baseline_on,
            position=count, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, action="impact.indicator_create", target=indicator,
                     data={"framework": indicator.framework, "code": code, "subject": _subject_label(indicator)})
    return indicator


def _subject_label(indicator: Indicator) -> str:
    if indicator.project_id is not None:
        return f"project:{indicator.project.public_id}"
    return f"{indicator.subject_type.app_label}.{indicator.subject_type.model}:{indicator.subject_id}"


def _check_editor(actor, indicator: Indicator) -> None:
    if not may_edit_indicator(actor, indicator):
        raise NotFound(f"no indicator {indicator.public_id!r} in your console")


def indicator_targets_set(*, indicator: Indicator, actor, targets: Mapping[str, str | Decimal]) -> list[Target]:
    """Replace the indicator's targets with ``targets`` ({period: value}); periods canonical,
    at most :data:`MAX_TARGETS`, each once."""
    if len(targets) > MAX_TARGETS:
        raise InvalidInput(f"an indicator has at most {MAX_TARGETS} targets, got {len(targets)}", code="too_many_targets", field="targets")
    parsed: dict[str, Target] = {}
    for period_text, value in targets.items():
        period = parse_period(period_text, field="targets")
        if period.label in parsed:
            raise InvalidInput(f"period {period.label} has two targets", code="duplicate_period", field="targets")
        parsed[period.label] = Target(period=period.label, ends_on=period.ends_on, value=clean_value(value, field="targets"))
    with transaction.atomic(durable=True):
        locked = Indicator.objects.select_for_update(of=("self",)).select_related("org").get(pk=indicator.pk)
        _check_editor(actor, locked)
        before = {t.period: str(t.value) for t in locked.targets.all()}
        locked.targets.all().delete()
        for target in parsed.values():
            target.indicator = locked
        rows = Target.objects.bulk_create(sorted(parsed.values(), key=lambda t: (t.ends_on, t.period)))
        audit_record(actor=actor, action="impact.targets_set", target=locked,
                     data={"before": before, "after": {t.period: str(t.value) for t in rows}})
    return rows


def result_record(
    *, indicator: Indicator, actor, period: str, value: str | Decimal, evidence_text: str, evidence_url: str = "",
    evidence_file=None,
) -> Result:
    """Record the value ``indicator`` reached in ``period``, once per period, with evidence: a
    text and a link (http or https) or a file (JPEG, PNG, WebP or PDF, checked by content)."""
    parsed_period = parse_period(period)
    amount = clean_value(value, field="value")
    text = clean_text(evidence_text, field="evidence_text", limit=_EVIDENCE_MAX, required=True)
    url = clean_text(evidence_url or "", field="evidence_url", limit=_URL_MAX, required=False)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise InvalidInput(f"the evidence link must be an http or https address, got {url[:80]!r}",
                               code="invalid_url", field="evidence_url") from None
    clean = evidence_clean(evidence_read(evidence_file)) if evidence_file is not None else None
    if not url and clean is None:
        raise InvalidInput("add a link or a file as evidence", code="evidence_missing", field="evidence_url")
    result = Result(period=parsed_period.label, ends_on=parsed_period.ends_on, value=amount, evidence_text=text, evidence_url=url,
                    recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    storage = Result._meta.get_field("evidence_file").storage
    saved = None
    try:
        with transaction.atomic(durable=True):
            locked = Indicator.objects.select_for_update(of=("self",)).select_related("org").get(pk=indicator.pk)
            _check_editor(actor, locked)
            if locked.results.filter(period=result.period).exists():
                raise Conflict(f"a result for {result.period} is already recorded", code="result_exists", field="period")
            result.indicator = locked
            if clean is not None:
                result.evidence_content_type, result.evidence_size, result.evidence_sha256 = clean.content_type, len(clean.data), clean.sha256
                result.evidence_file.save(f"{locked.public_id}/{result.public_id}.{clean.extension}", ContentFile(clean.data), save=False)
                saved = result.evidence_file.name
            try:
                with transaction.atomic():
                    result.save()
            except IntegrityError:  # a concurrent recording of the same period won the race
                raise Conflict(f"a result for {result.period} is already recorded", code="result_exists", field="period") from None
            audit_record(actor=actor, action="impact.result_record", target=locked,
                         data={"result": result.public_id, "period": result.period, "value": str(amount),
                               "evidence_file": result.evidence_sha256})
    except BaseException:
        if saved:
            storage.delete(saved)
        raise
    return result

