"""Scoring as pure functions: the same answers and bank always give the same scores.

Likert scales (IPIP): an answer is 1..5; a minus-keyed item counts 6 - answer. A scale's raw score
is the sum of its items' keyed values; `mean` is raw / items answered; `normalized` puts the mean
on 0..100. Scales of keyed items (choice, situational judgement) add up item points from 0 to 1
(`item_points` says how each rule gives them); their mean is on 0..1 and normalized on 0..100.
With a norm, T = 50 + 10 (raw - norm mean) / norm sd, and the percentile is where T
falls on the normal curve. A scale with a few answers missing is prorated (mean x items) when at
least MIN_ANSWERED of its items are answered; with fewer it gets no T-score, percentile or band.
Bands: low below `band_low_below`, high above `band_high_above`, average between (T-scores).
"""

import math
from dataclasses import asdict, dataclass

from assessments.bank import LIKERT_POINTS, RATING_POINTS, TEXT_LIMITS, Bank, Item, Norm

MIN_ANSWERED = 0.75


class ResponseError(ValueError):
    """An answer that does not fit the bank: say which and why."""


@dataclass(frozen=True)
class ScaleScore:
    scale: str
    answered: int
    items: int
    raw: float
    mean: float | None
    normalized: float | None
    t_score: float | None
    percentile: float | None
    band: str | None
    norm: str | None = None  # the source of the norm the T-score used (kept with the result)

    def as_dict(self) -> dict:
        """For people and JSON: numbers to two decimals."""
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


def keyed_value(answer: int, keyed: str, points: int = LIKERT_POINTS) -> int:
    return answer if keyed == "plus" else points + 1 - answer


def t_score(raw: float, mean: float, sd: float) -> float:
    return 50 + 10 * (raw - mean) / sd


def percentile(t: float) -> float:
    """Percent of the norm group below this T-score (normal curve)."""
    return 50 * (1 + math.erf((t - 50) / (10 * math.sqrt(2))))


def band(t: float, low_below: float, high_above: float) -> str:
    if t < low_below:
        return "low"
    if t > high_above:
        return "high"
    return "average"


def check_answer(item: Item, answer):
    """The answer in its stored form, or ResponseError saying what this item accepts."""
    return _CHECKS[item.type](item, answer)


def _refuse(item: Item, wanted: str, answer) -> ResponseError:
    shown = repr(answer) if len(repr(answer)) <= 40 else repr(answer)[:37] + "..."
    return ResponseError(f"item '{item.id}': the answer must be {wanted}, not {shown}")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_likert(item: Item, answer) -> int:
    if not _whole(answer) or not 1 <= answer <= LIKERT_POINTS:
        raise _refuse(item, f"a whole number from 1 to {LIKERT_POINTS}", answer)
    return answer


def _option_list(item: Item, answer, *, every: bool) -> list[str]:
    ids = [option.id for option in item.options]
    if not isinstance(answer, list) or len(set(map(str, answer))) != len(answer) \
            or not all(isinstance(a, str) and a in ids for a in answer) \
            or every and len(answer) != len(ids):
        wanted = "every option id once, best first" if every else "a list of different " \
                                                                  "option ids"
        raise _refuse(item, f"{wanted} ({', '.join(ids)})", answer)
    return answer


def _check_single(item: Item, answer) -> str:
    if answer not in [option.id for option in item.options]:
        raise _refuse(item, "one of " + ", ".join(o.id for o in item.options), answer)
    return answer


def _check_multiple(item: Item, answer) -> list[str]:
    return _option_list(item, answer, every=False)


def _check_sjt(item: Item, answer):
    ids = [option.id for option in item.options]
    if item.rule == "rank":
        return _option_list(item, answer, every=True)
    if item.rule == "best_worst":
        if not isinstance(answer, dict) or set(answer) != {"best", "worst"} \
                or answer["best"] not in ids or answer["worst"] not in ids \
                or answer["best"] == answer["worst"]:
            raise _refuse(item, '{"best": id, "worst": another id}', answer)
        return {"best": answer["best"], "worst": answer["worst"]}
    if not isinstance(answer, dict) or set(answer) != set(ids) \
            or not all(_whole(v) and 1 <= v <= RATING_POINTS for v in answer.values()):
        raise _refuse(item, f"a rating from 1 to {RATING_POINTS} for every option", answer)
    return {option: answer[option] for option in ids}


def _check_text(item: Item, answer) -> str:
    limit = TEXT_LIMITS[item.length]
    if not isinstance(answer, str):
        raise _refuse(item, "text", answer)
    if len(answer) > limit:
        raise ResponseError(f"item '{item.id}': the answer is {len(answer)} characters long; "
                            f"the most it may have is {limit}")
    return answer


def _check_typing(item: Item, answer):
    raise ResponseError(f"item '{item.id}': a typing test is taken on its own page, not "
                        "answered here")


_CHECKS = {"likert": _check_likert, "single_choice": _check_single,
           "multiple_choice": _check_multiple, "sjt": _check_sjt, "text": _check_text,
           "typing": _check_typing}


def item_points(item: Item, answer) -> float | None:
    """What a checked answer earns, from 0 (against the key) to 1 (the key exactly); None for
    items that are not scored by a key (likert is keyed_value; free text is a manager's rubric
    score; typing has its own measures).
    - single choice: the chosen option's points;
    - multiple choice: (keyed options chosen - others chosen) / keyed options, at least 0;
    - best/worst: +1 for the expert's best as best, +1 for the expert's worst as worst, -1 for
      each swapped, mapped from -2..2 to 0..1;
    - rank: 1 - (sum of each option's distance from its expert rank) / the largest such sum;
    - rating: 1 - (sum of |rating - expert rating|) / (options x (RATING_POINTS - 1))."""
    if item.type == "single_choice":
        return next(o.points for o in item.options if o.id == answer)
    if item.type == "multiple_choice":
        hits = len(set(answer) & set(item.key))
        return max(0, hits - (len(answer) - hits)) / len(item.key)
    if item.type != "sjt":
        return None
    if item.rule == "best_worst":
        best, worst = item.key
        raw = (answer["best"] == best) + (answer["worst"] == worst) \
            - (answer["best"] == worst) - (answer["worst"] == best)
        return (raw + 2) / 4
    if item.rule == "rank":
        n = len(item.key)
        distance = sum(abs(answer.index(option) - rank) for rank, option in enumerate(item.key))
        return 1 - distance / (n * n // 2)
    expert = dict(item.key)
    return 1 - sum(abs(answer[o] - expert[o]) for o in expert) / (
        len(expert) * (RATING_POINTS - 1))


def score_scale(bank: Bank, scale_key: str, responses: dict,
                norm: Norm | None = None) -> ScaleScore:
    """One scale; `norm` (a local norm) replaces the bank's own when given."""
    items = bank.items_of(scale_key)
    answered = [item for item in items if item.id in responses]
    likert = bool(items) and items[0].type == "likert"
    if likert:
        values = [keyed_value(check_answer(item, responses[item.id]), item.keyed)
                  for item in answered]
    else:
        values = [item_points(item, check_answer(item, responses[item.id]))
                  for item in answered]
    raw = float(sum(values))
    if not values:
        return ScaleScore(scale_key, 0, len(items), 0.0, None, None, None, None, None)
    mean = raw / len(values)
    normalized = (mean - 1) / (LIKERT_POINTS - 1) * 100 if likert else mean * 100
    norm = norm or next(s.norm for s in bank.scales if s.key == scale_key)
    t = pct = level = None
    if norm is not None and len(values) >= MIN_ANSWERED * len(items):
        t = t_score(mean * len(items), norm.mean, norm.sd)
        pct = percentile(t)
        level = band(t, bank.band_low_below, bank.band_high_above)
    return ScaleScore(scale_key, len(values), len(items), raw, mean, normalized, t, pct, level,
                      norm.source if norm is not None else None)


def score(bank: Bank, responses: dict, norms: dict[str, Norm] | None = None
          ) -> list[ScaleScore]:
    """Every scale of `bank` for a mapping of item id -> answer. Unknown item ids and answers
    out of range raise ResponseError; unanswered items are simply missing. `norms` (scale key
    -> local norm) replace the bank's reference norms where given."""
    known = {item.id for item in bank.items}
    unknown = sorted(set(responses) - known)
    if unknown:
        raise ResponseError("not items of this bank: " + ", ".join(map(str, unknown[:10])))
    norms = norms or {}
    return [score_scale(bank, scale.key, responses, norms.get(scale.key))
            for scale in bank.scales]


# --- typing --------------------------------------------------------------------------------

HUMAN_CEILING_CPS = 20  # 240 WPM: faster than any sustained human typing, so it is refused
ALIGNMENT_BAND = 40     # how far typed text may drift from the passage and still be aligned


@dataclass(frozen=True)
class TypingResult:
    typed: int
    errors: int
    seconds: float
    gross_wpm: float
    net_wpm: float
    accuracy: float

    def as_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


def uncorrected_errors(passage: str, typed: str) -> int:
    """Characters typed wrong and left so: the fewest single-character edits that turn the typed
    text into the start of the passage (a skipped letter is one error, not a cascade)."""
    inf = len(typed) + len(passage) + 1
    previous = list(range(min(len(passage), ALIGNMENT_BAND) + 1)) + [inf] * max(
        0, len(passage) - ALIGNMENT_BAND)
    for i, char in enumerate(typed, start=1):
        current = [inf] * (len(passage) + 1)
        if i <= ALIGNMENT_BAND:
            current[0] = i
        for j in range(max(1, i - ALIGNMENT_BAND), min(len(passage), i + ALIGNMENT_BAND) + 1):
            current[j] = min(previous[j - 1] + (char != passage[j - 1]),
                             previous[j] + 1, current[j - 1] + 1)
        previous = current
    return min(previous)


def typing_result(passage: str, typed: str, seconds: float) -> TypingResult:
    """gross WPM = (typed characters / 5) / minutes; net WPM = gross - uncorrected errors per
    minute (not below 0); accuracy = correct characters / typed characters. `seconds` is the
    server's time between handing out the passage and receiving the text."""
    if seconds <= 0 or len(typed) > HUMAN_CEILING_CPS * seconds:
        raise ResponseError(f"{len(typed)} characters in {seconds:.1f} seconds is faster than "
                            "anyone types; the test cannot be scored")
    minutes = seconds / 60
    errors = uncorrected_errors(passage, typed) if typed else 0
    gross = len(typed) / 5 / minutes
    accuracy = (len(typed) - min(errors, len(typed))) / len(typed) if typed else 0.0
    return TypingResult(len(typed), errors, seconds, gross, max(0.0, gross - errors / minutes),
                        accuracy)
