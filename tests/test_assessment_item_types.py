"""Keyed item types and typing, scored by hand: every expected value is worked out beside it."""

import pytest

from assessments import bank as banks
from assessments import scoring

BANK = """\
key: skills
title: Skills
instructions: Choose the best answer.
scales:
  - key: judgement
    title: Judgement
  - key: knowledge
    title: Knowledge
items:
  - id: angry
    type: sjt
    rule: best_worst
    scale: judgement
    scenario: A caller shouts that this is the third time they have called.
    text: Which is the best and which the worst thing to do?
    options:
      - {id: a, text: Apologise and take ownership}
      - {id: b, text: Ask them to calm down}
      - {id: c, text: Transfer them to anyone free}
      - {id: d, text: Read the case notes aloud}
    key: {best: a, worst: c}
    rationale: Ownership calms; a blind transfer is the fourth call.
  - id: order
    type: sjt
    rule: rank
    scale: judgement
    scenario: The system goes down mid-call.
    text: Rank these from best to worst.
    options:
      - {id: a, text: Tell the caller and offer a call-back}
      - {id: b, text: Put them on hold silently}
      - {id: c, text: Keep them talking until it returns}
    key: [a, c, b]
    rationale: Honesty and a call-back keep trust.
  - id: rate
    type: sjt
    rule: rating
    scale: judgement
    scenario: A caller asks for a refund outside policy.
    text: Rate how effective each response is.
    options:
      - {id: a, text: Explain the policy and offer what you can}
      - {id: b, text: Refund anyway}
    key: {a: 5, b: 1}
    rationale: Policy with an alternative.
  - id: hold
    type: single_choice
    scale: knowledge
    text: How often should you check back on a caller on hold?
    options:
      - {id: a, text: Every 30 to 60 seconds}
      - {id: b, text: Never}
    key: a
  - id: data
    type: multiple_choice
    scale: knowledge
    text: Which may you read back to verify a caller?
    options:
      - {id: a, text: The postcode}
      - {id: b, text: The full card number}
      - {id: c, text: The date of birth}
      - {id: d, text: The password}
    key: [a, c]
  - id: why
    type: text
    length: long
    text: Tell us about a time you calmed someone down.
    rubric:
      - {points: 0, text: No example}
      - {points: 2, text: A clear example with the outcome}
      - {points: 1, text: An example without an outcome}
  - id: notes
    type: typing
    text: Copy this call note.
    seconds: 60
    passages:
      - Customer called about a late delivery of order four one two. Apologised, checked the
        courier tracking and booked a redelivery for Friday morning. Customer satisfied.
"""


@pytest.fixture
def bank():
    return banks.load(BANK)


def points(bank, item_id, answer):
    item = bank.item(item_id)
    return scoring.item_points(item, scoring.check_answer(item, answer))


@pytest.mark.parametrize("answer, expected", [
    ({"best": "a", "worst": "c"}, 1.0),    # +1 +1 = 2 -> (2 + 2) / 4
    ({"best": "a", "worst": "b"}, 0.75),   # +1 = 1 -> 3 / 4
    ({"best": "b", "worst": "d"}, 0.5),    # 0 -> 2 / 4
    ({"best": "c", "worst": "a"}, 0.0),    # -1 -1 = -2 -> 0 / 4
    ({"best": "c", "worst": "d"}, 0.25),   # -1 -> 1 / 4
])
def test_best_worst_gives_a_point_each_and_takes_one_for_a_swap(bank, answer, expected):
    assert points(bank, "angry", answer) == expected


@pytest.mark.parametrize("answer, expected", [
    (["a", "c", "b"], 1.0),      # distance 0
    (["c", "a", "b"], 0.5),      # a 1 off, c 1 off: 2 of the largest 9 // 2 = 4
    (["b", "c", "a"], 0.0),      # a 2 off, b 2 off: 4 of 4
])
def test_rank_distance_from_the_expert_order(bank, answer, expected):
    assert points(bank, "order", answer) == expected


def test_rating_distance_from_the_expert_ratings(bank):
    # |4 - 5| + |2 - 1| = 2 of 2 options x 4 = 8 -> 1 - 2/8
    assert points(bank, "rate", {"a": 4, "b": 2}) == 0.75
    assert points(bank, "rate", {"a": 1, "b": 5}) == 0.0


def test_choice_items_score_against_their_key(bank):
    assert (points(bank, "hold", "a"), points(bank, "hold", "b")) == (1.0, 0.0)
    assert points(bank, "data", ["a", "c"]) == 1.0
    assert points(bank, "data", ["a"]) == 0.5          # 1 hit of 2
    assert points(bank, "data", ["a", "b"]) == 0.0     # 1 hit - 1 wrong
    assert points(bank, "data", ["a", "b", "c", "d"]) == 0.0  # picking everything earns nothing


def test_a_keyed_scale_adds_item_points(bank):
    judgement, knowledge = scoring.score(bank, {
        "angry": {"best": "a", "worst": "b"}, "order": ["c", "a", "b"], "hold": "a"})
    # judgement: 0.75 + 0.5 = 1.25 from 2 of 3 items, mean 0.625, 62.5 %
    assert (judgement.answered, judgement.raw, judgement.normalized) == (2, 1.25, 62.5)
    assert (knowledge.answered, knowledge.raw, knowledge.normalized) == (1, 1.0, 100.0)
    assert judgement.t_score is None  # no norm: no T-score, percentile or band


@pytest.mark.parametrize("item_id, answer, message", [
    ("angry", {"best": "a", "worst": "a"}, '{"best": id, "worst": another id}'),
    ("angry", {"best": "z", "worst": "a"}, "another id"),
    ("order", ["a", "c"], "every option id once, best first"),
    ("order", ["a", "a", "c"], "every option id once"),
    ("rate", {"a": 6, "b": 1}, "a rating from 1 to 5 for every option"),
    ("rate", {"a": 5}, "for every option"),
    ("hold", "z", "one of a, b"),
    ("data", "a", "a list of different option ids"),
    ("data", ["a", "a"], "a list of different option ids"),
    ("why", 42, "must be text"),
    ("why", "x" * 4001, "the answer is 4001 characters long; the most it may have is 4000"),
    ("notes", "Customer", "a typing test is taken on its own page"),
])
def test_answers_that_do_not_fit_an_item_are_refused_with_what_it_accepts(
        bank, item_id, answer, message):
    with pytest.raises(scoring.ResponseError) as caught:
        scoring.check_answer(bank.item(item_id), answer)
    assert message in str(caught.value)


def test_free_text_rubric_levels_are_kept_in_order_of_points(bank):
    item = bank.item("why")
    assert [level.points for level in item.rubric] == [0, 1, 2]
    assert item.max_rubric_points == 2
    assert bank.item("notes").passages[0].startswith("Customer called about a late delivery")


def test_a_best_worst_key_must_name_two_options():
    with pytest.raises(banks.BankError) as caught:
        banks.load(BANK.replace("key: {best: a, worst: c}", "key: {best: a, worst: a}"))
    assert caught.value.problems == ["line 21: 'best' and 'worst' must be different options"]


@pytest.mark.parametrize("old, new, problem", [
    ("key: [a, c, b]", "key: [a, c]", "line 33: 'key' must rank every option, best first"),
    ("key: {a: 5, b: 1}", "key: {a: 5, b: 9}",
     "line 44: 'key' must rate every option from 1 to 5"),
    ("rule: rank", "rule: vibes", "line 25: 'rule' must be one of best_worst, rank, rating"),
    ("    key: a\n", "    key: q\n", "line 53: 'key' must be an option id of this item (a, b)"),
    ("key: [a, c]", "key: []", "line 63: 'key' must be a list of different option ids of this item "
     "(a, b, c, d)"),
    ("{points: 1, text: An example without an outcome}",
     "{points: 2, text: An example without an outcome}",
     "line 71: each rubric level needs different whole 'points' from 0 to 10"),
    ("length: long", "length: novel", "line 66: 'length' must be short or long"),
    ("seconds: 60", "seconds: 5", "line 75: 'seconds' must be a whole number from 30 to 600"),
    ("      - Customer called", "      - Too short.\n      - Customer called",
     "line 77: each passage must be text of at least 20 words"),
    ("    scale: knowledge\n    text: How often", "    scale: [knowledge, knowledge]\n"
     "    text: How often", "line 48: 'scale' must name a scale, or list different scales"),
    ("    title: Judgement\n", "    title: Judgement\n    norms: {mean: 1, sd: 1}\n",
     "line 7: 'norms' is not a field of a scale (it may hold: key, title, description, "
     "group, norm)"),
    ("    key: {best: a, worst: c}", "    key: {best: a, worst: c}\n    knock_out: [c]",
     "line 22: 'knock_out' is not a field of a sjt item (it may hold: id, type, text, scale, "
     "section, source, scenario, options, rule, key, rationale)"),
    ("      - {id: b, text: Never}", "      - {id: b, text: Never, points: 0.5}",
     "line 53: use either 'key' (one right answer) or 'points' on the options, not both"),
    ("    key: a\n", "    key: a\n    knockout: [b]\n",
     "line 54: a knock-out item needs a 'rationale': managers are shown why the answer rules "
     "someone out"),
    ("  - id: why\n", "  - id: why is this\n",
     "line 64: item id 'why is this' must be 1 to 40 letters, digits, _ or -"),
    ("    length: long\n", "    length: long\n    scale: judgement\n",
     "line 67: text items are not counted in a scale: remove 'scale'"),
    ("  - id: hold\n    type: single_choice\n", "  - id: hold\n    type: likert\n",
     "line 7: scale 'knowledge' mixes likert items with other item types; give each "
     "kind its own scale"),
])
def test_keyed_items_with_bad_keys_are_refused_with_a_line(old, new, problem):
    assert old in BANK
    with pytest.raises(banks.BankError) as caught:
        banks.load(BANK.replace(old, new, 1))
    assert problem in caught.value.problems, caught.value.problems


def test_a_bank_without_likert_items_needs_no_answer_labels(bank):
    assert bank.choices == ()


# --- typing: (typed / 5) / minutes; net = gross - errors / minute; accuracy = correct / typed

PASSAGE = "the quick brown fox jumps over the lazy dog " * 3


def test_typing_counts_words_per_minute_from_the_server_time():
    typed = PASSAGE[:100]
    result = scoring.typing_result(PASSAGE, typed, seconds=30)
    # 100 characters = 20 words in half a minute: 40 gross; no errors: net 40, accuracy 1
    assert (result.gross_wpm, result.net_wpm, result.accuracy, result.errors) == (
        40.0, 40.0, 1.0, 0)


def test_uncorrected_errors_lower_net_speed_and_accuracy():
    typed = PASSAGE[:100].replace("quick", "quikc", 1).replace("lazy", "lazt", 1)
    # 100 typed in 60 s = 20 gross; quikc (2 swapped letters) + lazt (1) = 3 errors -> net 17
    result = scoring.typing_result(PASSAGE, typed, seconds=60)
    assert (result.gross_wpm, result.errors, result.net_wpm) == (20.0, 3, 17.0)
    assert result.accuracy == 0.97  # 97 correct of 100


def test_a_skipped_letter_is_one_error_not_a_cascade():
    typed = PASSAGE[:60].replace("brown", "bown", 1)
    assert scoring.uncorrected_errors(PASSAGE, typed) == 1


def test_net_speed_does_not_go_below_zero_and_nothing_typed_is_zero():
    assert scoring.typing_result(PASSAGE, "x" * 50, seconds=60).net_wpm == 0.0
    empty = scoring.typing_result(PASSAGE, "", seconds=60)
    assert (empty.gross_wpm, empty.accuracy) == (0.0, 0.0)


def test_typing_faster_than_a_human_is_refused():
    with pytest.raises(scoring.ResponseError, match="faster than anyone types"):
        scoring.typing_result(PASSAGE, PASSAGE[:120], seconds=5)  # 24 characters a second
