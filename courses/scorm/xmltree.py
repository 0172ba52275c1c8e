"""The namespaces of SCORM manifests, and the element helpers the manifest and sequencing readers
share. Validation problems are collected in a list of messages, each naming where it is."""

import math
from xml.etree.ElementTree import Element

XML = "http://www.w3.org/XML/1998/namespace"
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
XML_BASE = f"{{{XML}}}base"
_PREFIXES = {ADLCP_12: "adlcp", ADLCP_2004: "adlcp", IMSSS: "imsss", ADLSEQ: "adlseq",
             ADLNAV: "adlnav", XML: "xml"}


def split(name: str) -> tuple[str, str]:
    """'{uri}local' as (uri, local); a name in no namespace as ('', name)."""
    if name.startswith("{"):
        uri, _, local = name[1:].partition("}")
        return uri, local
    return "", name


def children(element: Element, name: str, namespaces: tuple[str, ...] = ()) -> list[Element]:
    """Child elements by local name, in any namespace unless `namespaces` are given: content
    packaging elements come in several IMS CP namespaces, or none, in real packages."""
    found = []
    for child in element:
        uri, local = split(child.tag)
        if local == name and (not namespaces or uri in namespaces):
            found.append(child)
    return found


def text(element: Element | None) -> str | None:
    value = (element.text or "").strip() if element is not None else ""
    return value or None


def plain_tree(element: Element, home: str) -> dict:
    """The element as nested dicts (tag, attributes, text, children) for code that reads it later.
    Names in the `home` namespace are local names; others keep a prefix (adlseq:objectives is not
    imsss:objectives)."""
    return {"tag": _name(element.tag, home),
            "attributes": {_name(key, home): value for key, value in element.attrib.items()},
            "text": text(element),
            "children": [plain_tree(child, home) for child in element]}


def adlcp_child(element: Element, name: str) -> Element | None:
    """SCORM 1.2 spells adlcp names in lower case (masteryscore), 2004 in camel case."""
    return next((child for child in element if _is_adlcp(child.tag, name)), None)


def adlcp_attribute(element: Element, name: str) -> str | None:
    return next((value for key, value in element.attrib.items() if _is_adlcp(key, name)), None)


def _is_adlcp(qualified: str, name: str) -> bool:
    uri, local = split(qualified)
    return uri in (ADLCP_12, ADLCP_2004) and local.casefold() == name.casefold()


def _name(name: str, home: str) -> str:
    uri, local = split(name)
    if uri in ("", home):
        return local
    return f"{_PREFIXES.get(uri, uri)}:{local}"


def flag(element: Element, attribute: str, default: bool, problems: list[str],
         where: str) -> bool:
    """An xs:boolean attribute ('true', 'false', '1' or '0')."""
    value = element.get(attribute)
    if value is None:
        return default
    if value.strip() in ("true", "1", "false", "0"):
        return value.strip() in ("true", "1")
    problems.append(f"{where}: {_name(attribute, '')} must be true or false, not '{value}'.")
    return default


def decimal(value: str | None, low: float, high: float, problems: list[str],
            what: str) -> float | None:
    """A number from `low` to `high`, or None (with a problem when `value` is not one)."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if math.isfinite(number) and low <= number <= high:
        return number
    problems.append(f"{what} must be a number from {low:g} to {high:g}, not '{value}'.")
    return None
