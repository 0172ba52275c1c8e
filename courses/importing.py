"""Importing a SCORM package: a new course, or the next version of a course.

Two steps. `unpack` touches no database: the manifest is read and parsed (a bad one is refused
before anything is unpacked), the zip is unpacked into a temporary folder, every file hashed and
the launch files checked. On SQLite a writing transaction holds the write lock from its first
statement, so this slow part comes first. `store` then adds the rows and puts the contents that
are not stored yet, in the caller's transaction (the caller commits). Whatever fails, the
temporary folder goes and so do the objects this import stored: nothing is half-written.

Contents are stored once, keyed by their SHA-256: a blob's row is inserted before its object is
put (INSERT ... ON CONFLICT DO NOTHING), so of two imports storing the same new content at once,
one puts it and the other waits for that one's transaction, then finds the row or puts it
itself. A rollback after `store` returned (the caller's commit failing) leaves objects without
rows: harmless, and stored again under the same key by the next import that needs them.
"""

import contextlib
import hashlib
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from courses import mime
from courses.models import ContentBlob, Course, CourseFile, CourseVersion
from courses.scorm import hrefs, manifest, package
from portal import audit, storage
from portal.extensions import db
from portal.text import clean_line

MAX_PATH_BYTES = 1024  # what the (version, path) index holds on every database
SHOWN_MISSING = 5
_INSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


class ImportRefused(ValueError):
    """The package cannot be imported; `message` says why in one line, `problems` one by one."""

    def __init__(self, message: str, problems: tuple[str, ...] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or (message,)


@dataclass(frozen=True)
class PackageFile:
    path: str  # relative to the package root, as in the zip
    sha256: str
    size: int


@dataclass(frozen=True)
class Unpacked:
    root: Path  # the unpacked package, gone once `unpack`'s block ends
    parsed: manifest.Manifest
    files: tuple[PackageFile, ...]
    package_sha256: str
    notes: tuple[str, ...]


def import_package(zip_path, *, title: str | None = None, course: Course | None = None,
                   actor) -> CourseVersion:
    """The package at `zip_path` as a new course (titled `title`, or as its manifest says), or
    as the next version of `course` (renamed to `title` when one is given). Registrations keep
    the version they started on; new ones take the newest (a later slice builds them).
    Raises ImportRefused with the reason."""
    with unpack(zip_path) as unpacked:
        return store(unpacked, title=title, course=course, actor=actor)


@contextlib.contextmanager
def unpack(zip_path) -> Iterator[Unpacked]:
    """The package unpacked into a temporary folder, hashed and checked; no database used."""
    try:
        packed = package.read_manifest(zip_path)
        parsed = manifest.parse(packed.data)
    except package.PackageRefused as error:
        raise ImportRefused(error.message) from None
    except manifest.ManifestError as error:
        raise ImportRefused(error.message, error.problems) from None
    temp = Path(tempfile.mkdtemp(prefix="course-import-"))
    try:
        root = temp / "package"
        try:
            package.extract(zip_path, root)
        except package.PackageRefused as error:
            raise ImportRefused(error.message) from None
        paths = _paths(root)
        _check_launches(parsed, set(paths))
        files = tuple(_hashed(root, path) for path in paths)
        with open(zip_path, "rb") as whole:
            package_sha256 = hashlib.file_digest(whole, "sha256").hexdigest()
        yield Unpacked(root, parsed, files, package_sha256,
                       (*packed.notes, *parsed.notes, *_unlisted(parsed, set(paths))))
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def store(unpacked: Unpacked, *, title: str | None = None, course: Course | None = None,
          actor) -> CourseVersion:
    """The rows of the unpacked package's version, and its contents not stored yet; flushed,
    not committed. On failure, the objects this call stored are deleted and its rows rolled
    back (a savepoint), and the error goes on."""
    backend = storage.get_storage()
    added: list[str] = []
    try:
        with db.session.begin_nested():
            version = _version_rows(unpacked, title, course, actor)
            _store_contents(unpacked, backend, added)
            db.session.execute(insert(CourseFile), [
                {"version_id": version.id, "path": file.path, "blob_sha256": file.sha256,
                 "size": file.size, "content_type": mime.content_type(file.path)}
                for file in unpacked.files])
            audit.record("course.imported", version, actor, course=version.course_id,
                         number=version.number, files=len(unpacked.files),
                         stored=len(added))
    except BaseException:
        for key in added:
            with contextlib.suppress(storage.StorageError, OSError):
                backend.delete(key)
        raise
    return version


def blob_key(sha256: str) -> str:
    return f"courses/blobs/{sha256[:2]}/{sha256}"


def _paths(root: Path) -> list[str]:
    """The unpacked files' paths from the package root, in order."""
    paths = sorted(path.relative_to(root).as_posix() for path in root.rglob("*")
                   if path.is_file())
    for path in paths:
        if len(path.encode()) > MAX_PATH_BYTES:
            raise ImportRefused(f"'{path[:80]}...' has a path longer than {MAX_PATH_BYTES} "
                                "bytes. Shorten its folder and file names.")
    return paths


def _hashed(root: Path, path: str) -> PackageFile:
    with open(root / path, "rb") as data:  # hashlib reads it in pieces: memory stays flat
        digest = hashlib.file_digest(data, "sha256").hexdigest()
        return PackageFile(path, digest, data.tell())


def _launch_path(launch: str) -> str:
    """The package file a launch URL opens: no query or fragment, percent escapes undone."""
    return unquote(urlsplit(launch).path)


def _check_launches(parsed: manifest.Manifest, paths: set[str]) -> None:
    """Every item's launch file is in the package, or the import is refused naming each one."""
    by_case = {path.casefold(): path for path in paths}
    problems = []
    for organization in parsed.organizations:
        for item in manifest.launchable_items(organization):
            path = _launch_path(item.launch)
            if hrefs.is_external(item.launch) or path in paths:
                continue
            problem = (f"Item '{item.identifier}' ('{item.title}') launches '{path}', which is "
                       "not in the package: add that file to the zip or fix the resource's "
                       "href in imsmanifest.xml.")
            if path.casefold() in by_case:
                problem += (f" The package has '{by_case[path.casefold()]}': file names differ "
                            "by upper and lower case here.")
            problems.append(problem)
    if len(problems) == 1:
        raise ImportRefused(problems[0])
    if problems:
        raise ImportRefused(f"{len(problems)} items launch files that are not in the package: "
                            + " ".join(problems), tuple(problems))


def _unlisted(parsed: manifest.Manifest, paths: set[str]) -> tuple[str, ...]:
    """A note on files the manifest lists but the zip lacks: common in real packages and
    harmless unless a page asks for them, so noted rather than refused."""
    missing = sorted({_launch_path(file) for resource in parsed.resources
                      for file in resource.files
                      if not hrefs.is_external(file) and _launch_path(file) not in paths})
    if not missing:
        return ()
    shown = ", ".join(missing[:SHOWN_MISSING])
    more = f" and {len(missing) - SHOWN_MISSING} more" if len(missing) > SHOWN_MISSING else ""
    return (f"{len(missing)} file(s) listed in imsmanifest.xml are not in the package "
            f"({shown}{more}); pages that ask for them will not find them.",)


def _version_rows(unpacked: Unpacked, title: str | None, course: Course | None,
                  actor) -> CourseVersion:
    parsed = unpacked.parsed
    title = clean_line(title or "")[:200] or None
    version_title = clean_line(parsed.default.title)[:200]  # the package's words, shown to staff
    if course is None:
        course_title = title or version_title or "Untitled course"
        course = Course(key=_new_key(course_title), title=course_title, description="",
                        created_by=actor)
        db.session.add(course)
        db.session.flush()
    else:
        # Two imports for one course at once: the second waits here (PostgreSQL), so the
        # numbers follow each other.
        db.session.execute(select(Course.id).where(Course.id == course.id).with_for_update())
        course.title = title or course.title
    earlier = db.session.execute(
        select(CourseVersion.number, CourseVersion.package_sha256)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number)).all()
    same = [number for number, sha in earlier if sha == unpacked.package_sha256]
    notes = list(unpacked.notes)
    if same:
        notes.append(f"This is the same package file as version {same[-1]}.")
    version = CourseVersion(
        course=course, number=(earlier[-1].number if earlier else 0) + 1,
        scorm_version="1.2" if parsed.version == "1.2" else "2004",
        title=version_title, manifest=parsed.to_dict(),
        launch_items=[{"identifier": item.identifier, "title": item.title,
                       "launch": item.launch, "is_sco": item.is_sco}
                      for item in manifest.launchable_items(parsed.default)],
        notes=notes, package_sha256=unpacked.package_sha256,
        total_bytes=sum(file.size for file in unpacked.files),
        file_count=len(unpacked.files), imported_by=actor)
    db.session.add(version)
    db.session.flush()
    return version


def _store_contents(unpacked: Unpacked, backend, added: list[str]) -> None:
    """Put each content the portal does not have yet; `added` collects the keys put."""
    table = ContentBlob.__table__
    blobs = _INSERTS[db.session.get_bind().dialect.name](table)
    firsts: dict[str, PackageFile] = {}  # the first path of each content
    for file in unpacked.files:
        firsts.setdefault(file.sha256, file)
    for sha256, file in firsts.items():
        key = blob_key(sha256)
        # RETURNING says whether this statement inserted (rowcount does not, on every driver).
        inserted = db.session.execute(blobs.values(sha256=sha256, key=key, size=file.size)
                                      .on_conflict_do_nothing()
                                      .returning(table.c.sha256)).scalar()
        if inserted is None:
            continue  # stored already, by an earlier import
        added.append(key)
        with open(unpacked.root / file.path, "rb") as data:
            size, checksum = backend.put(key, data, mime.content_type(file.path))
        if (size, checksum) != (file.size, sha256):
            raise storage.ChecksumMismatch(f"{file.path} changed while it was imported")


def _new_key(title: str) -> str:
    """A key made from the title ('Golf Explained' -> 'golf-explained'), with '-2', '-3'...
    when taken."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:50].strip("-")
    base = base or "course"
    taken = set(db.session.scalars(select(Course.key).where(Course.key.startswith(base))))
    number = 1
    key = base
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key
