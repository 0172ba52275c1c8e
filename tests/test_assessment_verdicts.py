"""Verdicts and culture fit, by hand: which rule says what, and why."""

from assessments import bank as banks
from assessments import verdicts
from assessments.verdicts import FAIL, PASS, PENDING, REVIEW, Taken

PERSONALITY = banks.load("""\
key: style
title: Style
instructions: Be honest.
choices: [a, b, c, d, e]
scales:
  - {key: extraversion, title: Extraversion, norm: {mean: 10, sd: 2, source: test}}
  - {key: agreeableness, title: Agreeableness, norm: {mean: 10, sd: 2, source: test}}
  - {key: calm, title: Calm}
items:
  - {id: e1, text: Talk a lot, scale: extraversion}
  - {id: a1, text: Care, scale: agreeableness}
  - {id: c1, text: Calm, scale: calm}
""")
HOME = banks.load("""\
key: home
title: Home
instructions: Tell us.
scales:
  - {key: readiness, title: Readiness}
items:
  - id: room
    type: single_choice
    scale: readiness
    text: Where will you take calls?
    options:
      - {id: door, text: A room with a door, points: 1}
      - {id: kitchen, text: The kitchen table, points: 0}
    knockout: [kitchen]
    rationale: Customers' details must stay private.
""")


def style(extraversion_pct, agreeableness_pct, calm=60.0):
    scores = [
        {"scale": "extraversion", "answered": 1, "percentile": extraversion_pct,
         "normalized": 50.0},
        {"scale": "agreeableness", "answered": 1, "percentile": agreeableness_pct,
         "normalized": 50.0},
        {"scale": "calm", "answered": 1, "percentile": None, "normalized": calm},
    ]
    return Taken(PERSONALITY, scores, [], {})


def home(answer):
    return Taken(HOME, [{"scale": "readiness", "answered": 1, "percentile": None,
                         "normalized": 100.0 if answer == "door" else 0.0}], [],
                 {"room": answer})


def typing(net, accuracy):
    return Taken(banks.load(TYPING), [], [{"item": "notes", "net_wpm": net,
                                           "accuracy": accuracy}], {})


TYPING = """\
key: keys
title: Typing
instructions: Type.
items:
  - id: notes
    type: typing
    text: Copy it.
    passages:
      - one two three four five six seven eight nine ten eleven twelve thirteen fourteen
        fifteen sixteen seventeen eighteen nineteen twenty
"""


def test_everything_within_the_rules_passes():
    verdict = verdicts.decide({"cut_scores": {"style.calm": 50}}, [style(50, 50), home("door"),
                                                                  typing(40, 0.95)], [])
    assert (verdict.outcome, verdict.reasons, verdict.label) == (PASS, [], "Meets the criteria")


def test_a_cut_score_uses_the_percentile_when_normed_and_the_score_when_not():
    verdict = verdicts.decide({"cut_scores": {"style.extraversion": 30, "style.calm": 65}},
                              [style(22.4, 50, calm=60)], [])
    assert verdict.outcome == FAIL
    assert verdict.reasons == [
        (FAIL, "Calm: 60 of 100, below the cut score of 65"),
        (FAIL, "Extraversion: 22nd percentile, below the cut score of 30"),
    ]


def test_a_scale_too_short_to_score_asks_for_review_not_a_fail():
    taken = style(None, 50)
    verdict = verdicts.decide({"cut_scores": {"style.extraversion": 30}}, [taken], [])
    assert (verdict.outcome, verdict.reasons) == (
        REVIEW, [(REVIEW, "Extraversion: too few answers to score")])


def test_culture_fit_is_the_share_of_traits_in_range_and_says_which_are_not():
    # extraversion 23rd: below 40-80; agreeableness 61st: within 30-90 -> 1 of 2 = 50 %
    fit = verdicts.culture_fit({"style.extraversion": [40, 80], "style.agreeableness": [30, 90]},
                               {"style": style(23, 61)})
    assert fit.score == 50.0
    assert fit.outside == ["Extraversion: 23rd percentile, below the target 40-80"]
    assert fit.inside == ["Agreeableness: 61st percentile, within 30-90"]


def test_a_poor_fit_asks_for_review_and_never_fails():
    verdict = verdicts.decide({"culture": {"style.extraversion": [40, 80],
                                           "style.agreeableness": [70, 90]}},
                              [style(93, 12)], [])
    assert verdict.outcome == REVIEW and verdict.fit.score == 0.0
    assert verdict.reasons == [(REVIEW, "Culture fit 0 %: Agreeableness: 12th percentile, below "
                                        "the target 70-90; Extraversion: 93rd percentile, above "
                                        "the target 40-80")]


def test_a_knock_out_answer_fails_with_the_reason_and_an_opening_can_change_it():
    verdict = verdicts.decide({}, [home("kitchen")], [])
    assert verdict.reasons == [(FAIL, "Knock-out: Where will you take calls? Answer: \u201cThe "
                                      "kitchen table\u201d (Customers' details must stay "
                                      "private.)")]
    assert verdicts.decide({"knockouts": {"home.room": []}}, [home("kitchen")], []).outcome \
        == PASS


def test_typing_below_the_targets_fails_on_each():
    verdict = verdicts.decide({"typing": {"net_wpm": 35, "accuracy": 0.92}},
                              [typing(28.4, 0.9)], [])
    assert verdict.reasons == [
        (FAIL, "Typing: 28 net words a minute, below the target of 35"),
        (FAIL, "Typing: 90% accurate, below the target of 92%"),
    ]
    assert verdicts.decide({}, [typing(31, 0.91)], []).outcome == PASS  # defaults 30 and 90 %


def test_unfinished_assessments_keep_the_verdict_pending():
    verdict = verdicts.decide({}, [home("kitchen")], ["Typing test"])
    assert verdict.outcome == PENDING
    assert verdict.reasons[0] == (PENDING, "Not finished yet: Typing test")


def test_ordinals_read_as_people_say_them():
    assert [verdicts.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]
