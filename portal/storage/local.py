"""The local-folder backend: files under one root, written to a temp file then moved."""

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from portal.storage.common import CHUNK, InvalidKey, ObjectNotFound


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

    # A recording's parts are written into its file as they come (write_at), not each into
    # an object of its own that a join then copies.
    appends = True

    def write_at(self, key: str, offset: int, stream) -> tuple[int, str]:
        """Write `stream` into the object `key` from `offset` on (made if missing), dropping
        first whatever it held past `offset` (a write that was never counted); the size and
        SHA-256 of what was written. Not synced to disk: sync() it once it is whole."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with open(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b") as out:
            out.truncate(offset)
            out.seek(offset)
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        return size, digest.hexdigest()

    def truncate(self, key: str, size: int) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.truncate(self._path(key), size)

    def sync(self, key: str) -> None:
        """The object's bytes on disk, not only in the page cache."""
        fd = os.open(self._path(key), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def local_path(self, key: str) -> Path:
        """The object's file, for a tool that reads files by name (ffmpeg)."""
        return self._path(key)

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
