"""Bank files: the whole file is checked, every problem named with its line; the shipped banks
are valid and keep the IPIP texts exactly; the CLI lists, validates and scores."""

import json
from pathlib import Path

import pytest

from assessments import bank as banks
from tests.test_assessment_scoring import BANK


def problems_of(text: str) -> list[str]:
    with pytest.raises(banks.BankError) as caught:
        banks.load(text)
    return caught.value.problems


def test_a_valid_bank_loads_with_a_version_that_changes_with_any_edit():
    first = banks.load(BANK)
    assert [s.key for s in first.scales] == ["grit", "calm"]
    assert [i.id for i in first.items_of("grit")] == ["g1", "g2", "g3", "g4"]
    assert banks.load(BANK).version == first.version
    assert banks.load(BANK.replace("I work hard", "I work very hard")).version != first.version


def test_every_problem_is_reported_with_its_line_and_how_to_fix_it():
    broken = BANK.replace("keyed: minus}", "keyed: reversed}", 1) \
        .replace("I work hard, scale: grit,", "I work hard, scale: grits,") \
        .replace("sd: 4,", "sd: 0,") \
        .replace("{id: c1,", "{id: g1,")
    assert problems_of(broken) == [
        "line 9: 'sd' must be greater than 0",
        "line 14: 'keyed' must be plus or minus (minus: the answer is reversed)",
        "line 15: scale 'grits' is not among the bank's scales (calm, grit)",
        "line 17: item id 'g1' is used twice; ids are unique",
    ]


@pytest.mark.parametrize("text, problem", [
    ("", "line 1: the file is empty"),
    ("key: [unclosed", "line 1: not valid YAML"),
    ("key: a\n  bad: indent\n", "line 2: not valid YAML"),
    ("- a list\n- not a bank\n", "line 1: the bank must be a mapping"),
    ("key: a\nkey: b\n", "line 2: 'key' appears twice here; keep one"),
    (BANK.replace("choices: [Never, Rarely, Sometimes, Often, Always]", "choices: [Yes, No]"),
     "line 4: 'choices' must list 5 answer labels"),
    (BANK.replace("  - key: calm\n    title: Calm\n", "  - key: calm\n    title: Calm\n"
                  "  - key: spare\n    title: Spare\n"), "line 12: scale 'spare' has no items"),
    (BANK.replace("{id: c1, text: I stay calm, scale: calm}",
                  "{id: c1, type: essay, text: Explain, scale: calm}"),
     "line 17: unknown item type 'essay' (known: likert, single_choice, multiple_choice, "
     "sjt, text, typing)"),
    (BANK + "time_limit_minutes: 0\n", "line 18: 'time_limit_minutes' must be a whole number"),
    (b"key: \xff\n", "line 1: the file is not UTF-8 text"),
])
def test_bad_files_are_refused_with_a_line(text, problem):
    assert any(p.startswith(problem) for p in problems_of(text)), problems_of(text)


IPIP = Path(__file__).resolve().parents[2] / "shared/data/ipip"
DOMAINS = {"N": "neuroticism", "E": "extraversion", "O": "openness", "A": "agreeableness",
           "C": "conscientiousness"}
SELF_DIRECTION = {1: "self_efficacy", 3: "dutifulness", 4: "achievement_striving",
                  5: "self_discipline"}  # conscientiousness facets C1, C3, C4, C5


def test_the_shipped_work_style_bank_is_valid_and_keeps_the_ipip_texts():
    bank = banks.shipped()["work_style"]
    assert (bank.step, bank.order, bank.time_limit_minutes) == ("personality_fit", 1, 25)
    assert len(bank.items) == 120 and {item.type for item in bank.items} == {"likert"}
    assert bank.choices[0] == "Very inaccurate" and bank.choices[-1] == "Very accurate"
    by_id = {item.id: item for item in bank.items}
    # the ids, texts and keys the former self_direction bank used are kept
    assert (by_id["c5_1"].text, by_id["c5_1"].keyed) == ("Am always prepared", "plus")
    assert (by_id["c5_4"].text, by_id["c5_4"].keyed) == ("Have difficulty starting tasks",
                                                           "minus")
    assert [i.id for i in bank.items_of("self_discipline")] == ["c5_1", "c5_2", "c5_3", "c5_4"]
    assert all(item.source.startswith("IPIP-NEO-120 ") for item in bank.items)
    for domain in DOMAINS.values():
        assert len(bank.items_of(domain)) == 24, domain
    for facet in SELF_DIRECTION.values():
        assert len(bank.items_of(facet)) == 4, facet

    source = IPIP / "ipip_neo_120_en_questions.json"
    if not source.exists():
        pytest.skip(f"{source} is absent (the shared data sits beside the repository)")
    published = json.loads(source.read_text(encoding="utf-8"))
    assert len(published) == 120
    numbers: dict = {}
    # the published order, each item's exact text and key, and the scales it counts towards
    for item, question in zip(bank.items, published, strict=True):
        domain, facet = question["domain"], question["facet"]
        numbers[domain, facet] = numbers.get((domain, facet), 0) + 1
        assert item.id == f"{domain.lower()}{facet}_{numbers[domain, facet]}"
        assert item.source == f"IPIP-NEO-120 {question['id']}", item.id
        assert (item.text, item.keyed) == (question["text"], question["keyed"]), item.id
        facets = (SELF_DIRECTION[facet],) if domain == "C" and facet in SELF_DIRECTION else ()
        assert item.scales == (DOMAINS[domain], *facets), item.id


# --- the CLI ---------------------------------------------------------------------------------

@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["assessments", *args])


def test_cli_lists_the_shipped_banks(cli):
    result = cli("list")
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.startswith("work_style "))
    assert "120 items" in line and "9 scales" in line and "25 min" in line


def test_cli_validate_exits_non_zero_with_line_level_errors(cli, tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(BANK)
    bad.write_text(BANK.replace("scale: calm}", "scale: mood}"))
    assert cli("validate", str(good)).exit_code == 0
    result = cli("validate", str(bad))
    assert result.exit_code == 1
    assert "line 17: scale 'mood' is not among the bank's scales" in result.output
    assert "line 10: scale 'calm' has no items" in result.output


def test_cli_scores_a_json_object_of_answers(cli, tmp_path):
    responses = tmp_path / "answers.json"
    # Self-discipline: c5_1 5, c5_2 4, c5_3 (minus) 2 -> 4, c5_4 (minus) 1 -> 5: raw 18;
    # T = 50 + 10 (18 - 13.75) / 3.27 = 63.00, percentile Phi(1.30) = 90.31, band high.
    responses.write_text(json.dumps({"c5_1": 5, "c5_2": 4, "c5_3": 2, "c5_4": 1}))
    result = cli("score", "work_style", "--responses", str(responses))
    assert result.exit_code == 0, result.output
    scales = json.loads(result.output)["scales"]
    scale = scales["self_discipline"]
    assert (scale["raw"], scale["mean"], scale["normalized"]) == (18.0, 4.5, 87.5)
    assert (scale["t_score"], scale["percentile"], scale["band"]) == (63.0, 90.31, "high")
    assert scales["dutifulness"]["answered"] == 0
    # the same four answers count towards the domain too: 4 of 24 is too few for a T-score
    domain = scales["conscientiousness"]
    assert (domain["answered"], domain["items"], domain["raw"]) == (4, 24, 18.0)
    assert (domain["t_score"], domain["band"]) == (None, None)


@pytest.mark.parametrize("content, message", [
    ('{"c5_1": 9}', "from 1 to 5"),
    ('{"nope": 1}', "not items of this bank: nope"),
    ("[1, 2]", "must be one JSON object"),
    ("{not json", "is not JSON"),
])
def test_cli_score_refuses_bad_responses_clearly(cli, tmp_path, content, message):
    responses = tmp_path / "answers.json"
    responses.write_text(content)
    result = cli("score", "work_style", "--responses", str(responses))
    assert result.exit_code == 1 and message in result.output


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True))


@pytest.mark.parametrize("text, problem", [
    (BILLION_LAUGHS, "line 1: anchors and aliases (& and *) are not allowed"),
    ("key: !!python/name:os.system x\n", "line 1: 'x' cannot be read with the tag"),
    ("key: " + "[" * 3000 + "]" * 3000 + "\n", "line 1: nested more than 12 levels deep"),
    ("key: " + "[" * 20 + "]" * 20 + "\n", "line 1: nested more than 12 levels deep"),
], ids=["alias-bomb", "python-tag", "very-deep", "deep"])
def test_hostile_yaml_is_refused_quickly_with_a_line(text, problem):
    assert any(p.startswith(problem) for p in problems_of(text)), problems_of(text)
