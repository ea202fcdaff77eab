"""A call's own application questions: defined per call, validated on every submission.

A definition is ``{"key", "label_zh", "label_en", "type", "required", "max_length", "choices",
"min", "max"}`` with ``type`` one of ``text`` (one line), ``textarea``, ``integer``, ``url`` and
``choice``. :func:`form_fields_validate` checks the definitions when a call is made;
:func:`answers_clean` checks an applicant's answers against them.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from commonweal.core.errors import InvalidInput

__all__ = ["FIELD_TYPES", "form_fields_validate", "answers_clean"]

FIELD_TYPES = ("text", "textarea", "integer", "url", "choice")
_DEFAULT_MAX = {"text": 200, "textarea": 5000, "url": 500}
_INT_RE_MAX_DIGITS = 12


def _bad(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_form_fields", field="form_fields")


def form_fields_validate(definitions: object) -> list[dict]:
    """Clean definitions, or InvalidInput naming the definition at fault."""
    if not isinstance(definitions, list):
        raise _bad("form fields must be a list")
    keys: set[str] = set()
    clean = []
    for index, item in enumerate(definitions):
        if not isinstance(item, dict):
            raise _bad(f"form field {index} must be an object")
        key, kind = item.get("key"), item.get("type", "text")
        if not isinstance(key, str) or not key.isidentifier() or key in keys:
            raise _bad(f"form field {index} needs a unique identifier key, got {key!r}")
        if kind not in FIELD_TYPES:
            raise _bad(f"form field {key!r} has type {kind!r}, expected one of {', '.join(FIELD_TYPES)}")
        keys.add(key)
        field = {
            "key": key, "type": kind, "required": bool(item.get("required", False)),
            "label_zh": str(item.get("label_zh") or key), "label_en": str(item.get("label_en") or ""),
        }
        if kind in _DEFAULT_MAX:
            field["max_length"] = int(item.get("max_length") or _DEFAULT_MAX[kind])
        if kind == "choice":
            choices = item.get("choices")
            if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c for c in choices):
                raise _bad(f"form field {key!r} of type choice needs a list of choices")
            field["choices"] = choices
        if kind == "integer":
            for bound in ("min", "max"):
                if item.get(bound) is not None:
                    field[bound] = int(item[bound])
        clean.append(field)
    return clean


def _error(field: dict, message: str, code: str = "invalid_answer") -> InvalidInput:
    return InvalidInput(f"{field['label_en'] or field['key']}: {message}", code=code, field=f"answer_{field['key']}")


def answers_clean(definitions: list[dict], answers: Mapping[str, object]) -> dict[str, object]:
    """Answers keyed by field key: strings trimmed, integers parsed strictly, empty optional
    answers left out. Unknown keys are refused."""
    known = {d["key"] for d in definitions}
    extra = set(answers) - known
    if extra:
        raise InvalidInput(f"unknown answers: {', '.join(sorted(extra))}", code="invalid_answer", field="answers")
    clean: dict[str, object] = {}
    for field in definitions:
        raw = answers.get(field["key"])
        text = raw.strip() if isinstance(raw, str) else raw
        if text in (None, ""):
            if field["required"]:
                raise _error(field, "an answer is required", code="required")
            continue
        kind = field["type"]
        if kind == "integer":
            if isinstance(text, bool):
                raise _error(field, "a whole number is expected")
            if isinstance(text, str):
                body = text[1:] if text.startswith("-") else text
                if not (body.isascii() and body.isdigit()) or len(body) > _INT_RE_MAX_DIGITS or (len(body) > 1 and body[0] == "0"):
                    raise _error(field, f"a whole number is expected, got {text!r}")
                text = int(text)
            if not isinstance(text, int):
                raise _error(field, "a whole number is expected")
            if "min" in field and text < field["min"]:
                raise _error(field, f"at least {field['min']}, got {text}")
            if "max" in field and text > field["max"]:
                raise _error(field, f"at most {field['max']}, got {text}")
            clean[field["key"]] = text
            continue
        if not isinstance(text, str):
            raise _error(field, "text is expected")
        if len(text) > field.get("max_length", 5000):
            raise _error(field, f"at most {field['max_length']} characters, got {len(text)}", code="too_long")
        if kind == "text" and ("\n" in text or "\r" in text):
            raise _error(field, "one line is expected")
        if kind == "url":
            try:
                URLValidator(schemes=["http", "https"])(text)
            except ValidationError:
                raise _error(field, f"a web address starting with https:// is expected, got {text!r}") from None
        if kind == "choice" and text not in field["choices"]:
            raise _error(field, f"one of {', '.join(field['choices'])} is expected, got {text!r}")
        clean[field["key"]] = text
    return clean
