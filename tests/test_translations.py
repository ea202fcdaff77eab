"""Every user-facing English msgid has a zh-Hans translation in the committed catalogue."""

import re
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "commonweal"
CATALOGUE = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
BLOCK_TAG = re.compile(r"{%\s*blocktrans(?:late)?\b(?P<opts>[^%]*)%}(?P<body>.*?){%\s*(?:plural|endblocktrans(?:late)?)\s*%}", re.S)
PY_CALL = re.compile(r"""\b(?:_|gettext|gettext_lazy|pgettext_lazy)\(\s*(["'])((?:\\.|(?!\1).)+)\1\s*[,)]""")


def _block_msgid(opts: str, body: str) -> str:
    msgid = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body)
    if "trimmed" in opts:
        msgid = " ".join(line.strip() for line in msgid.strip().splitlines() if line.strip())
    return msgid


def _msgids() -> set[tuple[str, str]]:
    found = set()
    for path in SRC.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found |= {(str(path.relative_to(SRC)), m.group(2)) for m in TRANSLATE_TAG.finditer(text)}
        found |= {(str(path.relative_to(SRC)), _block_msgid(m["opts"], m["body"])) for m in BLOCK_TAG.finditer(text)}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        found |= {(str(path.relative_to(SRC)), m.group(2)) for m in PY_CALL.finditer(text)}
    return found


def test_catalogue_is_built_from_sources():
    assert CATALOGUE.exists(), "run .venv/bin/python scripts/build_locale.py"


@pytest.mark.parametrize("where, msgid", sorted(_msgids()))
def test_every_msgid_has_a_chinese_translation(where, msgid):
    translations = {entry.msgid: entry.msgstr for entry in polib.pofile(str(CATALOGUE))}
    assert translations.get(msgid), f"{where}: no zh-Hans translation for {msgid!r}"


def test_committed_catalogue_matches_the_sources():
    """django.po and django.mo are rebuilt from sources/*.json (scripts/build_locale.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_locale", SRC.parent.parent / "scripts" / "build_locale.py")
    build_locale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_locale)
    sources = build_locale.load_sources()
    po = {entry.msgid: entry.msgstr for entry in polib.pofile(str(CATALOGUE))}
    mo = {entry.msgid: entry.msgstr for entry in polib.mofile(str(CATALOGUE.with_suffix(".mo"))) if entry.msgid}
    assert po == sources, "run .venv/bin/python scripts/build_locale.py and commit django.po/django.mo"
    assert mo == sources, "run .venv/bin/python scripts/build_locale.py and commit django.po/django.mo"
