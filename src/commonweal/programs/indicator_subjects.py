"""What the program office attaches impact indicators to, by kind: labs, lab projects and
studios (this app) and grant awards (registered by ``programs.grants`` when it loads: this app
never imports it). The office's indicator pages (``views_indicators``) address a subject as
``<kind>/<public_id>``; indicators on them are kept by no organization (``impact.permissions``)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model
from django.urls import reverse

from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id

__all__ = ["SubjectKind", "subject_kind_register", "subject_get", "subject_kind_of", "subject_page", "subject_domain", "is_office_subject",
           "register_lab_kinds"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SubjectKind:
    """One kind of subject."""

    model: type[Model]
    domain: Callable[[Model], str]
    """The subject's domain (an indicator is counted in it)."""
    page: Callable[[Model], str]
    """URL of the page that shows the subject's indicators."""
    related: tuple[str, ...] = ()
    """``select_related`` paths that ``domain`` and ``page`` read."""


_KINDS: dict[str, SubjectKind] = {}


def subject_kind_register(name: str, kind: SubjectKind) -> None:
    _KINDS[name] = kind


def subject_get(kind: str, public_id: str) -> Model:
    found = _KINDS.get(kind)
    subject = (found.model.objects.select_related(*found.related).filter(public_id=public_id).first()
               if found is not None and is_public_id(public_id) else None)
    if subject is None:
        raise NotFound(f"no {kind} {public_id[:40]!r}")
    return subject


def subject_kind_of(subject: Model) -> str:
    return next(name for name, kind in _KINDS.items() if isinstance(subject, kind.model))


def subject_page(subject: Model) -> str:
    return _KINDS[subject_kind_of(subject)].page(subject)


def subject_domain(subject: Model) -> str:
    return _KINDS[subject_kind_of(subject)].domain(subject)


def is_office_subject(thing) -> bool:
    return any(isinstance(thing, kind.model) for kind in _KINDS.values())


def register_lab_kinds() -> None:
    from commonweal.programs.models import Lab, LabProject, Studio

    subject_kind_register("lab", SubjectKind(model=Lab, domain=lambda lab: lab.domain, page=lambda lab: reverse("programs-lab", args=[lab.public_id])))
    subject_kind_register("lab-project", SubjectKind(
        model=LabProject, domain=lambda p: p.lab.domain, page=lambda p: reverse("programs-lab-project", args=[p.public_id]), related=("lab",),
    ))
    subject_kind_register("studio", SubjectKind(
        model=Studio, domain=lambda s: s.project.lab.domain, page=lambda s: reverse("programs-studio", args=[s.public_id]),
        related=("project__lab",),
    ))
