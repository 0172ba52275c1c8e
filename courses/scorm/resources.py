"""The <resources> of a manifest: what each one launches and which files it needs, with xml:base
applied as relative paths."""

import dataclasses
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from courses.scorm import hrefs
from courses.scorm.xmltree import XML_BASE, adlcp_attribute, children


@dataclass(frozen=True)
class Resource:
    identifier: str
    type: str
    scorm_type: str | None  # 'sco' (talks to the runtime API) or 'asset'
    href: str | None  # as written
    base: str  # the xml:base in effect (manifest, resources, resource), '' when none
    url: str | None  # href with the base applied, relative to the package root
    files: tuple[str, ...]  # with the base applied
    dependencies: tuple[str, ...]  # identifierrefs of other resources
    all_files: tuple[str, ...] = ()  # these files and the dependencies', transitively


def parse_resources(root: Element, problems: list[str]) -> tuple[Resource, ...]:
    """Every resource as written (a repeated identifier too, for the caller's uniqueness check);
    dependencies resolve to the first resource of an identifier."""
    written = [_resource(element, (root.get(XML_BASE), group.get(XML_BASE),
                                   element.get(XML_BASE)), problems)
               for group in children(root, "resources")
               for element in children(group, "resource")]
    first: dict[str, Resource] = {}
    for resource in written:
        first.setdefault(resource.identifier, resource)
    for resource in first.values():
        for missing in [ref for ref in resource.dependencies if ref not in first]:
            problems.append(f"Resource '{resource.identifier}' depends on '{missing}', which the "
                            "manifest does not define: add that resource or remove the "
                            "dependency.")
    return tuple(dataclasses.replace(resource, all_files=_all_files(resource, first))
                 for resource in written)


def _resource(element: Element, bases: tuple[str | None, ...], problems: list[str]) -> Resource:
    identifier = element.get("identifier") or ""
    where = f"Resource '{identifier}'"
    if not identifier:
        problems.append(f"A resource (href '{element.get('href')}') has no identifier: add one.")
    href = element.get("href")
    url = hrefs.join(*bases, href) if href else None
    if url and hrefs.escapes(url):
        problems.append(f"{where}: its href '{href}' (with xml:base) points outside the "
                        "package. Use a path inside the package.")
    scorm_type = adlcp_attribute(element, "scormType")
    if scorm_type is not None and scorm_type.strip().lower() not in ("sco", "asset"):
        problems.append(f"{where}: adlcp:scormType must be 'sco' or 'asset', not "
                        f"'{scorm_type}'.")
    return Resource(
        identifier=identifier, type=element.get("type") or "",
        scorm_type=scorm_type.strip().lower() if scorm_type else None, href=href,
        base=hrefs.join(*bases), url=url,
        files=tuple(hrefs.join(*bases, file.get("href"))
                    for file in children(element, "file") if file.get("href")),
        dependencies=tuple(dependency.get("identifierref")
                           for dependency in children(element, "dependency")
                           if dependency.get("identifierref")))


def _all_files(resource: Resource, resources: dict[str, Resource]) -> tuple[str, ...]:
    """Files of the resource, then of its dependencies depth first; each resource once, so a
    cycle of dependencies ends."""
    files, seen, stack = {}, set(), [resource.identifier]
    while stack:
        identifier = stack.pop()
        if identifier in seen or identifier not in resources:
            continue
        seen.add(identifier)
        files.update(dict.fromkeys(resources[identifier].files))
        stack.extend(reversed(resources[identifier].dependencies))
    return tuple(files)
