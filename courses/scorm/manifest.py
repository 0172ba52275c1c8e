"""Our reader of imsmanifest.xml (SCORM 1.2 and 2004): the version, the organizations with their
item trees and launch URLs, the resources, and each item's SCORM settings, as plain frozen
dataclasses. Every problem is collected and reported at once, each saying what to fix."""

import dataclasses
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden
from defusedxml.ElementTree import fromstring

from courses.scorm import hrefs
from courses.scorm.resources import Resource, parse_resources
from courses.scorm.sequencing import (
    CompletionThreshold,
    Sequencing,
    collection,
    completion_threshold,
    sequencing_of,
)
from courses.scorm.xmltree import (
    ADLCP_12,
    ADLCP_2004,
    ADLNAV,
    ADLSEQ,
    IMSSS,
    adlcp_child,
    children,
    decimal,
    flag,
    plain_tree,
    split,
    text,
)

SHOWN_PROBLEMS = 20  # in the one-line message; a generated manifest can have thousands
MAX_DEPTH = 100  # real manifests nest a dozen levels; this keeps recursion far from Python's limit
_VERSIONS = {"1.2": "1.2", "cam 1.3": "2004 2nd Edition", "2004 3rd edition": "2004 3rd Edition",
             "2004 4th edition": "2004 4th Edition"}


class ManifestError(ValueError):
    """The manifest cannot be used; `problems` lists what to fix, `message` says it in one line."""

    def __init__(self, problems: list[str]):
        self.problems = tuple(problems)
        if len(problems) == 1:
            self.message = f"imsmanifest.xml: {problems[0]}"
        else:
            listed = " ".join(f"({number}) {problem}"
                              for number, problem in enumerate(problems[:SHOWN_PROBLEMS], 1))
            more = len(problems) - SHOWN_PROBLEMS
            self.message = (f"imsmanifest.xml has {len(problems)} problems: {listed}"
                            + (f" (and {more} more)" if more > 0 else ""))
        super().__init__(self.message)


@dataclass(frozen=True)
class Item:
    identifier: str
    title: str
    identifierref: str | None
    isvisible: bool
    parameters: str | None
    launch: str | None  # the resource's URL with the parameters applied
    is_sco: bool
    children: tuple["Item", ...]
    # SCORM 1.2 (prerequisites are an aicc_script expression, kept as written)
    prerequisites: str | None = None
    mastery_score: float | None = None
    max_time_allowed: str | None = None
    # both versions (1.2 spells them in lower case)
    data_from_lms: str | None = None
    time_limit_action: str | None = None
    # SCORM 2004
    completion_threshold: CompletionThreshold | None = None
    sequencing: Sequencing | None = None
    presentation: dict | None = None  # adlnav:presentation as a plain tree


@dataclass(frozen=True)
class Organization:
    identifier: str
    title: str
    items: tuple[Item, ...]
    sequencing: Sequencing | None
    objectives_global_to_system: bool


@dataclass(frozen=True)
class Manifest:
    identifier: str
    version: str  # '1.2', '2004 2nd Edition', '2004 3rd Edition' or '2004 4th Edition'
    default_organization: str
    organizations: tuple[Organization, ...]
    resources: tuple[Resource, ...]
    sequencing_collection: tuple[Sequencing, ...]
    notes: tuple[str, ...]

    @property
    def default(self) -> Organization:
        return next(org for org in self.organizations
                    if org.identifier == self.default_organization)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class _Reading:
    resources: dict[str, Resource]
    collection_ids: set[str]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (identifier, kind)


def parse(data: bytes) -> Manifest:
    root = _document(data)
    problems: list[str] = []
    shared = collection(root, problems)
    resources = parse_resources(root, problems)
    reading = _Reading(
        resources={resource.identifier: resource for resource in reversed(resources)},  # 1st wins
        collection_ids={entry.id for entry in shared if entry.id}, problems=problems,
        identifiers=[(resource.identifier, "resource") for resource in resources])
    version = _version(root, reading.notes)
    groups = children(root, "organizations")
    organizations = tuple(_organization(element, reading)
                          for group in groups for element in children(group, "organization"))
    default = groups[0].get("default") if groups else None
    if not organizations:
        reading.problems.append("There is no organization. A SCORM package needs one, with items "
                                "that launch its SCOs: export the course as SCORM, not as a plain "
                                "content package.")
    elif default not in {org.identifier for org in organizations}:
        said = f"default '{default}' names no organization" if default else "no default is named"
        reading.notes.append(f"In <organizations>, {said}; the first organization, "
                             f"'{organizations[0].identifier}', is used.")
        default = organizations[0].identifier
    reading.identifiers.append((root.get("identifier") or "", "manifest"))
    _check_unique(reading)
    if reading.problems:
        raise ManifestError(reading.problems)
    return Manifest(identifier=root.get("identifier") or "", version=version,
                    default_organization=default or "", organizations=organizations,
                    resources=resources, sequencing_collection=shared,
                    notes=tuple(dict.fromkeys(reading.notes)))


def launchable_items(organization: Organization) -> list[Item]:
    """The items that open something (a resource with an href), in the order of the tree."""
    found, stack = [], list(reversed(organization.items))
    while stack:
        item = stack.pop()
        if item.launch is not None:
            found.append(item)
        stack.extend(reversed(item.children))
    return found


def _document(data: bytes) -> Element:
    try:
        root = fromstring(data, forbid_dtd=True)
    except DTDForbidden:
        raise ManifestError(["it declares a DTD (<!DOCTYPE ...>). Manifests need none, and a DTD "
                             "can define entities that read files on the server or expand "
                             "without end: remove the DOCTYPE."]) from None
    except ParseError as error:
        raise ManifestError([f"it is not well-formed XML ({error}). Fix the XML at that "
                             "place."]) from None
    if split(root.tag)[1] != "manifest":
        raise ManifestError([f"its root element is <{split(root.tag)[1]}>, not <manifest>: it is "
                             "not an IMS content packaging manifest."])
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    if deepest > MAX_DEPTH:
        raise ManifestError([f"its elements are nested more than {MAX_DEPTH} levels deep; "
                             "no real course needs that."])
    return root


def _version(root: Element, notes: list[str]) -> str:
    written = None
    for metadata in children(root, "metadata"):
        written = written or text(next(iter(children(metadata, "schemaversion")), None))
    if written:
        known = _VERSIONS.get(" ".join(written.split()).casefold())
        if known:
            return known
        notes.append(f"schemaversion '{written}' is not a SCORM version; the version is "
                     "taken from the namespaces.")
    used = set()
    for element in root.iter():
        used.add(split(element.tag)[0])
        used.update(split(key)[0] for key in element.attrib)
    if ADLCP_12 in used:
        notes.append("The manifest does not state its version; its namespaces are SCORM 1.2's.")
        return "1.2"
    if used & {ADLCP_2004, IMSSS, ADLSEQ, ADLNAV}:
        notes.append("The manifest does not state its version; its namespaces are SCORM 2004's, "
                     "so it is treated as 2004 4th Edition.")
        return "2004 4th Edition"
    notes.append("Neither schemaversion nor the namespaces tell the SCORM version; it is treated "
                 "as SCORM 1.2.")
    return "1.2"


def _organization(element: Element, reading: _Reading) -> Organization:
    identifier = element.get("identifier") or ""
    where = f"Organization '{identifier}'"
    reading.identifiers.append((identifier, "organization"))
    items = tuple(_item(child, reading) for child in children(element, "item"))
    if not items:
        reading.problems.append(f"{where} has no items: add at least one item that launches a "
                                "resource.")
    return Organization(
        identifier=identifier, title=_title(element, identifier, reading), items=items,
        sequencing=_sequencing(element, reading, where),
        objectives_global_to_system=flag(element, f"{{{ADLSEQ}}}objectivesGlobalToSystem", True,
                                         reading.problems, where))


def _item(element: Element, reading: _Reading) -> Item:
    identifier = element.get("identifier") or ""
    title = _title(element, identifier, reading)
    where = f"Item '{identifier}'"
    reading.identifiers.append((identifier, "item"))
    if not identifier:
        reading.problems.append(f"An item titled '{title}' has no identifier: add one.")
    ref, parameters = element.get("identifierref"), element.get("parameters")
    launch, resource = None, reading.resources.get(ref or "")
    if ref and resource is None:
        reading.problems.append(f"{where} refers to resource '{ref}', which the manifest does "
                                "not define: add that resource or fix the identifierref.")
    elif resource and resource.url is None:
        reading.problems.append(f"{where} launches resource '{ref}', which has no href: add the "
                                "href of the page to open.")
    elif resource:
        launch = hrefs.with_parameters(resource.url, parameters)
        if resource.scorm_type is None:
            reading.notes.append(f"Resource '{ref}' has no adlcp:scormType; it is launched as an "
                                 "asset (without the SCORM API).")
    threshold = adlcp_child(element, "completionThreshold")
    presentation = children(element, "presentation", (ADLNAV,))
    return Item(
        identifier=identifier, title=title, identifierref=ref,
        isvisible=flag(element, "isvisible", True, reading.problems, where),
        parameters=parameters, launch=launch,
        is_sco=launch is not None and resource.scorm_type == "sco",
        children=tuple(_item(child, reading) for child in children(element, "item")),
        prerequisites=text(adlcp_child(element, "prerequisites")),
        mastery_score=decimal(text(adlcp_child(element, "masteryscore")), 0, 100,
                              reading.problems, f"{where}: adlcp:masteryscore"),
        max_time_allowed=text(adlcp_child(element, "maxTimeAllowed")),
        data_from_lms=text(adlcp_child(element, "dataFromLMS")),
        time_limit_action=text(adlcp_child(element, "timeLimitAction")),
        completion_threshold=(None if threshold is None else
                              completion_threshold(threshold, reading.problems, where)),
        sequencing=_sequencing(element, reading, where),
        presentation=plain_tree(presentation[0], ADLNAV) if presentation else None)


def _title(element: Element, identifier: str, reading: _Reading) -> str:
    title = text(next(iter(children(element, "title")), None))
    if title is None:
        reading.notes.append(f"'{identifier}' has no title; its identifier is shown instead.")
    return title or identifier


def _sequencing(element: Element, reading: _Reading, where: str) -> Sequencing | None:
    sequencing = sequencing_of(element, reading.problems, where)
    if sequencing and sequencing.id_ref and sequencing.id_ref not in reading.collection_ids:
        reading.problems.append(f"{where}: its sequencing IDRef '{sequencing.id_ref}' names no "
                                "entry of imsss:sequencingCollection: add it or fix the IDRef.")
    return sequencing


def _check_unique(reading: _Reading) -> None:
    kinds: dict[str, list[str]] = {}
    for identifier, kind in reading.identifiers:
        if identifier:
            kinds.setdefault(identifier, []).append(kind)
    for identifier, used_by in kinds.items():
        if len(used_by) > 1:
            reading.problems.append(f"The identifier '{identifier}' is used {len(used_by)} times "
                                    f"({', '.join(used_by)}); identifiers must be unique in a "
                                    "manifest: rename all but one.")
