"""The media type a course file is served with, from its name.

Browsers refuse a script or a style sheet served under the wrong type (we send `nosniff`), so
the table must not depend on the machine: Python's own table (not /etc/mime.types, which differs
between systems), then what course content uses and that table lacks or spells an old way.
"""

import mimetypes
import posixpath

DEFAULT = "application/octet-stream"
_PYTHON_TABLE = mimetypes.MimeTypes()  # built-in defaults only: no system files read
_WEB = {
    ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
    ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
    ".otf": "font/otf", ".mp4": "video/mp4", ".m4v": "video/mp4", ".m4a": "audio/mp4",
    ".webm": "video/webm", ".ogg": "audio/ogg", ".mp3": "audio/mpeg", ".wav": "audio/wav",
    ".vtt": "text/vtt", ".xml": "application/xml", ".xsd": "application/xml",
    ".webp": "image/webp", ".wasm": "application/wasm", ".htm": "text/html",
    ".html": "text/html", ".css": "text/css",
}


def content_type(path: str) -> str:
    """No charset is added: legacy content declares its own in a <meta> tag, which a charset
    in the header would override."""
    extension = posixpath.splitext(path)[1].lower()
    return _WEB.get(extension) or _PYTHON_TABLE.guess_type(path)[0] or DEFAULT
