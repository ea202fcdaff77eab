"""Impact over the API: ``GET /projects/{id}/impact``, public, the same figures as the project's
impact page. Values are exact decimals written as strings ("1250.5"), never JSON floats."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from commonweal.api import error_responses
from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.impact.selectors import project_impact_public

__all__ = ["router"]

router = Router(tags=["impact"])

_DECIMAL = "An exact decimal as a string, e.g. \"1250.5\"."


class TargetOut(Schema):
    period: str = Field(..., description="2026, 2026-H1, 2026-Q1 or 2026-05.")
    value: str = Field(..., description=_DECIMAL)


class ResultOut(Schema):
    period: str
    value: str = Field(..., description=_DECIMAL)
    evidence_text: str
    evidence_url: str = Field(..., description="Empty when the evidence is a file.")
    evidence_sha256: str = Field(..., description="SHA-256 of the evidence file kept privately; empty without one.")
    recorded_at: dt.datetime


class IndicatorOut(Schema):
    public_id: str
    framework: str = Field(..., description="sdg, iris or custom.")
    code: str = Field(..., description="SDG goal or target, IRIS+ metric id, or empty.")
    name_zh: str
    name_en: str
    unit: str
    additive: bool
    direction: str = Field(..., description="higher or lower is better.")
    baseline_value: str | None = Field(..., description=_DECIMAL)
    baseline_on: dt.date | None
    targets: list[TargetOut]
    results: list[ResultOut]
    on_track: bool | None = Field(..., description="Latest result against the target of its period; null without either.")
    total: str | None = Field(..., description="Sum of the results of an additive indicator.")


class OutcomeOut(Schema):
    description: str
    stakeholder: str
    quantity: str
    proxy_fen: int
    proxy_source: str
    deadweight_pct: str
    attribution_pct: str
    displacement_pct: str
    drop_off_pct: str
    duration_years: int


class SroiOut(Schema):
    ratio: str = Field(..., description="Present value / investment, two decimals.")
    present_value_fen: int
    net_present_value_fen: int
    investment_fen: int
    discount_rate_pct: str
    outcomes: list[OutcomeOut]


class ProjectImpactOut(Schema):
    project: str
    domain: str
    indicators: list[IndicatorOut]
    sroi: SroiOut | None


def _text(value) -> str | None:
    """1250.5000 -> "1250.5", 1200.0000 -> "1200": no trailing zeros, no exponent."""
    return None if value is None else format(value.normalize(), "f")


@router.get("/projects/{public_id}/impact", response={200: ProjectImpactOut, **error_responses(404)}, summary="A project's impact")
def project_impact(request: HttpRequest, public_id: str):
    if not is_public_id(public_id):
        raise NotFound(f"no project {public_id[:40]!r}")
    project, statuses, sroi = project_impact_public(public_id=public_id)
    indicators = []
    for s in statuses:
        i = s.indicator
        indicators.append({
            "public_id": i.public_id, "framework": i.framework, "code": i.code, "name_zh": i.name_zh, "name_en": i.name_en,
            "unit": i.unit, "additive": i.additive, "direction": i.direction, "baseline_value": _text(i.baseline_value),
            "baseline_on": i.baseline_on,
            "targets": [{"period": t.period, "value": _text(t.value)} for t in i.targets.all()],
            "results": [{"period": r.period, "value": _text(r.value), "evidence_text": r.evidence_text, "evidence_url": r.evidence_url,
                         "evidence_sha256": r.evidence_sha256, "recorded_at": r.recorded_at} for r in i.results.all()],
            "on_track": s.on_track, "total": _text(s.total),
        })
    sroi_out = None
    if sroi is not None:
        sroi_out = {
            "ratio": str(sroi.result.ratio), "present_value_fen": sroi.result.present_value_fen,
            "net_present_value_fen": sroi.result.net_present_value_fen, "investment_fen": sroi.worksheet.investment_fen,
            "discount_rate_pct": _text(sroi.worksheet.discount_rate_pct),
            "outcomes": [
                {"description": o.description, "stakeholder": o.stakeholder, "quantity": _text(o.quantity), "proxy_fen": o.proxy_fen,
                 "proxy_source": o.proxy_source, "deadweight_pct": _text(o.deadweight_pct), "attribution_pct": _text(o.attribution_pct),
                 "displacement_pct": _text(o.displacement_pct), "drop_off_pct": _text(o.drop_off_pct),
                 "duration_years": o.duration_years}
                for o in sroi.worksheet.outcomes.all()
            ],
        }
    return {"project": project.public_id, "domain": project.domain, "indicators": indicators, "sroi": sroi_out}
