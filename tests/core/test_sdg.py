"""core.sdg: the goals and targets shipped in core/data/sdg.json, checked against the sources."""

import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from commonweal.core import sdg
from commonweal.core.errors import InvalidInput
from commonweal.core.sdg import (
    MAX_SDG_TAGS,
    SdgGoal,
    SdgTarget,
    sdg_goals,
    sdg_targets,
    sdg_title,
    validate_sdg_tags,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _build_script():
    spec = importlib.util.spec_from_file_location("build_sdg_json", REPO_ROOT / "scripts" / "build_sdg_json.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _yaml(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


# --- the data file ---------------------------------------------------------------------------


def test_json_is_up_to_date_with_the_sources(standards_dir):
    script = _build_script()
    built = script.render(script.build(standards_dir / "sdg"))
    assert (REPO_ROOT / "src/commonweal/core/data/sdg.json").read_text(encoding="utf-8") == built


def test_json_carries_the_mit_notice():
    data = json.loads((REPO_ROOT / "src/commonweal/core/data/sdg.json").read_text(encoding="utf-8"))
    assert "Copyright (c) 2019 Open SDG" in data["license"]
    assert "Permission is hereby granted" in data["license"]


def test_goals_match_the_yaml(standards_dir):
    en = _yaml(standards_dir / "sdg/en/global_goals.yml")
    zh = _yaml(standards_dir / "sdg/zh-Hans/global_goals.yml")
    goals = sdg_goals()
    assert [g.number for g in goals] == sorted(int(k.split("-")[0]) for k in en if k.endswith("-title"))
    for goal in goals:
        assert goal.title_en == " ".join(en[f"{goal.number}-title"].split())
        assert goal.short_en == en[f"{goal.number}-short"]
        # zh text differs only by full-width punctuation (and one typo fix in goal 17's short name).
        assert goal.title_zh.translate(str.maketrans("，；：", ",;:")) == zh[f"{goal.number}-title"]
        assert goal.short_zh and goal.title_zh


def test_targets_match_the_yaml(standards_dir):
    en = _yaml(standards_dir / "sdg/en/global_targets.yml")
    zh = _yaml(standards_dir / "sdg/zh-Hans/global_targets.yml")
    targets = sdg_targets()
    assert {t.id for t in targets} == {k.removesuffix("-title").replace("-", ".") for k in en}
    for target in targets:
        key = target.id.replace(".", "-") + "-title"
        assert target.title_en == " ".join(en[key].split())
        assert target.title_zh.translate(str.maketrans("，；：", ",;:")) == zh[key]


def test_targets_match_the_iati_codelist(standards_dir):
    # An independent source for the list of target ids: IATI's UNSDG-Targets codelist.
    tree = ET.parse(standards_dir / "iati/codelists/UNSDG-Targets.xml")
    iati = {item.findtext("code") for item in tree.iter("codelist-item")}
    assert {t.id for t in sdg_targets()} == iati


def test_goals_match_the_iati_codelist(standards_dir):
    tree = ET.parse(standards_dir / "iati/codelists/UNSDG-Goals.xml")
    iati = {item.findtext("code") for item in tree.iter("codelist-item")}
    assert {g.tag for g in sdg_goals()} == iati


def test_zh_text_uses_full_width_punctuation():
    for item in [*sdg_goals(), *sdg_targets()]:
        zh = [item.title_zh] + ([item.short_zh] if isinstance(item, SdgGoal) else [])
        for text in zh:
            assert not re.search(r"[^\x00-\x7f][,;:]", text), text


def test_goal_17_short_name_is_corrected():
    assert sdg_title("17", "zh-hans", short=True) == "促进目标实现的伙伴关系"


def test_targets_are_ordered_numbers_then_letters():
    ids = [t.id for t in sdg_targets(4)]
    numbered = [i for i in ids if i.split(".")[1].isdigit()]
    lettered = [i for i in ids if not i.split(".")[1].isdigit()]
    assert ids == numbered + lettered
    assert numbered == sorted(numbered, key=lambda i: int(i.split(".")[1]))
    assert lettered == sorted(lettered)
    assert ids[0] == "4.1" and "4.a" in ids
    all_ids = [t.id for t in sdg_targets()]
    assert all_ids.index("1.b") < all_ids.index("2.1") < all_ids.index("10.1")


def test_every_goal_has_targets_and_every_target_a_goal():
    numbers = {g.number for g in sdg_goals()}
    assert all(sdg_targets(n) for n in numbers)
    assert {t.goal for t in sdg_targets()} == numbers
    assert sum(len(sdg_targets(n)) for n in numbers) == len(sdg_targets())


def test_returned_lists_are_copies():
    sdg_goals().clear()
    sdg_targets().clear()
    assert sdg_goals() and sdg_targets()


# --- sdg_targets(goal) ---------------------------------------------------------------------


@pytest.mark.parametrize("goal", [4, "4"])
def test_targets_of_one_goal(goal):
    targets = sdg_targets(goal)
    assert targets and all(isinstance(t, SdgTarget) and t.goal == 4 for t in targets)


@pytest.mark.parametrize("goal", [0, 99, "04", "4.1", "", True, 4.0])
def test_targets_of_unknown_goal(goal):
    with pytest.raises(InvalidInput) as caught:
        sdg_targets(goal)
    assert caught.value.code == "unknown_sdg"
    assert caught.value.message == f"unknown SDG goal {goal!r}"


# --- validate_sdg_tags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([], []),
        (["4"], ["4"]),
        (["4.1"], ["4.1"]),
        (["4.a"], ["4.a"]),
        (["4.A", " 4.1 "], ["4.1", "4.a"]),
        (["13", "4.1", "4", "4.1", "1.b", "10.1", "2"], ["1.b", "2", "4", "4.1", "10.1", "13"]),
        (("17.19", "17"), ["17", "17.19"]),
    ],
)
def test_validate_sdg_tags_accepts(tags, expected):
    assert validate_sdg_tags(tags) == expected


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (["4.z"], "unknown SDG goal or target '4.z'"),
        (["4", "99"], "unknown SDG goal or target '99'"),
        (["0"], "unknown SDG goal or target '0'"),
        (["04"], "unknown SDG goal or target '04'"),
        (["4.01"], "unknown SDG goal or target '4.01'"),
        (["4.1.1"], "unknown SDG goal or target '4.1.1'"),  # indicators are not tags
        (["SDG 4"], "unknown SDG goal or target 'SDG 4'"),
        (["４"], "unknown SDG goal or target '４'"),
        ([""], "unknown SDG goal or target ''"),
        (["4" * 40], "unknown SDG goal or target '4444444444444444…'"),
    ],
)
def test_validate_sdg_tags_rejects_unknown(tags, message):
    with pytest.raises(InvalidInput) as caught:
        validate_sdg_tags(tags)
    assert caught.value.code == "unknown_sdg"
    assert caught.value.message == message
    assert caught.value.field == "sdg_tags"


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("4", "SDG tags must be a list of strings, got str"),
        (None, "SDG tags must be a list of strings, got NoneType"),
        ({"4": 1}, "SDG tags must be a list of strings, got dict"),
        ([4], "SDG tags must be strings, got int"),
        ([None], "SDG tags must be strings, got NoneType"),
    ],
)
def test_validate_sdg_tags_rejects_wrong_types(tags, message):
    with pytest.raises(InvalidInput) as caught:
        validate_sdg_tags(tags)
    assert caught.value.code == "invalid_sdg_tags"
    assert caught.value.message == message


def test_validate_sdg_tags_limits_the_count():
    tags = [t.id for t in sdg_targets()][: MAX_SDG_TAGS + 1]
    with pytest.raises(InvalidInput) as caught:
        validate_sdg_tags(tags)
    assert caught.value.message == f"at most {MAX_SDG_TAGS} SDG goals and targets may be tagged, got {MAX_SDG_TAGS + 1}"
    # Duplicates do not count twice.
    assert len(validate_sdg_tags(tags[:MAX_SDG_TAGS] * 3)) == MAX_SDG_TAGS


def test_every_goal_and_target_is_a_valid_tag():
    tags = [g.tag for g in sdg_goals()] + [t.tag for t in sdg_targets()]
    for tag in tags:
        assert validate_sdg_tags([tag]) == [tag]


# --- sdg_title -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "lang", "short", "expected"),
    [
        ("4", "en", True, "Quality education"),
        ("4", "zh-hans", True, "优质教育"),
        ("4", "zh-Hans", False, "确保包容和公平的优质教育，让全民终身享有学习机会"),
        (
            "4",
            "en",
            False,
            "Ensure inclusive and equitable quality education and promote lifelong learning opportunities for all",
        ),
        ("1.1", "en", False, sdg_targets(1)[0].title_en),
        ("1.1", "zh", True, sdg_targets(1)[0].title_zh),  # targets have no short form
        ("4.A", "en", False, next(t.title_en for t in sdg_targets(4) if t.id == "4.a")),
        ("4", "fr", True, "Quality education"),  # other languages fall back to English
    ],
)
def test_sdg_title(tag, lang, short, expected):
    assert sdg_title(tag, lang, short=short) == expected


def test_sdg_title_defaults_to_chinese():
    assert sdg_title("1") == "在全世界消除一切形式的贫穷"


@pytest.mark.parametrize("tag", ["4.z", "0", "", None, 4])
def test_sdg_title_unknown(tag):
    with pytest.raises(InvalidInput) as caught:
        sdg_title(tag, "en")
    assert caught.value.code == "unknown_sdg"


def test_reads_only_json_at_run_time():
    source = Path(sdg.__file__).read_text(encoding="utf-8")
    assert "yaml" not in source.lower()
