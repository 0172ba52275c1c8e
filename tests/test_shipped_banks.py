"""The banks shipped in assessments/banks/, checked as a candidate or manager would notice them:
each loads and belongs to an application step, the customer situations have scenarios,
rationales and every scoring rule, the readiness questions rule out only with a reason, the
typing passages are real call notes, and the CLI lists them all."""

import re
from collections import Counter

import pytest

from assessments import bank as banks
from assessments import scoring

SHIPPED = {"work_style": "personality_fit", "soft_skills": "skills_assessment",
           "home_office": "home_office_readiness", "typing": "skills_assessment"}
QUESTION = {"best_worst": "Which response is best, and which is worst?",
            "rank": "Rank these responses from most to least effective.",
            "rating": "Rate how effective each response would be."}
ITEM_ID_LENGTH = 60  # assessment_answers.item_id is String(60)


@pytest.fixture(scope="module")
def shipped():
    return banks.shipped()


def test_every_shipped_bank_loads_names_its_step_and_has_a_time_limit(shipped):
    assert {key: bank.step for key, bank in shipped.items()} == SHIPPED
    for key, bank in shipped.items():
        assert (banks.BANK_DIR / f"{key}.yaml").exists(), "a bank's file is named by its key"
        assert bank.step in banks.STEPS and bank.title and bank.instructions
        assert bank.time_limit_minutes is not None, key
        assert all(len(item.id) <= ITEM_ID_LENGTH for item in bank.items), key
    # two banks of one step never share a place in its order
    places = Counter((bank.step, bank.order) for bank in shipped.values())
    assert max(places.values()) == 1, places
    assert (shipped["soft_skills"].order, shipped["typing"].order) == (1, 2)


def answer_with_the_key(item: banks.Item):
    """The answer that matches the expert key exactly."""
    if item.rule == "best_worst":
        return {"best": item.key[0], "worst": item.key[1]}
    if item.rule == "rank":
        return list(item.key)
    return dict(item.key)


def test_customer_situations_have_a_scenario_a_rationale_and_every_rule(shipped):
    bank = shipped["soft_skills"]
    assert bank.choices == () and len(bank.scales) in (3, 4)
    assert all(scale.norm is None and scale.group == "Soft skills" for scale in bank.scales)
    assert len(bank.items) >= 15 and {item.type for item in bank.items} == {"sjt"}
    rules = Counter(item.rule for item in bank.items)
    assert set(rules) == set(QUESTION)
    assert rules["best_worst"] >= len(bank.items) // 3  # about half; rank and rating a quarter
    assert min(rules["rank"], rules["rating"]) >= len(bank.items) // 6
    for item in bank.items:
        assert len(item.scales) == 1, item.id
        assert item.text == QUESTION[item.rule], item.id
        assert 15 <= len(item.scenario.split()) <= 90, item.id
        assert 10 <= len(item.rationale.split()) <= 70, item.id
        sizes = (3, 4) if item.rule == "rating" else (4,)
        assert len(item.options) in sizes, item.id
        assert len({option.text for option in item.options}) == len(item.options), item.id
        # the expert key earns full points, the reverse of a best/worst key none
        assert scoring.item_points(item, scoring.check_answer(
            item, answer_with_the_key(item))) == 1.0, item.id
        if item.rule == "best_worst":
            best, worst = item.key
            assert scoring.item_points(item, {"best": worst, "worst": best}) == 0.0
    # every scale is measured by several situations
    assert min(Counter(item.scales[0] for item in bank.items).values()) >= 4


def test_the_best_answer_is_not_always_in_the_same_place(shipped):
    """No position pattern a candidate could learn instead of judging the situation."""
    def best(item):
        return max(item.key, key=lambda pair: pair[1])[0] if item.rule == "rating" \
            else item.key[0]

    items = shipped["soft_skills"].items
    places = Counter([o.id for o in item.options].index(best(item)) for item in items)
    assert max(places.values()) <= len(items) // 2 and len(places) == 4, places
    for item in items:
        if item.rule == "rank":  # ranking in the order shown (or its reverse) earns no favours
            shown = [option.id for option in item.options]
            assert list(item.key) not in (shown, shown[::-1]), item.id


def test_a_candidate_matching_every_key_scores_100_on_every_scale(shipped):
    bank = shipped["soft_skills"]
    scores = scoring.score(bank, {item.id: answer_with_the_key(item) for item in bank.items})
    assert {s.scale: s.normalized for s in scores} == {s.key: 100.0 for s in bank.scales}


def test_home_office_knock_outs_each_carry_the_reason_a_manager_sees(shipped):
    bank = shipped["home_office"]
    assert 9 <= len(bank.items) <= 11
    assert {item.type for item in bank.items} == {"single_choice"}
    assert "readiness" in {scale.key for scale in bank.scales}
    assert all(scale.group == "Home office" and scale.norm is None for scale in bank.scales)
    for item in bank.items:
        assert len(item.scales) == 1, item.id
        assert item.text.endswith("?"), item.id
        points = [option.points for option in item.options]
        assert set(points) <= {0.0, 0.5, 1.0} and max(points) == 1.0 and min(points) == 0.0
    knockouts = {item.id: item for item in bank.items if item.knockout}
    assert {"workspace_room", "screen_and_calls_private", "connection_type",
            "own_computer"} <= set(knockouts)
    for item in knockouts.values():
        assert item.rationale, f"{item.id} rules candidates out without saying why"
        # a ruled-out answer never also counts as ready
        assert all(o.points == 0.0 for o in item.options if o.id in item.knockout), item.id
        assert any(o.id not in item.knockout for o in item.options), item.id
    ready = {item.id: max(item.options, key=lambda o: o.points).id for item in bank.items}
    assert all(s.normalized == 100.0 for s in scoring.score(bank, ready))


def test_the_readiness_questions_never_ask_who_lives_at_home(shipped):
    words = re.compile(r"\b(children|child|kids|partner|spouse|husband|wife|married|"
                       r"pregnan\w*|age|sex|gender)\b", re.IGNORECASE)
    for item in shipped["home_office"].items:
        texts = [item.text, *(option.text for option in item.options)]
        assert not any(words.search(text) for text in texts), item.id


def test_the_typing_test_has_six_or_more_realistic_call_notes(shipped):
    bank = shipped["typing"]
    (item,) = bank.items
    assert (item.id, item.type, item.seconds) == ("call_notes", "typing", 60)
    assert item.text == "Copy the call note below as quickly and accurately as you can."
    assert len(item.passages) >= 6 and len(set(item.passages)) == len(item.passages)
    for passage in item.passages:
        assert 45 <= len(passage.split()) <= 70, passage
        assert passage.isascii() and passage.endswith("."), passage
        assert "@" not in passage and not re.search(r"\d{7,}", passage), "no personal data"


def test_cli_lists_all_four_shipped_banks(app):
    result = app.test_cli_runner().invoke(args=["assessments", "list"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert set(listed) == set(SHIPPED)
    assert "120 items" in listed["work_style"] and "Work-style questionnaire" in listed[
        "work_style"]
    assert "Customer situations" in listed["soft_skills"]
    assert "Home-office readiness" in listed["home_office"]
    assert "Typing test" in listed["typing"] and "5 min" in listed["typing"]
