"""Our own course "Quality management: how your calls are evaluated": its sources in qm/ built
into a SCORM zip, and imported as the course QM_COURSE_KEY.

The zip is deterministic: the same sources give the same bytes (names sorted, one fixed
timestamp and mode, the same compression), so its SHA-256 says whether the sources changed. The
import goes through `importing.import_package`, the path of every upload, and adds a version
only when the package differs from the newest version's.
"""

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from courses import importing
from courses.models import Course, CourseVersion
from portal.extensions import db

QM_COURSE_KEY = "qm-basics"
QM_COURSE_TITLE = "Quality management: how your calls are evaluated"
QM_COURSE_DESCRIPTION = ("How your calls are sampled and scored, the scorecard and its critical "
                         "items, how to acknowledge or dispute an evaluation, and how coaching "
                         "works; with a 10-question quiz (pass mark 80 %).")
QM_SOURCE = Path(__file__).resolve().parent / "qm"
QM_ZIP_NAME = f"{QM_COURSE_KEY}.zip"

# 1980-01-01 00:00, the earliest time a zip can hold: no build date leaks into the bytes.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644  # a regular file, rw-r--r--
_COMPRESS_LEVEL = 9
_SKIPPED_SUFFIXES = ("~", ".swp", ".swo", ".tmp", ".orig", ".pyc")

CREATED, NEW_VERSION, UNCHANGED = "created", "new version", "unchanged"


@dataclass(frozen=True)
class Imported:
    version: CourseVersion  # the course's newest version after the import
    status: str  # CREATED, NEW_VERSION or UNCHANGED
    package_sha256: str


def source_files(source: Path = QM_SOURCE) -> list[str]:
    """The package's files, as paths from `source`, sorted; hidden files and editors' leftovers
    are not part of it."""
    found = []
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if not path.is_file() or any(part.startswith(".") or part == "__pycache__"
                                     for part in relative.parts):
            continue
        if relative.name.endswith(_SKIPPED_SUFFIXES):
            continue
        found.append(relative.as_posix())
    return sorted(found)


def build_qm_package(destination: Path, source: Path | None = None) -> Path:
    """Zip the course's sources into `destination`: a folder (the zip is qm-basics.zip in it)
    or the zip's own path. Written to a temporary file next to it and renamed into place, so a
    reader never sees half a zip. Returns the zip's path."""
    source = QM_SOURCE if source is None else source
    destination = Path(destination)
    target = destination / QM_ZIP_NAME if destination.is_dir() else destination
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                         dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as sink, zipfile.ZipFile(sink, "w") as archive:
            for name in source_files(source):
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, whatever the machine: the mode below is Unix's
                info.external_attr = _FILE_MODE << 16
                archive.writestr(info, (source / name).read_bytes(),
                                 compresslevel=_COMPRESS_LEVEL)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def sha256_of(path: Path) -> str:
    with open(path, "rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()


def import_qm_course(actor=None) -> Imported:
    """The course QM_COURSE_KEY, with its newest version built from the sources: created on
    the first run, a new version when the package changed, nothing new otherwise. Flushed, not
    committed (the caller commits); raises importing.ImportRefused, leaving nothing, if the
    package is refused."""
    with tempfile.TemporaryDirectory(prefix="qm-course-") as folder:
        path = build_qm_package(Path(folder))
        package_sha256 = sha256_of(path)
        course = db.session.scalar(select(Course).where(Course.key == QM_COURSE_KEY))
        newest = None if course is None else db.session.scalar(
            select(CourseVersion).where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.number.desc()).limit(1))
        if newest is not None and newest.package_sha256 == package_sha256:
            return Imported(newest, UNCHANGED, package_sha256)
        with db.session.begin_nested():  # a refused package leaves no course behind either
            status = NEW_VERSION
            if course is None:
                course = Course(key=QM_COURSE_KEY, title=QM_COURSE_TITLE,
                                description=QM_COURSE_DESCRIPTION, created_by=actor)
                db.session.add(course)
                db.session.flush()
                status = CREATED
            version = importing.import_package(path, course=course, actor=actor)
        return Imported(version, status, package_sha256)
