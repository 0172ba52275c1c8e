"""Stored files: one interface, two backends (a local folder, or S3 and S3-compatible servers).

Every stored object is also a row (`StoredFile`). Keys are made here on the server, never from a
client's file name, so a name can neither collide with nor escape to another file. Data moves in
chunks both ways: memory does not grow with file size.
"""

import contextlib
import hmac
import re
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from flask import abort, current_app, redirect, request, send_file
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UTCDateTime, db, utcnow
from portal.storage.common import (  # noqa: F401  (the package's public names)
    CHUNK,
    ChecksumMismatch,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    attachment_header,
    display_name,
)
from portal.storage.local import LocalStorage
from portal.storage.s3 import S3Storage

if TYPE_CHECKING:
    from portal.auth.models import User

DEFAULT_CONTENT_TYPE = "application/octet-stream"
_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}(/[a-z0-9][a-z0-9_-]{0,39}){0,3}")
# type/subtype and parameters, e.g. `video/webm; codecs="vp8, opus"` from a MediaRecorder.
_CONTENT_TYPE = re.compile(r'[\w.+-]+/[\w.+-]+(\s*;\s*[\w.-]+=("[\w.,=+ -]*"|[\w.,+-]+))*',
                           re.ASCII)


class StoredFile(db.Model):
    __tablename__ = "stored_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    backend: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(300), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    checksum_sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(120))
    original_name: Mapped[str] = mapped_column(String(255))  # for display only
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped["User | None"] = relationship()

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.backend}:{self.key}>"


def get_storage():
    """The backend configured for the current app, built once per app."""
    storage = current_app.extensions.get("storage")
    if storage is None:
        storage = current_app.extensions.setdefault("storage", _build(current_app.config))
    return storage


def _build(config):
    if config["STORAGE_BACKEND"] == "s3":
        return S3Storage(config["S3_BUCKET"], config.get("S3_ENDPOINT_URL"),
                         config.get("S3_REGION"), config.get("S3_ACCESS_KEY_ID"),
                         config.get("S3_SECRET_ACCESS_KEY"), config["DOWNLOAD_URL_SECONDS"])
    storage = LocalStorage(config["STORAGE_LOCAL_ROOT"])
    # The default folder lives in instance/ and must work on a fresh laptop; if it cannot be
    # made, health() says so instead of every request failing here.
    with contextlib.suppress(OSError):
        storage.root.mkdir(parents=True, exist_ok=True)
    return storage


def make_key(prefix: str) -> str:
    if not _PREFIX.fullmatch(prefix):
        raise InvalidKey(f"invalid prefix {prefix!r}")
    now = utcnow()
    return f"{prefix}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


def store(stream, *, prefix: str, content_type: str | None, original_name: str | None,
          owner=None, expected_sha256: str | None = None) -> StoredFile:
    """Stream `stream` into storage and add its row to the session (flushed, not committed).

    If the caller's transaction rolls back later, the object stays behind without a row;
    such orphans are harmless (keys are unguessable) and can be swept by comparing keys.
    """
    storage = get_storage()
    content_type = _label(content_type)
    key = make_key(prefix)
    size, checksum = storage.put(key, stream, content_type)
    if expected_sha256 is not None and not hmac.compare_digest(
            checksum.encode(), expected_sha256.strip().lower().encode()):
        storage.delete(key)
        raise ChecksumMismatch(f"expected sha256 {expected_sha256}, received {checksum}")
    try:
        return adopt(key, size, checksum, content_type=content_type,
                     original_name=original_name, owner=owner)
    except Exception:
        storage.delete(key)  # no row, no object
        raise


def adopt(key: str, size: int, checksum: str, *, content_type: str | None,
          original_name: str | None, owner=None) -> StoredFile:
    """The row of an object already written under `key` (a file made in place, piece by
    piece), added to the session and flushed."""
    row = StoredFile(backend=get_storage().name, key=key, size=size, checksum_sha256=checksum,
                     content_type=_label(content_type),
                     original_name=display_name(original_name), owner=owner)
    db.session.add(row)
    db.session.flush()
    return row


def _label(content_type: str | None) -> str:
    if not content_type or len(content_type) > 120 or not _CONTENT_TYPE.fullmatch(content_type):
        return DEFAULT_CONTENT_TYPE  # the client's claim is only ever a label
    return content_type


def remove(stored_file: StoredFile) -> None:
    """Delete the object and mark the row deleted (rows stay: history points at them)."""
    storage = get_storage()
    if stored_file.backend != storage.name:
        raise StorageError(f"{stored_file!r} lives on {stored_file.backend}, not {storage.name}")
    storage.delete(stored_file.key)
    if stored_file.deleted_at is None:
        stored_file.deleted_at = utcnow()


def download_response(stored_file: StoredFile):
    """The response that hands a stored file to the browser, once the caller's view has checked
    who may have it: a redirect to a short-lived signed URL where the backend has one (S3), else
    the bytes streamed through this process (local folder)."""
    if stored_file.deleted_at is not None:
        raise ObjectNotFound(stored_file.key)
    backend = get_storage()
    name = display_name(stored_file.original_name)
    url = backend.download_url(stored_file.key, name, stored_file.content_type)
    if url:
        return redirect(url, code=303)
    response = send_file(backend.open(stored_file.key), mimetype=stored_file.content_type,
                         as_attachment=True, download_name=name, conditional=False,
                         max_age=0)
    response.content_length = stored_file.size
    response.headers["Cache-Control"] = "private, no-store"
    return response


def playback_or_404(stored_file: StoredFile | None):
    """playback_response, or 'not found' for a file that is missing or gone."""
    if stored_file is None:
        abort(404)
    try:
        return playback_response(stored_file)
    except ObjectNotFound:
        abort(404)


def playback_response(stored_file: StoredFile):
    """As download_response, for an <audio> or <video> element: shown inline, and answering
    range requests (players seek with them) when the bytes come through this process."""
    if stored_file.deleted_at is not None:
        raise ObjectNotFound(stored_file.key)
    backend = get_storage()
    url = backend.download_url(stored_file.key, display_name(stored_file.original_name),
                               stored_file.content_type)
    if url:
        return redirect(url, code=303)  # S3 answers ranges itself
    return inline_response(stored_file.key, stored_file.size, stored_file.content_type)


def inline_response(key: str, size: int, content_type: str):
    """The object's bytes streamed through this process whatever the backend, shown inline and
    answering range requests, with `content_type` exactly as given (no charset added). For
    what must come from the portal's own origin; the calling view checks who may have it."""
    response = send_file(get_storage().open(key), mimetype=content_type, conditional=False,
                         max_age=0)
    response.headers["Content-Type"] = content_type
    response.content_length = size
    # The size is the caller's: send_file cannot tell it from a file object, and ranges need it.
    response.make_conditional(request.environ, accept_ranges=True, complete_length=size)
    response.headers["Cache-Control"] = "private, no-store"
    return response
