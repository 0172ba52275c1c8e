"""portal/storage.py: both backends behind one interface, and the StoredFile rows around them.

Backend tests run twice: on a local folder and on S3 (moto's server over real HTTP, see
tests/s3_server.py).
"""

import hashlib
import io
import os
import re
import tracemalloc
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

import portal.storage.local  # noqa: F401  (its tempfile is patched below)
from portal import storage
from portal.extensions import db
from portal.storage import (
    ChecksumMismatch,
    InvalidKey,
    LocalStorage,
    ObjectNotFound,
    S3Storage,
    StorageError,
    StoredFile,
)
from tests.s3_server import make_s3

MiB = 1024 * 1024
ODD_CHUNK = 200_003  # not a power of two: exercises short reads and part boundaries


# --- helpers -----------------------------------------------------------------------------

def chunks(total: int, size: int = ODD_CHUNK):
    """Deterministic pseudo-random bytes, made one chunk at a time."""
    sent, counter = 0, 0
    while sent < total:
        block = hashlib.sha256(counter.to_bytes(8, "big")).digest() * (size // 32 + 1)
        block = block[: min(size, total - sent)]
        sent, counter = sent + len(block), counter + 1
        yield block


def digest_of(total: int) -> str:
    sha = hashlib.sha256()
    for block in chunks(total):
        sha.update(block)
    return sha.hexdigest()


class ChunkStream(io.RawIOBase):
    """A file that exists only as a generator: it never holds more than one chunk, gives short
    reads like a socket does, refuses read-everything, and can fail after `fail_after` bytes."""

    def __init__(self, total: int, fail_after: int | None = None):
        self._chunks, self._pending = chunks(total), b""
        self.sent, self.fail_after, self.largest_request = 0, fail_after, 0

    def readable(self) -> bool:
        return True

    def readall(self):
        raise AssertionError("the whole stream was read at once")

    def readinto(self, buffer) -> int:
        self.largest_request = max(self.largest_request, len(buffer))
        if self.fail_after is not None and self.sent >= self.fail_after:
            raise OSError("client went away")
        if not self._pending:
            self._pending = next(self._chunks, b"")
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self.sent += count
        return count


def read_digest(fileobj) -> tuple[int, str]:
    sha, size = hashlib.sha256(), 0
    with fileobj:
        while block := fileobj.read(MiB):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


def files_under(root) -> list[str]:
    return [os.path.join(top, name) for top, _, names in os.walk(root) for name in names]


def no_proxy_open(url: str):
    return urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=10)


# --- fixtures ----------------------------------------------------------------------------

@pytest.fixture
def local_storage(tmp_path):
    root = tmp_path / "files"
    root.mkdir()
    return LocalStorage(root)


@pytest.fixture(params=["local", "s3"])
def backend(request):
    return request.getfixturevalue(f"{request.param}_storage")


def s3_leftovers(backend: S3Storage) -> tuple[list, list]:
    objects = backend.client.list_objects_v2(Bucket=backend.bucket).get("Contents", [])
    uploads = backend.client.list_multipart_uploads(Bucket=backend.bucket).get("Uploads", [])
    return objects, uploads


# --- both backends -----------------------------------------------------------------------

def test_put_and_open_stream_a_large_file(backend):
    # S3 keeps a few 8 MiB parts in memory (~35 MiB): the file must be larger to show a bound.
    total = (20 if backend.name == "local" else 64) * MiB + 12_345  # the last part is short
    stream = ChunkStream(total)
    tracemalloc.start()
    try:
        size, checksum = backend.put("recordings/2024/05/big", stream, "video/webm")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (size, checksum) == (total, digest_of(total))
    assert read_digest(backend.open("recordings/2024/05/big")) == (total, checksum)
    assert backend.exists("recordings/2024/05/big")
    # Streamed, not buffered: reads are chunk or part sized and memory stays well below the
    # file size (local: one 1 MiB chunk; S3: a bounded number of 8 MiB parts).
    assert stream.largest_request <= 8 * MiB
    assert peak < (4 * MiB if backend.name == "local" else 48 * MiB)


def test_empty_file(backend):
    assert backend.put("a/empty", io.BytesIO(b""), "text/plain") == (
        0, hashlib.sha256(b"").hexdigest())
    assert backend.open("a/empty").read() == b""


def test_delete_is_idempotent_and_open_missing_raises(backend):
    backend.put("a/b/c", io.BytesIO(b"hello"), "text/plain")
    assert backend.exists("a/b/c")
    backend.delete("a/b/c")
    backend.delete("a/b/c")
    assert not backend.exists("a/b/c")
    with pytest.raises(ObjectNotFound):
        backend.open("a/b/c")


def test_put_replaces_an_existing_key(backend):
    backend.put("a/k", io.BytesIO(b"old"), "text/plain")
    backend.put("a/k", io.BytesIO(b"new!"), "text/plain")
    assert backend.open("a/k").read() == b"new!"


def test_health_ok(backend):
    ok, detail = backend.health()
    assert ok, detail


@pytest.mark.parametrize("fail_after", [3 * MiB, 17 * MiB], ids=["single-put", "multipart"])
def test_failing_stream_leaves_nothing_behind(backend, fail_after):
    with pytest.raises(OSError, match="client went away"):
        backend.put("up/2024/01/broken", ChunkStream(40 * MiB, fail_after), "audio/wav")
    assert not backend.exists("up/2024/01/broken")
    if backend.name == "local":
        assert files_under(backend.root) == []  # no temp file either
    else:
        assert s3_leftovers(backend) == ([], [])  # the multipart upload was aborted


# --- S3 only -----------------------------------------------------------------------------

def test_s3_download_url_is_presigned_attachment(s3_storage):
    s3_storage.put("rec/x", io.BytesIO(b"RIFF....WAVE"), "audio/wav")
    url = s3_storage.download_url("rec/x", "Entrevista de José.wav", "audio/wav")

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["120"]
    with no_proxy_open(url) as response:  # a plain GET, no credentials: the URL is enough
        assert response.read() == b"RIFF....WAVE"
        served = response.headers["Content-Disposition"]
    # S3 and MinIO send back the signed response-content-disposition; moto ignores it (as of
    # moto 5.2), so the signed parameter is checked, and the header whenever it is served.
    (disposition,) = query["response-content-disposition"]
    assert served in (None, disposition)
    assert query["response-content-type"] == ["audio/wav"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Entrevista%20de%20Jos%C3%A9.wav" in disposition
    assert 'filename="Entrevista de Jose.wav"' in disposition


def test_s3_health_fails_for_a_missing_bucket(s3_endpoint):
    ok, detail = make_s3(s3_endpoint, "no-such-bucket-here").health()
    assert not ok
    assert detail.startswith("s3: ")


def test_s3_health_fails_when_the_server_is_unreachable():
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ok, detail = make_s3(f"http://127.0.0.1:{port}", "bucket").health()
    assert (ok, detail) == (False, "s3: EndpointConnectionError")


def test_s3_put_to_a_missing_bucket_is_a_storage_error(s3_endpoint):
    with pytest.raises(StorageError):
        make_s3(s3_endpoint, "no-such-bucket-here").put("a/b", io.BytesIO(b"x"), "text/plain")


def test_ensure_bucket_is_idempotent(s3_storage):
    s3_storage.ensure_bucket()
    assert s3_storage.health()[0]


# --- local only --------------------------------------------------------------------------

def test_local_download_url_is_none(local_storage):
    local_storage.put("a/b", io.BytesIO(b"x"), "text/plain")
    assert local_storage.download_url("a/b", "b.txt", "text/plain") is None


def test_local_put_writes_no_stray_files(local_storage):
    local_storage.put("rec/2024/05/abc", io.BytesIO(b"data"), "text/plain")
    assert files_under(local_storage.root) == [str(local_storage.root / "rec/2024/05/abc")]


@pytest.mark.parametrize("key", [
    "../outside", "a/../../outside", "a/..", "/etc/passwd", "a\\..\\b", "", "a//b", "./a",
    "a/", ".", "a/\0b", "x" * 301,
])
def test_local_rejects_traversal_keys(local_storage, key):
    for call in (lambda: local_storage.put(key, io.BytesIO(b"x"), "text/plain"),
                 lambda: local_storage.open(key), lambda: local_storage.delete(key),
                 lambda: local_storage.exists(key)):
        with pytest.raises(InvalidKey):
            call()
    assert files_under(local_storage.root.parent) == []


def test_local_rejects_symlinks_out_of_the_root(local_storage, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (local_storage.root / "link").symlink_to(outside)
    with pytest.raises(InvalidKey):
        local_storage.put("link/evil", io.BytesIO(b"x"), "text/plain")
    assert list(outside.iterdir()) == []


def test_local_health_fails_without_a_root(tmp_path):
    ok, detail = LocalStorage(tmp_path / "missing").health()
    assert not ok and "missing" in detail
    (tmp_path / "a-file").write_text("not a folder")
    assert not LocalStorage(tmp_path / "a-file").health()[0]


def test_local_health_fails_on_an_unwritable_root(local_storage, monkeypatch):
    if os.geteuid() == 0:  # root writes to a read-only folder anyway: make the write fail
        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(storage.local.tempfile, "TemporaryFile", refuse)
    local_storage.root.chmod(0o500)
    try:
        ok, detail = local_storage.health()
    finally:
        local_storage.root.chmod(0o700)
    assert (ok, detail) == (False, "local: storage root is not writable (PermissionError)")


# --- names and headers -------------------------------------------------------------------

@pytest.mark.parametrize("given, shown", [
    ("report.pdf", "report.pdf"),
    ("C:\\Users\\ana\\cv.docx", "cv.docx"),
    ("../../etc/passwd", "passwd"),
    ("evil\u202egpj.exe", "evilgpj.exe"),  # the right-to-left override disguises extensions
    ("tab\tand\nnewline.txt", "tabandnewline.txt"),
    ("   ", "file"),
    (None, "file"),
    ("a" * 300 + ".mp3", "a" * 251 + ".mp3"),
])
def test_display_name(given, shown):
    assert storage.display_name(given) == shown


def test_attachment_header_quotes_what_needs_quoting():
    header = storage.attachment_header('say "hi"; now.txt')
    assert header.startswith('attachment; filename="say _hi__ now.txt"; ')
    assert header.endswith("filename*=UTF-8''say%20%22hi%22%3B%20now.txt")


# --- store() and remove() with the app's database ----------------------------------------

KEY_SHAPE = re.compile(r"recordings/\d{4}/\d{2}/[0-9a-f]{32}")


@pytest.fixture
def app_local_root(app, tmp_path, monkeypatch):
    """The app's storage, pointed at a fresh folder for this test."""
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "local")
    monkeypatch.setitem(app.config, "STORAGE_LOCAL_ROOT", str(tmp_path / "app-files"))
    monkeypatch.delitem(app.extensions, "storage", raising=False)
    return tmp_path / "app-files"


def test_get_storage_builds_the_configured_backend_once(app, app_local_root):
    backend = storage.get_storage()
    assert isinstance(backend, LocalStorage)
    assert backend.root == app_local_root.resolve()
    assert backend.health()[0]  # the folder was made on first use
    assert storage.get_storage() is backend


def test_get_storage_builds_s3_from_config(app, s3_endpoint, monkeypatch):
    for name, value in {"STORAGE_BACKEND": "s3", "S3_BUCKET": "from-config",
                        "S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": "eu-west-1",
                        "S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing",
                        "DOWNLOAD_URL_SECONDS": 60}.items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.delitem(app.extensions, "storage", raising=False)
    backend = storage.get_storage()
    assert isinstance(backend, S3Storage)
    assert (backend.bucket, backend.url_seconds) == ("from-config", 60)
    backend.ensure_bucket()  # outside us-east-1 this needs a LocationConstraint
    assert backend.health()[0]


def test_store_adds_a_flushed_row_under_a_server_made_key(app, app_local_root, make_user):
    owner = make_user()
    data = b"fake mp3 " * 1000
    row = storage.store(io.BytesIO(data), prefix="recordings", content_type="audio/mpeg",
                        original_name="..\\..\\secret\u202e3pm.exe", owner=owner)

    assert row.id is not None and row in db.session
    assert KEY_SHAPE.fullmatch(row.key) and "secret" not in row.key
    assert (row.backend, row.size, row.content_type) == ("local", len(data), "audio/mpeg")
    assert row.checksum_sha256 == hashlib.sha256(data).hexdigest()
    assert row.original_name == "secret3pm.exe"
    assert row.owner_id == owner.id and row.deleted_at is None
    assert row.created_at.tzinfo is not None
    assert storage.get_storage().open(row.key).read() == data


@pytest.mark.parametrize("given, kept", [
    ("audio/webm;codecs=opus", "audio/webm;codecs=opus"),
    ('video/webm; codecs="vp8, opus"', 'video/webm; codecs="vp8, opus"'),
    ("text/html\r\nX-Injected: 1", "application/octet-stream"),
    ("vidéo/webm", "application/octet-stream"),
    ("a/" + "b" * 120, "application/octet-stream"),
    ("", "application/octet-stream"),
    (None, "application/octet-stream"),
])
def test_store_keeps_only_well_formed_content_types(app, app_local_root, given, kept):
    row = storage.store(io.BytesIO(b"x"), prefix="recordings", content_type=given,
                        original_name="x")
    assert row.content_type == kept
    assert row.owner_id is None


def test_store_accepts_a_matching_checksum_in_any_case(app, app_local_root):
    expected = hashlib.sha256(b"abc").hexdigest().upper()
    row = storage.store(io.BytesIO(b"abc"), prefix="recordings", content_type="text/plain",
                        original_name="abc.txt", expected_sha256=expected)
    assert row.checksum_sha256 == expected.lower()


def test_store_rejects_a_bad_prefix(app, app_local_root):
    for prefix in ("../x", "Recordings", "a//b", "", "a/"):
        with pytest.raises(InvalidKey):
            storage.store(io.BytesIO(b"x"), prefix=prefix, content_type="text/plain",
                          original_name="x")


def _count_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_checksum_mismatch_keeps_neither_object_nor_row(app, app_local_root, kind, request,
                                                         monkeypatch):
    if kind == "s3":
        monkeypatch.setitem(app.extensions, "storage", request.getfixturevalue("s3_storage"))
    backend = storage.get_storage()
    before = _count_rows()
    with pytest.raises(ChecksumMismatch):
        storage.store(ChunkStream(2 * MiB), prefix="recordings", content_type="video/webm",
                      original_name="call.webm", expected_sha256="0" * 64)
    assert _count_rows() == before
    if kind == "local":
        assert files_under(backend.root) == []
    else:
        assert s3_leftovers(backend) == ([], [])


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_remove_deletes_the_object_and_keeps_the_row(app, app_local_root, kind, request,
                                                      monkeypatch):
    if kind == "s3":
        monkeypatch.setitem(app.extensions, "storage", request.getfixturevalue("s3_storage"))
    row = storage.store(io.BytesIO(b"bye"), prefix="recordings", content_type="text/plain",
                        original_name="bye.txt")
    assert row.backend == kind
    storage.remove(row)
    deleted_at = row.deleted_at
    assert deleted_at is not None
    assert not storage.get_storage().exists(row.key)
    storage.remove(row)  # twice is fine, and keeps the first time stamp
    assert row.deleted_at == deleted_at
    db.session.flush()
    assert db.session.get(StoredFile, row.id) is row


def test_remove_refuses_a_file_of_another_backend(app, app_local_root):
    row = StoredFile(backend="s3", key="recordings/2024/01/abc", size=1, checksum_sha256="0" * 64,
                     content_type="text/plain", original_name="x")
    with pytest.raises(StorageError):
        storage.remove(row)
    assert row.deleted_at is None


# --- handing a file to the browser ---------------------------------------------------------

@pytest.mark.parametrize("backend_name", ["local", "s3"])
def test_download_response_hands_over_the_file(app, backend_name, tmp_path, monkeypatch,
                                               request):
    monkeypatch.delitem(app.extensions, "storage", raising=False)
    if backend_name == "local":
        monkeypatch.setitem(app.config, "STORAGE_LOCAL_ROOT", str(tmp_path / "dl"))
    else:
        backend = make_s3(request.getfixturevalue("s3_endpoint"))
        backend.ensure_bucket()
        monkeypatch.setitem(app.extensions, "storage", backend)
    data = os.urandom(3 * MiB + 7)
    row = storage.store(io.BytesIO(data), prefix="recordings", content_type="audio/webm",
                        original_name="../../Sample call é.webm")
    with app.test_request_context():
        response = storage.download_response(row)
        if backend_name == "s3":
            # A short-lived signed URL: the bytes never pass through the web process.
            assert response.status_code == 303
            with urllib.request.urlopen(response.headers["Location"]) as fetched:
                assert fetched.read() == data
        else:
            response.direct_passthrough = False
            assert response.status_code == 200
            assert response.get_data() == data
            assert response.headers["Content-Length"] == str(len(data))
            assert response.headers["Cache-Control"] == "private, no-store"
            assert "filename*=UTF-8''Sample%20call%20%C3%A9.webm" in response.headers[
                "Content-Disposition"]
    storage.remove(row)
    with app.test_request_context(), pytest.raises(ObjectNotFound):
        storage.download_response(row)
