"""An item's answer as HTML form fields, and back. The page form (no script needed) and the
per-answer autosave send the same fields, so one parser reads both.

Field names: `a-<item>` for likert, single choice, multiple choice (repeated) and text;
`a-<item>-best` / `a-<item>-worst` for best/worst; `a-<item>-<option>` holding a rank
(1 = best) or a rating (1..5) for rank and rating items.
"""

from werkzeug.datastructures import MultiDict

from assessments.bank import Item
from assessments.scoring import ResponseError


def field_name(item: Item, part: str = "") -> str:
    return f"a-{item.id}" + (f"-{part}" if part else "")


def answer_from_form(item: Item, form: MultiDict):
    """The answer the fields hold, None when the item is left unanswered, or ResponseError for
    an answer that cannot be read (checked further by scoring.check_answer)."""
    name = field_name(item)
    if item.type == "multiple_choice":
        # nothing ticked sends nothing: the autosave adds `-cleared` when the last tick goes
        return form.getlist(name) if name in form or f"{name}-cleared" in form else None
    if item.type in ("likert", "single_choice", "text"):
        value = form.get(name)
        if value is None or item.type != "text" and value == "":
            return None
        if item.type == "likert":
            return _whole(item, value)
        return value
    if item.rule == "best_worst":
        best, worst = form.get(field_name(item, "best")), form.get(field_name(item, "worst"))
        return {"best": best, "worst": worst} if best and worst else None
    values = {option.id: form.get(field_name(item, option.id), "") for option in item.options}
    if not all(values.values()):
        return None
    numbers = {option: _whole(item, value) for option, value in values.items()}
    if item.rule == "rating":
        return numbers
    if sorted(numbers.values()) != list(range(1, len(numbers) + 1)):
        raise ResponseError(f"item '{item.id}': give each response a different rank, from 1 "
                            f"(most effective) to {len(numbers)}")
    return sorted(numbers, key=numbers.get)


def _whole(item: Item, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ResponseError(f"item '{item.id}': '{value[:20]}' is not a number") from None


def fields_of(item: Item, answer) -> MultiDict:
    """The form fields that show a saved answer (the inverse of answer_from_form)."""
    name = field_name(item)
    if answer is None:
        return MultiDict()
    if item.type == "multiple_choice":
        return MultiDict([(name, value) for value in answer])
    if item.type in ("likert", "single_choice", "text"):
        return MultiDict([(name, str(answer))])
    if item.rule == "best_worst":
        return MultiDict([(field_name(item, "best"), answer["best"]),
                          (field_name(item, "worst"), answer["worst"])])
    if item.rule == "rank":
        return MultiDict([(field_name(item, option), str(rank))
                          for rank, option in enumerate(answer, 1)])
    return MultiDict([(field_name(item, option), str(value)) for option, value in answer.items()])


def page_fields(items: list[Item], answers: dict) -> MultiDict:
    fields = MultiDict()
    for item in items:
        for key, value in fields_of(item, answers.get(item.id)).items(multi=True):
            fields.add(key, value)
    return fields
