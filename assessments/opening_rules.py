"""An opening's screening rules (shape in verdicts.py): read from the rules form, checked whole,
saved with who changed them. Field names: `cut-<bank>.<scale>`, `low-`/`high-<bank>.<scale>`
(culture range, percentiles), `ko-<bank>.<item>` (knock-out answers, repeated; with
`ko-shown-<bank>.<item>` so that none ticked means none), `typing-net_wpm`, `typing-accuracy`
(percent), `feedback` (a checkbox: candidates see a short summary when they finish)."""

from werkzeug.datastructures import MultiDict

from assessments import bank as banks
from assessments import screening_sync, verdicts
from assessments.models import OpeningRules
from portal import audit
from portal.extensions import db
from portal.recruiting.models import Opening


def number_field(form: MultiDict, name: str, low: float, high: float, what: str,
                 problems: list[str], required: bool = False) -> float | None:
    """The form's number in [low, high]; None when empty (a problem if `required`) or wrong,
    the problem said in words."""
    raw = (form.get(name) or "").strip()
    if not raw and not required:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        problems.append(f"{what}: give a number from {low:g} to {high:g}"
                        + ("." if required else ", or leave it empty."))
        return None
    return value


def read(form: MultiDict, assessed: list[banks.Bank]) -> tuple[dict, list[str]]:
    """The rules the form holds for these banks, and every problem in words."""
    problems: list[str] = []
    rules: dict = {"cut_scores": {}, "culture": {}, "knockouts": {}}
    for bank in assessed:
        for scale in bank.scales:
            ref, title = f"{bank.key}.{scale.key}", f"{bank.title}, {scale.title}"
            cut = number_field(form, f"cut-{ref}", 0, 100, f"{title} cut score", problems)
            if cut is not None:
                rules["cut_scores"][ref] = cut
            if scale.norm is None:
                continue
            low = number_field(form, f"low-{ref}", 0, 100, f"{title} lowest percentile", problems)
            high = number_field(form, f"high-{ref}", 0, 100, f"{title} highest percentile",
                                problems)
            if (low is None) != (high is None):
                problems.append(f"{title}: give both ends of the target range, or neither.")
            elif low is not None and low > high:
                problems.append(f"{title}: the lowest percentile must not be above the highest.")
            elif low is not None:
                rules["culture"][ref] = [low, high]
        for item in bank.items:
            ref = f"{bank.key}.{item.id}"
            if item.type == "single_choice" and f"ko-shown-{ref}" in form:
                chosen = form.getlist(f"ko-{ref}")
                if not set(chosen) <= {o.id for o in item.options}:
                    problems.append(f"{item.text}: choose knock-out answers from the list.")
                elif tuple(chosen) != item.knockout:
                    rules["knockouts"][ref] = chosen
    net = number_field(form, "typing-net_wpm", 1, 150, "Typing target speed", problems)
    accuracy = number_field(form, "typing-accuracy", 50, 100, "Typing target accuracy", problems)
    rules["feedback"] = form.get("feedback") == "on"
    rules["typing"] = {"net_wpm": verdicts.DEFAULT_TYPING["net_wpm"] if net is None else net,
                       "accuracy": verdicts.DEFAULT_TYPING["accuracy"] if accuracy is None
                       else accuracy / 100}
    return rules, problems


def save(opening: Opening, rules: dict, actor) -> None:
    row = db.session.get(OpeningRules, opening.id)
    if row is None:
        row = OpeningRules(opening_id=opening.id)
        db.session.add(row)
    row.rules, row.updated_by_id = rules, actor.id
    db.session.flush()
    audit.record("assessment.rules_changed", opening, actor,
                 cut_scores=len(rules["cut_scores"]), culture=len(rules["culture"]),
                 knockouts=len(rules["knockouts"]))
    screening_sync.recompute_later(opening)  # the pipeline's recommendations follow
