"""The browser's SCORM runtime (courses/static/scorm_runtime.js) against the server's session
(courses/scorm/rte.py): the same calls over the same table give the same answers, error codes and
diagnostics, and onCommit receives the changes the server's replay accepts.

Node runs the scenarios through tests/js/scorm_runtime_harness.mjs; Python runs them through
rte.Session. Where the two must differ (the browser stores asynchronously; the LMS's 2004 status
evaluation is on the browser's GetValue only) the browser is held to the expected answers.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from courses.scorm import datamodel, rte

pytestmark = pytest.mark.skipif(shutil.which("node") is None,
                                reason="needs Node.js to run the browser runtime")

HARNESS = Path(__file__).parent / "js" / "scorm_runtime_harness.mjs"
PREFIX = {"1.2": "LMS", "2004": ""}
END = {"1.2": "LMSFinish", "2004": "Terminate"}


def api(version, function):
    """A 2004 function name ("Commit") in `version`."""
    return END[version] if function == "Terminate" else PREFIX[version] + function


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    path = tmp_path_factory.mktemp("scorm") / "tables.json"
    path.write_text(json.dumps({v: datamodel.table_as_json(v) for v in datamodel.VERSIONS}))
    return path


def run_js(tables, scenarios):
    run = subprocess.run(["node", str(HARNESS), str(tables)], input=json.dumps(scenarios),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def run_python(scenario):
    """What rte.Session answers to the scenario, in the harness's format; commits are stored at
    once (the browser's are released by its steps)."""
    version = scenario["version"]
    commits = []
    answers = list(scenario.get("stores", ()))

    def on_commit(changes):
        commits.append([[list(change) for change in changes], None])
        return answers.pop(0) if answers else True

    session = rte.Session(version, scenario.get("values", {}), on_commit=on_commit)
    observations = []
    for step, *args in scenario["steps"]:
        if step in ("release", "settle"):
            observations.append(None)
        elif step == "pending":
            observations.append([list(change) for change in session.changes])
        elif step == "state":
            observations.append(session.status)
        else:
            answer = session.call(step, *args)
            observations.append([answer, session.call(api(version, "GetLastError")),
                                 session.call(api(version, "GetDiagnostic"), "")])
    return {"observations": observations, "commits": commits}


def assert_parity(tables, scenarios):
    """Both runtimes answer every step alike; the browser's onCommit receives what the session's
    does, plus the call Terminate makes even with nothing new (flagged terminate)."""
    for scenario, browser in zip(scenarios, run_js(tables, scenarios), strict=True):
        server = run_python(scenario)
        steps = scenario["steps"]
        for step, got, expected in zip(steps, browser["observations"], server["observations"],
                                       strict=True):
            assert got == expected, (scenario["version"], step, scenario.get("values"))
        assert [c for c, _ in browser["commits"] if c] == [c for c, _ in server["commits"]]
        ended = any(step[0] == END[scenario["version"]] and got[0] == "true"
                    for step, got in zip(steps, browser["observations"], strict=True))
        assert [t for _, t in browser["commits"]].count(True) == int(ended)


# --- Values that pass and fail, for every value type of both tables ------------------------

def _string(spm, letter="c"):
    return (letter * spm, [letter * (spm + 1)])


SAMPLES = {  # type name -> (a value that passes, [values that fail])
    "CMIString255": _string(255),
    "CMIString4096": _string(4096, "s"),
    "CMIIdentifier": ("q-1_\u00e9", ["has space", "", "i" * 256]),
    "CMIInteger": ("99999", ["100000", "-1"]),
    "CMISInteger": ("-1", ["1.5", "--1"]),
    "CMIDecimal": ("2.5e1", ["1,5", "", "1e"]),
    "CMIDecimal or CMIBlank": ("85", ["abc", "1.2.3"]),
    "CMITimespan": ("0000:12:30.5", ["12:30", "00:61:00"]),
    "CMITime": ("23:59:59.99", ["24:00:00", "9:00:00"]),
    "CMIFeedback": ("any answer, within 255", ["f" * 256]),
    "CMIFeedback:true-false": ("t", ["maybe", "True"]),
    "CMIFeedback:numeric": ("-1.5", ["one"]),
    "CMIVocabulary:Result": ("0.5", ["right", "wrong "]),
    "integer": ("3", ["-3", "3.0"]),
    "time(second,10,0)": ("2024-03-01T12:30:45.5Z", ["2024-13-01", "1969", "2024-03-01T25"]),
    "real(10,7)": ("0.5", ["1/2", "0x10", " 1"]),
    "long_identifier_type(SPM 4000)": ("urn:wah:q:1", ["urn:x", "has space", "i" * 4001]),
    "timeinterval(second,10,2)": ("PT1H2M3.5S", ["P", "PT", "1H"]),
    "language_type(SPM 250)": ("en-US", ["english", "en_US"]),
    "state:nav_request": ("{target=intro}choice", ["{target=intro}go", "next"]),
    "state:result or real(10,7)": ("-3.5", ["wrong", "1e"]),
    **{
        f"{kind}:{itype}": samples
        for kind in ("learner_response", "correct_response_pattern")
        for itype, samples in {
            "true-false": ("true", ["t", "1"]),
            "choice": ("a[,]b", ["a[,]", "a b"]),
            "sequencing": ("a[,]b", ["", "a[,]"]),
            "likert": ("agree", ["a[,]b"]),
            "matching": ("a[.]1[,]b[.]2", ["a[.]", "a[,]b"]),
        }.items()
    },
    "learner_response:numeric": ("3.5", ["1[:]2", "x"]),
    "correct_response_pattern:numeric": ("1[:]2", ["x", "1[:]2[:]3"]),
    # Free text: fill-in, long-fill-in, performance and other keep these.
    "learner_response": ("free text {case_matters=true}", ["f" * 4001]),
    "correct_response_pattern": ("free text {order_matters=false}", ["f" * 4001]),
}


def sample(vtype):
    """(passing value, failing values) for a type: from SAMPLES, or from its vocabulary and SPM."""
    if vtype["name"] in SAMPLES:
        return SAMPLES[vtype["name"]]
    if vtype["vocabulary"]:
        return vtype["vocabulary"][-1], ["bogus", vtype["vocabulary"][0].upper() + "x"]
    if vtype["localized"]:
        spm = vtype["spm"]
        return "{lang=en-US}" + "l" * spm, ["l" * (spm + 1), "{lang=}x", "{lang=english}x"]
    return _string(vtype["spm"])


def concrete(pattern, index="0"):
    return pattern.replace(".n.", f".{index}.").replace("{target=ID}", "{target=intro}")


def _types(table):
    """Every type and interaction-specific type, by name."""
    found = {}
    nested = list(table["types"].values())
    while nested:
        vtype = nested.pop()
        found[vtype["name"]] = vtype
        nested += vtype["by_interaction_type"].values()
    return found


def element_scenarios(version):
    """For each row (and each interaction type a row reads), an attempt that reads it, writes
    it out of order, with values that fail and one that passes, reads it back and misuses
    keywords on it; read-only rows are seeded with a passing value."""
    table = datamodel.table_as_json(version)
    types = table["types"]
    scenarios = []
    for row in table["elements"]:
        vtype = types[row["type"]]
        name = concrete(row["pattern"])
        # A response's format follows its interaction's type; fill-in keeps the free text.
        by_type = vtype["by_interaction_type"]
        for itype in [*by_type, "fill-in"] if by_type else [None]:
            good, bad = sample(by_type.get(itype, vtype))
            values = seeded(row, name, good)
            steps = [[api(version, "Initialize"), ""], [api(version, "GetValue"), name]]
            if "n" in row["pattern"].split("."):
                far = concrete(row["pattern"], "2")
                steps += [[api(version, "SetValue"), far, good], [api(version, "GetValue"), far]]
            for required in row["requires"]:
                steps.append([api(version, "SetValue"), concrete(required),
                              sample(types[_row(table, required)["type"]])[0]])
            if itype is not None:
                steps.append([api(version, "SetValue"), concrete(table["interaction_type"]), itype])
            steps += [[api(version, "SetValue"), name, value] for value in bad]
            if vtype["numeric"] and row["range"]:
                low, high = row["range"]
                steps += [[api(version, "SetValue"), name, str(end)]
                          for end in (low, high, low - 1 if low is not None else None,
                                      high + 1 if high is not None else None) if end is not None]
            steps += [
                [api(version, "SetValue"), name, good],
                [api(version, "GetValue"), name],
                [api(version, "GetValue"), f"{name}._children"],
                [api(version, "GetValue"), f"{name}._count"],
                [api(version, "SetValue"), f"{name}._children", "x"],
                [api(version, "GetDiagnostic"), "406"],
                [api(version, "Commit"), ""],
                ["settle"],
                ["pending"],
                [api(version, "Terminate"), ""],
                ["settle"],
            ]
            scenarios.append({"version": version, "values": values, "steps": steps})
    return scenarios


def seeded(row, name, good):
    """A read-only value as the server seeds it (with its record counted); keywords unseeded."""
    if row["access"] != "ro" or row["pattern"].split(".")[-1].startswith("_"):
        return {}
    parts = name.split(".")
    counts = {".".join(parts[:pos]) + "._count": 1
              for pos, segment in enumerate(row["pattern"].split(".")) if segment == "n"}
    return {**counts, name: good}


def _row(table, pattern):
    return next(row for row in table["elements"] if row["pattern"] == pattern)


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_every_element_and_value_type_gets_the_same_answers(tables, version):
    table = datamodel.table_as_json(version)
    free_text = {"learner_response", "correct_response_pattern"}
    assert {name for name, vtype in _types(table).items()
            if vtype["regex"] and not vtype["vocabulary"]} - set(SAMPLES) == set()
    assert free_text & set(_types(table)) <= set(SAMPLES)
    scenarios = element_scenarios(version)
    assert_parity(tables, scenarios)
    # The scenarios do reach every writable row: each one's passing value is stored.
    browser = run_js(tables, scenarios)
    stored = {
        scenario["steps"][-11][1]
        for scenario, result in zip(scenarios, browser, strict=True)
        if result["observations"][-11][0] == "true"
    }
    writable = {concrete(row["pattern"]) for row in table["elements"] if row["access"] != "ro"}
    assert stored == writable


SEED = {
    "2004": {"cmi.learner_id": "urn:wah:agent:42", "cmi.learner_name": "Rivera, Ana"},
    "1.2": {"cmi.core.student_id": "agent42", "cmi.core.student_name": "Rivera, Ana"},
}
NAME = {"2004": "cmi.location", "1.2": "cmi.core.lesson_location"}


def calls(version):
    """Every API function, with good and bad arguments."""
    get, set_ = api(version, "GetValue"), api(version, "SetValue")
    return [
        [get, NAME[version]], [set_, NAME[version], "p1"], [get, NAME[version]],
        [api(version, "Initialize"), "x"], [api(version, "Initialize"), ""],
        [api(version, "Initialize")],
        [api(version, "Commit"), "x"], [api(version, "Commit"), ""], [api(version, "Commit")],
        [api(version, "GetLastError")], [api(version, "GetErrorString"), "301"],
        [api(version, "GetDiagnostic"), ""], [api(version, "GetDiagnostic")],
        [api(version, "Terminate"), "x"], [api(version, "Terminate"), ""],
    ]


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_calls_in_every_state_get_the_same_answers(tables, version):
    """Each call before Initialize, while running and after Terminate (2004: 103/104/112/113/
    122/123/132/133/142/143 and 201 for an argument; 1.2: 101/301/201)."""
    init, end = [api(version, "Initialize"), ""], [api(version, "Terminate"), ""]
    scenarios = [
        {"version": version, "values": SEED[version],
         "steps": [*before, call, ["state"], ["settle"]]}
        for before in ([], [init], [init, end], [init, [api(version, "Initialize"), "x"]])
        for call in calls(version)
    ]
    scenarios.append({"version": version, "values": SEED[version],
                      "steps": [*calls(version), ["state"], *calls(version), ["state"]]})
    assert_parity(tables, scenarios)
    first = [result["observations"][0][1] for result in run_js(tables, scenarios[:15])]
    assert set(first) == {"2004": {"122", "132", "142", "112", "201", "0"},
                          "1.2": {"301", "201", "0"}}[version]


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_error_strings_and_diagnostics_are_the_same(tables, version):
    table = datamodel.table_as_json(version)
    string, diagnostic = api(version, "GetErrorString"), api(version, "GetDiagnostic")
    probes = [*table["errors"], *map(int, table["errors"]), "", "999", "abc", "0401", " 401",
              "4.01", None, 401.5]
    steps = [[api(version, "Initialize"), ""],
             [api(version, "SetValue"), "cmi.suspend_data", "s" * 70000],
             *([string, probe] for probe in probes),
             *([diagnostic, probe] for probe in probes),
             [api(version, "GetValue"), "cmi.bogus.thing"],
             [diagnostic, ""],
             [api(version, "SetValue"), NAME[version] + "x", "quote's \"both\"\tand\ncontrols\x7f"],
             [api(version, "SetValue"), "cmi.it's", "back\\slash"],
             [api(version, "SetValue"), NAME[version] + "x", "it's"],
             [api(version, "SetValue"), NAME[version] + "x", "\u00e9\u00a0"],
             [api(version, "GetValue"), ""], [api(version, "SetValue"), "", "x"]]
    assert_parity(tables, [{"version": version, "values": {}, "steps": steps}])


ARRAYS = {
    "2004": [
        ("SetValue", "cmi.interactions.1.id", "q2"),  # out of order: 351
        ("GetValue", "cmi.interactions.0.id"),  # no record yet: 301
        ("SetValue", "cmi.interactions.0.type", "choice"),  # needs the id first: 408
        ("SetValue", "cmi.interactions.0.id", "q1"),
        ("SetValue", "cmi.interactions.0.learner_response", "a"),  # needs the type: 408
        ("SetValue", "cmi.interactions.0.type", "choice"),
        ("SetValue", "cmi.interactions.0.learner_response", "a[,]b"),
        ("SetValue", "cmi.interactions.0.correct_responses.1.pattern", "a"),
        ("SetValue", "cmi.interactions.0.correct_responses.0.pattern", "a"),
        ("SetValue", "cmi.interactions.0.objectives.0.id", "o1"),
        ("SetValue", "cmi.interactions.0.objectives.1.id", "o1"),  # duplicate: 351
        ("SetValue", "cmi.interactions.0.objectives.1.id", "o2"),
        ("GetValue", "cmi.interactions.0.objectives._count"),
        ("GetValue", "cmi.interactions.1.objectives._count"),
        ("SetValue", "cmi.interactions.1.id", "q1"),  # interactions' ids may repeat
        ("GetValue", "cmi.interactions._count"),
        ("SetValue", "cmi.objectives.0.score.raw", "5"),  # 408
        ("SetValue", "cmi.objectives.0.id", "o1"),
        ("SetValue", "cmi.objectives.1.id", "o1"),  # 351
        ("SetValue", "cmi.objectives.0.id", "o1"),  # the same record may keep its id
        ("SetValue", "cmi.objectives.1.id", "o2"),
        ("SetValue", "cmi.objectives.0.id", "o2"),  # 351
        ("SetValue", "cmi.objectives.1.success_status", "passed"),
        ("SetValue", "cmi.objectives.0.success_status", "failed"),  # keeps the count at 2
        ("GetValue", "cmi.objectives._count"),
        ("GetValue", "cmi.objectives.2.id"),
        ("GetValue", "cmi.objectives.1.id"),
        ("GetValue", "cmi.objectives.1.completion_status"),  # never set: 403
        ("GetValue", "cmi.objectives._children"),
        ("GetValue", "cmi.objectives.5.score._children"),  # describes the model: no record needed
        ("GetValue", "cmi.comments_from_lms.0.comment"),
        ("GetValue", "cmi.comments_from_lms._count"),
        ("SetValue", "cmi.comments_from_lms.0.comment", "x"),
        ("GetValue", "cmi.interactions.n.id"),
        ("GetValue", "cmi.interactions.01.id"),
        ("GetValue", "adl.nav.request_valid.choice.{target=intro}"),
        ("GetValue", "adl.nav.request_valid.choice.{target=in tro}"),
        ("SetValue", "adl.nav.request", "{target=intro}choice"),
        ("GetValue", "cmi._children"),
        ("GetValue", "cmi._count"),
        ("SetValue", "cmi._version", "2.0"),
        ("GetValue", "cmi._version"),
        ("GetValue", "cmi.learner_preference._children"),
        ("GetValue", "cmi.learner_preference.audio_level"),
        ("GetValue", "__proto__"),
        ("SetValue", "constructor", "x"),
        ("SetValue", "cmi.interactions.0.constructor", "x"),
    ],
    "1.2": [
        ("LMSSetValue", "cmi.interactions.1.id", "q2"),  # out of order: 201
        ("LMSGetValue", "cmi.interactions.0.id"),  # write-only: 404
        ("LMSSetValue", "cmi.interactions.0.objectives.0.id", "o1"),  # opens both records
        ("LMSGetValue", "cmi.interactions._count"),
        ("LMSGetValue", "cmi.interactions.0.objectives._count"),
        ("LMSSetValue", "cmi.interactions.0.objectives.0.id", "o1"),
        ("LMSSetValue", "cmi.interactions.0.objectives.1.id", "o1"),  # 1.2 allows repeats
        ("LMSSetValue", "cmi.interactions.0.student_response", "maybe"),  # no type yet: free text
        ("LMSSetValue", "cmi.interactions.0.type", "true-false"),
        ("LMSSetValue", "cmi.interactions.0.student_response", "maybe"),  # 405
        ("LMSSetValue", "cmi.interactions.0.correct_responses.0.pattern", "t"),
        ("LMSGetValue", "cmi.interactions.0.correct_responses._count"),
        ("LMSSetValue", "cmi.objectives.0.score.raw", "101"),  # 405
        ("LMSSetValue", "cmi.objectives.0.score.raw", ""),
        ("LMSGetValue", "cmi.objectives._count"),
        ("LMSGetValue", "cmi.objectives.0.id"),  # never set: ""
        ("LMSGetValue", "cmi.objectives.0.score._children"),
        ("LMSGetValue", "cmi.objectives.3.score._children"),
        ("LMSGetValue", "cmi.objectives.3.status"),  # 201
        ("LMSGetValue", "cmi.core._children"),
        ("LMSGetValue", "cmi.core._count"),  # 203
        ("LMSGetValue", "cmi.core.student_id._children"),  # 202
        ("LMSSetValue", "cmi.core._children", "x"),  # 402
        ("LMSGetValue", "cmi._version"),
        ("LMSGetValue", "cmi.student_data._children"),
        ("LMSGetValue", "cmi.student_data.mastery_score"),
        ("LMSSetValue", "cmi.core.lesson_status", "not attempted"),  # 405
        ("LMSSetValue", "cmi.objectives.0.status", "not attempted"),
        ("LMSGetValue", "cmi.core.exit"),
        ("LMSSetValue", "cmi.core.exit", "suspend"),
        ("LMSGetValue", "cmi.core.session_time"),
        ("LMSGetValue", "__proto__"),
        ("LMSGetValue", "cmi.core.toString"),
    ],
}


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_arrays_dependencies_duplicates_and_keywords_get_the_same_answers(tables, version):
    steps = [[api(version, "Initialize"), ""], *map(list, ARRAYS[version]),
             [api(version, "Commit"), ""], ["settle"], ["pending"]]
    seeded = {"cmi.student_data.mastery_score": "80"} if version == "1.2" else {
        "cmi.comments_from_lms._count": 1, "cmi.comments_from_lms.0.comment": "{lang=en}Hi"}
    assert_parity(tables, [{"version": version, "values": seeded, "steps": steps}])


LIMIT = {"1.2": 4096, "2004": 64000}


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_suspend_data_at_the_limit_and_characters_not_code_units(tables, version):
    limit, set_ = LIMIT[version], api(version, "SetValue")
    steps = [[api(version, "Initialize"), ""],
             [set_, "cmi.suspend_data", "s" * limit],
             [set_, "cmi.suspend_data", "s" * (limit + 1)],
             [set_, "cmi.suspend_data", "\U0001f600" * limit],  # two UTF-16 units each
             [set_, "cmi.suspend_data", "\U0001f600" * (limit + 1)],
             [api(version, "GetValue"), "cmi.suspend_data"],
             [api(version, "Terminate"), ""], ["settle"]]
    if version == "2004":
        steps[1:1] = [[set_, "cmi.interactions.0.id", "q1"],
                      [set_, "cmi.interactions.0.description", "{lang=fr}" + "\u00e9" * 250],
                      [set_, "cmi.interactions.0.description", "{lang=fr}" + "\u00e9" * 251],
                      [set_, "cmi.interactions.0.description", "\U0001f600" * 250],
                      [set_, "cmi.interactions.0.description", "{lang=en-US-x}" + "x"]]
    assert_parity(tables, [{"version": version, "values": {}, "steps": steps}])


def test_what_on_commit_receives_and_when_the_list_is_cleared(tables):
    steps = [
        ["Initialize", ""],
        ["SetValue", "cmi.location", "p1"],
        ["SetValue", "cmi.location", "p1 "],  # every accepted call is sent, in order
        ["SetValue", "cmi.score.scaled", "2"],
        ["Commit", ""], ["settle"], ["pending"],
        ["Commit", ""], ["settle"],  # nothing new: onCommit is not called
        ["SetValue", "cmi.interactions.0.id", "q1"], ["SetValue", "cmi.exit", "suspend"],
        ["pending"], ["Terminate", ""], ["settle"], ["pending"], ["state"],
    ]
    scenario = {"version": "2004", "values": {}, "steps": steps}
    assert_parity(tables, [scenario])
    browser = run_js(tables, [scenario])[0]
    assert browser["commits"] == [
        [[["cmi.location", "p1"], ["cmi.location", "p1 "]], False],
        [[["cmi.interactions.0.id", "q1"], ["cmi.exit", "suspend"]], True],
    ]


def test_terminate_tells_the_server_even_with_nothing_new(tables):
    steps = [["LMSInitialize", ""], ["LMSFinish", ""], ["settle"], ["state"]]
    browser = run_js(tables, [{"version": "1.2", "steps": steps}])[0]
    assert browser["commits"] == [[[], True]]
    assert browser["observations"][-1] == "terminated"


def test_a_failed_store_is_reported_by_the_next_commit_and_sent_again(tables):
    """The API answers at once; a store that fails keeps its changes (in order, ahead of newer
    ones) and the next Commit or Terminate says so once, sending them again."""
    steps = [
        ["Initialize", ""],  # 0
        ["SetValue", "cmi.location", "p1"],
        ["Commit", ""],  # 2: handed over, answered at once
        ["pending"],  # 3: not confirmed yet
        ["SetValue", "cmi.location", "p2"],
        ["Commit", ""],  # 5: waits for the first store
        ["release"],  # 6: the first store fails; the waiting commit sends both changes
        ["release"],  # 7: ...and fails too
        ["pending"],  # 8
        ["SetValue", "cmi.suspend_data", "x"],
        ["Commit", ""],  # 10: says it failed and sends again
        ["Commit", ""],  # 11: reported once; nothing new to send
        ["release"],  # 12: onCommit's promise is rejected
        ["Terminate", ""],  # 13: says it failed, stays running, sends again
        ["state"],  # 14
        ["release"],  # 15: stored
        ["pending"],  # 16
        ["Terminate", ""],  # 17
        ["settle"],
        ["pending"],  # 19
        ["state"],  # 20
    ]
    scenario = {"version": "2004", "stores": [False, False, "reject"], "steps": steps}
    browser = run_js(tables, [scenario])[0]
    seen = browser["observations"]
    assert {i: seen[i][:2] for i in (2, 5, 10, 11, 13, 17)} == {
        2: ["true", "0"], 5: ["true", "0"], 10: ["false", "391"], 11: ["true", "0"],
        13: ["false", "111"], 17: ["true", "0"]}
    assert seen[10][2] == "Commit(''): General Commit Failure"
    both = [["cmi.location", "p1"], ["cmi.location", "p2"]]
    assert seen[3] == both[:1] and seen[8] == both and seen[16] == seen[19] == []
    assert (seen[14], seen[20]) == ("running", "terminated")
    every = [*both, ["cmi.suspend_data", "x"]]
    assert browser["commits"] == [
        [both[:1], False], [both, False], [every, False], [every, False], [[], True]]


def test_1_2_reports_a_failed_store_as_a_general_exception(tables):
    steps = [["LMSInitialize", ""], ["LMSSetValue", "cmi.core.lesson_status", "completed"],
             ["LMSCommit", ""], ["release"], ["LMSCommit", ""], ["LMSFinish", ""], ["settle"]]
    browser = run_js(tables, [{"version": "1.2", "stores": [False], "steps": steps}])[0]
    assert [seen[:2] for seen in browser["observations"] if seen] == [
        ["true", "0"], ["true", "0"], ["true", "0"], ["false", "101"], ["true", "0"]]


def test_numbers_from_content_are_stored_as_their_text(tables):
    """Content often passes numbers (the standard says strings, which rte.py insists on); the
    browser takes String(value), so the commit carries a string the server accepts."""
    steps = [["Initialize", ""], ["SetValue", "cmi.score.raw", 85],
             ["SetValue", "cmi.score.scaled", 2 / 3], ["SetValue", "cmi.progress_measure", 2],
             ["SetValue", "cmi.location", None], ["GetValue", "cmi.score.raw"],
             ["Commit", ""], ["settle"]]
    browser = run_js(tables, [{"version": "2004", "steps": steps}])[0]
    assert [seen[1] for seen in browser["observations"][1:6]] == ["0", "0", "407", "406", "0"]
    changes = browser["commits"][0][0]
    assert changes == [["cmi.score.raw", "85"], ["cmi.score.scaled", "0.6666666666666666"]]
    assert rte.replay("2004", {}, changes)[1] == []


EVALUATION = [  # (seeded, set by the SCO, completion_status, success_status)
    ({}, {}, "unknown", "unknown"),
    ({}, {"cmi.completion_status": "completed", "cmi.success_status": "failed"},
     "completed", "failed"),
    ({"cmi.completion_threshold": "0.8"}, {}, "unknown", "unknown"),
    ({"cmi.completion_threshold": "0.8"}, {"cmi.completion_status": "completed"},
     "unknown", "unknown"),
    ({"cmi.completion_threshold": "0.8"}, {"cmi.progress_measure": "0.8"}, "completed", "unknown"),
    ({"cmi.completion_threshold": "0.8"},
     {"cmi.progress_measure": "0.79", "cmi.completion_status": "completed"},
     "incomplete", "unknown"),
    ({"cmi.scaled_passing_score": "0.7"}, {"cmi.success_status": "passed"}, "unknown", "unknown"),
    ({"cmi.scaled_passing_score": "0.7"}, {"cmi.score.scaled": "0.7"}, "unknown", "passed"),
    ({"cmi.scaled_passing_score": "0.7"},
     {"cmi.score.scaled": "0.69", "cmi.success_status": "passed"}, "unknown", "failed"),
    ({"cmi.scaled_passing_score": "-1"}, {"cmi.score.scaled": "-1"}, "unknown", "passed"),
    ({"cmi.completion_threshold": "0", "cmi.scaled_passing_score": "0.5"},
     {"cmi.progress_measure": "0", "cmi.score.scaled": "1e-1"}, "completed", "failed"),
]


@pytest.mark.parametrize("seeded,sets,completion,success", EVALUATION)
def test_2004_statuses_are_evaluated_from_the_threshold_and_passing_score(
        tables, seeded, sets, completion, success):
    """The LMS's evaluation (RTE 4.2.4.1, 4.2.22) on GetValue; what the SCO set is still what
    the commit carries."""
    steps = [["Initialize", ""], *(["SetValue", n, v] for n, v in sets.items()),
             ["GetValue", "cmi.completion_status"], ["GetValue", "cmi.success_status"],
             ["Commit", ""], ["settle"]]
    browser = run_js(tables, [{"version": "2004", "values": seeded, "steps": steps}])[0]
    assert [seen[:2] for seen in browser["observations"][-4:-2]] == [
        [completion, "0"], [success, "0"]]
    assert browser["commits"][:1] == ([[[list(item) for item in sets.items()], False]]
                                      if sets else [])


def test_the_api_objects_and_their_state(tables):
    steps = [["initialized"], ["state"], ["Initialize", "x"], ["initialized"], ["state"],
             ["LMSInitialize", ""], ["Initialize", ""], ["state"]]
    browser = run_js(tables, [{"version": "2004", "steps": steps}])[0]["observations"]
    assert browser[:2] == [False, "not initialized"] and browser[3:5] == [True, "not initialized"]
    assert browser[5] == ["no such function", "LMSInitialize"] and browser[7] == "running"
    steps = [[name] for name in rte.API["1.2"]] + [["Initialize"], ["state"]]
    browser = run_js(tables, [{"version": "1.2", "steps": steps}])[0]["observations"]
    assert all(seen[0] != "no such function" for seen in browser[:8])
    assert browser[8:] == [["no such function", "Initialize"], "terminated"]
