"""Who may see and touch what in grants. Missing and forbidden both raise ``NotFound``.

- Program managers (``programs.OfficeMember`` role "manager") run programs, calls, rounds,
  assignments, decisions and awards; program finance proposes and approves installments.
- An applicant sees their own application; a reviewer their own assignments.
- Referees and nominators have no account: the private link's token is their key.
"""

from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.programs.grants.models import Application, Assignment, Call, Installment, Nominator, Referee
from commonweal.programs.grants.tokens import token_hash, token_looks_valid
from commonweal.programs.models import OfficeRole
from commonweal.programs.permissions import is_office_manager, office_role, require_office_role

__all__ = [
    "is_manager",
    "is_finance",
    "require_manager",
    "require_finance",
    "access_call_by_public_id",
    "access_application_by_public_id",
    "access_assignment_by_public_id",
    "access_installment_by_public_id",
    "access_referee_by_token",
    "access_nominator_by_token",
]


def is_manager(actor) -> bool:
    return is_office_manager(actor)


def is_finance(actor) -> bool:
    return office_role(actor) == OfficeRole.FINANCE


def require_manager(actor) -> None:
    require_office_role(actor, OfficeRole.MANAGER)


def require_finance(actor) -> None:
    require_office_role(actor, OfficeRole.FINANCE)


def _by_public_id(queryset, public_id: str, what: str):
    if not is_public_id(public_id):
        raise NotFound(f"no such {what}")
    found = queryset.filter(public_id=public_id).first()
    if found is None:
        raise NotFound(f"no such {what}")
    return found


def access_call_by_public_id(actor, public_id: str) -> Call:
    """Any call, for program managers."""
    require_manager(actor)
    return _by_public_id(Call.objects.select_related("program"), public_id, "call")


def access_application_by_public_id(actor, public_id: str) -> Application:
    """The applicant's own application, or any application for a program manager."""
    queryset = Application.objects.select_related("call__program", "current_round", "nomination")
    if not is_manager(actor):
        if not getattr(actor, "is_authenticated", False):
            raise NotFound("no such application")
        queryset = queryset.filter(applicant_id=actor.pk)
    return _by_public_id(queryset, public_id, "application")


def access_assignment_by_public_id(actor, public_id: str) -> Assignment:
    """An assignment of the reviewer who holds it."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound("no such assignment")
    queryset = Assignment.objects.select_related("round__call__program", "application", "reviewer").filter(reviewer__user_id=actor.pk)
    return _by_public_id(queryset, public_id, "assignment")


def access_installment_by_public_id(actor, public_id: str) -> Installment:
    """An installment, for its grantee or for the program office (any role)."""
    queryset = Installment.objects.select_related("award__application__call__program", "award__commitment")
    if office_role(actor) is None:
        if not getattr(actor, "is_authenticated", False):
            raise NotFound("no such installment")
        queryset = queryset.filter(award__application__applicant_id=actor.pk)
    return _by_public_id(queryset, public_id, "installment")


def access_referee_by_token(token: str) -> Referee:
    if not token_looks_valid(token):
        raise NotFound("this link is not valid")
    referee = Referee.objects.select_related("application__call__program").filter(token_hash=token_hash(token)).first()
    if referee is None:
        raise NotFound("this link is not valid")
    return referee


def access_nominator_by_token(token: str) -> Nominator:
    if not token_looks_valid(token):
        raise NotFound("this link is not valid")
    nominator = Nominator.objects.select_related("call__program").filter(token_hash=token_hash(token)).first()
    if nominator is None:
        raise NotFound("this link is not valid")
    return nominator
