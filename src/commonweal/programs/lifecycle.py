"""Lab project stages: idea → incubating → pilot → scaling → spun off (as a studio), or stopped.

One table of legal edges; ``programs.services.labs.gate_review_record`` is the only code that
changes a stage, and only when a gate review approves the edge. A rejected review is recorded
and leaves the stage as it was.
"""

from dataclasses import dataclass

from commonweal.programs.models import OfficeRole
from commonweal.programs.models import Stage as S

__all__ = ["STAGE_TRANSITIONS", "StageTransitionRule", "FINAL_STAGES"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StageTransitionRule:
    action: str
    """Audit action name."""
    allowed: frozenset[str]
    """Office roles that may record the gate decision."""
    creates_studio: bool = False
    """Whether approving the edge spins the project off into a studio."""


_MANAGERS = frozenset({OfficeRole.MANAGER})

STAGE_TRANSITIONS: dict[tuple[str, str], StageTransitionRule] = {
    (S.IDEA, S.INCUBATING): StageTransitionRule(action="lab_project.incubate", allowed=_MANAGERS),
    (S.INCUBATING, S.PILOT): StageTransitionRule(action="lab_project.pilot", allowed=_MANAGERS),
    (S.PILOT, S.SCALING): StageTransitionRule(action="lab_project.scale", allowed=_MANAGERS),
    (S.SCALING, S.SPUN_OFF): StageTransitionRule(action="lab_project.spin_off", allowed=_MANAGERS, creates_studio=True),
    (S.IDEA, S.STOPPED): StageTransitionRule(action="lab_project.stop", allowed=_MANAGERS),
    (S.INCUBATING, S.STOPPED): StageTransitionRule(action="lab_project.stop", allowed=_MANAGERS),
    (S.PILOT, S.STOPPED): StageTransitionRule(action="lab_project.stop", allowed=_MANAGERS),
    (S.SCALING, S.STOPPED): StageTransitionRule(action="lab_project.stop", allowed=_MANAGERS),
}

FINAL_STAGES = frozenset({S.SPUN_OFF, S.STOPPED})
