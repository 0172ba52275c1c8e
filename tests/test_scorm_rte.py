"""The SCORM API session driven as content drives it: state errors (2004 RTE 3.1.7, 1.2 RTE 3.3),
GetLastError / GetErrorString / GetDiagnostic, commits, and replaying a commit on the server."""

import pytest

from courses.scorm import rte
from courses.scorm.rte import Session, replay

LEARNER_2004 = {
    "cmi.learner_id": "urn:wah:agent:42",
    "cmi.learner_name": "Rivera, Ana",
    "cmi.credit": "credit",
    "cmi.mode": "normal",
    "cmi.entry": "ab-initio",
    "cmi.launch_data": "lang=en",
    "cmi.completion_threshold": "0.8",
    "cmi.scaled_passing_score": "0.7",
    "cmi.max_time_allowed": "PT1H",
    "cmi.time_limit_action": "exit,message",
    "cmi.total_time": "PT10M",
}
LEARNER_12 = {
    "cmi.core.student_id": "agent42",
    "cmi.core.student_name": "Rivera, Ana",
    "cmi.core.credit": "credit",
    "cmi.core.lesson_mode": "normal",
    "cmi.core.entry": "ab-initio",
    "cmi.launch_data": "lang=en",
}


def session_in(version, status, **kwargs):
    session = Session(version, {"2004": LEARNER_2004, "1.2": LEARNER_12}[version], **kwargs)
    prefix = "" if version == "2004" else "LMS"
    if status != rte.NOT_INITIALIZED:
        assert session.call(f"{prefix}Initialize", "") == "true"
    if status == rte.TERMINATED:
        assert session.call("Terminate" if version == "2004" else "LMSFinish", "") == "true"
    assert session.status == status
    return session


STATE_ERRORS = [  # (version, state, call, arguments, error)
    ("2004", rte.RUNNING, "Initialize", ("",), "103"),
    ("2004", rte.TERMINATED, "Initialize", ("",), "104"),
    ("2004", rte.NOT_INITIALIZED, "Terminate", ("",), "112"),
    ("2004", rte.TERMINATED, "Terminate", ("",), "113"),
    ("2004", rte.NOT_INITIALIZED, "GetValue", ("cmi.learner_id",), "122"),
    ("2004", rte.TERMINATED, "GetValue", ("cmi.learner_id",), "123"),
    ("2004", rte.NOT_INITIALIZED, "SetValue", ("cmi.location", "p1"), "132"),
    ("2004", rte.TERMINATED, "SetValue", ("cmi.location", "p1"), "133"),
    ("2004", rte.NOT_INITIALIZED, "Commit", ("",), "142"),
    ("2004", rte.TERMINATED, "Commit", ("",), "143"),
    ("2004", rte.NOT_INITIALIZED, "Initialize", ("x",), "201"),
    ("2004", rte.RUNNING, "Terminate", ("x",), "201"),
    ("2004", rte.RUNNING, "Commit", ("x",), "201"),
    ("1.2", rte.RUNNING, "LMSInitialize", ("",), "101"),
    ("1.2", rte.TERMINATED, "LMSInitialize", ("",), "101"),
    ("1.2", rte.NOT_INITIALIZED, "LMSFinish", ("",), "301"),
    ("1.2", rte.TERMINATED, "LMSFinish", ("",), "301"),
    ("1.2", rte.NOT_INITIALIZED, "LMSGetValue", ("cmi.core.student_id",), "301"),
    ("1.2", rte.TERMINATED, "LMSGetValue", ("cmi.core.student_id",), "301"),
    ("1.2", rte.NOT_INITIALIZED, "LMSSetValue", ("cmi.core.lesson_location", "p1"), "301"),
    ("1.2", rte.TERMINATED, "LMSSetValue", ("cmi.core.lesson_location", "p1"), "301"),
    ("1.2", rte.NOT_INITIALIZED, "LMSCommit", ("",), "301"),
    ("1.2", rte.TERMINATED, "LMSCommit", ("",), "301"),
    ("1.2", rte.NOT_INITIALIZED, "LMSInitialize", ("x",), "201"),
    ("1.2", rte.RUNNING, "LMSFinish", ("x",), "201"),
    ("1.2", rte.RUNNING, "LMSCommit", ("x",), "201"),
]


@pytest.mark.parametrize("version,status,function,arguments,error", STATE_ERRORS)
def test_calls_in_the_wrong_state(version, status, function, arguments, error):
    session = session_in(version, status)
    values = dict(session.values)
    answer = session.call(function, *arguments)
    assert answer == ("" if function.endswith("GetValue") else "false")
    prefix = "" if version == "2004" else "LMS"
    assert session.call(f"{prefix}GetLastError") == error
    text = session.call(f"{prefix}GetErrorString", error)
    assert text and text in session.call(f"{prefix}GetDiagnostic", "")
    assert session.status == status and session.values == values


def test_a_2004_attempt_as_content_makes_it():
    stored = []
    session = Session("2004", LEARNER_2004, on_commit=lambda changes: stored.append(changes) or 1)
    assert session.call("Initialize", "") == "true"
    assert session.call("GetLastError") == "0"
    assert session.call("GetValue", "cmi.learner_id") == "urn:wah:agent:42"
    assert session.call("GetValue", "cmi.completion_status") == "unknown"
    assert session.call("GetValue", "cmi.interactions._count") == "0"
    for name, value in (
        ("cmi.interactions.0.id", "urn:wah:q:greeting"),
        ("cmi.interactions.0.type", "choice"),
        ("cmi.interactions.0.learner_response", "b"),
        ("cmi.interactions.0.result", "correct"),
        ("cmi.score.scaled", "0.9"),
        ("cmi.location", "page-4"),
    ):
        assert session.call("SetValue", name, value) == "true", name
    assert session.call("Commit", "") == "true"
    assert stored[0][0] == ("cmi.interactions.0.id", "urn:wah:q:greeting") and len(stored[0]) == 6
    assert session.call("SetValue", "cmi.completion_status", "completed") == "true"
    assert session.call("SetValue", "cmi.exit", "suspend") == "true"
    assert session.call("SetValue", "cmi.session_time", "PT12M30S") == "true"
    assert session.call("Commit", "") == "true" and session.call("Commit", "") == "true"
    assert len(stored) == 2  # an empty commit stores nothing
    assert session.call("SetValue", "cmi.suspend_data", "s" * 64000) == "true"
    assert session.call("Terminate", "") == "true"  # Terminate commits what is pending
    assert stored[2] == [("cmi.suspend_data", "s" * 64000)]
    assert session.values["cmi.interactions._count"] == 1


def test_data_model_errors_through_the_2004_api():
    session = session_in("2004", rte.RUNNING)
    cases = [  # (call, arguments, last error)
        ("SetValue", ("cmi.learner_id", "someone-else"), "404"),
        ("SetValue", ("cmi.credit", "no-credit"), "404"),
        ("SetValue", ("cmi.interactions._count", "5"), "404"),
        ("SetValue", ("cmi.score.scaled", "1.0000001"), "407"),
        ("SetValue", ("cmi.completion_status", "done"), "406"),
        ("SetValue", ("cmi.suspend_data", "s" * 64001), "351"),
        ("SetValue", ("cmi.interactions.3.id", "q4"), "351"),
        ("SetValue", ("cmi.objectives.0.score.raw", "5"), "408"),
        ("SetValue", ("cmi.bogus", "x"), "401"),
        ("SetValue", ("", "x"), "351"),
        ("GetValue", ("cmi.exit",), "405"),
        ("GetValue", ("cmi.session_time",), "405"),
        ("GetValue", ("cmi.location",), "403"),
        ("GetValue", ("cmi.interactions.0.id",), "301"),
        ("GetValue", ("cmi.learner_id._children",), "301"),
        ("GetValue", ("",), "301"),
        ("GetValue", ("cmi.bogus",), "401"),
    ]
    for function, arguments, error in cases:
        answer = session.call(function, *arguments)
        assert answer == ("false" if function == "SetValue" else ""), arguments
        assert session.call("GetLastError") == error, arguments
    assert session.changes == [] and session.values == LEARNER_2004
    for name in ("cmi.credit", "cmi.mode", "cmi.entry", "cmi.total_time", "cmi.launch_data",
                 "cmi.completion_threshold", "cmi.scaled_passing_score", "cmi.max_time_allowed",
                 "cmi.time_limit_action", "cmi.learner_name"):
        assert session.call("GetValue", name) == LEARNER_2004[name]
        assert session.call("GetLastError") == "0"


def test_errors_are_kept_until_the_next_call_and_explained():
    session = session_in("2004", rte.RUNNING)
    assert session.call("SetValue", "cmi.score.scaled", "2") == "false"
    for _ in range(2):  # asking about the error does not clear it
        assert session.call("GetLastError") == "407"
    assert session.call("GetErrorString", "407") == "Data Model Element Value Out Of Range"
    diagnostic = session.call("GetDiagnostic", "")
    assert "cmi.score.scaled" in diagnostic and "-1..1" in diagnostic
    assert session.call("GetDiagnostic", "407") == diagnostic
    assert session.call("GetDiagnostic", "406") == "Data Model Element Type Mismatch"
    assert session.call("GetErrorString", "999") == "" and session.call("GetErrorString", "") == ""
    assert session.call("SetValue", "cmi.score.scaled", "1") == "true"
    assert session.call("GetLastError") == "0" and session.call("GetDiagnostic", "") == "No Error"
    assert session.call("SetValue", "cmi.suspend_data", "s" * 70000) == "false"
    assert len(session.call("GetDiagnostic", "")) < 300  # a long value is shortened


def test_a_1_2_attempt_as_content_makes_it():
    session = session_in("1.2", rte.RUNNING)
    assert session.call("LMSGetValue", "cmi.core.student_id") == "agent42"
    assert session.call("LMSGetValue", "cmi.core.lesson_status") == "not attempted"
    assert session.call("LMSGetValue", "cmi.core.lesson_location") == ""
    assert session.call("LMSGetLastError") == "0"
    assert session.call("LMSSetValue", "cmi.core.lesson_status", "incomplete") == "true"
    assert session.call("LMSSetValue", "cmi.interactions.0.id", "q1") == "true"
    assert session.call("LMSSetValue", "cmi.interactions.0.student_response", "b") == "true"
    assert session.call("LMSSetValue", "cmi.suspend_data", "s" * 4096) == "true"
    cases = [  # (call, arguments, last error)
        ("LMSSetValue", ("cmi.suspend_data", "s" * 4097), "405"),
        ("LMSSetValue", ("cmi.core.student_id", "x"), "403"),
        ("LMSSetValue", ("cmi.core._children", "x"), "402"),
        ("LMSSetValue", ("cmi.interactions.2.id", "q3"), "201"),
        ("LMSSetValue", ("cmi.core.score.raw", "101"), "405"),
        ("LMSGetValue", ("cmi.interactions.0.id",), "404"),
        ("LMSGetValue", ("cmi.core.exit",), "404"),
        ("LMSGetValue", ("cmi.core.student_id._children",), "202"),
        ("LMSGetValue", ("cmi.core._count",), "203"),
        ("LMSGetValue", ("cmi.core.bogus",), "401"),
    ]
    for function, arguments, error in cases:
        session.call(function, *arguments)
        assert session.call("LMSGetLastError") == error, arguments
        assert session.call("LMSGetErrorString", error)
    assert session.call("LMSFinish", "") == "true"
    assert session.changes == [] and session.status == rte.TERMINATED


@pytest.mark.parametrize("version,commit,end,failed", [
    ("2004", "Commit", "Terminate", ("391", "111")),
    ("1.2", "LMSCommit", "LMSFinish", ("101", "101")),
])
def test_a_commit_that_cannot_be_stored(version, commit, end, failed):
    session = session_in(version, rte.RUNNING, on_commit=lambda changes: False)
    name = {"2004": "cmi.location", "1.2": "cmi.core.lesson_location"}[version]
    assert session.set_value(name, "p2") == "true"
    assert session.call(commit, "") == "false" and session.get_last_error() == failed[0]
    assert session.call(end, "") == "false" and session.get_last_error() == failed[1]
    assert session.status == rte.RUNNING and session.changes == [(name, "p2")]  # kept for a retry
    session.on_commit = lambda changes: True
    assert session.call(end, "") == "true" and session.changes == []


def test_sessions_refuse_what_is_not_scorm():
    with pytest.raises(ValueError):
        Session("1.3")
    with pytest.raises(AttributeError):
        Session("2004").call("LMSInitialize", "")
    assert set(rte.API["1.2"]) == {
        "LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit",
        "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic",
    }
    session = session_in("2004", rte.RUNNING)
    assert session.call("SetValue", "cmi.location", 5) == "false"  # values are strings
    assert session.call("GetLastError") == "406"
    assert session.call("GetValue", None) == "" and session.call("GetLastError") == "401"


def test_replay_validates_a_commit_in_order():
    stored = {**LEARNER_2004, "cmi.objectives._count": 1, "cmi.objectives.0.id": "o1"}
    before = dict(stored)
    changes = [
        ("cmi.interactions.0.id", "q1"),
        ("cmi.interactions.0.type", "true-false"),
        ("cmi.interactions.0.learner_response", "maybe"),
        ("cmi.interactions.0.learner_response", "true"),
        ("cmi.objectives.1.id", "o1"),
        ("cmi.learner_id", "someone-else"),
        ("cmi.interactions.2.id", "q3"),
        ("cmi.score.scaled", "-1"),
    ]
    values, refused = replay("2004", stored, changes)
    assert refused == [
        ("cmi.interactions.0.learner_response", "maybe", 406),
        ("cmi.objectives.1.id", "o1", 351),
        ("cmi.learner_id", "someone-else", 404),
        ("cmi.interactions.2.id", "q3", 351),
    ]
    assert values["cmi.interactions.0.learner_response"] == "true"
    assert values["cmi.score.scaled"] == "-1" and values["cmi.interactions._count"] == 1
    assert stored == before
    # Out of order, the same calls fail on their dependency.
    assert replay("2004", {}, changes[1:2])[1] == [("cmi.interactions.0.type", "true-false", 408)]
    assert replay("1.2", {}, [("cmi.core.lesson_status", "passed")]) == (
        {"cmi.core.lesson_status": "passed"}, []
    )
