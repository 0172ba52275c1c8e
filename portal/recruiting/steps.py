"""The application-step interface: what a candidate must complete between applying and review.

Screening capabilities (assessments, readiness checks, sample call, interview) register a
`StepDefinition`; recruiting stores each candidate's progress in `StepProgress` rows and shows it
on the dashboard and in the pipeline. Recruiting never imports the packages that register.
"""

from collections.abc import Callable
from dataclasses import dataclass

NOT_STARTED, IN_PROGRESS, COMPLETED, FAILED = "not_started", "in_progress", "completed", "failed"
STATUS_LABELS = {
    NOT_STARTED: "To do", IN_PROGRESS: "In progress", COMPLETED: "Done", FAILED: "Not passed",
}
STATUS_COLORS = {
    NOT_STARTED: "secondary", IN_PROGRESS: "info", COMPLETED: "success", FAILED: "danger",
}


@dataclass(frozen=True)
class StepDefinition:
    key: str
    title: str
    description: str
    # Where the candidate goes to do the step, given the application; None while the capability
    # is not yet available (the dashboard then says so instead of offering a dead link).
    start_url: Callable[[object], str] | None = None
    minutes: int | None = None  # expected effort, shown to the candidate
    # Where managers read the step's results for an application, and set it up for an opening.
    review_url: Callable[[object], str] | None = None
    settings_url: Callable[[object], str] | None = None


_registry: dict[str, StepDefinition] = {}


class UnknownStep(KeyError):
    pass


def register(step: StepDefinition) -> None:
    existing = _registry.get(step.key)
    if existing is not None and existing != step:
        raise ValueError(f"application step {step.key!r} is already registered differently")
    _registry[step.key] = step


def unregister(key: str) -> None:
    _registry.pop(key, None)


def get(key: str) -> StepDefinition:
    try:
        return _registry[key]
    except KeyError:
        raise UnknownStep(key) from None


def all_steps() -> list[StepDefinition]:
    return list(_registry.values())


def choices() -> list[tuple[str, str]]:
    return [(step.key, step.title) for step in _registry.values()]
