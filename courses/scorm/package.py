"""Safe reading of an untrusted SCORM zip.

Every name is checked before anything is written; members are streamed in chunks while the bytes
they really produce are counted (sizes in the zip's headers are written by whoever made the zip);
the package is unpacked into a temporary folder next to the destination and renamed into place in
one step, so a refused package leaves nothing behind.
"""

import os
import posixpath
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "imsmanifest.xml"
MIB = 1024 * 1024
CHUNK = MIB
_DRIVE = re.compile(r"^[A-Za-z]:")
# zipfile inflates deflate in bounded steps, but bzip2 and LZMA in one unbounded call per read:
# a small bzip2 member could fill memory before any limit sees a byte.
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


@dataclass(frozen=True)
class Limits:
    max_files: int = 10_000
    max_total_bytes: int = 2 * 1024 * MIB
    max_ratio: int = 200
    # Below this size a high ratio is normal (text, blank images) and cannot hurt.
    ratio_floor_bytes: int = MIB
    max_manifest_bytes: int = 10 * MIB


class PackageRefused(ValueError):
    """The zip cannot be imported; `message` says what is wrong and what to do about it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Extracted:
    files: int
    total_bytes: int
    manifest_path: str  # where imsmanifest.xml was in the zip
    notes: tuple[str, ...]


@dataclass(frozen=True)
class PackedManifest:
    data: bytes
    manifest_path: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Member:
    info: zipfile.ZipInfo
    path: str  # relative to the package root; '' for the single top folder itself
    is_dir: bool


@dataclass(frozen=True)
class _Layout:
    members: tuple[_Member, ...]
    manifest_path: str
    notes: tuple[str, ...]


def extract(zip_path: str | os.PathLike, destination: str | os.PathLike, *,
            limits: Limits = Limits()) -> Extracted:
    """Unpack the package at `zip_path` into `destination` (a folder that must not exist yet),
    whose content is the package root: the folder that holds imsmanifest.xml."""
    destination = Path(destination)
    if destination.exists():
        raise FileExistsError(f"{destination} exists already; a package goes into a new folder")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with _open(zip_path) as archive:
        layout = _survey(archive, limits)
        temp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".partial",
                                     dir=destination.parent))
        try:
            files, total = _write(archive, layout.members, temp, limits)
            os.rename(temp, destination)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    return Extracted(files, total, layout.manifest_path, layout.notes)


def read_manifest(zip_path: str | os.PathLike, *, limits: Limits = Limits()) -> PackedManifest:
    """The bytes of the package's imsmanifest.xml, read from the zip without unpacking anything
    (the whole zip's names are checked all the same, so what passes here extracts too)."""
    with _open(zip_path) as archive:
        layout = _survey(archive, limits)
        member = next(m for m in layout.members if m.path == MANIFEST)
        data = b"".join(_chunks(archive, member, limits, limits.max_manifest_bytes,
                                _manifest_too_big(limits)))
    return PackedManifest(data, layout.manifest_path, layout.notes)


def _open(zip_path: str | os.PathLike) -> zipfile.ZipFile:
    if Path(zip_path).stat().st_size == 0:
        raise PackageRefused("The file is empty (0 bytes): the upload or the export did not "
                             "finish. Export the course as a SCORM zip again and upload that.")
    try:
        return zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise PackageRefused("This file is not a zip archive. A SCORM package is the .zip that "
                             "the authoring tool exports (publish or export as SCORM 1.2 or "
                             "2004); upload that file.") from None


def _survey(archive: zipfile.ZipFile, limits: Limits) -> _Layout:
    """Check every entry of the zip's directory before anything is written, and find the root."""
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        raise PackageRefused(f"The zip has {len(infos)} files and folders; a course may have at "
                             f"most {limits.max_files}. Remove unused files or split the course.")
    entries, files, folders = [], {}, set()
    for info in infos:
        name = info.orig_filename
        path, is_dir = _checked_name(info), name.endswith("/")
        if info.flag_bits & 0x1:
            raise PackageRefused(f"'{name}' is encrypted (password-protected). Export the course "
                                 "again without a password on the zip.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageRefused(f"'{name}' is a symbolic link, which a package may not contain "
                                 "(it could point anywhere on the server). Replace it with the "
                                 "file it points to.")
        if info.compress_type not in _METHODS:
            raise PackageRefused(f"'{name}' is compressed with a method other than deflate "
                                 f"(method {info.compress_type}). Zip the course again with a "
                                 "standard zip tool.")
        key = path.casefold()
        if not is_dir and key in files:
            raise PackageRefused(_duplicate(files[key], path))
        if not is_dir:
            files[key] = path
        parts = key.split("/")
        folders.update("/".join(parts[:end]) for end in range(1, len(parts) + is_dir))
        entries.append((info, path, is_dir))
    clash = sorted(files[key] for key in files.keys() & folders)
    if clash:
        raise PackageRefused(f"'{clash[0]}' is both a file and a folder in this zip. Rename one "
                             "of them and zip the course again.")
    tops = {path.split("/")[0] for _, path, _ in entries if path}
    prefix, notes = _root(set(files.values()), tops)
    members = tuple(_Member(info, path[len(prefix):], is_dir) for info, path, is_dir in entries)
    return _Layout(members, prefix + MANIFEST, notes)


def _checked_name(info: zipfile.ZipInfo) -> str:
    """The entry's path with '.' and empty parts dropped; refused when it could land outside the
    package folder or mean different things on different systems."""
    name = info.orig_filename  # zipfile's `filename` silently cuts a name at a NUL
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise PackageRefused(f"The entry {name!r} has a control character (such as NUL) in its "
                             "name. Rename the file and zip the course again.")
    if "\\" in name:
        raise PackageRefused(f"'{name}' uses backslashes as folder separators; zip entries must "
                             "use '/'. Zip the course again with a standard zip tool.")
    if name.startswith("/") or _DRIVE.match(name):
        raise PackageRefused(f"'{name}' is an absolute path; every name in a package must be "
                             "relative to its root. Zip the course folder's content instead.")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise PackageRefused(f"'{name}' has a '..' part, which would write outside the course "
                             "folder. Zip the course again from its own folder.")
    if any(len(part.encode()) > 255 for part in parts):
        raise PackageRefused(f"'{name}' has a file or folder name longer than 255 bytes, more "
                             "than file systems allow. Shorten it and zip the course again.")
    if not parts and not name.endswith("/"):
        raise PackageRefused("An entry of the zip has no name. Zip the course again.")
    return "/".join(parts)


def _duplicate(first: str, second: str) -> str:
    if first == second:
        return f"'{first}' appears twice in the zip. Zip the course again so each file is once."
    return (f"'{first}' and '{second}' differ only in upper and lower case. Course files are "
            "sometimes served from storage that ignores case, where one would replace the other: "
            "rename one of them.")


def _root(files: set[str], tops: set[str]) -> tuple[str, tuple[str, ...]]:
    """The folder prefix of the package root inside the zip, and notes on how it was found."""
    if MANIFEST in files:
        return "", ()
    top = next(iter(tops)) if len(tops) == 1 else None
    if top and f"{top}/{MANIFEST}" in files:
        return f"{top}/", (f"The manifest was inside the single top folder '{top}'; that folder "
                           "is used as the package root.",)
    found = sorted(path for path in files if posixpath.basename(path).casefold() == MANIFEST)
    where = (f" The zip has '{found[0]}': the manifest must be named exactly imsmanifest.xml and "
             "sit at the root of the zip." if found else "")
    raise PackageRefused("This zip has no imsmanifest.xml at its root (nor inside a single top "
                         "folder), so it is not a SCORM package. Export the course from the "
                         f"authoring tool as SCORM 1.2 or 2004.{where}")


def _write(archive: zipfile.ZipFile, members: tuple[_Member, ...], root: Path,
           limits: Limits) -> tuple[int, int]:
    root = root.resolve()
    files = total = 0
    for member in members:
        if not member.path:
            continue
        target = root / member.path
        # The names were checked already; this guards the one place that writes.
        if not target.resolve().is_relative_to(root):
            raise PackageRefused(f"'{member.info.orig_filename}' would be written outside the "
                                 "course folder. Zip the course again from its own folder.")
        if member.is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        room, too_big = limits.max_total_bytes - total, _total_too_big(limits)
        if member.path == MANIFEST:
            room, too_big = min(room, limits.max_manifest_bytes), _manifest_too_big(limits)
        with target.open("xb") as sink:
            for chunk in _chunks(archive, member, limits, room, too_big):
                sink.write(chunk)
                total += len(chunk)
        files += 1
    return files, total


def _chunks(archive: zipfile.ZipFile, member: _Member, limits: Limits, room: int,
            too_big: str) -> Iterator[bytes]:
    """The member's bytes as they are decompressed, refused as soon as they pass `room` bytes or
    the compression ratio limit; neither trusts the sizes the zip's headers declare."""
    name, produced = member.info.orig_filename, 0
    try:
        with archive.open(member.info) as source:
            while chunk := source.read(CHUNK):
                produced += len(chunk)
                if produced > room:
                    raise PackageRefused(too_big)
                if (produced > limits.ratio_floor_bytes
                        and produced > limits.max_ratio * max(member.info.compress_size, 1)):
                    raise PackageRefused(
                        f"'{name}' expands to more than {limits.max_ratio} times its compressed "
                        "size, as zip bombs do and course files do not. Remove it from the zip.")
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise PackageRefused(f"'{name}' is damaged in the zip ({error}). Zip the course again "
                             "and upload the new file.") from None


def _total_too_big(limits: Limits) -> str:
    return (f"The package unpacks to more than {_size(limits.max_total_bytes)}, the limit for a "
            "course. Make it smaller (compress videos, remove unused files).")


def _manifest_too_big(limits: Limits) -> str:
    return (f"imsmanifest.xml is larger than {_size(limits.max_manifest_bytes)}, far beyond any "
            "real manifest. Export the course again.")


def _size(count: int) -> str:
    for unit, size in (("GiB", 1024 * MIB), ("MiB", MIB), ("KiB", 1024)):
        if count >= size:
            return f"{count / size:g} {unit}"
    return f"{count} bytes"
