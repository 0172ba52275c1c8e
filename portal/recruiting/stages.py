"""The hiring pipeline's stages and which moves between them make sense."""

from dataclasses import dataclass

APPLIED, SCREENING, ASSESSMENT, REVIEW, INTERVIEW, OFFER, HIRED, REJECTED, WITHDRAWN = (
    "applied", "screening", "assessment", "review", "interview", "offer",
    "hired", "rejected", "withdrawn",
)


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    color: str  # Bootstrap contextual colour for badges
    # What the candidate is told when they land here (None: nothing to tell).
    email_template: str | None = None
    is_final: bool = False


STAGES = (
    Stage(APPLIED, "Applied", "secondary"),
    Stage(SCREENING, "Screening", "info"),
    Stage(ASSESSMENT, "Assessment", "primary", "stage_assessment"),
    Stage(REVIEW, "Review", "primary"),
    Stage(INTERVIEW, "Interview", "primary", "stage_interview"),
    Stage(OFFER, "Offer", "warning", "stage_offer"),
    Stage(HIRED, "Hired", "success", "stage_hired", is_final=True),
    Stage(REJECTED, "Rejected", "danger", "stage_rejected", is_final=True),
    Stage(WITHDRAWN, "Withdrawn", "dark", is_final=True),
)
BY_KEY = {stage.key: stage for stage in STAGES}
STAGE_KEYS = tuple(BY_KEY)
ACTIVE_STAGES = tuple(s.key for s in STAGES if not s.is_final)
# Managers may move to any stage but `withdrawn`, which only the candidate chooses.
MANAGER_TARGETS = tuple(k for k in STAGE_KEYS if k != WITHDRAWN)


class StageError(ValueError):
    """A move the pipeline does not allow; the message is shown to the user."""


def check_move(current: str, target: str, *, by_candidate: bool = False) -> None:
    if target not in BY_KEY:
        raise StageError(f"Unknown stage '{target}'.")
    if current == target:
        raise StageError(f"The application is already in {BY_KEY[target].label}.")
    if current in (HIRED, WITHDRAWN):
        raise StageError(f"A {BY_KEY[current].label.lower()} application cannot be moved.")
    if target == WITHDRAWN and not by_candidate:
        raise StageError("Only the candidate can withdraw an application.")
    if by_candidate and target != WITHDRAWN:
        raise StageError("Candidates can only withdraw.")


def label(key: str) -> str:
    return BY_KEY[key].label if key in BY_KEY else key


# The usual way forward, for suggesting the next move.
FORWARD = (APPLIED, SCREENING, ASSESSMENT, REVIEW, INTERVIEW, OFFER, HIRED)


def suggested_next(current: str) -> str:
    if current in FORWARD[:-1]:
        return FORWARD[FORWARD.index(current) + 1]
    return SCREENING  # from rejected: reconsider
