#!/usr/bin/env python3
"""Build src/commonweal/core/data/sdg.json from the open-sdg translations (MIT).

    .venv/bin/python scripts/build_sdg_json.py [--source ../shared/standards/sdg] [--check]

Reads ``<source>/{en,zh-Hans}/global_goals.yml`` (keys "4-short", "4-title") and
``global_targets.yml`` (keys "4-1-title", "4-a-title"), and writes one JSON file with the goals
and targets in both languages, in numeric order. The product reads only the JSON, so PyYAML is
needed here and nowhere at run time. ``--check`` exits 1 if the committed file is out of date.

Two edits to the zh-Hans text, both applied here so that the JSON stays reproducible:
- the upstream files write ASCII ",;:" after Chinese characters; Chinese text takes the
  full-width forms "，；：" (only punctuation that follows a non-ASCII character is changed, so
  numbers such as "1.25" are untouched);
- goal 17's short title reads 促进目标现实的伙伴关系, a typo for the UN's 促进目标实现的伙伴关系.
"""

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "standards" / "sdg"
OUTPUT = ROOT / "src" / "commonweal" / "core" / "data" / "sdg.json"
LANGUAGES = {"en": "en", "zh-hans": "zh-Hans"}  # JSON key -> source folder

_GOAL_KEY = re.compile(r"(?P<goal>[1-9][0-9]*)-(?P<kind>short|title)")
_TARGET_KEY = re.compile(r"(?P<goal>[1-9][0-9]*)-(?P<target>[1-9][0-9]*|[a-z])-title")
_ZH_PUNCTUATION = re.compile(r"(?<=[^\x00-\x7f])[,;:]")
_ZH_FULL_WIDTH = {",": "，", ";": "；", ":": "："}
_ZH_CORRECTIONS = {"促进目标现实的伙伴关系": "促进目标实现的伙伴关系"}


def _zh(text: str) -> str:
    text = _ZH_PUNCTUATION.sub(lambda m: _ZH_FULL_WIDTH[m.group()], text)
    return _ZH_CORRECTIONS.get(text, text)


def _clean(text: str, lang: str) -> str:
    text = " ".join(text.split())
    return _zh(text) if lang == "zh-hans" else text


def _load(source: Path, folder: str, name: str) -> dict[str, str]:
    with (source / folder / f"{name}.yml").open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict) or not all(isinstance(v, str) and v.strip() for v in data.values()):
        raise SystemExit(f"{folder}/{name}.yml: expected a mapping of keys to non-empty strings")
    return data


def _target_sort_key(target_id: str) -> tuple[int, int, str]:
    goal, target = target_id.split(".")
    # Numbered targets (4.1 ... 4.7) come before lettered means of implementation (4.a ...).
    return (int(goal), 0, f"{int(target):04d}") if target.isdigit() else (int(goal), 1, target)


def build(source: Path) -> dict:
    """The JSON document for the YAML files under ``source``."""
    goals: dict[int, dict] = {}
    targets: dict[str, dict] = {}
    for lang, folder in LANGUAGES.items():
        for key, text in _load(source, folder, "global_goals").items():
            match = _GOAL_KEY.fullmatch(key)
            if match is None:
                raise SystemExit(f"{folder}/global_goals.yml: unexpected key {key!r}")
            goal = goals.setdefault(int(match["goal"]), {"short": {}, "title": {}})
            goal[match["kind"]][lang] = _clean(text, lang)
        for key, text in _load(source, folder, "global_targets").items():
            match = _TARGET_KEY.fullmatch(key)
            if match is None:
                raise SystemExit(f"{folder}/global_targets.yml: unexpected key {key!r}")
            target_id = f"{match['goal']}.{match['target']}"
            targets.setdefault(target_id, {"goal": int(match["goal"]), "title": {}})["title"][lang] = _clean(
                text, lang
            )
    # Every goal and target must have every text in every language, and every target a goal.
    for number, goal in goals.items():
        for kind in ("short", "title"):
            missing = set(LANGUAGES) - set(goal[kind])
            if missing:
                raise SystemExit(f"goal {number}: no {kind} in {sorted(missing)}")
    for target_id, target in targets.items():
        missing = set(LANGUAGES) - set(target["title"])
        if missing:
            raise SystemExit(f"target {target_id}: no title in {sorted(missing)}")
        if target["goal"] not in goals:
            raise SystemExit(f"target {target_id}: no goal {target['goal']}")
    return {
        "source": "open-sdg/sdg-translations, built by scripts/build_sdg_json.py",
        "license": (source / "LICENSE").read_text(encoding="utf-8").strip(),
        "languages": list(LANGUAGES),
        "goals": [{"goal": number, **goals[number]} for number in sorted(goals)],
        "targets": [{"id": t, **targets[t]} for t in sorted(targets, key=_target_sort_key)],
    }


def render(document: dict) -> str:
    """Deterministic JSON text: UTF-8 (not \\u escapes), two-space indent, trailing newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the output is out of date")
    args = parser.parse_args(argv)
    text = render(build(args.source))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run scripts/build_sdg_json.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
