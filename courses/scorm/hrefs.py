"""Launch URLs from a manifest: xml:base values applied as relative paths, then an item's
parameters appended as IMS Content Packaging says."""

import posixpath
import re

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: 'C:' is no scheme


def is_external(href: str) -> bool:
    return bool(_SCHEME.match(href)) or href.startswith("//")


def join(*parts: str | None) -> str:
    """xml:base values, outermost first, then an href, as one URL relative to the package root
    (or the external URL a part names). A base without a trailing '/' still names a folder:
    packages write xml:base="sco1" and mean the folder sco1."""
    url = ""
    for part in parts:
        if not part:
            continue
        if is_external(part) or part.startswith("/"):
            url = part
        else:
            url = f"{url}/{part}" if url and not url.endswith("/") else url + part
    return url if is_external(url) else _normalized(url)


def _normalized(url: str) -> str:
    """'a/./b/../c.html?x' as 'a/c.html?x' (a '..' that climbs out stays, for escapes() to see)."""
    cut = min((url.index(mark) for mark in "?#" if mark in url), default=len(url))
    path, tail = url[:cut], url[cut:]
    if not path:
        return url
    normal = posixpath.normpath(path)
    return normal + ("/" if path.endswith("/") and normal != "/" else "") + tail


def escapes(url: str) -> bool:
    """Whether a package-relative URL points outside the package."""
    return not is_external(url) and (url.startswith("/") or url == ".."
                                     or url.startswith("../"))


def with_parameters(url: str, parameters: str | None) -> str:
    """IMS CP's rule: a leading '?' or '&' of the parameters is dropped; they join the URL's
    query with '&', or start one with '?'; a '#fragment' in them becomes the fragment."""
    parameters = (parameters or "").strip()
    if not parameters:
        return url
    query, has_fragment, fragment = parameters.partition("#")
    query = query.lstrip("?&")
    address, own_mark, own_fragment = url.partition("#")
    if query:
        joiner = "" if address.endswith(("?", "&")) else "&" if "?" in address else "?"
        address = f"{address}{joiner}{query}"
    if has_fragment:
        return f"{address}#{fragment}"
    return address + own_mark + own_fragment
