"""People and the roles they hold. A user may hold several roles (a hired agent may train)."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import UTCDateTime, db, utcnow

CANDIDATE, AGENT, TRAINER, MANAGER, QA, ADMIN = (
    "candidate", "agent", "trainer", "manager", "qa", "admin",
)
ROLES = (CANDIDATE, AGENT, TRAINER, MANAGER, QA, ADMIN)
ROLE_LABELS = {
    CANDIDATE: "Candidate", AGENT: "Agent", TRAINER: "Trainer",
    MANAGER: "Hiring manager", QA: "QA evaluator", ADMIN: "Administrator",
}
STAFF_ROLES = frozenset({TRAINER, MANAGER, QA, ADMIN})


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changes whenever the password does: old reset links and sessions stop working.
    credentials_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    # People listed by name, paged by (name, id): the learners matrix (courses/matrix.py).
    __table_args__ = (Index("ix_users_name", "full_name", "id"),)

    # --- Flask-Login -------------------------------------------------------------------
    # The token of the session this request runs in (portal.auth.sessions sets it); it is
    # what Flask-Login keeps in the session and the remember-me cookie, never the user id.
    session_token = None  # not a column: per request

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.is_active_account and self.erased_at is None

    # --- roles ---------------------------------------------------------------------------
    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def grant(self, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        if role not in self.roles:
            self.role_rows.append(UserRole(role=role))

    def revoke(self, role: str) -> None:
        self.role_rows = [row for row in self.role_rows if row.role != role]

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    # --- password ------------------------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.credentials_version = (self.credentials_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @validates("email")
    def _lowercase_email(self, key, value: str) -> str:
        # Stored lowercased, so the unique index also means "unique ignoring case" and
        # look-ups use it directly.
        return value.strip().lower()

    @classmethod
    def by_email(cls, email: str) -> "User | None":
        return db.session.scalar(select(cls).where(cls.email == email.strip().lower()))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """One signed-in browser. The cookie carries a random token; only its hash is stored, so
    deleting the row (logout, "sign out everywhere", password reset) ends that session for
    good, including a remember-me cookie or a copied session cookie."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    remember: Mapped[bool] = mapped_column(default=False)
    # The roles the session was opened with: when they change the session is renewed.
    roles_stamp: Mapped[str] = mapped_column(String(120))
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
