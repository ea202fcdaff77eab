"""The UN Sustainable Development Goals and targets, in English and Simplified Chinese.

Read from ``core/data/sdg.json`` (built from open-sdg/sdg-translations, MIT, by
``scripts/build_sdg_json.py``); nothing here knows how many goals or targets there are.

Tags are strings: a goal number ("4") or a target id ("4.1", "4.a"). Canonical form is the
one in the data: no leading zeros, lowercase target letters.
"""

import functools
import json
from dataclasses import dataclass
from importlib import resources

from commonweal.core.errors import InvalidInput

__all__ = [
    "MAX_SDG_TAGS",
    "SdgGoal",
    "SdgTarget",
    "sdg_goals",
    "sdg_targets",
    "validate_sdg_tags",
    "sdg_title",
]

MAX_SDG_TAGS = 20
"""The most tags one project may carry."""

_MAX_TAG_LENGTH = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class SdgGoal:
    """One of the Sustainable Development Goals."""

    number: int
    """Goal number, from 1."""
    short_en: str
    """Short English name ("Quality education")."""
    short_zh: str
    """Short Chinese name (优质教育)."""
    title_en: str
    """Full English title."""
    title_zh: str
    """Full Chinese title."""

    @property
    def tag(self) -> str:
        """The tag for this goal: its number as a string ("4")."""
        return str(self.number)


@dataclass(frozen=True, slots=True, kw_only=True)
class SdgTarget:
    """One target under a goal."""

    id: str
    """Target id, "4.1" or "4.a"; also its tag."""
    goal: int
    """Number of the goal it belongs to."""
    title_en: str
    """English text of the target."""
    title_zh: str
    """Chinese text of the target."""

    @property
    def tag(self) -> str:
        """The tag for this target: its id."""
        return self.id


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    goals: tuple[SdgGoal, ...]
    targets: tuple[SdgTarget, ...]
    by_tag: dict[str, SdgGoal | SdgTarget]
    order: dict[str, int]


@functools.cache
def _vocabulary() -> _Vocabulary:
    text = resources.files("commonweal.core").joinpath("data/sdg.json").read_text(encoding="utf-8")
    data = json.loads(text)
    goals = tuple(
        SdgGoal(
            number=g["goal"],
            short_en=g["short"]["en"],
            short_zh=g["short"]["zh-hans"],
            title_en=g["title"]["en"],
            title_zh=g["title"]["zh-hans"],
        )
        for g in data["goals"]
    )
    targets = tuple(
        SdgTarget(id=t["id"], goal=t["goal"], title_en=t["title"]["en"], title_zh=t["title"]["zh-hans"])
        for t in data["targets"]
    )
    # Canonical order: each goal followed by its targets, in the order of the data file.
    ordered: list[SdgGoal | SdgTarget] = []
    for goal in goals:
        ordered.append(goal)
        ordered.extend(t for t in targets if t.goal == goal.number)
    by_tag = {item.tag: item for item in ordered}
    return _Vocabulary(
        goals=goals, targets=targets, by_tag=by_tag, order={tag: i for i, tag in enumerate(by_tag)}
    )


def sdg_goals() -> list[SdgGoal]:
    """All goals, in numeric order."""
    return list(_vocabulary().goals)


def sdg_targets(goal: int | str | None = None) -> list[SdgTarget]:
    """All targets in order (numbered ones, then lettered), or only those of one goal.

    ``goal`` may be a number or a goal tag ("4"); an unknown goal raises :class:`InvalidInput`.
    """
    vocabulary = _vocabulary()
    if goal is None:
        return list(vocabulary.targets)
    tag = str(goal) if isinstance(goal, int) and not isinstance(goal, bool) else goal
    item = vocabulary.by_tag.get(tag) if isinstance(tag, str) else None
    if not isinstance(item, SdgGoal):
        raise InvalidInput(f"unknown SDG goal {goal!r}", code="unknown_sdg", field="goal")
    return [t for t in vocabulary.targets if t.goal == item.number]


def _normalize(tag: str) -> str:
    # "4.A" -> "4.a"; whitespace around a tag is forgiven, everything else must match exactly.
    return tag.strip().lower()


def validate_sdg_tags(tags: list[str], *, field: str = "sdg_tags") -> list[str]:
    """Check a list of goal and target tags; return them canonical, deduplicated, in SDG order.

    Accepts "4", "4.1", "4.a" (and "4.A", " 4.1 "); rejects anything else naming the tag:
    "unknown SDG goal or target '4.z'". At most :data:`MAX_SDG_TAGS` distinct tags.
    """
    if isinstance(tags, str) or not isinstance(tags, (list, tuple)):
        raise InvalidInput(
            f"SDG tags must be a list of strings, got {type(tags).__name__}", code="invalid_sdg_tags", field=field
        )
    vocabulary = _vocabulary()
    seen: set[str] = set()
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidInput(
                f"SDG tags must be strings, got {type(tag).__name__}", code="invalid_sdg_tags", field=field
            )
        if len(tag) > _MAX_TAG_LENGTH:
            raise InvalidInput(
                f"unknown SDG goal or target {tag[:_MAX_TAG_LENGTH] + '…'!r}", code="unknown_sdg", field=field
            )
        canonical = _normalize(tag)
        if canonical not in vocabulary.by_tag:
            raise InvalidInput(f"unknown SDG goal or target {tag!r}", code="unknown_sdg", field=field)
        seen.add(canonical)
    if len(seen) > MAX_SDG_TAGS:
        raise InvalidInput(
            f"at most {MAX_SDG_TAGS} SDG goals and targets may be tagged, got {len(seen)}",
            code="invalid_sdg_tags",
            field=field,
        )
    return sorted(seen, key=vocabulary.order.__getitem__)


def sdg_title(tag: str, lang: str = "zh-hans", *, short: bool = False) -> str:
    """The title of a goal or target in ``lang`` (zh-* gives Chinese, anything else English).

    ``short=True`` gives a goal's short name ("Quality education"); targets have only one title.
    An unknown tag raises :class:`InvalidInput`.
    """
    item = _vocabulary().by_tag.get(_normalize(tag)) if isinstance(tag, str) else None
    if item is None:
        raise InvalidInput(f"unknown SDG goal or target {tag!r}", code="unknown_sdg", field="sdg_tags")
    zh = lang.lower().startswith("zh")
    if short and isinstance(item, SdgGoal):
        return item.short_zh if zh else item.short_en
    return item.title_zh if zh else item.title_en
