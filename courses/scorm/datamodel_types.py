"""The parts of the SCORM data-model tables: value types, rows, and the one reading of a value.

The browser runtime receives these as JSON (`datamodel.table_as_json`), so every regex is written
for both engines: anchored with ^ and $; no named groups, lookbehind, inline flags, \\A or \\Z,
atomic groups or possessive quantifiers; no \\s or \\w (Python and JavaScript disagree on which
characters they cover); every literal brace and bracket escaped so the source also compiles with
JavaScript's `u` flag. Python matches with re.fullmatch and re.ASCII (so \\d is 0-9, as in
JavaScript), JavaScript with RegExp(source, "u").test, and lengths count code points in both
(JavaScript: [...text].length), so the same strings pass.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

KEYWORDS = ("_children", "_count", "_version")
ACCESS = {"ro": "read-only", "wo": "write-only", "rw": "read-write"}
# The element whose value picks a response's format (ValueType.by_interaction_type).
INTERACTION_TYPE = "cmi.interactions.n.type"

# A number as content writes it, String(2 / 3) or String(1e-7) included; bounded so that float()
# of it is always finite.
REAL = r"-?(\d{1,20}\.?\d{0,20}|\.\d{1,20})([eE][-+]?\d{1,2})?"
# Printable characters without spaces, ASCII controls, DEL, C1 controls or no-break space.
NO_SPACE = r"!-~\u00a1-\uffff"
LANGUAGE = r"([a-zA-Z]{2,3}|[iIxX])(-[a-zA-Z0-9]{1,8})*"
# The optional {lang=xx} that opens a localized string; not counted in its SPM.
LANG_DELIMITER = r"^\{lang=" + LANGUAGE + r"\}"

# Why a value is refused; each version's CODES turns the reason into its error number.
TYPE, RANGE, TOO_LONG = "type", "range", "too_long"


@dataclass(frozen=True)
class ValueType:
    """How a value is written. A value passes when it is in `vocabulary`, or when it is no longer
    than `spm` and matches `regex` (no regex: any text). `numeric` types are also held to the
    element's range. `by_interaction_type` swaps in another type chosen by the interaction's type.
    """

    name: str
    regex: str | None = None
    vocabulary: tuple[str, ...] = ()
    spm: int | None = None  # smallest permitted maximum, in characters
    numeric: bool = False
    localized: bool = False  # may open with LANG_DELIMITER
    by_interaction_type: Mapping[str, "ValueType"] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "regex": self.regex,
            "vocabulary": list(self.vocabulary),
            "spm": self.spm,
            "numeric": self.numeric,
            "localized": self.localized,
            "by_interaction_type": {k: t.as_json() for k, t in self.by_interaction_type.items()},
        }


@dataclass(frozen=True)
class Element:
    """One row of a data model. `pattern` has `n` for each array index; `default` is what GetValue
    gives before anything is stored (None: nothing); `requires` names elements of the same record
    that must hold a value before this one is set; `unique` forbids two records of the array from
    sharing this value."""

    pattern: str
    type: ValueType
    access: str  # a key of ACCESS
    range: tuple[float | None, float | None] | None = None
    default: str | None = None
    requires: tuple[str, ...] = ()
    unique: bool = False

    @property
    def keyword(self) -> bool:
        return self.pattern.rsplit(".", 1)[-1] in KEYWORDS

    def as_json(self) -> dict:
        return {
            "pattern": self.pattern,
            "type": self.type.name,
            "access": self.access,
            "range": list(self.range) if self.range else None,
            "default": self.default,
            "requires": list(self.requires),
            "unique": self.unique,
        }


@cache
def compiled(regex: str) -> re.Pattern:
    return re.compile(regex, re.ASCII)


def check_value(
    vtype: ValueType,
    value: object,
    value_range: tuple[float | None, float | None] | None = None,
    interaction_type: str | None = None,
) -> str | None:
    """None when `value` fits the type (and range); otherwise TYPE, RANGE or TOO_LONG."""
    if not isinstance(value, str):
        return TYPE
    vtype = vtype.by_interaction_type.get(interaction_type, vtype)
    if value in vtype.vocabulary:
        return None
    text = value
    if vtype.localized and value.startswith("{lang="):
        delimiter = compiled(LANG_DELIMITER).match(value)
        if delimiter is None:
            return TYPE
        text = value[delimiter.end() :]
    if vtype.spm is not None and len(text) > vtype.spm:
        return TOO_LONG
    if vtype.regex is None:
        return TYPE if vtype.vocabulary else None
    if not compiled(vtype.regex).fullmatch(text):
        return TYPE
    if vtype.numeric and value_range:
        low, high = value_range
        number = float(text)
        if (low is not None and number < low) or (high is not None and number > high):
            return RANGE
    return None
