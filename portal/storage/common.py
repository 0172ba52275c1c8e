"""What both storage backends share: errors, chunk size, safe file names for downloads."""

import re
import unicodedata
from urllib.parse import quote

CHUNK = 1024 * 1024


class StorageError(Exception):
    """The storage backend refused or failed an operation."""


class ChecksumMismatch(StorageError):
    """The received bytes are not the bytes the client said it sent."""


class ObjectNotFound(StorageError):
    """No object is stored under this key."""


class InvalidKey(StorageError):
    """A malformed key or prefix, or one that could point outside the storage root."""


def attachment_header(filename: str) -> str:
    """Content-Disposition for a download: ASCII fallback plus the UTF-8 name (RFC 6266)."""
    name = display_name(filename)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = re.sub(r'["\\;]', "_", fallback).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def display_name(name: str | None) -> str:
    """A client's file name made safe to show: no path, no control or bidi characters."""
    name = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 255:  # keep the extension, it tells the reader what the file is
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:254 - len(ext)]}.{ext}" if dot and len(ext) <= 16 else name[:255]
    return name or "file"
