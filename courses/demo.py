"""Demo courses: the real SCORM packages in ../shared/scorm/ (Rustici's Golf samples), when that
folder is there next to the repository; they are never copied into it."""

from pathlib import Path

from sqlalchemy import select

from courses import importing, registrations
from portal.auth.models import AGENT, User, UserRole
from portal.extensions import db

SHARED_SCORM = Path(__file__).resolve().parents[2] / "shared" / "scorm"


def import_shared_packages(trainer) -> str:
    """Each package of SHARED_SCORM as a course imported by `trainer`, every demo agent
    registered to it (the agents' courses page then lists them); what was done, in words."""
    packages = sorted(SHARED_SCORM.glob("*.zip")) if SHARED_SCORM.is_dir() else []
    if not packages:
        return f"no demo courses: {SHARED_SCORM} has no SCORM packages"
    agents = list(db.session.scalars(select(User).join(UserRole).where(UserRole.role == AGENT)))
    for path in packages:
        course = importing.import_package(path, actor=trainer).course
        for agent in agents:
            registrations.register(course, agent)
    db.session.commit()
    return (f"{len(packages)} demo courses imported from {SHARED_SCORM}, "
            f"{len(agents)} agents registered to each")
