"""The SCORM 2004 4th Edition run-time data model (RTE book, section 4.2) and its error codes.

SPMs are where we stop: SCORM lets an LMS keep more, we refuse a longer value with 351 (the set
the LMS cannot honour) so content learns of it instead of losing the tail. Arrays are written in
order (index at most _count, else 351); a record's id (an interaction's type, for its responses)
must be set before its other fields (408).
"""

from courses.scorm.datamodel_types import LANGUAGE, NO_SPACE, REAL, Element, ValueType

# URI-like identifiers: no spaces; a urn: needs a namespace and a specific string.
_LONG_ID = (
    f"^(?![uU][rR][nN]:)[{NO_SPACE}]+$"
    f"|^[uU][rR][nN]:[a-zA-Z0-9][a-zA-Z0-9-]{{0,31}}:[{NO_SPACE}]+$"
)
# An identifier inside a response: no brackets or backslash, which would blur the [,] delimiters.
_ID = r"[!-Z^-~\u00a1-\uffff]{1,250}"
_TIME = (
    r"^(19[7-9]\d|20[0-2]\d|203[0-8])(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3])(:[0-5]\d(:[0-5]\d(\.\d{1,2})?(Z|[-+]([01]\d|2[0-3])(:?[0-5]\d)?)?)?)?)?)?)?$"
)
# P[yY][mM][dD][T[hH][nM][s[.s]S]]: the lookaheads refuse "P" alone and a bare "T".
_DURATION = (
    r"^P(?=\d|T\d)(\d{1,10}Y)?(\d{1,10}M)?(\d{1,10}D)?"
    r"(T(?=\d)(\d{1,10}H)?(\d{1,10}M)?(\d{1,10}(\.\d{1,2})?S)?)?$"
)


def _string(spm: int) -> ValueType:
    return ValueType(f"characterstring(SPM {spm})", spm=spm)


def _localized(spm: int) -> ValueType:
    return ValueType(f"localized_string_type(SPM {spm})", spm=spm, localized=True)


def _state(name: str, *vocabulary: str) -> ValueType:
    return ValueType(f"state:{name}", vocabulary=vocabulary)


CHILDREN = _string(255)
INTEGER = ValueType("integer", regex=r"^\d+$", numeric=True)
LONG_ID = ValueType("long_identifier_type(SPM 4000)", regex=_LONG_ID, spm=4000)
REAL_10_7 = ValueType("real(10,7)", regex=f"^{REAL}$", numeric=True)
DURATION = ValueType("timeinterval(second,10,2)", regex=_DURATION)
TIME = ValueType("time(second,10,0)", regex=_TIME)
# "" is no preference.
LANGUAGE_TYPE = ValueType("language_type(SPM 250)", f"^{LANGUAGE}$", vocabulary=("",), spm=250)
COMPLETION = _state("completion_status", "completed", "incomplete", "not attempted", "unknown")
SUCCESS = _state("success_status", "passed", "failed", "unknown")
EXIT = _state("exit", "time-out", "suspend", "logout", "normal", "")
ENTRY = _state("entry", "ab-initio", "resume", "")
CREDIT = _state("credit", "credit", "no-credit")
MODE = _state("mode", "browse", "normal", "review")
CAPTIONING = _state("audio_captioning", "-1", "0", "1")
TIME_LIMIT_ACTION = _state(
    "time_limit_action",
    *("exit,message", "continue,message", "exit,no message", "continue,no message"),
)
INTERACTION = _state(
    "interaction_type", "true-false", "choice", "fill-in", "long-fill-in", "matching",
    "performance", "sequencing", "likert", "numeric", "other",
)
RESULT = ValueType(
    "state:result or real(10,7)",
    vocabulary=("correct", "incorrect", "unanticipated", "neutral"),
    regex=REAL_10_7.regex,
)
NAV_VALID = _state("nav_request_valid", "true", "false", "unknown")
NAV_REQUEST = ValueType(
    "state:nav_request",
    vocabulary=(
        "continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_"
    ),
    regex=r"^\{target=[!-z|~\u00a1-\uffff]+\}(choice|jump)$",
)


def _responses(kind: str, numeric: str) -> ValueType:
    """A learner response or a correct-response pattern: characterstring (SPM 4000) read loosely
    (fill-in, long-fill-in, performance and other carry free text and {case_matters=...} and
    {order_matters=...} delimiters), with the types whose form carries the meaning held to it."""
    formats = {
        "true-false": ValueType(f"{kind}:true-false", vocabulary=("true", "false")),
        "choice": ValueType(f"{kind}:choice", regex=rf"^({_ID}(\[,\]{_ID})*)?$", spm=4000),
        "sequencing": ValueType(f"{kind}:sequencing", regex=rf"^{_ID}(\[,\]{_ID})*$", spm=4000),
        "likert": ValueType(f"{kind}:likert", regex=f"^{_ID}$"),
        "matching": ValueType(
            f"{kind}:matching", regex=rf"^{_ID}\[\.\]{_ID}(\[,\]{_ID}\[\.\]{_ID})*$", spm=4000
        ),
        "numeric": ValueType(f"{kind}:numeric", regex=numeric),
    }
    return ValueType(kind, spm=4000, by_interaction_type=formats)


LEARNER_RESPONSE = _responses("learner_response", f"^{REAL}$")
# A pattern for numeric is a range min[:]max (either end may be open), or one number.
PATTERN = _responses("correct_response_pattern", rf"^{REAL}$|^({REAL})?\[:\]({REAL})?$")

_INTERACTION = ("cmi.interactions.n.id",)
_TYPED = ("cmi.interactions.n.id", "cmi.interactions.n.type")
_OBJECTIVE = ("cmi.objectives.n.id",)


def _children(prefix: str, names: str) -> Element:
    return Element(f"{prefix}._children", CHILDREN, "ro", default=names)


def _count(prefix: str) -> Element:
    return Element(f"{prefix}._count", INTEGER, "ro")


def _score(prefix: str, requires: tuple[str, ...] = ()) -> list[Element]:
    return [
        _children(f"{prefix}.score", "scaled,raw,min,max"),
        Element(f"{prefix}.score.scaled", REAL_10_7, "rw", range=(-1, 1), requires=requires),
        *(
            Element(f"{prefix}.score.{part}", REAL_10_7, "rw", requires=requires)
            for part in ("raw", "min", "max")
        ),
    ]


def _comments(prefix: str, access: str) -> list[Element]:
    return [
        _children(prefix, "comment,location,timestamp"),
        _count(prefix),
        Element(f"{prefix}.n.comment", _localized(4000), access),
        Element(f"{prefix}.n.location", _string(250), access),
        Element(f"{prefix}.n.timestamp", TIME, access),
    ]


ELEMENTS = [
    Element("cmi._version", CHILDREN, "ro", default="1.0"),
    *_comments("cmi.comments_from_learner", "rw"),
    *_comments("cmi.comments_from_lms", "ro"),
    Element("cmi.completion_status", COMPLETION, "rw", default="unknown"),
    Element("cmi.completion_threshold", REAL_10_7, "ro", range=(0, 1)),
    Element("cmi.credit", CREDIT, "ro", default="credit"),
    Element("cmi.entry", ENTRY, "ro", default="ab-initio"),
    Element("cmi.exit", EXIT, "wo"),
    _children(
        "cmi.interactions",
        "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,"
        "latency,description",
    ),
    _count("cmi.interactions"),
    Element("cmi.interactions.n.id", LONG_ID, "rw"),
    Element("cmi.interactions.n.type", INTERACTION, "rw", requires=_INTERACTION),
    _count("cmi.interactions.n.objectives"),
    Element(
        "cmi.interactions.n.objectives.n.id", LONG_ID, "rw", requires=_INTERACTION, unique=True
    ),
    Element("cmi.interactions.n.timestamp", TIME, "rw", requires=_INTERACTION),
    _count("cmi.interactions.n.correct_responses"),
    Element("cmi.interactions.n.correct_responses.n.pattern", PATTERN, "rw", requires=_TYPED),
    Element("cmi.interactions.n.weighting", REAL_10_7, "rw", requires=_INTERACTION),
    Element("cmi.interactions.n.learner_response", LEARNER_RESPONSE, "rw", requires=_TYPED),
    Element("cmi.interactions.n.result", RESULT, "rw", requires=_INTERACTION),
    Element("cmi.interactions.n.latency", DURATION, "rw", requires=_INTERACTION),
    Element("cmi.interactions.n.description", _localized(250), "rw", requires=_INTERACTION),
    Element("cmi.launch_data", _string(4000), "ro"),
    Element("cmi.learner_id", LONG_ID, "ro"),
    Element("cmi.learner_name", _localized(250), "ro"),
    _children("cmi.learner_preference", "audio_level,language,delivery_speed,audio_captioning"),
    Element("cmi.learner_preference.audio_level", REAL_10_7, "rw", range=(0, None), default="1"),
    Element("cmi.learner_preference.language", LANGUAGE_TYPE, "rw", default=""),
    Element("cmi.learner_preference.delivery_speed", REAL_10_7, "rw", range=(0, None), default="1"),
    Element("cmi.learner_preference.audio_captioning", CAPTIONING, "rw", default="0"),
    Element("cmi.location", _string(1000), "rw"),
    Element("cmi.max_time_allowed", DURATION, "ro"),
    Element("cmi.mode", MODE, "ro", default="normal"),
    _children(
        "cmi.objectives", "id,score,success_status,completion_status,progress_measure,description"
    ),
    _count("cmi.objectives"),
    Element("cmi.objectives.n.id", LONG_ID, "rw", unique=True),
    *_score("cmi.objectives.n", _OBJECTIVE),
    Element("cmi.objectives.n.success_status", SUCCESS, "rw", requires=_OBJECTIVE),
    Element("cmi.objectives.n.completion_status", COMPLETION, "rw", requires=_OBJECTIVE),
    Element(
        "cmi.objectives.n.progress_measure", REAL_10_7, "rw", range=(0, 1), requires=_OBJECTIVE
    ),
    Element("cmi.objectives.n.description", _localized(250), "rw", requires=_OBJECTIVE),
    Element("cmi.progress_measure", REAL_10_7, "rw", range=(0, 1)),
    Element("cmi.scaled_passing_score", REAL_10_7, "ro", range=(-1, 1)),
    *_score("cmi"),
    Element("cmi.session_time", DURATION, "wo"),
    Element("cmi.success_status", SUCCESS, "rw", default="unknown"),
    Element("cmi.suspend_data", _string(64000), "rw"),
    Element("cmi.time_limit_action", TIME_LIMIT_ACTION, "ro", default="continue,no message"),
    Element("cmi.total_time", DURATION, "ro", default="PT0H0M0S"),
    Element("adl.nav.request", NAV_REQUEST, "rw", default="_none_"),
    Element("adl.nav.request_valid.continue", NAV_VALID, "ro", default="unknown"),
    Element("adl.nav.request_valid.previous", NAV_VALID, "ro", default="unknown"),
    Element("adl.nav.request_valid.choice.{target=ID}", NAV_VALID, "ro", default="unknown"),
    Element("adl.nav.request_valid.jump.{target=ID}", NAV_VALID, "ro", default="unknown"),
]

ERRORS = {
    0: "No Error",
    101: "General Exception",
    102: "General Initialization Failure",
    103: "Already Initialized",
    104: "Content Instance Terminated",
    111: "General Termination Failure",
    112: "Termination Before Initialization",
    113: "Termination After Termination",
    122: "Retrieve Data Before Initialization",
    123: "Retrieve Data After Termination",
    132: "Store Data Before Initialization",
    133: "Store Data After Termination",
    142: "Commit Before Initialization",
    143: "Commit After Termination",
    201: "General Argument Error",
    301: "General Get Failure",
    351: "General Set Failure",
    391: "General Commit Failure",
    401: "Undefined Data Model Element",
    402: "Unimplemented Data Model Element",
    403: "Data Model Element Value Not Initialized",
    404: "Data Model Element Is Read Only",
    405: "Data Model Element Is Write Only",
    406: "Data Model Element Type Mismatch",
    407: "Data Model Element Value Out Of Range",
    408: "Data Model Dependency Not Established",
}

# Reasons (datamodel and rte) -> 2004 error codes.
CODES = {
    "undefined": 401,
    "keyword": 404,
    "read_only": 404,
    "write_only": 405,
    "type": 406,
    "range": 407,
    "too_long": 351,
    "order": 351,
    "dependency": 408,
    "duplicate": 351,
    "get_failure": 301,  # an empty name, or an index past _count
    "set_failure": 351,
    "no_children": 301,
    "no_count": 301,
    "unset": 403,
    "argument": 201,
    "init_twice": 103,
    "init_after_end": 104,
    "end_before_init": 112,
    "end_after_end": 113,
    "get_before_init": 122,
    "get_after_end": 123,
    "set_before_init": 132,
    "set_after_end": 133,
    "commit_before_init": 142,
    "commit_after_end": 143,
    "commit_failed": 391,
    "end_failed": 111,
}
