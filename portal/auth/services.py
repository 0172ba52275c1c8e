"""Accounts: registration, email verification, password reset. Callable without HTTP."""

from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit, jobs, mail
from portal.auth import passwords, sessions
from portal.auth.models import CANDIDATE, User
from portal.extensions import db, utcnow

VERIFY_SALT, RESET_SALT = "verify-email", "reset-password"


class AccountError(ValueError):
    """Refused; the message is shown to the user."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def register_candidate(email: str, full_name: str, password: str) -> None:
    """Create a candidate account and email a verification link. If the address already has
    an account, email its owner instead: the caller answers the same either way, and both
    paths do the same slow work (hashing the password), so neither the page nor its timing
    tells whether an address is registered."""
    email = email.strip().lower()
    issues = passwords.problems(password, email=email, name=full_name)
    if issues:
        raise AccountError(" ".join(issues))
    password_hash = generate_password_hash(password)
    existing = User.by_email(email)
    if existing is not None:
        _tell_owner_of_attempt(existing)
        return
    user = User(email=email, full_name=full_name, password_hash=password_hash,
                credentials_version=1)
    user.grant(CANDIDATE)
    try:
        with db.session.begin_nested():  # a double-click: the second insert loses the race
            db.session.add(user)
    except IntegrityError:
        return
    audit.record("user.registered", user, user)
    send_verification(user)


def _tell_owner_of_attempt(user: User) -> None:
    if user.is_active:
        mail.send("account_exists", user)


def send_verification(user: User) -> None:
    token = _serializer(VERIFY_SALT).dumps({"uid": user.id, "email": user.email})
    mail.send("verify_email", user, link=mail.absolute_url("auth.verify_email", token=token))


def _read_token(token: str, salt: str, max_age_setting: str, kind: str, renew: str) -> dict:
    try:
        return _serializer(salt).loads(token, max_age=current_app.config[max_age_setting])
    except SignatureExpired:
        raise AccountError(f"This {kind} link has expired. {renew}") from None
    except BadSignature:
        raise AccountError(f"This {kind} link is not valid.") from None


def verify_email(token: str) -> User:
    data = _read_token(token, VERIFY_SALT, "TOKEN_MAX_AGE_VERIFY", "verification",
                       "Log in to get a new one.")
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise AccountError("This verification link is not valid.")
    if not user.is_verified:
        user.email_verified_at = utcnow()
        audit.record("user.email_verified", user, user)
    return user


def request_password_reset(email: str) -> None:
    """Queue the look-up: the request does the same work whether the account exists or not,
    so its answer time says nothing (inline, the job runs after the answer is sent)."""
    jobs.enqueue(send_password_reset, queue="email", after_response=True,
                 email=email.strip().lower())


@jobs.forgets_arguments
def send_password_reset(email: str) -> None:
    """The job: send a reset link if the account exists and is active."""
    user = User.by_email(email)
    if user is None or not user.is_active:
        return
    token = _serializer(RESET_SALT).dumps({"uid": user.id, "v": user.credentials_version})
    mail.send("password_reset", user,
              link=mail.absolute_url("auth.reset_password", token=token),
              minutes=current_app.config["TOKEN_MAX_AGE_RESET"] // 60)


def user_for_reset_token(token: str) -> User:
    data = _read_token(token, RESET_SALT, "TOKEN_MAX_AGE_RESET", "reset", "Ask for a new one.")
    user = db.session.get(User, data.get("uid"))
    # A used link is dead: setting the password bumped credentials_version.
    if user is None or not user.is_active or user.credentials_version != data.get("v"):
        raise AccountError("This reset link has already been used or is no longer valid.")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    issues = passwords.problems(new_password, email=user.email, name=user.full_name)
    if issues:
        raise AccountError(" ".join(issues))
    user.set_password(new_password)
    sessions.end_all(user)  # whoever knew the old password is signed out everywhere
    # Reaching the link proves the mailbox, so the address counts as verified too.
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record("user.password_reset", user, user)
    return user


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")


def authenticate(email: str, password: str) -> User | None:
    user = User.by_email(email)
    if user is None:
        # Spend the same time as a real check, so response time does not reveal accounts.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user
