"""The little formatting announcements allow, as safe HTML (pure; no database).

    blank line           a new paragraph
    line break           a line break
    **bold** *italic*    strong, em (italic inside bold works; bold inside italic stays as typed)
    - item               a bullet list, from consecutive lines starting with "- "
    http(s)://...        a link, rel="noopener noreferrer"

Everything else is escaped: the author's text never becomes markup, and no other scheme
(javascript:, data:) is ever a link. The HTML is made from escaped text and our own tags only,
so there is nothing to sanitise afterwards.
"""

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?*)]}"  # punctuation after a link is the sentence's, not the link's
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# No "<" inside: an italic span never crosses a tag the bold step made.
_ITALIC = re.compile(r"(?<!\*)\*(?=[^\s*])([^*<>]+?)(?<=\S)\*(?!\*)")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")
_BULLET = "- "


def to_html(text: str) -> Markup:
    """The formatted text as HTML: paragraphs and lists."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    out = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        while lines:
            is_item = lines[0].lstrip().startswith(_BULLET)
            run = _leading(lines, is_item)
            lines = lines[len(run):]
            if is_item:
                out.append("<ul>" + "".join(
                    f"<li>{_inline(line.lstrip()[len(_BULLET):])}</li>" for line in run)
                    + "</ul>")
            else:
                out.append("<p>" + "<br>".join(_inline(line.strip()) for line in run) + "</p>")
    return Markup("\n".join(out))


def _leading(lines: list[str], items: bool) -> list[str]:
    """The first lines that are all bullet items (or all not)."""
    run = []
    for line in lines:
        if line.lstrip().startswith(_BULLET) != items:
            break
        run.append(line)
    return run


def _inline(line: str) -> str:
    """One line: links set aside, the rest escaped, then bold and italic, then the links."""
    links: list[str] = []

    def set_aside(match: re.Match) -> str:
        url, after = _split_trailing(match.group(0))
        if not is_web_url(url):
            return match.group(0)
        links.append(f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(url)}</a>')
        return f"\x00{len(links) - 1}\x00{after}"

    html = str(escape(_URL.sub(set_aside, line)))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return _PLACEHOLDER.sub(lambda match: links[int(match.group(1))], html)


def _split_trailing(url: str) -> tuple[str, str]:
    end = len(url)
    while end and url[end - 1] in _TRAILING:
        # A closing bracket that closes one in the link stays (Wikipedia-style links).
        if url[end - 1] == ")" and url[:end].count("(") >= url[:end].count(")"):
            break
        end -= 1
    return url[:end], url[end:]


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host: the only links we make."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced [ in the host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
