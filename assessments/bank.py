"""Assessment banks: versioned YAML files of items, scales, norms and instructions.

`load(text)` checks the whole file and raises `BankError` listing every problem with its line
and what to fix, so an author corrects a bank in one pass. A bank's version is the SHA-256 of
its bytes: any change makes a new version, and an attempt keeps the version it was taken with.
The shipped banks live in assessments/banks/; the README says how to write one.
"""

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

BANK_DIR = Path(__file__).resolve().parent / "banks"
ITEM_TYPES = ("likert", "single_choice", "multiple_choice", "sjt", "text", "typing")
SCALED_TYPES = ("likert", "single_choice", "multiple_choice", "sjt")  # must name a scale
SJT_RULES = ("best_worst", "rank", "rating")
LIKERT_POINTS = 5
RATING_POINTS = 5
KEYS = ("plus", "minus")
STEPS = ("skills_assessment", "personality_fit", "home_office_readiness")  # see steps.py
MAX_ID = 40
ID_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_ID}}}")
BANK_FIELDS = ("key", "title", "step", "order", "instructions", "time_limit_minutes", "choices",
               "bands", "scales", "sections", "items")
SECTION_FIELDS = ("key", "title", "instructions", "time_limit_minutes")
SCALE_FIELDS = ("key", "title", "description", "group", "norm")
COMMON_ITEM_FIELDS = ("id", "type", "text", "scale", "section", "source")
ITEM_FIELDS = {
    "likert": ("keyed",),
    "single_choice": ("options", "key", "knockout", "rationale"),
    "multiple_choice": ("options", "key", "rationale"),
    "sjt": ("scenario", "options", "rule", "key", "rationale"),
    "text": ("length", "rubric"),
    "typing": ("passages", "seconds"),
}
TEXT_LIMITS = {"short": 500, "long": 4000}  # characters a free-text answer may hold


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
    group: str = ""  # a heading that gathers scales in results, e.g. "Self-direction"


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    points: float = 0.0


@dataclass(frozen=True)
class RubricLevel:
    points: int
    text: str


@dataclass(frozen=True)
class Item:
    """One question. Fields a type does not use keep their empty defaults."""

    id: str
    type: str
    text: str
    scales: tuple[str, ...] = ()
    source: str = ""
    keyed: str = "plus"                      # likert
    options: tuple[Option, ...] = ()         # single/multiple choice, sjt
    key: tuple = ()                          # choice: option ids; sjt: see bank._sjt
    knockout: tuple[str, ...] = ()           # single choice: answers that rule a candidate out
    scenario: str = ""                       # sjt
    rule: str = ""                           # sjt
    rationale: str = ""                      # shown to managers
    length: str = ""                         # text: short or long
    rubric: tuple[RubricLevel, ...] = ()     # text
    passages: tuple[str, ...] = ()           # typing
    seconds: int = 0                         # typing
    section: str = ""                        # the bank's section it belongs to, if any

    def option_text(self, option_id: str) -> str:
        return next((o.text for o in self.options if o.id == option_id), option_id)

    @property
    def max_rubric_points(self) -> int:
        return max((level.points for level in self.rubric), default=0)


@dataclass(frozen=True)
class Section:
    """Items taken in turn, each part with its own clock; a part once left is closed."""

    key: str
    title: str
    instructions: str
    time_limit_minutes: int | None


@dataclass(frozen=True)
class Bank:
    key: str
    title: str
    step: str | None      # the application step that includes this bank
    order: int            # its place among the step's banks
    instructions: str
    time_limit_minutes: int | None
    choices: tuple[str, ...]
    scales: tuple[Scale, ...]
    items: tuple[Item, ...]
    band_low_below: float
    band_high_above: float
    version: str
    sections: tuple[Section, ...] = ()

    def items_of(self, scale_key: str) -> list[Item]:
        return [item for item in self.items if scale_key in item.scales]

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)


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
        """Like text(), and reported when an earlier entry already used the value; an id is
        a short word of letters, digits, _ and - (stored with every answer)."""
        value = self.text(data, path, name)
        if value and not ID_PATTERN.fullmatch(value):
            self.problem((*path, name), f"{what} '{value[:40]}' must be 1 to {MAX_ID} letters, "
                                        "digits, _ or -")
        if value and value in seen:
            self.problem((*path, name), f"{what} '{value}' is used twice; {name}s are unique")
        seen.add(value)
        return value

    def known_fields(self, data: dict, path: tuple, allowed: tuple[str, ...], what: str) -> None:
        """A misspelt field (norms: for norm:) would silently drop what it holds: name it."""
        for name in data:
            if name not in allowed:
                self.problem((*path, name), f"'{name}' is not a field of {what} (it may hold: "
                                            + ", ".join(allowed) + ")")

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
    check.known_fields(data, (), BANK_FIELDS, "a bank")
    key = check.text(data, (), "key")
    if key and not key.replace("_", "").isalnum():
        check.problem(("key",), "'key' may hold only letters, digits and _")
    limit = _minutes(data, (), check)
    choices = check.sequence(data, (), "choices") if _needs(data, "choices", ("likert",)) \
        else []
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
    scales = _scales(check.sequence(data, (), "scales"), check) \
        if _needs(data, "scales", SCALED_TYPES) else []
    step = data.get("step")
    if step is not None and step not in STEPS:
        check.problem(("step",), "'step' must be one of " + ", ".join(STEPS) + " (or leave it "
                                 "out: the bank is not part of an application)")
        step = None
    order = data.get("order", 1)
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 99:
        check.problem(("order",), "'order' must be a whole number from 1 to 99")
        order = 1
    sections = _sections(data, check)
    items = _items(check.sequence(data, (), "items"), check, {s.key for s in scales})
    _check_sections(sections, items, check)
    used = {scale for item in items for scale in item.scales}
    for index, scale in enumerate(scales):
        if scale.key and scale.key not in used:
            check.problem(("scales", index), f"scale '{scale.key}' has no items: add items "
                                             f"with 'scale: {scale.key}' or remove it")
        types = {item.type for item in items if scale.key in item.scales}
        if "likert" in types and len(types) > 1:
            check.problem(("scales", index), f"scale '{scale.key}' mixes likert items with "
                                             "other item types; give each kind its own scale")
    return Bank(key=key, title=check.text(data, (), "title"), step=step, order=order,
                instructions=check.text(data, (), "instructions"), time_limit_minutes=limit,
                choices=tuple(choices), scales=tuple(scales), items=tuple(items),
                band_low_below=low or 40.0, band_high_above=high or 60.0, version=version,
                sections=tuple(sections))


def _minutes(data: dict, path: tuple, check: _Checker) -> int | None:
    limit = data.get("time_limit_minutes")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or not 1 <= limit <= 240):
        check.problem((*path, "time_limit_minutes"), "'time_limit_minutes' must be a whole "
                                                     "number from 1 to 240 (or leave it out: "
                                                     "untimed)")
        return None
    return limit


def _sections(data: dict, check: _Checker) -> list[Section]:
    if "sections" not in data:
        return []
    sections, seen = [], set()
    for index, entry in enumerate(check.sequence(data, (), "sections")):
        path = ("sections", index)
        entry = check.mapping(entry, path, "a section")
        check.known_fields(entry, path, SECTION_FIELDS, "a section")
        sections.append(Section(
            key=check.unique_text(entry, path, "key", seen, "section key"),
            title=check.text(entry, path, "title"),
            instructions=check.text(entry, path, "instructions", required=False),
            time_limit_minutes=_minutes(entry, path, check)))
    return sections


def _check_sections(sections: list[Section], items: list[Item], check: _Checker) -> None:
    """With sections, every item names one and every section has items; without, none does."""
    keys = [section.key for section in sections]
    for index, item in enumerate(items):
        if sections and item.section not in keys:
            check.problem(("items", index), "'section' must name one of the bank's sections ("
                                            + ", ".join(keys) + ")")
        elif not sections and item.section:
            check.problem(("items", index, "section"), "the bank has no 'sections': remove "
                                                       "'section' or add the sections")
    used = {item.section for item in items}
    for index, section in enumerate(sections):
        if section.key and section.key not in used:
            check.problem(("sections", index), f"section '{section.key}' has no items")


def _needs(data: dict, name: str, item_types: tuple[str, ...]) -> bool:
    """Whether the bank must have `name`: it is there, or an item of these types needs it."""
    items = data.get("items")
    return name in data or isinstance(items, list) and any(
        isinstance(i, dict) and i.get("type", "likert") in item_types for i in items)


def _scales(entries: list, check: _Checker) -> list[Scale]:
    scales, seen = [], set()
    for index, entry in enumerate(entries):
        path = ("scales", index)
        entry = check.mapping(entry, path, "a scale")
        check.known_fields(entry, path, SCALE_FIELDS, "a scale")
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
                            norm=norm, group=check.text(entry, path, "group", required=False)))
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
        if item_type in ITEM_TYPES:
            check.known_fields(entry, path, COMMON_ITEM_FIELDS + ITEM_FIELDS[item_type],
                               f"a {item_type} item")
        if item_type in ITEM_TYPES and item_type not in SCALED_TYPES and "scale" in entry:
            check.problem((*path, "scale"), f"{item_type} items are not counted in a scale: "
                                            "remove 'scale'")
        reader = _ITEM_READERS.get(item_type, _likert)
        fields = reader(entry, path, check)
        items.append(Item(id=item_id, type=item_type, scales=_item_scales(
            entry, path, check, scale_keys, required=item_type in SCALED_TYPES),
            source=check.text(entry, path, "source", required=False),
            section=entry.get("section") if isinstance(entry.get("section"), str) else "",
            **fields))
    return items


def _item_scales(entry: dict, path: tuple, check: _Checker, scale_keys: set[str],
                 required: bool) -> tuple[str, ...]:
    """`scale: x` or `scale: [x, y]` (an IPIP item counts towards its domain and its facet)."""
    value = entry.get("scale")
    if value is None:
        if required:
            check.problem(path, "'scale' is missing: add scale: <one of the bank's scales>")
        return ()
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(n, str) and n for n in names) \
            or len(set(names)) != len(names):
        check.problem((*path, "scale"), "'scale' must name a scale, or list different scales")
        return ()
    for name in names:
        if name not in scale_keys:
            check.problem((*path, "scale"), f"scale '{name}' is not among the bank's scales "
                                            "(" + ", ".join(sorted(scale_keys)) + ")")
    return tuple(names)


def _likert(entry: dict, path: tuple, check: _Checker) -> dict:
    keyed = entry.get("keyed", "plus")
    if keyed not in KEYS:
        check.problem((*path, "keyed"), "'keyed' must be plus or minus (minus: the answer "
                                        "is reversed)")
    return {"text": check.text(entry, path, "text"), "keyed": keyed}


def _options(entry: dict, path: tuple, check: _Checker, *, points: bool) -> tuple[Option, ...]:
    options, seen = [], set()
    raw = check.sequence(entry, path, "options")
    if raw and len(raw) < 2:
        check.problem((*path, "options"), "'options' needs at least 2 entries")
    for index, option in enumerate(raw):
        opath = (*path, "options", index)
        option = check.mapping(option, opath, "an option")
        check.known_fields(option, opath, ("id", "text", "points") if points else ("id", "text"),
                           "an option" if points else "an option of this item type")
        value = 0.0
        if points and "points" in option:
            value = check.number(option, opath, "points")
            if value is not None and not 0 <= value <= 1:
                check.problem((*opath, "points"), "'points' must be from 0 to 1")
        options.append(Option(id=check.unique_text(option, opath, "id", seen, "option id"),
                              text=check.text(option, opath, "text"), points=value or 0.0))
    return tuple(options)


def _option_ids(value, path: tuple, check: _Checker, ids: set[str], name: str,
                *, single: bool) -> tuple[str, ...]:
    names = [value] if single else value
    if not isinstance(names, list) or not names or not all(n in ids for n in names) \
            or len(set(names)) != len(names):
        what = "an option id" if single else "a list of different option ids"
        check.problem(path, f"'{name}' must be {what} of this item (" + ", ".join(sorted(ids))
                            + ")")
        return ()
    return tuple(names)


def _single_choice(entry: dict, path: tuple, check: _Checker) -> dict:
    """Scored by the option's `points` (0..1), or 1 for the `key` option and 0 for the others.
    `knockout` lists the answers that rule a candidate out unless an opening says otherwise."""
    options = _options(entry, path, check, points=True)
    ids = {o.id for o in options}
    key = ()
    if "key" in entry:
        if any(isinstance(o, dict) and "points" in o for o in entry.get("options") or ()):
            check.problem((*path, "key"), "use either 'key' (one right answer) or 'points' on "
                                          "the options, not both")
        key = _option_ids(entry["key"], (*path, "key"), check, ids, "key", single=True)
        options = tuple(Option(o.id, o.text, 1.0 if o.id in key else 0.0) for o in options)
    knockout = ()
    if "knockout" in entry:
        knockout = _option_ids(entry["knockout"], (*path, "knockout"), check, ids, "knockout",
                               single=False)
        if "rationale" not in entry:
            check.problem((*path, "knockout"), "a knock-out item needs a 'rationale': managers "
                                               "are shown why the answer rules someone out")
        if any(o.points > 0 for o in options if o.id in knockout):
            check.problem((*path, "knockout"), "a knock-out answer must earn 0 points")
    return {"text": check.text(entry, path, "text"), "options": options, "key": key,
            "knockout": knockout, "rationale": check.text(entry, path, "rationale",
                                                           required=False)}


def _multiple_choice(entry: dict, path: tuple, check: _Checker) -> dict:
    options = _options(entry, path, check, points=False)
    key = _option_ids(entry.get("key"), (*path, "key"), check, {o.id for o in options}, "key",
                      single=False)
    return {"text": check.text(entry, path, "text"), "options": options, "key": key,
            "rationale": check.text(entry, path, "rationale", required=False)}


def _sjt(entry: dict, path: tuple, check: _Checker) -> dict:
    """A scenario, its options and the expert key, scored by the item's rule:
    best_worst (key: {best: a, worst: d}), rank (key: [best ... worst]) or
    rating (key: {option: 1..5 effectiveness})."""
    options = _options(entry, path, check, points=False)
    ids = {o.id for o in options}
    rule = entry.get("rule")
    key: tuple = ()
    if rule not in SJT_RULES:
        check.problem((*path, "rule") if rule is not None else path,
                      "'rule' must be one of " + ", ".join(SJT_RULES))
    elif rule == "best_worst":
        raw = check.mapping(entry.get("key"), (*path, "key"), "'key' (best: id, worst: id)")
        best = _option_ids(raw.get("best"), (*path, "key"), check, ids, "best", single=True)
        worst = _option_ids(raw.get("worst"), (*path, "key"), check, ids, "worst", single=True)
        if best and worst and best == worst:
            check.problem((*path, "key"), "'best' and 'worst' must be different options")
        key = best + worst
    elif rule == "rank":
        key = _option_ids(entry.get("key"), (*path, "key"), check, ids, "key", single=False)
        if key and set(key) != ids:
            check.problem((*path, "key"), "'key' must rank every option, best first")
            key = ()
    else:
        raw = check.mapping(entry.get("key"), (*path, "key"), "'key' (option: rating)")
        if set(raw) != ids or not all(isinstance(v, int) and not isinstance(v, bool)
                                      and 1 <= v <= RATING_POINTS for v in raw.values()):
            check.problem((*path, "key"), f"'key' must rate every option from 1 to "
                                          f"{RATING_POINTS}")
        else:
            key = tuple((option.id, raw[option.id]) for option in options)
    return {"text": check.text(entry, path, "text"),
            "scenario": check.text(entry, path, "scenario"), "options": options,
            "rule": rule if rule in SJT_RULES else "", "key": key,
            "rationale": check.text(entry, path, "rationale")}


def _free_text(entry: dict, path: tuple, check: _Checker) -> dict:
    """Answered in words, scored later by a manager against the rubric's levels."""
    length = entry.get("length", "short")
    if length not in TEXT_LIMITS:
        check.problem((*path, "length"), "'length' must be short or long")
        length = "short"
    rubric, seen = [], set()
    for index, level in enumerate(check.sequence(entry, path, "rubric")):
        lpath = (*path, "rubric", index)
        level = check.mapping(level, lpath, "a rubric level")
        points = level.get("points")
        if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= 10 \
                or points in seen:
            check.problem(lpath, "each rubric level needs different whole 'points' from 0 to 10")
        seen.add(points)
        rubric.append(RubricLevel(points=points if isinstance(points, int) else 0,
                                  text=check.text(level, lpath, "text")))
    return {"text": check.text(entry, path, "text"), "length": length,
            "rubric": tuple(sorted(rubric, key=lambda level: level.points))}


def _typing(entry: dict, path: tuple, check: _Checker) -> dict:
    """Passages to copy; each attempt is given one of them. `seconds` is how long to type."""
    passages = check.sequence(entry, path, "passages")
    for index, passage in enumerate(passages):
        if not isinstance(passage, str) or len(passage.split()) < 20:
            check.problem((*path, "passages", index), "each passage must be text of at least "
                                                      "20 words")
    seconds = entry.get("seconds", 60)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 30 <= seconds <= 600:
        check.problem((*path, "seconds"), "'seconds' must be a whole number from 30 to 600")
        seconds = 60
    return {"text": check.text(entry, path, "text"),
            "passages": tuple(" ".join(str(p).split()) for p in passages), "seconds": seconds}


_ITEM_READERS = {"likert": _likert, "single_choice": _single_choice,
                 "multiple_choice": _multiple_choice, "sjt": _sjt, "text": _free_text,
                 "typing": _typing}


# --- the shipped banks -----------------------------------------------------------------------

def shipped() -> dict[str, Bank]:
    """Every bank in assessments/banks/, by key (a broken shipped bank is a bug: it raises)."""
    banks = {}
    for path in sorted(BANK_DIR.glob("*.yaml")):
        bank = load(path.read_bytes())
        if bank.key in banks:
            raise BankError([f"line 1: {path.name} uses the key '{bank.key}' of another "
                             "shipped bank"])
        banks[bank.key] = bank
    return banks
