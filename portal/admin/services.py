"""Administration rules in plain Python: who may change which account, and the audit log query.

Nothing here reads `request` or commits; views and the CLI commit. Refusals raise `AdminError`
whose message is shown to the person as is.
"""

import json
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from portal import audit, listing
from portal.audit import AuditEvent
from portal.auth import passwords, sessions
from portal.auth import services as auth_services
from portal.auth.models import ADMIN, ROLES, User, UserRole
from portal.extensions import db, utcnow
from portal.listing import escape_like

# Actions written across the portal, offered as suggestions in the audit log filter (free text,
# and prefixes such as "application.", work too). Reading them with SELECT DISTINCT would scan
# the whole table on every page view.
KNOWN_ACTIONS = (
    "application.created", "application.moved", "application.note_added", "application.purged",
    "assessment.answer_scored", "assessment.extra_time_granted",
    "assessment.norm_setting_changed", "assessment.report_downloaded",
    "assessment.results_viewed", "assessment.retake_granted", "assessment.rules_changed",
    "assessment_bank.published", "auth.login_throttled", "opening.closed", "opening.created",
    "opening.draft", "opening.open", "opening.updated", "recording.commented",
    "recording.played", "recording.review_submitted", "recording.reviewed", "user.activated",
    "user.created",
    "user.deactivated", "user.email_verified", "user.erased", "user.password_reset",
    "user.registered", "user.reset_link_sent", "user.role_granted", "user.roles_changed",
    "user.sessions_ended",
)
SYSTEM = "system"


class AdminError(ValueError):
    """Refused; the message is shown to the administrator."""


class DuplicateEmail(AdminError):
    pass


# --- the users list ----------------------------------------------------------------------------

def users_statement(text: str = "", role: str = "") -> Select:
    """Users matching a name/email fragment and holding `role` (when given), newest first."""
    stmt = select(User)
    text = (text or "").strip()[:100]
    if text:
        pattern = f"%{escape_like(text.lower())}%"
        stmt = stmt.where(or_(User.email.like(pattern, escape="\\"),  # stored lowercased
                              func.lower(User.full_name).like(pattern, escape="\\")))
    if role in ROLES:
        stmt = stmt.where(User.role_rows.any(UserRole.role == role))
    return stmt.order_by(User.created_at.desc(), User.id.desc())


# --- changing an account -----------------------------------------------------------------------

def _ensure_changeable(user: User) -> None:
    if user.erased_at is not None:
        raise AdminError("This account was erased at the person's request; it cannot be changed.")


def _other_active_admins(user: User) -> int:
    """How many active administrators there are besides `user`.

    The rows are locked (PostgreSQL) so that two administrators demoting each other at the same
    moment cannot both succeed and leave nobody in charge.
    """
    ids = db.session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == ADMIN, User.is_active_account.is_(True),
               User.erased_at.is_(None))
        .with_for_update(of=(User, UserRole))).all()
    return len(set(ids) - {user.id})


def _ensure_admin_can_go(user: User, actor: User | None, *, self_message: str,
                         last_message: str) -> None:
    if actor is not None and actor.id == user.id:
        raise AdminError(self_message)
    if user.is_active and ADMIN in user.roles and _other_active_admins(user) == 0:
        raise AdminError(last_message)


@dataclass(frozen=True)
class RoleChange:
    added: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def set_roles(user: User, wanted, actor: User | None) -> RoleChange:
    """Give `user` exactly the roles in `wanted`; audit what was added and removed."""
    _ensure_changeable(user)
    wanted = set(wanted)
    unknown = wanted - set(ROLES)
    if unknown:
        raise AdminError(f"Unknown role: {', '.join(sorted(unknown))}.")
    if not wanted:
        raise AdminError("Keep at least one role. To stop someone from signing in, deactivate "
                         "the account instead.")
    current = user.roles
    change = RoleChange(added=sorted(wanted - current), removed=sorted(current - wanted))
    if ADMIN in change.removed:
        _ensure_admin_can_go(
            user, actor,
            self_message="You cannot remove your own administrator role. Ask another "
                         "administrator to do it.",
            last_message=f"{user.full_name} is the last active administrator; make someone "
                         "else an administrator first.")
    for role in change.added:
        user.grant(role)
    for role in change.removed:
        user.revoke(role)
    if change:
        audit.record("user.roles_changed", user, actor, added=change.added,
                     removed=change.removed)
    return change


def set_active(user: User, active: bool, actor: User | None) -> bool:
    """Activate or deactivate the account; False when it already was so."""
    _ensure_changeable(user)
    if user.is_active_account == active:
        return False
    if not active:
        _ensure_admin_can_go(
            user, actor,
            self_message="You cannot deactivate your own account.",
            last_message=f"{user.full_name} is the last active administrator and cannot be "
                         "deactivated.")
    user.is_active_account = active
    if not active:
        sessions.end_all(user)
    audit.record("user.activated" if active else "user.deactivated", user, actor)
    return True


def send_reset_link(user: User, actor: User | None) -> None:
    _ensure_changeable(user)
    if not user.is_active_account:
        raise AdminError("This account is deactivated. Activate it before sending a password "
                         "reset link.")
    auth_services.request_password_reset(user.email)
    audit.record("user.reset_link_sent", user, actor)


def normalize_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AdminError(f"That email address is not valid: {error}") from None


def create_user(email: str, full_name: str, roles, password: str,
                actor: User | None) -> User:
    """A verified account with the given roles (staff, or an administrator from the CLI)."""
    email = normalize_email(email)
    full_name = (full_name or "").strip()
    if not 2 <= len(full_name) <= 120:
        raise AdminError("Give a full name of 2 to 120 characters.")
    roles = set(roles)
    if not roles:
        raise AdminError("Choose at least one role.")
    if roles - set(ROLES):
        raise AdminError(f"Unknown role: {', '.join(sorted(roles - set(ROLES)))}.")
    if User.by_email(email) is not None:
        raise DuplicateEmail(f"An account with the email {email} already exists.")
    issues = passwords.problems(password or "", email=email, name=full_name)
    if issues:
        raise AdminError(" ".join(issues))
    user = User(email=email, full_name=full_name, email_verified_at=utcnow())
    user.set_password(password)
    for role in sorted(roles):
        user.grant(role)
    try:
        with db.session.begin_nested():  # a concurrent sign-up with the same email
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise DuplicateEmail(f"An account with the email {email} already exists.") from None
    audit.record("user.created", user, actor, roles=sorted(roles))
    return user


# --- the audit log -----------------------------------------------------------------------------

@dataclass
class AuditQuery:
    action: str = ""        # exact ("user.created") or a prefix ("application." or "user")
    actor: str = ""         # an email address, or "system" for events without a person
    target_type: str = ""   # a table name ("users") or "system"
    target_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    after: str | None = None   # cursor: events older than this one
    before: str | None = None  # cursor: events newer than this one (going back)
    page_size: int = 50


@dataclass
class AuditPage:
    items: list[AuditEvent]
    older_cursor: str | None
    newer_cursor: str | None


def action_condition(text: str):
    text = (text or "").strip()[:60]
    if not text:
        return None
    if text.endswith(("*", ".")) or "." not in text:
        prefix = text.rstrip("*")
        prefix = prefix if prefix.endswith(".") or "." in prefix else prefix + "."
        return AuditEvent.action.like(escape_like(prefix) + "%", escape="\\")
    return AuditEvent.action == text


def _filtered(query: AuditQuery) -> Select:
    stmt = select(AuditEvent)
    condition = action_condition(query.action)
    if condition is not None:
        stmt = stmt.where(condition)
    actor = (query.actor or "").strip().lower()
    if actor == SYSTEM:
        stmt = stmt.where(AuditEvent.actor_id.is_(None))
    elif actor:
        stmt = stmt.where(AuditEvent.actor_id == select(User.id).where(
            User.email == actor).scalar_subquery())
    if query.target_type:
        stmt = stmt.where(AuditEvent.target_type == query.target_type)
    if query.target_id is not None:
        stmt = stmt.where(AuditEvent.target_id == query.target_id)
    return stmt.where(*listing.within_days(AuditEvent.created_at, query.date_from,
                                           query.date_to))


def _with_actor(stmt: Select) -> Select:
    # One query: the actor comes in the same row; their roles are not needed here.
    return stmt.options(joinedload(AuditEvent.actor).options(lazyload(User.role_rows)))


def fetch_audit_page(query: AuditQuery) -> AuditPage:
    """Newest first, keyset-paginated on (created_at, id): any page costs what the first does."""
    page = listing.paginate(_with_actor(_filtered(query)), AuditEvent.created_at, AuditEvent.id,
                           descending=True, after=query.after, before=query.before,
                           page_size=query.page_size)
    return AuditPage(items=page.items, older_cursor=page.next_cursor,
                     newer_cursor=page.prev_cursor)


def events_for_user(user: User, limit: int = 50) -> list[AuditEvent]:
    """The latest events about this account or done by this person."""
    stmt = select(AuditEvent).where(or_(
        (AuditEvent.target_type == User.__tablename__) & (AuditEvent.target_id == user.id),
        AuditEvent.actor_id == user.id))
    return list(db.session.scalars(_with_actor(stmt.order_by(
        AuditEvent.created_at.desc(), AuditEvent.id.desc())).limit(limit)))


def target_types() -> list[str]:
    return sorted(set(db.metadata.tables) | {SYSTEM})


def format_detail(detail) -> list[tuple[str, str]]:
    """An event's detail as short (key, value) pairs for a table cell."""
    if not isinstance(detail, dict):
        return [("detail", _short(detail))] if detail else []
    return [(str(key), _short(value)) for key, value in detail.items()]


def _short(value, limit: int = 80) -> str:
    if value is None:
        text = "—"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(item) for item in value) or "none"
    elif isinstance(value, dict):
        text = json.dumps(value, separators=(",", ":"), default=str)
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
