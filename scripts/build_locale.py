"""Build the zh-Hans catalogue from per-area JSON sources, without GNU gettext.

Source strings are English (msgid); each area keeps its translations in
src/commonweal/locale/zh_Hans/sources/<area>.json as {"English msgid": "中文"}. This writes
django.po and django.mo beside them; both are committed so a fresh clone needs no tools.
Run: .venv/bin/python scripts/build_locale.py
"""

import json
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "commonweal" / "locale" / "zh_Hans"


def load_sources() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALE / "sources").glob("*.json")):
        for msgid, msgstr in json.loads(path.read_text(encoding="utf-8")).items():
            if msgid in merged and merged[msgid] != msgstr:
                sys.exit(f"{path.name}: {msgid!r} translated differently elsewhere: {merged[msgid]!r} vs {msgstr!r}")
            merged[msgid] = msgstr
    return merged


def main() -> None:
    catalogue = polib.POFile()
    catalogue.metadata = {
        "Project-Id-Version": "commonweal",
        "Language": "zh_Hans",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    for msgid, msgstr in sorted(load_sources().items()):
        catalogue.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    out = LOCALE / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(out / "django.po"))
    catalogue.save_as_mofile(str(out / "django.mo"))
    print(f"{len(catalogue)} messages -> {out}")


if __name__ == "__main__":
    main()
