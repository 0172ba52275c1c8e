"""What a SCORM 2004 manifest says about sequencing and completion.

IMS Simple Sequencing is kept whole as a plain tree for the sequencing engine; the objectives are
parsed as well, since rollup, reporting and global objectives need them first.
"""

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from courses.scorm.xmltree import IMSSS, children, decimal, flag, plain_tree, text


@dataclass(frozen=True)
class MapInfo:
    target_objective_id: str
    read_satisfied_status: bool
    read_normalized_measure: bool
    write_satisfied_status: bool
    write_normalized_measure: bool


@dataclass(frozen=True)
class Objective:
    objective_id: str | None  # may be absent on a primary objective that maps nothing
    primary: bool
    satisfied_by_measure: bool
    min_normalized_measure: float
    map_info: tuple[MapInfo, ...]


@dataclass(frozen=True)
class Sequencing:
    id: str | None  # ID, on the entries of the manifest's sequencingCollection
    id_ref: str | None  # IDRef, on an item: the collection entry it builds on
    objectives: tuple[Objective, ...]
    tree: dict


@dataclass(frozen=True)
class CompletionThreshold:
    """adlcp:completionThreshold: with completed_by_measure, progress_measure >= the minimum
    means completed."""

    completed_by_measure: bool
    min_progress_measure: float
    progress_weight: float


def sequencing_of(parent: Element, problems: list[str], where: str) -> Sequencing | None:
    found = children(parent, "sequencing", (IMSSS,))
    return parse_sequencing(found[0], problems, where) if found else None


def collection(manifest: Element, problems: list[str]) -> tuple[Sequencing, ...]:
    """The manifest's imsss:sequencingCollection: sequencing that items share through IDRef."""
    entries = []
    for element in children(manifest, "sequencingCollection", (IMSSS,)):
        for entry in children(element, "sequencing", (IMSSS,)):
            where = f"sequencingCollection entry '{entry.get('ID') or '(no ID)'}'"
            if not entry.get("ID"):
                problems.append(f"{where}: add an ID attribute, which items refer to with IDRef.")
            entries.append(parse_sequencing(entry, problems, where))
    return tuple(entries)


def parse_sequencing(element: Element, problems: list[str], where: str) -> Sequencing:
    objectives = []
    for group in children(element, "objectives", (IMSSS,)):
        for primary in children(group, "primaryObjective", (IMSSS,)):
            objectives.append(_objective(primary, True, problems, where))
        for other in children(group, "objective", (IMSSS,)):
            objectives.append(_objective(other, False, problems, where))
    return Sequencing(id=element.get("ID"), id_ref=element.get("IDRef"),
                      objectives=tuple(objectives), tree=plain_tree(element, IMSSS))


def _objective(element: Element, primary: bool, problems: list[str], where: str) -> Objective:
    objective_id = element.get("objectiveID")
    kind = "primaryObjective" if primary else "objective"
    label = f"{where}, {kind} '{objective_id or '(no objectiveID)'}'"
    maps = tuple(_map_info(entry, problems, label)
                 for entry in children(element, "mapInfo", (IMSSS,)))
    if not objective_id and (maps or not primary):
        problems.append(f"{label}: add an objectiveID (needed by any objective that is not "
                        "primary, and by one with mapInfo).")
    measures = children(element, "minNormalizedMeasure", (IMSSS,))
    measure = decimal(text(measures[0]), -1, 1, problems,
                      f"{label}: minNormalizedMeasure") if measures else None
    return Objective(objective_id=objective_id, primary=primary,
                     satisfied_by_measure=flag(element, "satisfiedByMeasure", False, problems,
                                               label),
                     min_normalized_measure=1.0 if measure is None else measure,
                     map_info=maps)


def _map_info(element: Element, problems: list[str], where: str) -> MapInfo:
    target = element.get("targetObjectiveID") or ""
    if not target:
        problems.append(f"{where}: mapInfo needs a targetObjectiveID (the global objective).")
    return MapInfo(target_objective_id=target,
                   read_satisfied_status=flag(element, "readSatisfiedStatus", True, problems,
                                              where),
                   read_normalized_measure=flag(element, "readNormalizedMeasure", True,
                                                problems, where),
                   write_satisfied_status=flag(element, "writeSatisfiedStatus", False,
                                               problems, where),
                   write_normalized_measure=flag(element, "writeNormalizedMeasure", False,
                                                 problems, where))


def completion_threshold(element: Element, problems: list[str],
                         where: str) -> CompletionThreshold:
    """4th Edition writes attributes; 3rd Edition wrote the minimum as the element's text, and
    then progress_measure decided completion, as completedByMeasure="true" does now."""
    what = f"{where}: adlcp:completionThreshold"
    written = text(element)
    if written is not None:
        minimum = decimal(written, 0, 1, problems, what)
        return CompletionThreshold(True, 1.0 if minimum is None else minimum, 1.0)
    minimum = decimal(element.get("minProgressMeasure"), 0, 1, problems,
                      f"{what} minProgressMeasure")
    weight = decimal(element.get("progressWeight"), 0, 1, problems, f"{what} progressWeight")
    return CompletionThreshold(
        completed_by_measure=flag(element, "completedByMeasure", False, problems, what),
        min_progress_measure=1.0 if minimum is None else minimum,
        progress_weight=1.0 if weight is None else weight)
