"""Stored files: one interface, two backends (a local folder, or S3 and S3-compatible servers).

Every stored object is also a row (`StoredFile`). Keys are made here on the server, never from a
client's file name, so a name can neither collide with nor escape to another file. Data moves in
chunks both ways: memory does not grow with file size.
"""

import contextlib
import hashlib
import hmac
import os
import re
import tempfile
import unicodedata
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import current_app
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from portal.auth.models import User

CHUNK = 1024 * 1024
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}(/[a-z0-9][a-z0-9_-]{0,39}){0,3}")
# type/subtype and parameters, e.g. `video/webm; codecs="vp8, opus"` from a MediaRecorder.
_CONTENT_TYPE = re.compile(r'[\w.+-]+/[\w.+-]+(\s*;\s*[\w.-]+=("[\w.,=+ -]*"|[\w.,+-]+))*',
                           re.ASCII)


class StorageError(Exception):
    """The storage backend refused or failed an operation."""


class ChecksumMismatch(StorageError):
    """The received bytes are not the bytes the client said it sent."""


class ObjectNotFound(StorageError):
    """No object is stored under this key."""


class InvalidKey(StorageError):
    """A malformed key or prefix, or one that could point outside the storage root."""


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


class LocalStorage:
    name = "local"

    def __init__(self, root):
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        # Server-made keys never fail this; it guards against a key that came from elsewhere.
        if (not isinstance(key, str) or len(key) > 300 or "\\" in key or "\0" in key
                or any(part in ("", ".", "..") for part in key.split("/"))):
            raise InvalidKey(f"invalid key {key!r}")
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):  # a symlink inside the root pointing out of it
            raise InvalidKey(f"invalid key {key!r}")
        return path

    def put(self, key: str, stream, content_type: str) -> tuple[int, str]:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target, then rename: readers see the whole file or no file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".part")
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())  # on disk before the rename makes it visible
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return size, digest.hexdigest()

    def open(self, key: str):
        try:
            return open(self._path(key), "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFound(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def download_url(self, key: str, filename: str, content_type: str) -> None:
        return None  # meaning: the caller streams the file through a view with send_file()

    def health(self) -> tuple[bool, str]:
        # Details are shown on the public /healthz page: say what is wrong, not where.
        if not self.root.is_dir():
            return False, "local: storage root is missing"
        try:  # a real write: os.access() says yes to root and ignores read-only mounts
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except OSError as error:
            return False, f"local: storage root is not writable ({type(error).__name__})"
        return True, "local"


class _HashingReader:
    """Hashes and counts the bytes as boto3 pulls them: one pass over the upload.

    Every read is filled (after a short read boto3 would take the file for small and buffer it
    whole, or send parts under S3's 5 MiB minimum); no seek(), so boto3 never rewinds it.
    """

    def __init__(self, stream):
        self._stream, self._digest, self.size = stream, hashlib.sha256(), 0

    def read(self, amount: int = -1) -> bytes:
        # boto3 reads in part-sized amounts; its one unbounded read() comes after the end.
        parts, missing = [], float("inf") if amount is None or amount < 0 else amount
        while missing > 0 and (chunk := self._stream.read(int(min(missing, CHUNK)))):
            parts.append(chunk)
            missing -= len(chunk)
        data = b"".join(parts)
        self._digest.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class S3Storage:
    name = "s3"

    def __init__(self, bucket, endpoint_url=None, region=None, access_key=None, secret_key=None,
                 url_seconds=300):
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket, self.region, self.url_seconds = bucket, region, url_seconds
        # Path-style addressing for custom endpoints (MinIO, moto): no wildcard DNS needed.
        s3_options = {"addressing_style": "path"} if endpoint_url else {}
        config = Config(signature_version="s3v4", s3=s3_options, connect_timeout=5,
                        read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})
        # Keys of None fall back to boto's default chain (environment, instance role).
        session = boto3.session.Session()  # a client per backend; the default session isn't
        self.client = session.client(       # safe to build clients on from several threads
            "s3", endpoint_url=endpoint_url, region_name=region, aws_access_key_id=access_key,
            aws_secret_access_key=secret_key, config=config)
        # 8 MiB parts, at most 2 in memory at once: an upload holds ~35 MiB, whatever its size.
        self.transfer = TransferConfig(multipart_threshold=8 * CHUNK, multipart_chunksize=8 * CHUNK,
                                       max_concurrency=2, preferred_transfer_client="classic")
        self.transfer.max_in_memory_upload_chunks = 2  # s3transfer's knob; its default is 10

    def put(self, key: str, stream, content_type: str) -> tuple[int, str]:
        reader = _HashingReader(stream)
        with _s3_errors("upload"):  # boto3 aborts a failed multipart upload: no partial object
            self.client.upload_fileobj(reader, self.bucket, key, Config=self.transfer,
                                       ExtraArgs={"ContentType": content_type})
        return reader.size, reader.hexdigest()

    def open(self, key: str):
        with _s3_errors("open"):
            try:
                return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            except self.client.exceptions.NoSuchKey:
                raise ObjectNotFound(key) from None

    def delete(self, key: str) -> None:
        with _s3_errors("delete"):  # S3 deletes are idempotent already
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def exists(self, key: str) -> bool:
        with _s3_errors("head"):
            try:
                self.client.head_object(Bucket=self.bucket, Key=key)
            except self.client.exceptions.ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                    return False
                raise
        return True

    def download_url(self, key: str, filename: str, content_type: str) -> str:
        params = {"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type,
                  "ResponseContentDisposition": attachment_header(filename)}
        return self.client.generate_presigned_url("get_object", Params=params,
                                                  ExpiresIn=self.url_seconds)

    def health(self) -> tuple[bool, str]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            return False, f"s3: {error.response.get('Error', {}).get('Code', 'error')}"
        except BotoCoreError as error:
            return False, f"s3: {type(error).__name__}"
        return True, "s3"

    def ensure_bucket(self) -> None:
        """Create the bucket if missing: for tests and demos, production buckets are provisioned."""
        if not self.health()[0]:
            options = {} if self.region in (None, "us-east-1") else {
                "CreateBucketConfiguration": {"LocationConstraint": self.region}}
            self.client.create_bucket(Bucket=self.bucket, **options)


@contextlib.contextmanager
def _s3_errors(action: str):
    """boto's exceptions become StorageError; errors of the caller's stream pass unchanged."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise StorageError(f"s3 {action} failed: {error}") from error


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
    if not content_type or len(content_type) > 120 or not _CONTENT_TYPE.fullmatch(content_type):
        content_type = DEFAULT_CONTENT_TYPE  # the client's claim is only ever a label
    key = make_key(prefix)
    size, checksum = storage.put(key, stream, content_type)
    if expected_sha256 is not None and not hmac.compare_digest(
            checksum.encode(), expected_sha256.strip().lower().encode()):
        storage.delete(key)
        raise ChecksumMismatch(f"expected sha256 {expected_sha256}, received {checksum}")
    row = StoredFile(backend=storage.name, key=key, size=size, checksum_sha256=checksum,
                     content_type=content_type, original_name=display_name(original_name),
                     owner=owner)
    db.session.add(row)
    try:
        db.session.flush()
    except Exception:
        storage.delete(key)  # no row, no object
        raise
    return row


def remove(stored_file: StoredFile) -> None:
    """Delete the object and mark the row deleted (rows stay: history points at them)."""
    storage = get_storage()
    if stored_file.backend != storage.name:
        raise StorageError(f"{stored_file!r} lives on {stored_file.backend}, not {storage.name}")
    storage.delete(stored_file.key)
    if stored_file.deleted_at is None:
        stored_file.deleted_at = utcnow()
