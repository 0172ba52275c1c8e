"""Demo courses: the real SCORM packages in ../shared/scorm/ (Rustici's Golf samples), when that
folder is there next to the repository; they are never copied into it."""

from pathlib import Path

from courses import importing

SHARED_SCORM = Path(__file__).resolve().parents[2] / "shared" / "scorm"


def import_shared_packages(trainer) -> str:
    """Each package of SHARED_SCORM as a course imported by `trainer`; what was done, in words."""
    packages = sorted(SHARED_SCORM.glob("*.zip")) if SHARED_SCORM.is_dir() else []
    if not packages:
        return f"no demo courses: {SHARED_SCORM} has no SCORM packages"
    for path in packages:
        importing.import_package(path, actor=trainer)
    return f"{len(packages)} demo courses imported from {SHARED_SCORM}"
