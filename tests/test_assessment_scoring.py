"""Scoring by hand: every expected value below is worked out in the comment beside it."""

import math

import pytest

from assessments import bank as banks
from assessments import scoring

BANK = """\
key: demo
title: Demo
instructions: Answer honestly.
choices: [Never, Rarely, Sometimes, Often, Always]
bands: {low_below: 40, high_above: 60}
scales:
  - key: grit
    title: Grit
    norm: {mean: 12, sd: 4, source: made up for the test}
  - key: calm
    title: Calm
items:
  - {id: g1, text: I finish what I start, scale: grit, keyed: plus}
  - {id: g2, text: I give up easily, scale: grit, keyed: minus}
  - {id: g3, text: I work hard, scale: grit, keyed: plus}
  - {id: g4, text: I get distracted, scale: grit, keyed: minus}
  - {id: c1, text: I stay calm, scale: calm}
"""


@pytest.fixture
def bank():
    return banks.load(BANK)


def test_minus_keyed_answers_are_reversed():
    assert [scoring.keyed_value(a, "minus") for a in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]
    assert [scoring.keyed_value(a, "plus") for a in (1, 5)] == [1, 5]


def test_a_full_scale_gets_raw_mean_t_percentile_and_band(bank):
    # g1=5, g2=1 -> 5, g3=4, g4=2 -> 4: raw 18, mean 4.5, normalized (4.5-1)/4 = 87.5%
    # T = 50 + 10 (18 - 12) / 4 = 65; percentile = Phi(1.5) = 93.32; band high (> 60)
    grit = scoring.score(bank, {"g1": 5, "g2": 1, "g3": 4, "g4": 2})[0]
    assert (grit.raw, grit.mean, grit.normalized) == (18.0, 4.5, 87.5)
    assert grit.t_score == 65.0
    assert round(grit.percentile, 2) == 93.32
    assert grit.band == "high"


def test_t_score_bands_and_percentiles_at_their_edges():
    assert scoring.t_score(12, 12, 4) == 50.0
    assert scoring.percentile(50) == 50.0
    assert round(scoring.percentile(40), 2) == 15.87  # Phi(-1)
    assert [scoring.band(t, 40, 60) for t in (39.9, 40, 60, 60.1)] == [
        "low", "average", "average", "high"]


def test_three_of_four_answers_are_prorated_two_are_not(bank):
    # g1=4, g2=2 -> 4, g3=4: mean 4, prorated raw 16, T = 50 + 10 (16 - 12) / 4 = 60 (average)
    three = scoring.score(bank, {"g1": 4, "g2": 2, "g3": 4})[0]
    assert (three.answered, three.raw, three.t_score, three.band) == (3, 12.0, 60.0, "average")
    two = scoring.score(bank, {"g1": 4, "g2": 2})[0]
    assert (two.answered, two.mean, two.t_score, two.band) == (2, 4.0, None, None)


def test_a_scale_without_norm_or_answers_has_no_t_score(bank):
    grit, calm = scoring.score(bank, {"c1": 3})
    assert (calm.raw, calm.normalized, calm.t_score, calm.percentile) == (3.0, 50.0, None, None)
    assert (grit.answered, grit.mean, grit.band) == (0, None, None)


@pytest.mark.parametrize("responses, message", [
    ({"zz": 3}, "not items of this bank: zz"),
    ({"g1": 6}, "item 'g1': the answer must be a whole number from 1 to 5"),
    ({"g1": 0}, "from 1 to 5"),
    ({"g1": "5"}, "not '5'"),
    ({"g1": True}, "not True"),
    ({"g1": 2.5}, "not 2.5"),
])
def test_answers_that_do_not_fit_the_bank_are_refused_by_name(bank, responses, message):
    with pytest.raises(scoring.ResponseError, match=message.replace("(", r"\(")):
        scoring.score(bank, responses)


def test_the_shipped_work_style_norms_are_the_documented_mixture_of_johnsons_groups():
    """One sex- and age-neutral norm per scale (the 5 domains and the 4 self-direction facets):
    the equal-weight mixture of Johnson's 8 sex x age groups, recomputed from the CSV."""
    import csv
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "shared/data/ipip/ipip_neo_120_norms_johnson.csv"
    if not source.exists():
        pytest.skip(f"{source} is absent (the shared data sits beside the repository)")
    rows = list(csv.DictReader(source.open()))
    code_of = {"neuroticism": "N", "extraversion": "E", "openness": "O", "agreeableness": "A",
               "conscientiousness": "C", "self_discipline": "C5", "achievement_striving": "C4",
               "self_efficacy": "C1", "dutifulness": "C3"}
    bank = banks.shipped()["work_style"]
    assert [scale.key for scale in bank.scales] == list(code_of)
    for scale in bank.scales:
        groups = [(float(r["mean"]), float(r["sd"])) for r in rows
                  if r["scale"] == code_of[scale.key]]
        assert len(groups) == 8
        assert len({(r["sex"], r["age_min"]) for r in rows
                    if r["scale"] == code_of[scale.key]}) == 8  # 2 sexes x 4 age bands
        mean = sum(m for m, _ in groups) / 8
        sd = math.sqrt(sum(s * s + (m - mean) ** 2 for m, s in groups) / 8)
        assert (scale.norm.mean, scale.norm.sd) == (round(mean, 2), round(sd, 2)), scale.key
        what = "facet" if len(code_of[scale.key]) == 2 else "domain"
        assert scale.norm.source == (f"Johnson IPIP-NEO-120 {what} {code_of[scale.key]}, "
                                     "equal-weight mixture of 8 sex x age groups"), scale.key
        # a norm is for a sum of the scale's items: 24 per domain, 4 per facet
        items = len(bank.items_of(scale.key))
        assert items == (4 if what == "facet" else 24)
        assert items < scale.norm.mean < 5 * items, scale.key
