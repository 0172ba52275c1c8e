"""Assessment banks: versioned YAML files of items, scales, norms and instructions.

`load(text)` checks the whole file and raises `BankError` listing every problem with its line
and what to fix, so an author corrects a bank in one pass. A bank's version is the SHA-256 of
its bytes: any change makes a new version, and an attempt keeps the version it was taken with.
The shipped banks live in assessments/banks/; the README says how to write one.
"""

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

BANK_DIR = Path(__file__).resolve().parent / "banks"
ITEM_TYPES = ("likert",)  # more types arrive with the tests that use them
LIKERT_POINTS = 5
KEYS = ("plus", "minus")


class BankError(ValueError):
    """A bank file that cannot be used; `problems` are 'line N: what to fix' messages."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Norm:
    mean: float
    sd: float
    source: str


@dataclass(frozen=True)
class Scale:
    key: str
    title: str
    description: str
    norm: Norm | None


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    text: str
    scale: str
    keyed: str
    source: str


@dataclass(frozen=True)
class Bank:
    key: str
    title: str
    instructions: str
    time_limit_minutes: int | None
    choices: tuple[str, ...]
    scales: tuple[Scale, ...]
    items: tuple[Item, ...]
    band_low_below: float
    band_high_above: float
    version: str

    def items_of(self, scale_key: str) -> list[Item]:
        return [item for item in self.items if item.scale == scale_key]


# --- reading YAML with line numbers ---------------------------------------------------------

MAX_DEPTH = 12  # a bank nests 4 levels; more is a mistake or an attack


def _refused(node, message: str) -> BankError:
    return BankError([f"line {node.start_mark.line + 1}: {message}"])


def _to_python(node, lines: dict, path: tuple, seen: set[int]):
    """A YAML node as plain Python, noting the line of every mapping key and sequence entry.
    Anchors reused by aliases (&a ... *a) are refused: a few lines of them expand to billions
    of nodes. So are deep nesting and tags that name Python objects."""
    if id(node) in seen:
        raise _refused(node, "anchors and aliases (& and *) are not allowed in a bank; write "
                             "the text out")
    seen.add(id(node))
    if len(path) > MAX_DEPTH:
        raise _refused(node, f"nested more than {MAX_DEPTH} levels deep")
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            if key in result:
                raise BankError([f"line {key_node.start_mark.line + 1}: '{key}' appears twice "
                                 "here; keep one"])
            result[key] = _to_python(value_node, lines, (*path, key), seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, lines, (*path, index), seen)
                for index, child in enumerate(node.value)]
    try:
        return yaml.safe_load(yaml.serialize(node))  # a scalar, typed as YAML reads it
    except yaml.YAMLError:
        raise _refused(node, f"'{node.value}' cannot be read with the tag {node.tag}; remove "
                             "the tag") from None


class _Checker:
    """Collects every problem of a document, each with the line it is on."""

    def __init__(self, lines: dict):
        self.lines, self.problems = lines, []

    def problem(self, path: tuple, message: str) -> None:
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1)
                     if path[:n] in self.lines), 1)
        self.problems.append(f"line {line}: {message}")

    def text(self, data: dict, path: tuple, name: str, *, required=True, default="") -> str:
        value = data.get(name, None)
        if value is None:
            if required:
                self.problem(path, f"'{name}' is missing: add {name}: <text>")
            return default
        if not isinstance(value, str) or not value.strip():
            self.problem((*path, name), f"'{name}' must be non-empty text")
            return default
        return value.strip()

    def unique_text(self, data: dict, path: tuple, name: str, seen: set, what: str) -> str:
        """Like text(), and reported when an earlier entry already used the value."""
        value = self.text(data, path, name)
        if value and value in seen:
            self.problem((*path, name), f"{what} '{value}' is used twice; {name}s are unique")
        seen.add(value)
        return value

    def number(self, data: dict, path: tuple, name: str, *, minimum=None) -> float | None:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            self.problem((*path, name), f"'{name}' must be a number")
            return None
        if minimum is not None and value <= minimum:
            self.problem((*path, name), f"'{name}' must be greater than {minimum}")
            return None
        return float(value)

    def mapping(self, value, path: tuple, what: str) -> dict:
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a mapping of 'name: value' lines")
            return {}
        return value

    def sequence(self, data: dict, path: tuple, name: str) -> list:
        value = data.get(name)
        if not isinstance(value, list) or not value:
            self.problem(path if value is None else (*path, name),
                         f"'{name}' must be a non-empty list ('- ' entries)")
            return []
        return value


# --- the bank's structure --------------------------------------------------------------------

def load(text: str | bytes) -> Bank:
    raw = text.encode() if isinstance(text, str) else text
    try:
        node = yaml.compose(raw.decode("utf-8"), Loader=yaml.SafeLoader)
    except RecursionError:
        raise BankError([f"line 1: nested more than {MAX_DEPTH} levels deep"]) from None
    except UnicodeDecodeError:
        raise BankError(["line 1: the file is not UTF-8 text; save it as UTF-8"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise BankError([f"line {line}: not valid YAML ({getattr(error, 'problem', error)})"]
                        ) from None
    if node is None:
        raise BankError(["line 1: the file is empty"])
    lines: dict = {}
    data = _to_python(node, lines, (), set())
    check = _Checker(lines)
    data = check.mapping(data, (), "the bank")
    bank = _bank(data, check, version=hashlib.sha256(raw).hexdigest()[:16])
    if check.problems:
        raise BankError(sorted(check.problems, key=lambda p: int(p.split()[1].rstrip(":"))))
    return bank


def _bank(data: dict, check: _Checker, version: str) -> Bank:
    key = check.text(data, (), "key")
    if key and not key.replace("_", "").isalnum():
        check.problem(("key",), "'key' may hold only letters, digits and _")
    limit = data.get("time_limit_minutes")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or not 1 <= limit <= 240):
        check.problem(("time_limit_minutes",), "'time_limit_minutes' must be a whole number "
                                               "from 1 to 240 (or leave it out: untimed)")
        limit = None
    choices = check.sequence(data, (), "choices")
    if choices and (len(choices) != LIKERT_POINTS
                    or not all(isinstance(c, str) and c.strip() for c in choices)):
        check.problem(("choices",), f"'choices' must list {LIKERT_POINTS} answer labels, from "
                                    "the least to the most agreeing")
    bands = check.mapping(data.get("bands", {"low_below": 40, "high_above": 60}), ("bands",),
                          "'bands'")
    low = check.number(bands, ("bands",), "low_below") if bands else None
    high = check.number(bands, ("bands",), "high_above") if bands else None
    if low is not None and high is not None and low >= high:
        check.problem(("bands",), "'low_below' must be less than 'high_above' (T-scores)")
    scales = _scales(check.sequence(data, (), "scales"), check)
    items = _items(check.sequence(data, (), "items"), check, {s.key for s in scales})
    used = {item.scale for item in items}
    for index, scale in enumerate(scales):
        if scale.key and scale.key not in used:
            check.problem(("scales", index), f"scale '{scale.key}' has no items: add items "
                                             f"with 'scale: {scale.key}' or remove it")
    return Bank(key=key, title=check.text(data, (), "title"),
                instructions=check.text(data, (), "instructions"), time_limit_minutes=limit,
                choices=tuple(choices), scales=tuple(scales), items=tuple(items),
                band_low_below=low or 40.0, band_high_above=high or 60.0, version=version)


def _scales(entries: list, check: _Checker) -> list[Scale]:
    scales, seen = [], set()
    for index, entry in enumerate(entries):
        path = ("scales", index)
        entry = check.mapping(entry, path, "a scale")
        key = check.unique_text(entry, path, "key", seen, "scale key")
        norm = None
        if "norm" in entry:
            raw = check.mapping(entry["norm"], (*path, "norm"), "'norm'")
            mean = check.number(raw, (*path, "norm"), "mean")
            sd = check.number(raw, (*path, "norm"), "sd", minimum=0)
            source = check.text(raw, (*path, "norm"), "source")
            if mean is not None and sd is not None:
                norm = Norm(mean, sd, source)
        scales.append(Scale(key=key, title=check.text(entry, path, "title"),
                            description=check.text(entry, path, "description", required=False),
                            norm=norm))
    return scales


def _items(entries: list, check: _Checker, scale_keys: set[str]) -> list[Item]:
    items, seen = [], set()
    for index, entry in enumerate(entries):
        path = ("items", index)
        entry = check.mapping(entry, path, "an item")
        item_id = check.unique_text(entry, path, "id", seen, "item id")
        item_type = entry.get("type", "likert")
        if item_type not in ITEM_TYPES:
            check.problem((*path, "type"), f"unknown item type '{item_type}' (known: "
                                           + ", ".join(ITEM_TYPES) + ")")
        scale = check.text(entry, path, "scale")
        if scale and scale not in scale_keys:
            check.problem((*path, "scale"), f"scale '{scale}' is not among the bank's scales "
                                            "(" + ", ".join(sorted(scale_keys)) + ")")
        keyed = entry.get("keyed", "plus")
        if keyed not in KEYS:
            check.problem((*path, "keyed"), "'keyed' must be plus or minus (minus: the answer "
                                            "is reversed)")
        items.append(Item(id=item_id, type=item_type, text=check.text(entry, path, "text"),
                          scale=scale, keyed=keyed,
                          source=check.text(entry, path, "source", required=False)))
    return items


# --- the shipped banks -----------------------------------------------------------------------

def shipped() -> dict[str, Bank]:
    """Every bank in assessments/banks/, by key (a broken shipped bank is a bug: it raises)."""
    banks = {}
    for path in sorted(BANK_DIR.glob("*.yaml")):
        bank = load(path.read_bytes())
        banks[bank.key] = bank
    return banks
