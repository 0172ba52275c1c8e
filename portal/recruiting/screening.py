"""The screening-results interface: a recommendation and sortable figures per application.

A screening package (assessments) reports with `services.record_screening(application,
outcome, scores)`: the outcome is one of OUTCOMES (or None: nothing taken yet), the scores a
{key: figure} map under keys the package chooses ("soft_skills.customer_care"). Recruiting
stores them (`Application.screening_outcome`, `ApplicationScore`) so the pipeline can filter
and sort by them, and never learns what a key measures: the package registers a source of
display labels. Recruiting never imports the packages that register.
"""

from collections.abc import Callable

PASS, REVIEW, FAIL, PENDING = "pass", "review", "fail", "pending"
OUTCOMES = (PASS, REVIEW, FAIL, PENDING)
NOT_ASSESSED = "none"  # the pipeline filter's value for applications without an outcome
OUTCOME_LABELS = {PASS: "Meets the criteria", REVIEW: "Review",
                  FAIL: "Does not meet the criteria", PENDING: "Not finished"}
OUTCOME_COLORS = {PASS: "success", REVIEW: "warning", FAIL: "danger", PENDING: "secondary"}
MAX_KEY = 80  # ApplicationScore.key

# {key: label} per registered package, asked when a page needs them (a package's list may
# depend on what it has loaded, so it is not fixed at start-up).
_label_sources: list[Callable[[], dict[str, str]]] = []


def register_scores(source: Callable[[], dict[str, str]]) -> None:
    """`source()` gives the package's score keys with their labels ("Customer care")."""
    if source not in _label_sources:
        _label_sources.append(source)


def score_labels() -> dict[str, str]:
    """Every registered score key with its label, in label order."""
    labels = {key: label for source in _label_sources for key, label in source().items()}
    return dict(sorted(labels.items(), key=lambda pair: (pair[1].lower(), pair[0])))
