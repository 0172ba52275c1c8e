"""How each opening's recording steps are set up by its managers: which script candidates
record and which rubric reviewers score with (by key: the newest versions), and who reviews the
opening's recordings. An opening nobody set up uses the step's shipped script and rubric, and
every manager reviews it; once reviewers are named, only they (and administrators) may open or
play its recordings."""

from sqlalchemy import delete, select

from portal import audit
from portal.auth.models import ADMIN, MANAGER, User, UserRole
from portal.extensions import db
from portal.recordings import rubrics, scripts
from portal.recordings.content import DEFAULTS
from portal.recordings.models import OpeningReviewer, OpeningSetup, RecordingScript, Rubric


class SetupRefused(ValueError):
    pass


def _row(opening, step_key: str) -> OpeningSetup | None:
    return db.session.get(OpeningSetup, (opening.id, step_key))


def script_key_of(opening, step_key: str) -> str:
    row = _row(opening, step_key)
    return row.script_key if row else DEFAULTS[step_key].key


def rubric_key_of(opening, step_key: str) -> str:
    row = _row(opening, step_key)
    return row.rubric_key if row else rubrics.DEFAULT_FOR_STEP[step_key]


def script_for(application, step_key: str) -> RecordingScript:
    """What the application records for the step (scripts.for_application)."""
    return scripts.for_application(application, step_key,
                                   script_key_of(application.opening, step_key))


def rubric_for(opening, step_key: str) -> Rubric:
    return rubrics.current(rubric_key_of(opening, step_key))


def reviewers_of(opening) -> list[User]:
    return list(db.session.scalars(
        select(User).join(OpeningReviewer, OpeningReviewer.user_id == User.id)
        .where(OpeningReviewer.opening_id == opening.id).order_by(User.full_name)))


def may_review(user, opening) -> bool:
    if user.has_role(ADMIN):
        return True
    named = db.session.scalars(select(OpeningReviewer.user_id).where(
        OpeningReviewer.opening_id == opening.id)).all()
    return user.has_role(MANAGER) and (not named or user.id in named)


def eligible_reviewers() -> list[User]:
    """Active managers and administrators, the people a review may be assigned to."""
    return [user for user in db.session.scalars(
        select(User).join(UserRole).where(UserRole.role.in_((MANAGER, ADMIN)))
        .order_by(User.full_name).distinct()) if user.is_active]


def save(opening, step_key: str, script_key: str, rubric_key: str, reviewer_ids: list[int],
         author) -> None:
    """Set the step up; SetupRefused when a choice is not one offered."""
    script = scripts.current(script_key)
    if script is None or script.step_key != step_key:
        raise SetupRefused("Choose one of the scripts listed for this step.")
    if rubric_key not in {row.key for row in rubrics.current_all()}:
        raise SetupRefused("Choose one of the rubrics listed.")
    allowed = {user.id for user in eligible_reviewers()}
    if not set(reviewer_ids) <= allowed:
        raise SetupRefused("Reviewers are chosen among the active managers.")
    row = _row(opening, step_key)
    if row is None:
        row = OpeningSetup(opening_id=opening.id, step_key=step_key)
        db.session.add(row)
    row.script_key, row.rubric_key = script_key, rubric_key
    db.session.execute(delete(OpeningReviewer).where(OpeningReviewer.opening_id == opening.id))
    db.session.add_all(OpeningReviewer(opening_id=opening.id, user_id=user_id)
                       for user_id in sorted(set(reviewer_ids)))
    audit.record("recording.setup_saved", opening, author, step=step_key, script=script_key,
                 rubric=rubric_key, reviewers=sorted(set(reviewer_ids)))
