"""Scoring as pure functions: the same answers and bank always give the same scores.

Conventions (IPIP): an answer is 1..5; a minus-keyed item counts 6 - answer. A scale's raw score
is the sum of its items' keyed values; `mean` is raw / items answered; `normalized` puts the mean
on 0..100. With a norm, T = 50 + 10 (raw - norm mean) / norm sd, and the percentile is where T
falls on the normal curve. A scale with a few answers missing is prorated (mean x items) when at
least MIN_ANSWERED of its items are answered; with fewer it gets no T-score, percentile or band.
Bands: low below `band_low_below`, high above `band_high_above`, average between (T-scores).
"""

import math
from dataclasses import asdict, dataclass

from assessments.bank import LIKERT_POINTS, Bank, Item

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


def check_answer(item: Item, answer) -> int:
    if isinstance(answer, bool) or not isinstance(answer, int) \
            or not 1 <= answer <= LIKERT_POINTS:
        raise ResponseError(f"item '{item.id}': the answer must be a whole number from 1 to "
                            f"{LIKERT_POINTS}, not {answer!r}")
    return answer


def score_scale(bank: Bank, scale_key: str, responses: dict) -> ScaleScore:
    items = bank.items_of(scale_key)
    values = [keyed_value(check_answer(item, responses[item.id]), item.keyed)
              for item in items if item.id in responses]
    raw = float(sum(values))
    if not values:
        return ScaleScore(scale_key, 0, len(items), 0.0, None, None, None, None, None)
    mean = raw / len(values)
    normalized = (mean - 1) / (LIKERT_POINTS - 1) * 100
    norm = next(s.norm for s in bank.scales if s.key == scale_key)
    t = pct = level = None
    if norm is not None and len(values) >= MIN_ANSWERED * len(items):
        t = t_score(mean * len(items), norm.mean, norm.sd)
        pct = percentile(t)
        level = band(t, bank.band_low_below, bank.band_high_above)
    return ScaleScore(scale_key, len(values), len(items), raw, mean, normalized, t, pct, level)


def score(bank: Bank, responses: dict) -> list[ScaleScore]:
    """Every scale of `bank` for a mapping of item id -> answer. Unknown item ids and answers
    out of range raise ResponseError; unanswered items are simply missing."""
    known = {item.id for item in bank.items}
    unknown = sorted(set(responses) - known)
    if unknown:
        raise ResponseError("not items of this bank: " + ", ".join(map(str, unknown[:10])))
    return [score_scale(bank, scale.key, responses) for scale in bank.scales]
