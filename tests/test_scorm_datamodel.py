"""The SCORM data model against the books: SCORM 1.2 RTE 3.4 and SCORM 2004 4th Edition RTE 4.2.

BOOK_* restate each element's access, type and vocabulary or range from the books' tables, apart
from the code, so a slip in the table shows up as a difference here.
"""

import json
import re
import shutil
import subprocess

import pytest

from courses.scorm import datamodel
from courses.scorm.datamodel import apply_set, check_get, check_set

S12 = ("passed", "completed", "failed", "incomplete", "browsed")
CMP = ("completed", "incomplete", "not attempted", "unknown")
TLA = ("exit,message", "exit,no message", "continue,message", "continue,no message")
SCORE12 = "CMIDecimal or CMIBlank"
BOOK_12 = {
    "cmi._version": ("ro", "CMIString255", None),
    "cmi.core._children": ("ro", "CMIString255", None),
    "cmi.core.student_id": ("ro", "CMIIdentifier", None),
    "cmi.core.student_name": ("ro", "CMIString255", None),
    "cmi.core.lesson_location": ("rw", "CMIString255", None),
    "cmi.core.credit": ("ro", "CMIVocabulary:Credit", ("credit", "no-credit")),
    "cmi.core.lesson_status": ("rw", "CMIVocabulary:LessonStatus", S12),
    "cmi.core.entry": ("ro", "CMIVocabulary:Entry", ("ab-initio", "resume", "")),
    "cmi.core.score._children": ("ro", "CMIString255", None),
    "cmi.core.score.raw": ("rw", SCORE12, (0, 100)),
    "cmi.core.score.min": ("rw", SCORE12, (0, 100)),
    "cmi.core.score.max": ("rw", SCORE12, (0, 100)),
    "cmi.core.total_time": ("ro", "CMITimespan", None),
    "cmi.core.lesson_mode": ("ro", "CMIVocabulary:Mode", ("browse", "normal", "review")),
    "cmi.core.exit": ("wo", "CMIVocabulary:Exit", ("time-out", "suspend", "logout", "")),
    "cmi.core.session_time": ("wo", "CMITimespan", None),
    "cmi.suspend_data": ("rw", "CMIString4096", None),
    "cmi.launch_data": ("ro", "CMIString4096", None),
    "cmi.comments": ("rw", "CMIString4096", None),
    "cmi.comments_from_lms": ("ro", "CMIString4096", None),
    "cmi.objectives._children": ("ro", "CMIString255", None),
    "cmi.objectives._count": ("ro", "CMIInteger", None),
    "cmi.objectives.n.id": ("rw", "CMIIdentifier", None),
    "cmi.objectives.n.score._children": ("ro", "CMIString255", None),
    "cmi.objectives.n.score.raw": ("rw", SCORE12, (0, 100)),
    "cmi.objectives.n.score.min": ("rw", SCORE12, (0, 100)),
    "cmi.objectives.n.score.max": ("rw", SCORE12, (0, 100)),
    "cmi.objectives.n.status": ("rw", "CMIVocabulary:Status", (*S12, "not attempted")),
    "cmi.student_data._children": ("ro", "CMIString255", None),
    "cmi.student_data.mastery_score": ("ro", "CMIDecimal", (0, 100)),
    "cmi.student_data.max_time_allowed": ("ro", "CMITimespan", None),
    "cmi.student_data.time_limit_action": ("ro", "CMIVocabulary:TimeLimitAction", TLA),
    "cmi.student_preference._children": ("ro", "CMIString255", None),
    "cmi.student_preference.audio": ("rw", "CMISInteger", (-1, 100)),
    "cmi.student_preference.language": ("rw", "CMIString255", None),
    "cmi.student_preference.speed": ("rw", "CMISInteger", (-100, 100)),
    "cmi.student_preference.text": ("rw", "CMISInteger", (-1, 1)),
    "cmi.interactions._children": ("ro", "CMIString255", None),
    "cmi.interactions._count": ("ro", "CMIInteger", None),
    "cmi.interactions.n.id": ("wo", "CMIIdentifier", None),
    "cmi.interactions.n.objectives._count": ("ro", "CMIInteger", None),
    "cmi.interactions.n.objectives.n.id": ("wo", "CMIIdentifier", None),
    "cmi.interactions.n.time": ("wo", "CMITime", None),
    "cmi.interactions.n.type": ("wo", "CMIVocabulary:Interaction", (
        "true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert",
        "numeric",
    )),
    "cmi.interactions.n.correct_responses._count": ("ro", "CMIInteger", None),
    "cmi.interactions.n.correct_responses.n.pattern": ("wo", "CMIFeedback", None),
    "cmi.interactions.n.weighting": ("wo", "CMIDecimal", None),
    "cmi.interactions.n.student_response": ("wo", "CMIFeedback", None),
    "cmi.interactions.n.result": (
        "wo", "CMIVocabulary:Result", ("correct", "wrong", "unanticipated", "neutral")
    ),
    "cmi.interactions.n.latency": ("wo", "CMITimespan", None),
}

CS, LS, REAL = "characterstring", "localized_string_type", "real(10,7)"
DUR = "timeinterval(second,10,2)"
LONG_ID, TIME, NAV = "long_identifier_type", "time(second,10,0)", ("true", "false", "unknown")
PFU = ("passed", "failed", "unknown")
BOOK_2004 = {
    "cmi._version": ("ro", CS, None),
    **{
        f"cmi.comments_from_{who}.{field}": (access, kind, None)
        for who, access in (("learner", "rw"), ("lms", "ro"))
        for field, kind in (("n.comment", LS), ("n.location", CS), ("n.timestamp", TIME))
    },
    **{f"cmi.comments_from_{who}.{k}": ("ro", kind, None) for who in ("learner", "lms")
       for k, kind in (("_children", CS), ("_count", "integer"))},
    "cmi.completion_status": ("rw", "state:completion_status", CMP),
    "cmi.completion_threshold": ("ro", REAL, (0, 1)),
    "cmi.credit": ("ro", "state:credit", ("credit", "no-credit")),
    "cmi.entry": ("ro", "state:entry", ("ab-initio", "resume", "")),
    "cmi.exit": ("wo", "state:exit", ("time-out", "suspend", "logout", "normal", "")),
    "cmi.interactions._children": ("ro", CS, None),
    "cmi.interactions._count": ("ro", "integer", None),
    "cmi.interactions.n.id": ("rw", LONG_ID, None),
    "cmi.interactions.n.type": ("rw", "state:interaction_type", (
        "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
        "sequencing", "likert", "numeric", "other",
    )),
    "cmi.interactions.n.objectives._count": ("ro", "integer", None),
    "cmi.interactions.n.objectives.n.id": ("rw", LONG_ID, None),
    "cmi.interactions.n.timestamp": ("rw", TIME, None),
    "cmi.interactions.n.correct_responses._count": ("ro", "integer", None),
    "cmi.interactions.n.correct_responses.n.pattern": ("rw", "correct_response_pattern", None),
    "cmi.interactions.n.weighting": ("rw", REAL, None),
    "cmi.interactions.n.learner_response": ("rw", "learner_response", None),
    "cmi.interactions.n.result": (
        "rw", "state:result or real(10,7)", ("correct", "incorrect", "unanticipated", "neutral")
    ),
    "cmi.interactions.n.latency": ("rw", DUR, None),
    "cmi.interactions.n.description": ("rw", LS, None),
    "cmi.launch_data": ("ro", CS, None),
    "cmi.learner_id": ("ro", LONG_ID, None),
    "cmi.learner_name": ("ro", LS, None),
    "cmi.learner_preference._children": ("ro", CS, None),
    "cmi.learner_preference.audio_level": ("rw", REAL, (0, None)),
    "cmi.learner_preference.language": ("rw", "language_type", None),
    "cmi.learner_preference.delivery_speed": ("rw", REAL, (0, None)),
    "cmi.learner_preference.audio_captioning": ("rw", "state:audio_captioning", ("-1", "0", "1")),
    "cmi.location": ("rw", CS, None),
    "cmi.max_time_allowed": ("ro", DUR, None),
    "cmi.mode": ("ro", "state:mode", ("browse", "normal", "review")),
    "cmi.objectives._children": ("ro", CS, None),
    "cmi.objectives._count": ("ro", "integer", None),
    "cmi.objectives.n.id": ("rw", LONG_ID, None),
    "cmi.objectives.n.score._children": ("ro", CS, None),
    "cmi.objectives.n.score.scaled": ("rw", REAL, (-1, 1)),
    **{f"cmi.objectives.n.score.{p}": ("rw", REAL, None) for p in ("raw", "min", "max")},
    "cmi.objectives.n.success_status": ("rw", "state:success_status", PFU),
    "cmi.objectives.n.completion_status": ("rw", "state:completion_status", CMP),
    "cmi.objectives.n.progress_measure": ("rw", REAL, (0, 1)),
    "cmi.objectives.n.description": ("rw", LS, None),
    "cmi.progress_measure": ("rw", REAL, (0, 1)),
    "cmi.scaled_passing_score": ("ro", REAL, (-1, 1)),
    "cmi.score._children": ("ro", CS, None),
    "cmi.score.scaled": ("rw", REAL, (-1, 1)),
    **{f"cmi.score.{p}": ("rw", REAL, None) for p in ("raw", "min", "max")},
    "cmi.session_time": ("wo", DUR, None),
    "cmi.success_status": ("rw", "state:success_status", PFU),
    "cmi.suspend_data": ("rw", CS, None),
    "cmi.time_limit_action": ("ro", "state:time_limit_action", TLA),
    "cmi.total_time": ("ro", DUR, None),
    "adl.nav.request": ("rw", "state:nav_request", (
        "continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_"
    )),
    "adl.nav.request_valid.continue": ("ro", "state:nav_request_valid", NAV),
    "adl.nav.request_valid.previous": ("ro", "state:nav_request_valid", NAV),
    "adl.nav.request_valid.choice.{target=ID}": ("ro", "state:nav_request_valid", NAV),
    "adl.nav.request_valid.jump.{target=ID}": ("ro", "state:nav_request_valid", NAV),
}
BOOKS = {"1.2": BOOK_12, "2004": BOOK_2004}
SPM_2004 = {
    "cmi.suspend_data": 64000, "cmi.location": 1000, "cmi.launch_data": 4000,
    "cmi.learner_id": 4000, "cmi.learner_name": 250, "cmi.interactions.n.id": 4000,
    "cmi.interactions.n.description": 250, "cmi.objectives.n.description": 250,
    "cmi.comments_from_learner.n.comment": 4000, "cmi.comments_from_learner.n.location": 250,
    "cmi.learner_preference.language": 250,
}
ERRORS = {  # the code each misuse gives; 2004 refuses a value past its SPM as a failed set
    "1.2": {"read_only": 403, "write_only": 404, "keyword": 402, "type": 405, "range": 405,
            "too_long": 405},
    "2004": {"read_only": 404, "write_only": 405, "keyword": 404, "type": 406, "range": 407,
             "too_long": 351},
}


def rows(version, access=None):
    return [(version, p) for p, row in BOOKS[version].items() if access in (None, row[0])]


def concrete(pattern):
    """A name under `pattern`, in the records `seeded` opens."""
    return pattern.replace(".n.", ".0.").replace("{target=ID}", "{target=intro}")


def seeded(version):
    """Interaction 0 (a choice) and objective 0 exist, with one objective and one pattern."""
    state = {}
    for name, value in (
        ("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", "choice"),
        ("cmi.interactions.0.objectives.0.id", "o1"),
        ("cmi.interactions.0.correct_responses.0.pattern", "a"), ("cmi.objectives.0.id", "o1"),
    ):
        assert apply_set(version, name, value, state) == 0, name
    if version == "2004":
        state["cmi.comments_from_lms._count"] = 1
    return state


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_table_matches_the_book(version):
    book = BOOKS[version]
    assert {e["pattern"] for e in datamodel.table_as_json(version)["elements"]} == set(book)
    for pattern, (access, type_name, rule) in book.items():
        element = datamodel.element_for(version, concrete(pattern))
        assert element.pattern == pattern
        assert (element.access, element.type.name.split("(SPM")[0]) == (access, type_name), pattern
        if isinstance(rule, tuple) and isinstance(rule[0], str):
            assert set(element.type.vocabulary) == set(rule), pattern
        else:
            assert element.range == rule, pattern


def test_spms_of_2004():
    for pattern, spm in SPM_2004.items():
        assert datamodel.element_for("2004", concrete(pattern)).type.spm == spm, pattern
    for element in ("cmi.suspend_data", "cmi.comments"):
        assert datamodel.element_for("1.2", element).type.spm == 4096


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_children_name_rows_and_read_the_same_without_records(version):
    for pattern in BOOKS[version]:
        if pattern.endswith("._children"):
            prefix = pattern.removesuffix("._children")
            value, code = check_get(version, concrete(pattern), {})
            assert code == 0
            for child in value.split(","):
                assert any(
                    p.startswith((f"{prefix}.{child}", f"{prefix}.n.{child}"))
                    for p in BOOKS[version]
                ), child
    assert check_get("2004", "cmi.score._children", {}) == ("scaled,raw,min,max", 0)
    assert check_get("1.2", "cmi.core.score._children", {}) == ("raw,min,max", 0)


@pytest.mark.parametrize("version,pattern", rows("1.2", "ro") + rows("2004", "ro"))
def test_read_only_elements_refuse_set(version, pattern):
    state = seeded(version)
    keyword = pattern.rsplit(".", 1)[-1].startswith("_")
    expected = ERRORS[version]["keyword" if keyword else "read_only"]
    assert check_set(version, concrete(pattern), "x", state) == expected
    if not keyword:  # what the LMS seeds is read back
        assert check_get(version, concrete(pattern), {**state, concrete(pattern): "v"}) == ("v", 0)


@pytest.mark.parametrize("version,pattern", rows("1.2", "wo") + rows("2004", "wo"))
def test_write_only_elements_refuse_get(version, pattern):
    state = seeded(version)
    assert check_get(version, concrete(pattern), state) == (None, ERRORS[version]["write_only"])


# Types that take any text: only their length can be wrong (interaction 0 is a 1.2 choice, whose
# responses 1.2 reads loosely).
FREE_TEXT = {CS, LS, "CMIString255", "CMIString4096", "CMIFeedback"}


WRITABLE = [row for v in datamodel.VERSIONS for access in ("rw", "wo") for row in rows(v, access)]


@pytest.mark.parametrize("version,pattern", WRITABLE)
def test_every_writable_element_refuses_a_wrong_type_and_an_out_of_range_value(version, pattern):
    state = seeded(version)
    _, type_name, rule = BOOKS[version][pattern]
    name = concrete(pattern)
    if type_name in FREE_TEXT:
        too_long = "x" * (datamodel.element_for(version, name).type.spm + 1)
        assert check_set(version, name, too_long, state) == ERRORS[version]["too_long"]
    else:
        assert check_set(version, name, "\x00 not [valid]", state) == ERRORS[version]["type"]
    if rule and not isinstance(rule[0], str):
        low, high = rule
        outside = ([] if low is None else [low - 1]) + ([] if high is None else [high + 1])
        for value in outside:
            assert check_set(version, name, str(value), state) == ERRORS[version]["range"]
        assert check_set(version, name, str(low), state) == 0


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_keywords(version):
    state = seeded(version)
    keyword, no_children, no_count = {"1.2": (402, 202, 203), "2004": (404, 301, 301)}[version]
    assert check_get(version, "cmi.interactions._count", state) == ("1", 0)
    assert check_get(version, "cmi.interactions.0.objectives._count", state) == ("1", 0)
    assert check_get(version, "cmi.objectives._count", {}) == ("0", 0)
    for name in ("cmi.interactions._count", "cmi.objectives._children", "cmi._version"):
        assert check_set(version, name, "3", state) == keyword
    assert check_set(version, "cmi.suspend_data._children", "x", state) == keyword
    assert check_get(version, "cmi.suspend_data._children", state) == (None, no_children)
    assert check_get(version, "cmi.objectives.0.id._children", state) == (None, no_children)
    assert check_get(version, "cmi.suspend_data._count", state) == (None, no_count)
    assert check_get(version, "cmi.interactions.0._count", state) == (None, no_count)
    assert check_get(version, "cmi._version", {}) == ({"1.2": "3.4", "2004": "1.0"}[version], 0)


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_undefined_names(version):
    for name in ("cmi.bogus", "cmi.core.bogus._children", "cmi.interactions.n.id", "x", None,
                 "cmi.interactions.01.id", "cmi.interactions.-1.id", "cmi.bogus._version",
                 "cmi.interactions.0\n.id", "cmi.interactions.1e3.id"):
        assert check_get(version, name, {}) == (None, 401), name
        assert check_set(version, name, "x", {}) == 401, name
    empty = {"1.2": (201, 201), "2004": (301, 351)}[version]
    assert (check_get(version, "", {})[1], check_set(version, "", "x", {})) == empty


def test_element_for_matches_indexes_and_targets():
    assert datamodel.element_for("2004", "cmi.interactions.12.objectives.3.id").pattern == (
        "cmi.interactions.n.objectives.n.id"
    )
    choice = datamodel.element_for("2004", "adl.nav.request_valid.choice.{target=m1.s2}")
    assert choice.pattern == "adl.nav.request_valid.choice.{target=ID}"
    assert datamodel.element_for("2004", "adl.nav.request_valid.choice.{target=}") is None
    assert datamodel.element_for("1.2", "cmi.learner_id") is None
    assert datamodel.element_for("2004", "cmi.core.student_id") is None
    with pytest.raises(ValueError):
        datamodel.element_for("1.3", "cmi.location")


ACCEPTED = {
    "1.2": [
        *(("cmi.core.lesson_status", s) for s in S12),
        *(("cmi.core.exit", s) for s in ("time-out", "suspend", "logout", "")),
        ("cmi.core.score.raw", ""), ("cmi.core.score.raw", "0"), ("cmi.core.score.raw", "100"),
        ("cmi.core.score.min", "85.5"), ("cmi.objectives.0.score.max", "100"),
        ("cmi.objectives.0.status", "not attempted"), ("cmi.objectives.1.id", "obj-2"),
        ("cmi.core.session_time", "00:00:00"), ("cmi.core.session_time", "0012:34:56.78"),
        ("cmi.core.session_time", "9999:59:59.99"), ("cmi.interactions.0.time", "23:59:59"),
        ("cmi.interactions.0.time", "07:08:09.1"), ("cmi.student_preference.audio", "-1"),
        ("cmi.student_preference.audio", "100"), ("cmi.student_preference.speed", "-100"),
        ("cmi.student_preference.text", "1"), ("cmi.interactions.0.result", "wrong"),
        ("cmi.interactions.0.result", "0.5"), ("cmi.interactions.0.weighting", "-2"),
        ("cmi.interactions.0.student_response", "a,b,{c}"), ("cmi.comments", "x" * 4096),
        ("cmi.suspend_data", "x" * 4096), ("cmi.core.lesson_location", "x" * 255),
    ],
    "2004": [
        ("cmi.score.scaled", "-1"), ("cmi.score.scaled", "1"), ("cmi.score.scaled", "0.5"),
        ("cmi.score.scaled", "0.6666666666666666"), ("cmi.score.scaled", "1e-7"),
        ("cmi.score.raw", "-50"), ("cmi.score.max", "1000"), ("cmi.progress_measure", "0"),
        ("cmi.progress_measure", "1"), ("cmi.objectives.0.score.scaled", "-0.25"),
        *(("cmi.exit", s) for s in ("time-out", "suspend", "logout", "normal", "")),
        *(("cmi.completion_status", s) for s in CMP),
        *(("cmi.objectives.0.success_status", s) for s in ("passed", "failed", "unknown")),
        ("cmi.session_time", "PT1H30M5.25S"), ("cmi.session_time", "P1Y2M3DT4H5M6S"),
        ("cmi.session_time", "PT0S"), ("cmi.session_time", "P1D"), ("cmi.session_time", "PT1M"),
        ("cmi.interactions.0.latency", "PT0.5S"), ("cmi.interactions.0.timestamp", "2024"),
        ("cmi.interactions.0.timestamp", "2024-05"), ("cmi.interactions.0.timestamp", "1970-01-01"),
        ("cmi.interactions.0.timestamp", "2024-05-06T07"),
        ("cmi.interactions.0.timestamp", "2024-05-06T07:08:09.1Z"),
        ("cmi.interactions.0.timestamp", "2038-01-19T03:14:07+02:00"),
        ("cmi.comments_from_learner.0.timestamp", "2024-05-06T07:08:09"),
        ("cmi.interactions.0.description", "{lang=en-US}Which phone greeting is right?"),
        ("cmi.interactions.0.description", "{lang=x-klingon}" + "d" * 250),
        ("cmi.objectives.0.description", "no delimiter"),
        ("cmi.learner_preference.language", "en"), ("cmi.learner_preference.language", "fr-CA"),
        ("cmi.learner_preference.language", ""), ("cmi.learner_preference.audio_level", "2.5"),
        ("cmi.learner_preference.audio_captioning", "-1"),
        ("cmi.objectives.1.id", "urn:ADL:objective-1"), ("cmi.interactions.1.id", "q-2"),
        ("cmi.interactions.0.objectives.1.id", "http://example.com/obj?a=1"),
        ("cmi.interactions.0.type", "long-fill-in"), ("cmi.interactions.0.result", "incorrect"),
        ("cmi.interactions.0.result", "-3.5"), ("cmi.interactions.0.weighting", "0.25"),
        *(("adl.nav.request", s) for s in ("continue", "previous", "exit", "exitAll", "abandon",
                                            "abandonAll", "suspendAll", "_none_")),
        ("adl.nav.request", "{target=intro}choice"), ("adl.nav.request", "{target=m2.s1}jump"),
        ("cmi.suspend_data", "x" * 64000), ("cmi.suspend_data", "\U0001f600" * 64000),
        ("cmi.location", "x" * 1000),
    ],
}
REFUSED = {  # (name, value, reason)
    "1.2": [
        ("cmi.core.lesson_status", "not attempted", "type"),
        ("cmi.core.lesson_status", "done", "type"), ("cmi.core.exit", "normal", "type"),
        ("cmi.core.score.raw", "abc", "type"), ("cmi.core.score.raw", "101", "range"),
        ("cmi.core.score.raw", "-1", "range"), ("cmi.objectives.0.score.min", "100.01", "range"),
        ("cmi.core.session_time", "1:00:00", "type"), ("cmi.core.session_time", "00:60:00", "type"),
        ("cmi.core.session_time", "PT1H", "type"), ("cmi.interactions.0.time", "24:00:00", "type"),
        ("cmi.interactions.0.time", "9:00:00", "type"), ("cmi.interactions.0.latency", "1", "type"),
        ("cmi.student_preference.audio", "101", "range"),
        ("cmi.student_preference.audio", "loud", "type"),
        ("cmi.student_preference.speed", "-101", "range"),
        ("cmi.student_preference.text", "2", "range"), ("cmi.objectives.1.id", "has space", "type"),
        ("cmi.objectives.1.id", "", "type"), ("cmi.objectives.0.status", "done", "type"),
        ("cmi.interactions.0.result", "incorrect", "type"),
        ("cmi.interactions.0.type", "long-fill-in", "type"),
        ("cmi.suspend_data", "x" * 4097, "type"), ("cmi.comments", "x" * 4097, "type"),
        ("cmi.core.lesson_location", "x" * 256, "type"), ("cmi.core.score.raw", 50, "type"),
    ],
    "2004": [
        ("cmi.score.scaled", "1.0000001", "range"), ("cmi.score.scaled", "-1.01", "range"),
        ("cmi.score.scaled", "abc", "type"), ("cmi.score.scaled", "", "type"),
        ("cmi.score.raw", "1,5", "type"), ("cmi.progress_measure", "1.5", "range"),
        ("cmi.progress_measure", "-0.1", "range"),
        ("cmi.objectives.0.progress_measure", "2", "range"),
        ("cmi.objectives.0.score.scaled", "-2", "range"),
        ("cmi.learner_preference.audio_level", "-0.5", "range"),
        ("cmi.learner_preference.delivery_speed", "-1", "range"),
        ("cmi.completion_status", "done", "type"), ("cmi.success_status", "ok", "type"),
        ("cmi.exit", "timeout", "type"), ("cmi.learner_preference.audio_captioning", "2", "type"),
        *(("cmi.session_time", v, "type") for v in ("P", "PT", "P1DT", "PT1.5H", "PT.5S", "P0S",
                                                    "PT1.123S", "1:00:00", "pt1h", "PT-1S", "")),
        *(("cmi.interactions.0.timestamp", v, "type") for v in (
            "2024-13-01", "yesterday", "1969-12-31", "2039", "2024-05-06T24:00",
            "2024-05-06 07:08", "2024-05-06T07:08:09.123", "2024-5-6")),
        ("cmi.learner_preference.language", "english-language-tag", "type"),
        ("cmi.learner_preference.language", "e", "type"),
        ("cmi.interactions.0.description", "{lang=123}x", "type"),
        ("cmi.interactions.0.description", "{lang=en}" + "d" * 251, "too_long"),
        ("cmi.objectives.1.id", "has space", "type"), ("cmi.objectives.1.id", "", "type"),
        ("cmi.objectives.1.id", "urn:x", "type"), ("cmi.objectives.1.id", "urn::nss", "type"),
        ("cmi.objectives.1.id", "x" * 4001, "too_long"),
        ("cmi.interactions.0.type", "essay", "type"),
        ("cmi.interactions.0.result", "wrong", "type"),
        ("adl.nav.request", "jump", "type"), ("adl.nav.request", "{target=}choice", "type"),
        ("adl.nav.request", "choice{target=intro}", "type"),
        ("cmi.suspend_data", "x" * 64001, "too_long"), ("cmi.location", "x" * 1001, "too_long"),
        ("cmi.score.raw", 0.5, "type"), ("cmi.location", None, "type"),
    ],
}


@pytest.mark.parametrize("version,name,value", [
    (version, name, value) for version, pairs in ACCEPTED.items() for name, value in pairs
])
def test_accepted_values(version, name, value):
    state = seeded(version)
    assert apply_set(version, name, value, state) == 0
    if not datamodel.element_for(version, name).access == "wo":
        assert check_get(version, name, state) == (value, 0)


@pytest.mark.parametrize("version,name,value,reason", [
    (version, *case) for version, cases in REFUSED.items() for case in cases
])
def test_refused_values(version, name, value, reason):
    state = seeded(version)
    before = dict(state)
    assert apply_set(version, name, value, state) == ERRORS[version][reason]
    assert state == before


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_arrays_are_written_in_order(version):
    state = {}
    order = {"1.2": 201, "2004": 351}[version]
    assert apply_set(version, "cmi.objectives.1.id", "b", state) == order
    assert apply_set(version, "cmi.objectives.0.id", "a", state) == 0
    assert apply_set(version, "cmi.objectives.1.id", "b", state) == 0
    assert apply_set(version, "cmi.objectives.3.id", "d", state) == order
    assert apply_set(version, "cmi.objectives.0.id", "a2", state) == 0  # rewriting keeps the count
    assert state["cmi.objectives._count"] == 2
    assert apply_set(version, "cmi.interactions.0.id", "q1", state) == 0
    assert apply_set(version, "cmi.interactions.0.objectives.1.id", "a", state) == order
    assert apply_set(version, "cmi.interactions.0.objectives.0.id", "a", state) == 0
    assert state["cmi.interactions.0.objectives._count"] == 1
    # Reading past _count fails; a record that exists reads its values.
    past = {"1.2": 201, "2004": 301}[version]
    assert check_get(version, "cmi.objectives.2.id", state) == (None, past)
    assert check_get(version, "cmi.interactions.1.objectives._count", state) == (None, past)
    assert check_get(version, "cmi.objectives.1.id", state) == ("b", 0)


def test_2004_interactions_3_with_count_2_is_351():
    state = {"cmi.interactions._count": 2, "cmi.interactions.0.id": "a"}
    state["cmi.interactions.1.id"] = "b"
    assert check_set("2004", "cmi.interactions.3.id", "d", state) == 351
    assert check_set("1.2", "cmi.interactions.3.id", "d", state) == 201
    assert check_set("2004", "cmi.interactions.2.id", "c", state) == 0


def test_unset_values():
    state = seeded("2004")
    assert check_get("2004", "cmi.location", state) == (None, 403)
    assert check_get("2004", "cmi.interactions.0.timestamp", state) == (None, 403)
    assert check_get("2004", "cmi.completion_status", state) == ("unknown", 0)
    assert check_get("2004", "adl.nav.request", state) == ("_none_", 0)
    assert check_get("2004", "adl.nav.request_valid.choice.{target=m1}", state) == ("unknown", 0)
    assert check_get("1.2", "cmi.core.lesson_location", {}) == ("", 0)
    assert check_get("1.2", "cmi.core.lesson_status", {}) == ("not attempted", 0)
    assert check_get("1.2", "cmi.objectives.0.score.raw", seeded("1.2")) == ("", 0)


def test_2004_dependencies():
    state = {}
    assert apply_set("2004", "cmi.interactions.0.type", "choice", state) == 408
    assert apply_set("2004", "cmi.interactions.0.objectives.0.id", "o1", state) == 408
    assert state == {}
    assert apply_set("2004", "cmi.interactions.0.id", "q1", state) == 0
    assert apply_set("2004", "cmi.interactions.0.learner_response", "a", state) == 408
    assert apply_set("2004", "cmi.interactions.0.correct_responses.0.pattern", "a", state) == 408
    assert apply_set("2004", "cmi.interactions.0.result", "correct", state) == 0
    assert apply_set("2004", "cmi.interactions.0.type", "choice", state) == 0
    assert apply_set("2004", "cmi.interactions.0.learner_response", "a", state) == 0
    assert apply_set("2004", "cmi.interactions.1.description", "second", state) == 408
    for field in ("score.scaled", "success_status", "progress_measure", "description"):
        assert check_set("2004", f"cmi.objectives.0.{field}", "0.5", {}) == 408
    # 1.2 has no dependencies: any field opens a record.
    assert apply_set("1.2", "cmi.interactions.0.type", "choice", state := {}) == 0
    assert state["cmi.interactions._count"] == 1


def test_2004_objective_ids_are_unique_in_their_array():
    state = seeded("2004")
    assert apply_set("2004", "cmi.objectives.1.id", "o1", state) == 351
    assert apply_set("2004", "cmi.objectives.1.id", "o2", state) == 0
    assert apply_set("2004", "cmi.objectives.0.id", "o2", state) == 351
    assert apply_set("2004", "cmi.objectives.0.id", "o1", state) == 0  # its own id again
    assert apply_set("2004", "cmi.interactions.0.objectives.1.id", "o1", state) == 351
    assert apply_set("2004", "cmi.interactions.1.id", "q1", state) == 0  # interactions may repeat
    assert apply_set("2004", "cmi.interactions.1.objectives.0.id", "o1", state) == 0
    assert apply_set("1.2", "cmi.objectives.1.id", "o1", seeded("1.2")) == 0


RESPONSES = [  # (interaction type, learner_response, correct pattern, both accepted)
    ("true-false", "true", "false", True), ("true-false", "yes", "1", False),
    ("choice", "a[,]b", "", True), ("choice", "a, b", "a[,]", False),
    ("sequencing", "s1[,]s2[,]s3", "s1", True), ("sequencing", "", "[,]", False),
    ("likert", "agree", "strongly_agree", True), ("likert", "a[,]b", "a b", False),
    ("matching", "1[.]a[,]2[.]b", "1[.]a", True), ("matching", "1.a", "1[.]", False),
    ("numeric", "3.5", "1[:]5", True), ("numeric", "-2", "[:]10", True),
    ("numeric", "1[:]5", "five", False), ("numeric", "abc", "1[:]2[:]3", False),
    ("fill-in", "{case_matters=true}Thank you", "{lang=en}hello[,]hi", True),
    ("long-fill-in", "x" * 4000, "any text", True), ("other", "x" * 4001, "x" * 4001, False),
    ("performance", "step1[.]answer[,]step2[.]x", "{order_matters=false}a[.]b", True),
]


@pytest.mark.parametrize("itype,response,pattern,ok", RESPONSES)
def test_2004_responses_follow_the_interaction_type(itype, response, pattern, ok):
    state = seeded("2004")
    assert apply_set("2004", "cmi.interactions.0.type", itype, state) == 0
    expected = 0 if ok else {True: 351, False: 406}[len(response) > 4000]
    assert check_set("2004", "cmi.interactions.0.learner_response", response, state) == expected
    expected = 0 if ok else {True: 351, False: 406}[len(pattern) > 4000]
    assert check_set("2004", "cmi.interactions.0.correct_responses.0.pattern", pattern, state) == (
        expected
    )


def test_1_2_responses_are_loose_except_true_false_and_numeric():
    state = seeded("1.2")  # interaction 0 is a choice
    assert check_set("1.2", "cmi.interactions.0.student_response", "choice_1,choice 2", state) == 0
    assert check_set("1.2", "cmi.interactions.0.student_response", "x" * 256, state) == 405
    for itype, good, bad in (("true-false", "t", "yes"), ("numeric", "2.5", "two")):
        state["cmi.interactions.0.type"] = itype
        assert check_set("1.2", "cmi.interactions.0.student_response", good, state) == 0
        assert check_set("1.2", "cmi.interactions.0.correct_responses.0.pattern", bad, state) == 405


@pytest.mark.parametrize("version,codes", [
    ("1.2", (0, 101, 201, 202, 203, 301, 401, 402, 403, 404, 405)),
    ("2004", (0, 101, 102, 103, 104, 111, 112, 113, 122, 123, 132, 133, 142, 143, 201, 301, 351,
              391, 401, 402, 403, 404, 405, 406, 407, 408)),
])
def test_error_strings(version, codes):
    assert sorted(datamodel.table_as_json(version)["errors"]) == sorted(map(str, codes))
    assert all(datamodel.error_string(version, code) for code in codes)
    assert all(datamodel.error_string(version, str(code)) for code in codes)
    for unknown in (999, "999", "", "abc", None, [1], "٤٠١"):
        assert datamodel.error_string(version, unknown) == ""


def test_error_strings_are_the_standard_ones():
    assert datamodel.error_string("2004", 0) == "No Error"
    assert datamodel.error_string("2004", "408") == "Data Model Dependency Not Established"
    assert datamodel.error_string("2004", 104) == "Content Instance Terminated"
    assert datamodel.error_string("1.2", 402) == "Invalid set value, element is a keyword"
    assert datamodel.error_string("1.2", "203") == "Element not an array - cannot have count"


def _type_regexes(table):
    """The value types' regexes, which must match whole values."""
    found = []
    nested = list(table["types"].values())
    while nested:
        vtype = nested.pop()
        found += [vtype["regex"]] if vtype["regex"] else []
        nested += vtype["by_interaction_type"].values()
    return sorted(set(found))


# Python-only syntax, or what JavaScript's u flag rejects: named groups, lookbehind, \A \Z \z,
# possessive quantifiers, atomic groups, inline flags, \s and \w (which differ between engines).
JS_INCOMPATIBLE = re.compile(r"\(\?P|\(\?<|\\[AZzswSW]|[+*?}]\+|\(\?>|\(\?[aiLmsux]")


@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_table_as_json_is_json_with_javascript_regexes(version):
    table = datamodel.table_as_json(version)
    assert json.loads(json.dumps(table)) == table
    assert len(table["elements"]) == len(BOOKS[version])
    assert all(element["type"] in table["types"] for element in table["elements"])
    for regex in [*_type_regexes(table), table["index"], table["target"], table["lang_delimiter"]]:
        re.compile(regex)
        assert not JS_INCOMPATIBLE.search(regex), regex
    raw = next(e for e in table["elements"] if e["pattern"].endswith("score.raw"))
    assert (raw["access"], raw["range"]) == ("rw", {"1.2": [0, 100], "2004": None}[version])


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
@pytest.mark.parametrize("version", datamodel.VERSIONS)
def test_javascript_accepts_the_same_strings(version):
    """Node compiles each regex with the u flag and agrees with Python on every probe."""
    regexes = _type_regexes(datamodel.table_as_json(version))
    values = {str(case[1])[:300] for cases in (ACCEPTED, REFUSED) for case in cases[version]}
    probes = sorted(values | {"true\n", "\u0664", "x y", "\U0001f600", "a\tb", "1[:]"})
    script = (
        "const [rs, ps] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(rs.map(r => ps.map(p => new RegExp(r, 'u').test(p)))));"
    )
    run = subprocess.run(["node", "-e", script], input=json.dumps([regexes, probes]),
                         capture_output=True, text=True, check=True, timeout=30)
    python = [[bool(re.fullmatch(r, p, re.ASCII)) for p in probes] for r in regexes]
    assert json.loads(run.stdout) == python
