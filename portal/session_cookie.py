"""Flask's signed session cookie, verified once per worker and cookie.

A browser sends the same session cookie with every request until the session changes, and
verifying it (HMAC, then zlib and tagged JSON) cost a tenth of a small write's request. For
the same secret and the same bytes the result never changes, so it is kept; the cookie's age
is checked again on every request, so an expired cookie is refused exactly as before.
"""

import copy
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

# Cookies remembered per worker; past this the memory is dropped and rebuilt as they come back.
CAPACITY = 4096


class VerifiedCookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        # (secret key, cookie) -> (its data, when it was signed, seconds since the epoch)
        self._verified: dict[tuple, tuple[dict, float]] = {}

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        key = (app.secret_key, cookie)
        known = self._verified.get(key)
        if known is None:
            known = self._verify(app, cookie, int(max_age))
            if known is None:
                return super().open_session(app, request)
            if len(self._verified) >= CAPACITY:
                self._verified.clear()
            self._verified[key] = known
        data, signed_at = known
        if time.time() - signed_at > max_age:
            self._verified.pop(key, None)
            return self.session_class()
        # A copy: the request may change the session (a flash appends to a list in it).
        return self.session_class(copy.deepcopy(data))

    def _verify(self, app: Flask, cookie: str, max_age: int) -> tuple[dict, float] | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return None
        return data, signed_at.timestamp()
