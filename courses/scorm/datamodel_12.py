"""The SCORM 1.2 run-time data model (SCORM 1.2 RTE, section 3.4) and its error codes.

1.2 sizes (CMIString255, CMIString4096, CMIIdentifier) are hard limits: longer is 405. Arrays are
written in order (index at most _count, else 201); 1.2 has no dependency between the fields of a
record, so any field at index _count opens the record.
"""

from courses.scorm.datamodel_types import NO_SPACE, REAL, Element, ValueType

STRING255 = ValueType("CMIString255", spm=255)
STRING4096 = ValueType("CMIString4096", spm=4096)
IDENTIFIER = ValueType("CMIIdentifier", regex=f"^[{NO_SPACE}]{{1,255}}$")
INTEGER = ValueType("CMIInteger", regex=r"^\d{1,5}$", numeric=True)
SINTEGER = ValueType("CMISInteger", regex=r"^-?\d{1,5}$", numeric=True)
DECIMAL = ValueType("CMIDecimal", regex=f"^{REAL}$", numeric=True)
# Scores may be left blank (CMIBlank).
SCORE = ValueType("CMIDecimal or CMIBlank", regex=DECIMAL.regex, vocabulary=("",), numeric=True)
TIMESPAN = ValueType("CMITimespan", regex=r"^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$")
TIME = ValueType("CMITime", regex=r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$")

_STATUSES = ("passed", "completed", "failed", "incomplete", "browsed")
# "not attempted" is where the LMS starts a lesson; a SCO may not set it back (405), though it
# may reset an objective to it.
LESSON_STATUS = ValueType("CMIVocabulary:LessonStatus", vocabulary=_STATUSES)
STATUS = ValueType("CMIVocabulary:Status", vocabulary=(*_STATUSES, "not attempted"))
EXIT = ValueType("CMIVocabulary:Exit", vocabulary=("time-out", "suspend", "logout", ""))
ENTRY = ValueType("CMIVocabulary:Entry", vocabulary=("ab-initio", "resume", ""))
CREDIT = ValueType("CMIVocabulary:Credit", vocabulary=("credit", "no-credit"))
MODE = ValueType("CMIVocabulary:Mode", vocabulary=("browse", "normal", "review"))
TIME_LIMIT_ACTION = ValueType(
    "CMIVocabulary:TimeLimitAction",
    vocabulary=("exit,message", "exit,no message", "continue,message", "continue,no message"),
)
INTERACTION = ValueType(
    "CMIVocabulary:Interaction",
    vocabulary=(
        "true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert",
        "numeric",
    ),
)
RESULT = ValueType(
    "CMIVocabulary:Result",
    vocabulary=("correct", "wrong", "unanticipated", "neutral"),
    regex=DECIMAL.regex,
)
# Responses are read loosely (authoring tools stretch the 1.2 formats); only true-false and
# numeric, whose meaning depends on the form, are held to it once the type is known.
FEEDBACK = ValueType(
    "CMIFeedback",
    spm=255,
    by_interaction_type={
        "true-false": ValueType("CMIFeedback:true-false", regex=r"^([01tf]|true|false)$"),
        "numeric": ValueType("CMIFeedback:numeric", regex=DECIMAL.regex),
    },
)


def _children(prefix: str, names: str) -> Element:
    return Element(f"{prefix}._children", STRING255, "ro", default=names)


def _count(prefix: str) -> Element:
    return Element(f"{prefix}._count", INTEGER, "ro")


def _score(prefix: str) -> list[Element]:
    parts = ("raw", "min", "max")
    return [
        _children(f"{prefix}.score", ",".join(parts)),
        *(Element(f"{prefix}.score.{part}", SCORE, "rw", range=(0, 100)) for part in parts),
    ]


ELEMENTS = [
    Element("cmi._version", STRING255, "ro", default="3.4"),
    _children(
        "cmi.core",
        "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,"
        "lesson_mode,exit,session_time",
    ),
    Element("cmi.core.student_id", IDENTIFIER, "ro"),
    Element("cmi.core.student_name", STRING255, "ro"),
    Element("cmi.core.lesson_location", STRING255, "rw"),
    Element("cmi.core.credit", CREDIT, "ro", default="credit"),
    Element("cmi.core.lesson_status", LESSON_STATUS, "rw", default="not attempted"),
    Element("cmi.core.entry", ENTRY, "ro", default="ab-initio"),
    *_score("cmi.core"),
    Element("cmi.core.total_time", TIMESPAN, "ro", default="0000:00:00.00"),
    Element("cmi.core.lesson_mode", MODE, "ro", default="normal"),
    Element("cmi.core.exit", EXIT, "wo"),
    Element("cmi.core.session_time", TIMESPAN, "wo"),
    Element("cmi.suspend_data", STRING4096, "rw"),
    Element("cmi.launch_data", STRING4096, "ro"),
    Element("cmi.comments", STRING4096, "rw"),
    Element("cmi.comments_from_lms", STRING4096, "ro"),
    _children("cmi.objectives", "id,score,status"),
    _count("cmi.objectives"),
    Element("cmi.objectives.n.id", IDENTIFIER, "rw"),
    *_score("cmi.objectives.n"),
    Element("cmi.objectives.n.status", STATUS, "rw"),
    _children("cmi.student_data", "mastery_score,max_time_allowed,time_limit_action"),
    Element("cmi.student_data.mastery_score", DECIMAL, "ro", range=(0, 100)),
    Element("cmi.student_data.max_time_allowed", TIMESPAN, "ro"),
    Element("cmi.student_data.time_limit_action", TIME_LIMIT_ACTION, "ro"),
    _children("cmi.student_preference", "audio,language,speed,text"),
    Element("cmi.student_preference.audio", SINTEGER, "rw", range=(-1, 100)),
    Element("cmi.student_preference.language", STRING255, "rw"),
    Element("cmi.student_preference.speed", SINTEGER, "rw", range=(-100, 100)),
    Element("cmi.student_preference.text", SINTEGER, "rw", range=(-1, 1)),
    _children(
        "cmi.interactions",
        "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
    ),
    _count("cmi.interactions"),
    Element("cmi.interactions.n.id", IDENTIFIER, "wo"),
    _count("cmi.interactions.n.objectives"),
    Element("cmi.interactions.n.objectives.n.id", IDENTIFIER, "wo"),
    Element("cmi.interactions.n.time", TIME, "wo"),
    Element("cmi.interactions.n.type", INTERACTION, "wo"),
    _count("cmi.interactions.n.correct_responses"),
    Element("cmi.interactions.n.correct_responses.n.pattern", FEEDBACK, "wo"),
    Element("cmi.interactions.n.weighting", DECIMAL, "wo"),
    Element("cmi.interactions.n.student_response", FEEDBACK, "wo"),
    Element("cmi.interactions.n.result", RESULT, "wo"),
    Element("cmi.interactions.n.latency", TIMESPAN, "wo"),
]

ERRORS = {
    0: "No error",
    101: "General Exception",
    201: "Invalid argument error",
    202: "Element cannot have children",
    203: "Element not an array - cannot have count",
    301: "Not initialized",
    401: "Not implemented error",
    402: "Invalid set value, element is a keyword",
    403: "Element is read only",
    404: "Element is write only",
    405: "Incorrect Data Type",
}

# Reasons (datamodel and rte) -> 1.2 error codes. 1.2 has no dependency or uniqueness rules.
CODES = {
    "undefined": 401,
    "keyword": 402,
    "read_only": 403,
    "write_only": 404,
    "type": 405,
    "range": 405,
    "too_long": 405,
    "order": 201,
    "get_failure": 201,  # an empty name, or an index past _count
    "set_failure": 201,
    "no_children": 202,
    "no_count": 203,
    "unset": 0,  # 1.2 answers "" for a value never set
    "argument": 201,
    "init_twice": 101,
    "init_after_end": 101,
    "end_before_init": 301,
    "end_after_end": 301,
    "get_before_init": 301,
    "get_after_end": 301,
    "set_before_init": 301,
    "set_after_end": 301,
    "commit_before_init": 301,
    "commit_after_end": 301,
    "commit_failed": 101,
    "end_failed": 101,
}
