"""The SCORM run-time data model: one table per version, for the server and the browser alike.

The tables live in datamodel_12 and datamodel_2004; this module reads them. `check_get` and
`check_set` judge a GetValue or SetValue the way the SCORM API must answer it, `apply_set` also
stores an accepted value, and `table_as_json` hands the browser runtime the same table, so a value
the browser accepts is one the server accepts.

State: one flat dict of what is stored, keyed by concrete element names ("cmi.location",
"cmi.interactions.0.id") holding strings, plus an int per array under "<array>._count"
("cmi.interactions._count": 2, "cmi.interactions.0.objectives._count": 1; missing means 0). The
caller seeds read-only values (learner id and name, credit, mode, entry, launch data, comments
from the LMS with their counts) the same way; `apply_set` keeps the counts.

Error codes are ints here (0 is success); the API in rte.py turns them into SCORM's strings.
"""

from dataclasses import dataclass

from courses.scorm import datamodel_12, datamodel_2004
from courses.scorm.datamodel_types import (
    ACCESS,
    INTERACTION_TYPE,
    KEYWORDS,
    LANG_DELIMITER,
    Element,
    check_value,
    compiled,
)

VERSIONS = ("1.2", "2004")

# How a concrete name becomes a table pattern (the browser applies the same two rules): a segment
# matching INDEX becomes "n"; a trailing TARGET becomes "{target=ID}".
INDEX = r"^(0|[1-9]\d{0,8})$"
TARGET = r"\{target=[!-z|~\u00a1-\uffff]+\}$"
_INDEX = compiled(INDEX)
_TARGET = compiled(TARGET)


@dataclass(frozen=True)
class _Model:
    elements: dict[str, Element]
    groups: frozenset[str]  # every pattern and every prefix of one: what may have _children
    errors: dict[int, str]
    codes: dict[str, int]


def _build(module) -> _Model:
    patterns = [element.pattern for element in module.ELEMENTS]
    groups = {p.rsplit(".", i)[0] for p in patterns for i in range(p.count(".") + 1)}
    return _Model(
        {element.pattern: element for element in module.ELEMENTS},
        frozenset(groups),
        module.ERRORS,
        module.CODES,
    )


_MODELS = {"1.2": _build(datamodel_12), "2004": _build(datamodel_2004)}


def _model(version: str) -> _Model:
    if version not in _MODELS:
        raise ValueError(f"SCORM version {version!r} is not one of {VERSIONS}")
    return _MODELS[version]


def _pattern(name: object) -> str | None:
    if not isinstance(name, str):
        return None
    parts = _TARGET.sub("{target=ID}", name).split(".")
    if "n" in parts:  # "n" is the table's placeholder, never a real name's segment
        return None
    return ".".join("n" if _INDEX.fullmatch(part) else part for part in parts)


def element_for(version: str, name: str) -> Element | None:
    """The row that `name` ("cmi.interactions.3.id") falls under, or None."""
    return _model(version).elements.get(_pattern(name))


def code(version: str, reason: str) -> int:
    """The error code a version gives for a reason (a key of datamodel_2004.CODES)."""
    return _model(version).codes[reason]


def error_string(version: str, error: int | str) -> str:
    """The standard text of an error code; "" for a code the version does not define."""
    if isinstance(error, str):
        error = int(error) if error.isascii() and error.isdigit() else None
    return _model(version).errors.get(error, "") if isinstance(error, int) else ""


def describe(version: str, name: str) -> str:
    """One line on what `name` accepts, for GetDiagnostic."""
    element = element_for(version, name)
    if element is None:
        return f"{name!r} is not in the SCORM {version} data model"
    vtype = element.type
    details = [vtype.name, ACCESS[element.access]]
    if vtype.vocabulary:
        details.append("one of " + "/".join(repr(word) for word in vtype.vocabulary))
    if element.range:
        low, high = ("*" if end is None else f"{end:g}" for end in element.range)
        details.append(f"range {low}..{high}")
    details += [f"needs {required} first" for required in element.requires]
    return f"{name} is " + ", ".join(details)


def _count(state: dict, key: str) -> int:
    return int(state.get(key) or 0)


def _arrays(element: Element, name: str) -> list[tuple[str, int]]:
    """(count key, index) for each array `name` goes through, outermost first."""
    parts = name.split(".")
    return [
        (".".join(parts[:pos]) + "._count", int(parts[pos]))
        for pos, segment in enumerate(element.pattern.split("."))
        if segment == "n"
    ]


def _fill(pattern: str, name: str) -> str:
    """`pattern` with its indexes taken from `name`, which shares its leading segments."""
    parts = name.split(".")
    return ".".join(
        parts[pos] if seg == "n" else seg for pos, seg in enumerate(pattern.split("."))
    )


def _misused(model: _Model, name: str, setting: bool) -> str:
    """The reason for a name that has no row: a keyword on a known element, or undefined."""
    if not isinstance(name, str):
        return "undefined"
    head, _, last = name.rpartition(".")
    if last in KEYWORDS and _pattern(head) in model.groups:
        if setting:
            return "keyword"
        return {"_children": "no_children", "_count": "no_count"}.get(last, "undefined")
    return "undefined"


def _get(model: _Model, name: str, state: dict) -> tuple[str | None, str | None]:
    if name == "":
        return None, "get_failure"
    element = model.elements.get(_pattern(name))
    if element is None:
        return None, _misused(model, name, setting=False)
    if element.access == "wo":
        return None, "write_only"
    # _children describes the model, so it answers whether or not the record exists.
    if not element.pattern.endswith("._children") and any(
        index >= _count(state, key) for key, index in _arrays(element, name)
    ):
        return None, "get_failure"
    if element.pattern.endswith("._count"):
        return str(_count(state, name)), None
    value = state.get(name, element.default)
    return (None, "unset") if value is None else (value, None)


def check_get(version: str, name: str, state: dict) -> tuple[str | None, int]:
    """(value, 0), or (None, error code); 1.2 gives ("", 0) for a value never set."""
    model = _model(version)
    value, reason = _get(model, name, state)
    if reason is None:
        return value, 0
    error = model.codes[reason]
    return ("" if error == 0 else None), error


def _judge_set(
    model: _Model, name: str, value: object, state: dict
) -> tuple[Element | None, str | None]:
    if name == "":
        return None, "set_failure"
    element = model.elements.get(_pattern(name))
    if element is None:
        return None, _misused(model, name, setting=True)
    if element.keyword:
        return element, "keyword"
    if element.access == "ro":
        return element, "read_only"
    arrays = _arrays(element, name)
    if any(index > _count(state, key) for key, index in arrays):
        return element, "order"
    if any(state.get(_fill(required, name)) is None for required in element.requires):
        return element, "dependency"
    itype = state.get(_fill(INTERACTION_TYPE, name)) if element.type.by_interaction_type else None
    reason = check_value(element.type, value, element.range, itype)
    if reason is None and element.unique and _duplicate(element, name, value, state):
        reason = "duplicate"
    return element, reason


def _duplicate(element: Element, name: str, value: object, state: dict) -> bool:
    """Whether another record of the innermost array already holds `value` in this field."""
    key, index = _arrays(element, name)[-1]
    parts = name.split(".")
    position = key.count(".")  # "cmi.objectives._count" -> the index is segment 2
    for other in range(_count(state, key)):
        parts[position] = str(other)
        if other != index and state.get(".".join(parts)) == value:
            return True
    return False


def check_set(version: str, name: str, value: object, state: dict) -> int:
    """0 when SetValue(name, value) would be accepted over `state`, else its error code."""
    model = _model(version)
    reason = _judge_set(model, name, value, state)[1]
    return 0 if reason is None else model.codes[reason]


def apply_set(version: str, name: str, value: object, state: dict) -> int:
    """check_set, and on success store the value in `state` (counting a new record)."""
    model = _model(version)
    element, reason = _judge_set(model, name, value, state)
    if reason is not None:
        return model.codes[reason]
    for key, index in _arrays(element, name):
        if index == _count(state, key):
            state[key] = index + 1
    state[name] = value
    return 0


def table_as_json(version: str) -> dict:
    """The version's table for the browser runtime, which repeats check_value and the rules above.
    Regexes are JavaScript sources for RegExp(source, "u"): a type's regex and `index` must match
    the whole value or segment; `target` is replaced at the end of a name and `lang_delimiter`
    matched at the start of a localized string."""
    model = _model(version)
    elements = list(model.elements.values())
    return {
        "version": version,
        "regex_flags": "u",
        "index": INDEX,
        "target": TARGET,
        "lang_delimiter": LANG_DELIMITER,
        "interaction_type": INTERACTION_TYPE,
        "keywords": list(KEYWORDS),
        "errors": {str(number): text for number, text in model.errors.items()},
        "codes": dict(model.codes),
        "types": {element.type.name: element.type.as_json() for element in elements},
        "elements": [element.as_json() for element in elements],
    }
