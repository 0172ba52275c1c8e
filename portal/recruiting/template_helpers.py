"""Filters and globals the recruiting templates (and the shared macros) use."""

from flask import Blueprint

from portal.recruiting import choices, screening, stages, steps


def _step_definition(key: str) -> steps.StepDefinition:
    """The registered step, or a bare one for a key no package registers any more."""
    try:
        return steps.get(key)
    except steps.UnknownStep:
        return steps.StepDefinition(key, key, "")


def _step_title(key: str) -> str:
    return _step_definition(key).title


def pay(opening) -> str:
    period = dict(choices.PAY_PERIODS).get(opening.pay_period, opening.pay_period)
    low, high = f"{opening.pay_min:,.2f}", f"{opening.pay_max:,.2f}"
    amount = low if low == high else f"{low}–{high}"
    return f"{amount} {opening.pay_currency} {period}"


def hours(opening) -> str:
    low, high = opening.hours_min, opening.hours_max
    return f"{low} hours per week" if low == high else f"{low}–{high} hours per week"


def where(opening) -> str:
    if not opening.countries:
        return "Remote, any country"
    return "Remote from " + ", ".join(choices.COUNTRY_NAMES.get(c, c) for c in opening.countries)


def equipment(application) -> str:
    owned = [label for label, has in (("computer", application.has_computer),
                                      ("headset", application.has_headset),
                                      ("wired internet", application.has_wired_internet)) if has]
    return ", ".join(owned) if owned else "none of computer, headset, wired internet"


def register(bp: Blueprint) -> None:
    filters = {
        "pay": pay, "hours": hours, "where": where, "equipment": equipment,
        "step_title": _step_title, "step_definition": _step_definition,
        "shift_name": lambda k: choices.SHIFT_NAMES.get(k, k),
        "day_name": lambda k: choices.DAY_NAMES.get(k, k),
        "language_name": lambda k: choices.LANGUAGE_NAMES.get(k, k),
        "country_name": lambda k: choices.COUNTRY_NAMES.get(k, k),
        "active_total": lambda counts: sum(counts.get(k, 0) for k in stages.ACTIVE_STAGES),
    }
    for name, function in filters.items():
        bp.add_app_template_filter(function, name)

    # Globals rather than context: the shared macros, imported without context, use them.
    template_globals = {
        "stage_info": lambda key: stages.BY_KEY.get(key, stages.Stage(key, key, "light")),
        "step_color": steps.STATUS_COLORS.get,
        "step_label": steps.STATUS_LABELS.get,
        "outcome_color": screening.OUTCOME_COLORS.get,
        "outcome_label": screening.OUTCOME_LABELS.get,
    }
    for name, function in template_globals.items():
        bp.add_app_template_global(function, name)
