"""Failed sign-ins slow down whoever guesses, never lock the owner out.

- Per account and client address: LOGIN_FREE_FAILURES failures, then each further failure
  makes that address wait twice as long as before (1 s, 2 s, 4 s ... up to 15 minutes).
- Per account, from everywhere: a high ceiling (LOGIN_ACCOUNT_CEILING failures an hour) stops
  a distributed guess; the owner still gets in from a device they signed in on before (a
  signed "known device" cookie), which is counted on its own instead.
- A correct password clears that address's failures. Reaching a limit is written to the audit
  log (`auth.login_throttled`) for administrators.

Counts live in the rate limiter's storage: Redis when REDIS_URL is set, so every gunicorn
worker sees the same counts; in memory (per process) otherwise.
"""

import hashlib
import math
import secrets
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits.storage import Storage, storage_from_string

from portal import audit
from portal.auth.models import User

WINDOW_SECONDS = 3600
MAX_BACKOFF_SECONDS = 15 * 60
DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_DAYS = 180
_DEVICE_SALT = "known-device"


@dataclass(frozen=True)
class Source:
    """Where an attempt comes from: the client address, and the known-device id if any."""
    address: str
    device: str | None = None

    @property
    def key(self) -> str:
        return f"device:{self.device}" if self.device else f"ip:{self.address}"


def storage() -> Storage:
    app = current_app._get_current_object()
    if "login_throttle" not in app.extensions:
        app.extensions["login_throttle"] = storage_from_string(
            app.config["RATELIMIT_STORAGE_URI"])
    return app.extensions["login_throttle"]


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _keys(email: str, source: Source) -> tuple[str, str, str]:
    account = _account(email)
    return (f"login-fail:{account}:{source.key}", f"login-wait:{account}:{source.key}",
            f"login-fail:{account}")


def seconds_to_wait(email: str, source: Source) -> int:
    """0 if this attempt may be checked; else how long the client must wait first."""
    store = storage()
    _, wait_key, account_key = _keys(email, source)
    if store.get(wait_key):
        return max(1, math.ceil(store.get_expiry(wait_key) - time.time()))
    if source.device is None and \
            store.get(account_key) >= current_app.config["LOGIN_ACCOUNT_CEILING"]:
        return max(1, math.ceil(store.get_expiry(account_key) - time.time()))
    return 0


def failed(email: str, source: Source) -> None:
    store = storage()
    fail_key, wait_key, account_key = _keys(email, source)
    failures = store.incr(fail_key, WINDOW_SECONDS)
    account_failures = store.incr(account_key, WINDOW_SECONDS)
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures >= free:
        backoff = min(2 ** (failures - free), MAX_BACKOFF_SECONDS)
        store.incr(wait_key, backoff)
    ceiling = current_app.config["LOGIN_ACCOUNT_CEILING"]
    if failures == free or account_failures == ceiling:
        scope = "account" if account_failures == ceiling else "address"
        audit.record("auth.login_throttled", User.by_email(email), None, scope=scope,
                     failures=account_failures if scope == "account" else failures)
        current_app.logger.warning("sign-in throttled (%s) after %s failures", scope,
                                   account_failures if scope == "account" else failures)


def succeeded(email: str, source: Source) -> None:
    store = storage()
    fail_key, wait_key, _ = _keys(email, source)
    store.clear(fail_key)
    store.clear(wait_key)


# --- known devices ------------------------------------------------------------------------

def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def device_cookie_value(user: User, existing: str | None) -> str:
    """The cookie to (re)issue after a sign-in, keeping the device's id if it has one."""
    device = device_for(user, existing) or secrets.token_urlsafe(12)
    return _device_serializer().dumps({"u": user.id, "d": device})


def device_for(user: User | None, cookie: str | None) -> str | None:
    """The device id of a valid known-device cookie issued to `user`, else None."""
    if user is None or not cookie:
        return None
    try:
        data = _device_serializer().loads(cookie, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("d"),
                                                                                 str):
        return None
    return data["d"]
