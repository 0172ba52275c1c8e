"""One learner's training record as staff see it: their paths (enrolled, due, completed or
unenrolled), every course registration with its roll-up, and every certificate, revoked ones
too. Four queries whatever the learner has."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courses.certificate_models import Certificate
from courses.path_models import PathEnrolment
from courses.tracking_models import Registration
from portal.auth.models import AGENT, User
from portal.extensions import db
from portal.teams.models import Team, TeamMember


@dataclass(frozen=True)
class Record:
    learner: User
    team: Team | None
    enrolments: list[PathEnrolment]
    registrations: list[Registration]
    certificates: list[Certificate]


def record_of(user_id: int) -> Record | None:
    """None for anyone who is not an agent (nobody else has a training record)."""
    learner = db.session.get(User, user_id)
    if learner is None or AGENT not in learner.roles:
        return None
    team = db.session.scalar(select(Team).join(TeamMember).where(TeamMember.user_id == user_id))
    return Record(
        learner=learner, team=team,
        enrolments=list(db.session.scalars(
            select(PathEnrolment).where(PathEnrolment.learner_id == user_id)
            .options(selectinload(PathEnrolment.path)).order_by(PathEnrolment.enrolled_at))),
        registrations=list(db.session.scalars(
            select(Registration).where(Registration.learner_id == user_id)
            .options(selectinload(Registration.course)).order_by(Registration.id))),
        certificates=list(db.session.scalars(
            select(Certificate).where(Certificate.learner_id == user_id)
            .order_by(Certificate.issued_at.desc()))))
