"""SCORM 1.2 prerequisites as AICC script: which items a learner may open yet, from the other
items' lesson status; an unreadable script locks nobody out."""

import pytest

from courses.prerequisites import satisfied

STATUS = {"intro": "completed", "quiz": "failed", "tour": "passed", "practice": "incomplete"}


@pytest.mark.parametrize("script, expected", [
    ("", True),
    ("intro", True),                       # completed counts
    ("tour", True),                        # passed counts
    ("quiz", False),                       # failed does not
    ("missing", False),                    # never opened: not attempted
    ("intro & tour", True),
    ("intro & quiz", False),
    ("quiz | tour", True),
    ("~quiz", True),
    ("~(intro | quiz)", False),
    ("quiz=failed", True),
    ("quiz=f", True),
    ("practice<>incomplete", False),
    ("missing=n", True),
    ("intro=n", False),
    ("2*{intro,quiz,tour}", True),
    ("3*{intro,quiz,tour}", False),
    ("intro & (quiz | 1*{practice,tour})", True),
])
def test_scripts_read_as_aicc_defines_them(script, expected):
    assert satisfied(script, STATUS) is expected


@pytest.mark.parametrize("script", ["intro &", "(intro", "quiz=sleeping", "intro ) tour",
                                    "2*{intro", "&&"])
def test_an_unreadable_script_locks_nobody_out(script):
    assert satisfied(script, {}) is True
