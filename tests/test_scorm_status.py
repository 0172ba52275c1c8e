"""What a SCO's data means for the LMS, by the rules LMSes often get wrong: SCORM 1.2's passed
(and failed) are completed, a mastery score decides passed or failed from the score whatever
the SCO said (with credit), 2004's completion follows the threshold and progress and its
success the passing score and scaled score; session times read and total times written in
each version's own format."""

import pytest

from courses.sco_status import outcome, seconds_of, timespan


@pytest.mark.parametrize("status, completion, success", [
    ("passed", "completed", "passed"),
    ("failed", "completed", "failed"),
    ("completed", "completed", "unknown"),
    ("incomplete", "incomplete", "unknown"),
    ("browsed", "incomplete", "unknown"),
    ("not attempted", "not attempted", "unknown"),
])
def test_scorm_12_lesson_status_gives_completion_and_success(status, completion, success):
    found = outcome("1.2", {"cmi.core.lesson_status": status})
    assert (found.completion, found.success) == (completion, success)


@pytest.mark.parametrize("said, raw, mastery, credit, expected", [
    ("completed", "85", 80, True, "passed"),     # the score decides, not the SCO
    ("passed", "60", 80, True, "failed"),        # the opposite status is overridden
    ("passed", "60", 80, False, "passed"),       # no credit: nothing is decided for it
    ("incomplete", None, 80, True, "unknown"),   # no score, no decision
])
def test_scorm_12_mastery_score_decides_passed_or_failed(said, raw, mastery, credit, expected):
    values = {"cmi.core.lesson_status": said}
    if raw is not None:
        values["cmi.core.score.raw"] = raw
    found = outcome("1.2", values, mastery_score=mastery, credit=credit)
    assert found.success == expected
    if expected in ("passed", "failed"):
        assert found.completion == "completed"


def test_scores_read_as_a_share_of_the_range():
    assert outcome("1.2", {"cmi.core.score.raw": "42"}).score == pytest.approx(0.42)
    assert outcome("1.2", {"cmi.core.score.raw": "15", "cmi.core.score.min": "0",
                           "cmi.core.score.max": "20"}).score == pytest.approx(0.75)
    assert outcome("2004", {"cmi.score.scaled": "-0.5"}).score == 0  # a share is never below 0
    assert outcome("2004", {}).score is None


@pytest.mark.parametrize("values, completion, success", [
    ({"cmi.completion_threshold": "0.8", "cmi.progress_measure": "0.5",
      "cmi.completion_status": "completed"}, "incomplete", "unknown"),
    ({"cmi.completion_threshold": "0.8", "cmi.progress_measure": "0.8"}, "completed", "unknown"),
    ({"cmi.completion_status": "completed"}, "completed", "unknown"),
    ({"cmi.scaled_passing_score": "0.7", "cmi.score.scaled": "0.69",
      "cmi.success_status": "passed"}, "unknown", "failed"),
    ({"cmi.scaled_passing_score": "0.7", "cmi.score.scaled": "0.7"}, "unknown", "passed"),
    ({"cmi.success_status": "passed"}, "unknown", "passed"),
])
def test_scorm_2004_threshold_and_passing_score_decide(values, completion, success):
    found = outcome("2004", values)
    assert (found.completion, found.success) == (completion, success)


@pytest.mark.parametrize("version, text, seconds", [
    ("1.2", "0001:02:03.50", 3723.5), ("1.2", "00:00:07", 7), ("1.2", "12:60", 0),
    ("2004", "PT1H2M3.5S", 3723.5), ("2004", "P1DT1S", 86401), ("2004", "PT", 0),
    ("2004", "P", 0), ("2004", None, 0),
])
def test_session_times_read_as_seconds(version, text, seconds):
    assert seconds_of(version, text) == pytest.approx(seconds)


def test_total_times_are_written_in_each_versions_format():
    assert timespan("1.2", 3723.5) == "0001:02:03.50"
    assert timespan("2004", 3723.5) == "PT1H2M3.50S"
    assert seconds_of("2004", timespan("2004", 98765.43)) == pytest.approx(98765.43)
