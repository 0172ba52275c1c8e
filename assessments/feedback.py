"""The short summary a candidate may see on finishing an assessment, when the opening allows
it: how each scale compares, in plain words, and typing speed. Never the recommendation or a
cut score: the candidate learns about themselves, the decision stays with a person."""

from assessments import attempts, results
from assessments import bank as banks
from assessments.models import Attempt

BAND_WORDS = {"low": "lower than most applicants", "average": "about the same as most applicants",
              "high": "higher than most applicants"}


def summary(bank: banks.Bank, scores: list[dict], measures: list[dict]) -> list[str]:
    by_key = {score["scale"]: score for score in scores}
    lines = []
    for scale in bank.scales:
        score = by_key.get(scale.key)
        if score is None or not score["answered"]:
            continue
        if score.get("band"):
            lines.append(f"{scale.title}: {BAND_WORDS[score['band']]}.")
        elif scale.norm is None and score.get("normalized") is not None:
            lines.append(f"{scale.title}: {score['normalized']:.0f} of 100.")
    lines += [f"Typing: {m['net_wpm']:.0f} words a minute, {m['accuracy']:.0%} accurate."
              for m in measures]
    return lines


def for_candidate(attempt: Attempt) -> list[str]:
    """The summary of a finished attempt, when its opening's rules show one (else nothing)."""
    if not results.rules_for(attempt.application.opening).get("feedback"):
        return []
    return summary(attempts.bank_of(attempt), attempt.scores or [], attempt.measures or [])
