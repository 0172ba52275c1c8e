"""/healthz: can this process reach its database and its file storage?"""

from flask import Blueprint
from sqlalchemy import text

from portal import storage
from portal.auth.permissions import public
from portal.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    checks = {"database": _database(), "storage": _storage()}
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "failing", "checks": checks}, 200 if healthy else 503


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "detail": db.engine.dialect.name}
    except Exception as error:  # report, never raise: this page exists to say what is broken
        db.session.rollback()
        return {"ok": False, "detail": type(error).__name__}


def _storage() -> dict:
    try:
        ok, detail = storage.get_storage().health()
    except Exception as error:
        ok, detail = False, type(error).__name__
    return {"ok": ok, "detail": detail}
