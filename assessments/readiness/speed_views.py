"""What the browser measures the connection against, the way LibreSpeed does it: a download of
incompressible random bytes, an upload the server reads and throws away, and an empty answer
for round trips. Cheap on purpose: one random buffer made at start-up and sent again and again,
no disk, no database write; only a candidate with an open check may use them, with size caps
and a rate limit."""

import os

from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user

from assessments.readiness.access import open_application
from portal.auth.models import AGENT, CANDIDATE
from portal.auth.permissions import roles
from portal.extensions import limiter
from portal.request_body import accepts_bytes

bp = Blueprint("readiness_speed", __name__,
               url_prefix="/me/readiness/applications/<int:application_id>/speed")

CHUNK = os.urandom(1024 * 1024)  # random: no compression anywhere can shrink it
MAX_DOWNLOAD_MB = 100
READ_SIZE = 64 * 1024
# Not cached, not transformed (a proxy that compressed it would fake the speed).
NO_STORE = {"Cache-Control": "no-store, no-transform", "Content-Encoding": "identity"}


def _per_candidate() -> str:
    return f"readiness:{current_user.id}"


# A run moves at most ~6 streams x 15 s of chunks and ~10 round trips: far below these.
_limit = limiter.limit("600 per minute", key_func=_per_candidate)


@bp.get("/down")
@roles(CANDIDATE, AGENT)
@_limit
def download(application_id: int):
    """`mb` megabytes (1 to MAX_DOWNLOAD_MB) of random bytes; the browser aborts when done."""
    open_application(application_id)
    asked = request.args.get("mb", "25")
    megabytes = int(asked) if asked.isdigit() else 0
    if not 1 <= megabytes <= MAX_DOWNLOAD_MB:
        abort(400, f"Ask for 1 to {MAX_DOWNLOAD_MB} MB.")

    def chunks():
        for _ in range(megabytes):
            yield CHUNK

    return Response(chunks(), mimetype="application/octet-stream", direct_passthrough=True,
                    headers={**NO_STORE, "Content-Length": str(megabytes * len(CHUNK))})


@bp.post("/up")
@roles(CANDIDATE, AGENT)
@_limit
@accepts_bytes("READINESS_UPLOAD_MB")
def upload(application_id: int):
    """Read the body and throw it away; how many bytes came is the answer."""
    open_application(application_id)
    received = 0
    while piece := request.stream.read(READ_SIZE):
        received += len(piece)
    limit = current_app.config["READINESS_UPLOAD_MB"] * 1024 * 1024
    if received > limit:  # a body without a Content-Length is cut off here
        abort(413)
    return Response(str(received), mimetype="text/plain", headers=NO_STORE)


@bp.get("/ping")
@roles(CANDIDATE, AGENT)
@_limit
def ping(application_id: int):
    open_application(application_id)
    return Response(status=204, headers=NO_STORE)
