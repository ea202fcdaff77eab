"""Conflicts of interest between a reviewer and an application, detected automatically.

Rules: ``same_institution`` (the reviewer's institution is the applicant's), ``referee`` (the
reviewer is one of the applicant's referees, by email or by name), ``coauthor`` (the applicant
listed the reviewer as a co-author). Names and institutions are compared after NFKC
normalisation, case folding and removal of spaces and punctuation, so "Tsinghua University" and
"tsinghua  university" match, as do "张 三" and "张三". A detected conflict recuses the reviewer.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext

__all__ = ["Person", "normalise", "conflicts_detect", "conflict_message"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """Who someone is, for comparison."""

    name: str
    """Full name."""
    email: str = ""
    """Email address, if known."""
    institution: str = ""
    """Institution, if known."""


def normalise(text: str) -> str:
    """Text for comparison: NFKC, case-folded, letters and digits only."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def conflicts_detect(*, reviewer: Person, applicant_institution: str, referees: Iterable[Person],
                     coauthors: Iterable[str]) -> list[dict]:
    """Every conflict found, as ``{"rule", "detail"}`` (detail: the matching name)."""
    found: list[dict] = []
    name, email = normalise(reviewer.name), (reviewer.email or "").strip().casefold()
    institution = normalise(reviewer.institution)
    if institution and institution == normalise(applicant_institution):
        found.append({"rule": "same_institution", "detail": reviewer.institution})
    for referee in referees:
        same_email = email and email == (referee.email or "").strip().casefold()
        if same_email or (name and name == normalise(referee.name)):
            found.append({"rule": "referee", "detail": referee.name})
            break
    for coauthor in coauthors:
        if name and name == normalise(coauthor):
            found.append({"rule": "coauthor", "detail": coauthor})
            break
    return found


def conflict_message(item: dict) -> str:
    """One detected or declared conflict, in the active language."""
    rule, detail = item.get("rule"), item.get("detail", "")
    if rule == "same_institution":
        return gettext("Same institution as the applicant (%(detail)s).") % {"detail": detail}
    if rule == "referee":
        return gettext("Referee of the applicant (%(detail)s).") % {"detail": detail}
    if rule == "coauthor":
        return gettext("Listed by the applicant as a co-author (%(detail)s).") % {"detail": detail}
    return gettext("Declared by the reviewer: %(detail)s") % {"detail": detail}
