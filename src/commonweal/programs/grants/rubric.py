"""Rubric scores: 0–5 per criterion or n/a, averaged without the n/a ones, exactly (fractions)."""

from collections.abc import Iterable, Mapping
from fractions import Fraction

from commonweal.core.errors import InvalidInput
from commonweal.programs.grants.models import SCORE_MAX

__all__ = ["rubric_validate", "scores_clean", "review_average", "application_average", "format_average"]


def rubric_validate(rubric: object) -> list[dict]:
    """A call's rubric: a non-empty list of ``{"key", "label_zh", "label_en"}`` with unique keys."""
    if not isinstance(rubric, list) or not rubric:
        raise InvalidInput("a rubric needs at least one criterion", code="invalid_rubric", field="rubric")
    keys = set()
    clean = []
    for item in rubric:
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key.isidentifier() or key in keys:
            raise InvalidInput(f"rubric criteria need unique identifier keys, got {key!r}", code="invalid_rubric", field="rubric")
        keys.add(key)
        clean.append({"key": key, "label_zh": str(item.get("label_zh") or key), "label_en": str(item.get("label_en") or "")})
    return clean


def scores_clean(rubric: list[dict], scores: Mapping[str, object]) -> dict[str, int | None]:
    """Exactly one entry per criterion: an integer 0..5, or None for n/a. Extra keys are refused."""
    keys = [c["key"] for c in rubric]
    extra = set(scores) - set(keys)
    if extra:
        raise InvalidInput(f"unknown criteria: {', '.join(sorted(extra))}", code="invalid_score", field="scores")
    clean: dict[str, int | None] = {}
    for key in keys:
        if key not in scores:
            raise InvalidInput(f"criterion {key!r} needs a score (0–{SCORE_MAX}) or n/a", code="score_missing", field=f"score_{key}")
        value = scores[key]
        if value is None:
            clean[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SCORE_MAX:
            raise InvalidInput(f"criterion {key!r} is scored 0–{SCORE_MAX} or n/a, got {value!r}",
                               code="invalid_score", field=f"score_{key}")
        clean[key] = value
    return clean


def review_average(scores: Mapping[str, int | None]) -> Fraction | None:
    """The mean of the scored criteria; None when every criterion is n/a."""
    values = [v for v in scores.values() if v is not None]
    return Fraction(sum(values), len(values)) if values else None


def application_average(reviews: Iterable) -> Fraction | None:
    """The mean of the reviews' averages (each review counts once); None without any."""
    averages = [Fraction(r.score_sum, r.score_count) for r in reviews if r.score_count]
    return sum(averages, Fraction(0)) / len(averages) if averages else None


def format_average(value: Fraction | None) -> str:
    """Two decimals, rounded half up, or "—"."""
    if value is None:
        return "—"
    hundredths = (value * 100 + Fraction(1, 2)).__floor__()
    return f"{hundredths // 100}.{hundredths % 100:02d}"
