"""A recommendation per application from the opening's rules, as pure functions: pass, review or
fail, with every reason in words, and a culture fit with what lies outside its target range.
It is advice for the person who decides; nothing here rejects anyone.

Rules (one JSON object per opening, every part optional):
- `cut_scores`: {"bank.scale": minimum} on the scale's percentile when it has a norm, else on
  its 0-100 score; below it: fail; a scale without enough answers to score: review.
- `culture`: {"bank.scale": [low, high]} target percentile ranges; fit = the share of traits
  inside their range; fit below FIT_REVIEW_BELOW: review (never fail: fit is a conversation).
- `knockouts`: {"bank.item": [option ids]} replaces the bank's default knock-out answers;
  a knock-out answer: fail, with the item's rationale.
- `typing`: {"net_wpm": n, "accuracy": 0..1}; below either: fail.
"""

from dataclasses import dataclass, field

from assessments.bank import Bank
from portal.recruiting.screening import FAIL, OUTCOME_LABELS, PASS, PENDING, REVIEW

FIT_REVIEW_BELOW = 50.0
DEFAULT_TYPING = {"net_wpm": 30, "accuracy": 0.9}


@dataclass(frozen=True)
class Taken:
    """One finished attempt as the verdict sees it."""

    bank: Bank
    scores: list[dict]     # ScaleScore.as_dict() per scale
    measures: list[dict]   # typing measures per item
    answers: dict          # item id -> answer


@dataclass
class Fit:
    score: float | None = None            # percent of traits within range
    inside: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    outcome: str
    reasons: list[tuple[str, str]]  # (pass|review|fail|pending, plain sentence)
    fit: Fit

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


def metric(bank: Bank, score: dict) -> tuple[float | None, str]:
    """A scale's comparable figure: its percentile when the scale has a norm, else its 0-100
    score; None when too few items were answered to score it."""
    scale = next(s for s in bank.scales if s.key == score["scale"])
    if scale.norm is not None:
        return score.get("percentile"), "percentile"
    return (score["normalized"] if score.get("answered") else None), "score"


def ordinal(value: float) -> str:
    number = int(round(value))
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def _figure(value: float, kind: str) -> str:
    return f"{ordinal(value)} percentile" if kind == "percentile" else f"{value:.0f} of 100"


def decide(rules: dict, taken: list[Taken], missing: list[str],
           checks: list[tuple[str, str]] = ()) -> Verdict:
    """The recommendation for one application: `taken` its finished attempts, `missing` the
    titles of assessments it has not finished, `checks` the reasons other checks add (the
    computer check's)."""
    reasons: list[tuple[str, str]] = [(PENDING, f"Not finished yet: {title}")
                                      for title in missing]
    reasons += checks
    by_bank = {t.bank.key: t for t in taken}
    reasons += _cut_scores(rules.get("cut_scores") or {}, by_bank)
    reasons += _knockouts(rules.get("knockouts") or {}, by_bank)
    reasons += _typing({**DEFAULT_TYPING, **(rules.get("typing") or {})}, by_bank)
    fit = culture_fit(rules.get("culture") or {}, by_bank)
    if fit.score is not None and fit.score < FIT_REVIEW_BELOW:
        reasons.append((REVIEW, f"Culture fit {fit.score:.0f} %: " + "; ".join(fit.outside)))
    kinds = {kind for kind, _ in reasons}
    outcome = next((k for k in (PENDING, FAIL, REVIEW) if k in kinds), PASS)
    return Verdict(outcome, reasons, fit)


def _scale(by_bank: dict, reference: str) -> tuple[Bank, dict] | None:
    bank_key, _, scale_key = reference.partition(".")
    taken = by_bank.get(bank_key)
    if taken is None:
        return None
    score = next((s for s in taken.scores if s["scale"] == scale_key), None)
    return (taken.bank, score) if score is not None else None


def _title(bank: Bank, scale_key: str) -> str:
    return next((s.title for s in bank.scales if s.key == scale_key), scale_key)


def _cut_scores(cuts: dict, by_bank: dict) -> list[tuple[str, str]]:
    reasons = []
    for reference, minimum in sorted(cuts.items()):
        found = _scale(by_bank, reference)
        if found is None:
            continue
        bank, score = found
        value, kind = metric(bank, score)
        title = _title(bank, score["scale"])
        if value is None:
            reasons.append((REVIEW, f"{title}: too few answers to score"))
        elif value < minimum:
            reasons.append((FAIL, f"{title}: {_figure(value, kind)}, below the cut score "
                                  f"of {minimum:g}"))
    return reasons


def _knockouts(overrides: dict, by_bank: dict) -> list[tuple[str, str]]:
    reasons = []
    for taken in by_bank.values():
        for item in taken.bank.items:
            if item.type != "single_choice":
                continue
            ruled_out = overrides.get(f"{taken.bank.key}.{item.id}", list(item.knockout))
            answer = taken.answers.get(item.id)
            if answer in ruled_out:
                chosen = next(o.text for o in item.options if o.id == answer)
                why = f" ({item.rationale})" if item.rationale else ""
                reasons.append((FAIL, f"Knock-out: {item.text} Answer: \u201c{chosen}\u201d{why}"))
    return reasons


def _typing(targets: dict, by_bank: dict) -> list[tuple[str, str]]:
    reasons = []
    for taken in by_bank.values():
        for measure in taken.measures:
            if measure["net_wpm"] < targets["net_wpm"]:
                reasons.append((FAIL, f"Typing: {measure['net_wpm']:.0f} net words a minute, "
                                      f"below the target of {targets['net_wpm']:g}"))
            if measure["accuracy"] < targets["accuracy"]:
                reasons.append((FAIL, f"Typing: {measure['accuracy']:.0%} accurate, below the "
                                      f"target of {targets['accuracy']:.0%}"))
    return reasons


def culture_fit(ranges: dict, by_bank: dict) -> Fit:
    """The share of the profile's traits whose percentile lies within the target range, with
    each trait outside said plainly ('Extraversion: 23rd percentile, below 40-80')."""
    fit = Fit()
    for reference, (low, high) in sorted(ranges.items()):
        found = _scale(by_bank, reference)
        if found is None:
            continue
        bank, score = found
        title, value = _title(bank, score["scale"]), score.get("percentile")
        if value is None:
            continue
        where = f"{title}: {ordinal(value)} percentile"
        if value < low:
            fit.outside.append(f"{where}, below the target {low:g}-{high:g}")
        elif value > high:
            fit.outside.append(f"{where}, above the target {low:g}-{high:g}")
        else:
            fit.inside.append(f"{where}, within {low:g}-{high:g}")
    total = len(fit.inside) + len(fit.outside)
    fit.score = 100 * len(fit.inside) / total if total else None
    return fit
