"""Learners run their courses: "My courses" (each registration with its status, score, time and
attempts), the player (the SCO in a frame, the course's table of contents, the run-time API in
scorm_runtime.js), and the player's two calls: a SCO's state at launch, and commits. Trainers
preview any course version in the same player without tracking.

A commit is authenticated by the session cookie AND the attempt's token in its body: the final
commit is a navigator.sendBeacon, which carries no custom header, so the token stands in for
the CSRF header (another site can make the browser send the cookie, not know the token)."""

import hmac
import json

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from courses import page_turns, paths, registrations, sco_sessions
from courses.content_views import TOKEN_MAX_AGE, content_origin, content_token
from courses.models import CourseVersion
from courses.scorm import datamodel, hrefs
from courses.tracking_models import Attempt, Registration
from portal.auth import sessions
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import first_tries, public, roles, signed_in
from portal.extensions import csrf, db, utcnow, writes_on_get
from portal.request_body import accepts_beacon

bp = Blueprint("course_player", __name__, url_prefix="/me/courses",
               template_folder="templates")
STAFF = (TRAINER, MANAGER, ADMIN)


@bp.get("/")
@signed_in
def index():
    rows = db.session.scalars(select(Registration).where(
        Registration.learner_id == current_user.id, Registration.unenrolled_at.is_(None))
        .order_by(Registration.id))
    return render_template("courses/my_courses.html", registrations=[
        (row, registrations.may_start_new(row)) for row in rows],
        locks=paths.locks_for(current_user.id), now=utcnow())


@bp.post("/<int:registration_id>/launch")
@signed_in
def launch(registration_id: int):
    registration = _own(Registration, registration_id)
    if registration.unenrolled_at is not None:
        abort(409, "You are no longer enrolled in this course; ask your trainer.")
    locked = paths.locks_for(current_user.id).get(registration.course_id)
    if locked:
        abort(409, locked)
    try:
        opened = registrations.open_for_learner(
            registration, new=request.form.get("new") == "1")
    except registrations.RegistrationRefused as refused:
        abort(409, str(refused))
    db.session.commit()
    return redirect(url_for(".player", attempt_id=opened.attempt.id))


def _own(model, row_id: int):
    """The signed-in learner's own registration or attempt; anyone else's is not found."""
    if model is Registration:
        row = db.session.scalar(select(Registration).where(
            Registration.id == row_id, Registration.learner_id == current_user.id))
    else:
        row = db.session.scalar(select(Attempt).join(Registration).where(
            Attempt.id == row_id, Registration.learner_id == current_user.id))
    if row is None:
        abort(404)
    return row


def _tracked(attempt: Attempt) -> bool:
    """Whether a launch of this attempt records: it is the registration's last attempt and
    the attempts are not used up (else the course opens for review, nothing stored)."""
    registration = attempt.registration
    counted = registrations.attempts_of(registration)  # none just after a trainer's reset
    return bool(counted) and attempt.id == counted[-1].id \
        and not registrations.locked(registration)


@bp.get("/attempts/<int:attempt_id>")
@signed_in
def player(attempt_id: int):
    attempt = _own(Attempt, attempt_id)
    urls = {"state": url_for(".state", attempt_id=attempt.id, item="__item__"),
            "commit": url_for(".commit", attempt_id=attempt.id, item="__item__"),
            "exit": url_for(".index")}
    return _player_page(attempt.version, attempt, attempt.bookmark, urls,
                        sco_sessions.blocked(attempt))


def _player_page(version: CourseVersion, attempt, bookmark, urls: dict,
                 blocked: set[str] = frozenset()):
    tree = sco_sessions.facts(version).items
    items = [{"identifier": item["identifier"], "title": item["title"],
              "depth": depth, "launchable": bool(item.get("launch")),
              "visible": item.get("isvisible", True),
              "disabled": item["identifier"] in blocked}
             for item, depth in zip(tree, _listed_depths(tree), strict=True)]
    launchable = [i["identifier"] for i in items if i["launchable"]
                  and i["identifier"] not in blocked]
    first = bookmark if bookmark in launchable else (launchable[0] if launchable else None)
    urls = {**urls, "table": url_for(".table", version=version.scorm_version)}
    if content_origin():  # the frame shows the launcher on the content origin
        urls["launcher"] = _launcher_url(version)
    return render_template("courses/player.html", course=version.course, version=version,
                           attempt=attempt, items=items, first_item=first, urls=urls,
                           token=attempt.token if attempt else "",
                           content_origin=content_origin())


def _listed_depths(tree) -> list[int]:
    """Each item's depth in the contents list: how many of its ancestors are listed. The
    children of a hidden item (isvisible="false") take its place, rather than nesting under
    the listed item before them."""
    listed: list[bool] = []  # whether each ancestor of the item in hand is listed
    depths = []
    for item in tree:
        del listed[item["depth"]:]
        depths.append(sum(listed))
        listed.append(item.get("isvisible", True))
    return depths


@bp.get("/scorm/<version>/table.json")
@signed_in
def table(version: str):
    if version not in datamodel.VERSIONS:
        abort(404)
    response = jsonify(datamodel.table_as_json(version))
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/attempts/<int:attempt_id>/scos/<item>/state")
@signed_in
@writes_on_get  # a launch starts a session
def state(attempt_id: int, item: str):
    attempt = _own(Attempt, attempt_id)
    if item in sco_sessions.blocked(attempt):  # its prerequisites are not met: not launched
        return jsonify(disabled=True, reason="Finish the lessons before this one first.")
    launched = sco_sessions.launch(attempt, item, current_user, credit=_tracked(attempt))
    if launched is None:
        abort(404)
    db.session.commit()
    page_turns.forget(attempt.id, item)
    urls = _urls(attempt.version, launched.launch)
    if content_origin():
        urls["final"] = _final_commit_url(attempt, item, launched.seq)
    return jsonify(values=launched.values, seq=launched.seq, is_sco=launched.is_sco, **urls)


def _urls(version: CourseVersion, launch: str) -> dict:
    """What a SCO's launch opens: its content and, on a content origin, the launcher; both
    with a token made now, so a player page left open longer than a token lives still opens
    its next lesson."""
    urls = {"launch": _content_url(version, launch)}
    if content_origin():
        urls["launcher"] = _launcher_url(version)
    return urls


def _launcher_url(version: CourseVersion) -> str:
    return content_origin() + url_for("course_content.launcher", token=_token(version))


def _content_url(version: CourseVersion, launch: str) -> str:
    path, _, query = launch.partition("?")
    if content_origin():
        url = content_origin() + url_for("course_content.isolated_file", token=_token(version),
                                         version_id=version.id, path=path)
    else:
        url = url_for("course_content.file", version_id=version.id, path=path)
    return hrefs.with_parameters(url, "?" + query) if query else url


def _token(version: CourseVersion) -> str:
    """The content origin's credential for this user and version; the portal's origin is the
    one this request came to (a trusted host)."""
    return content_token(version.id, current_user.id, f"{request.scheme}://{request.host}")


def _commit_quickly(claim: sessions.Claim, attempt_id: int, item: str):
    """A page turn in one or two statements (page_turns); None: the full path answers."""
    return page_turns.commit_quickly(claim, attempt_id, item,
                                     _parsed(request.get_data(as_text=True)))


@bp.post("/attempts/<int:attempt_id>/scos/<item>/commit")
@signed_in
@first_tries(_commit_quickly)
@csrf.exempt  # a beacon cannot send the CSRF header: the attempt's token in the body instead
@accepts_beacon
def commit(attempt_id: int, item: str):
    attempt = _own(Attempt, attempt_id)
    body = _body()
    if not hmac.compare_digest(str(body.get("token", "")), attempt.token):
        abort(403)
    return _stored(attempt, item, body.get("seq"), body.get("changes"),
                   bool(body.get("terminate")))


# --- the launcher's farewell, on a content origin ------------------------------------------
# When the tab closes, the SCO's own unload handlers (which often set the session time, the
# exit and end the session) run in the content origin's process after the player's last
# beacon has gone: their calls would reach the player no more. So the launcher sends what is
# left itself, straight to the portal, with the session's last sequence number. No portal
# cookie need go with it (the content origin may be another site): the signed token the
# launch handed over, good for this learner's attempt and SCO only, is the credential; the
# content could send these same values through the API anyway.
FINAL_COMMIT_SALT = "sco-final-commit"


def _final_commit_url(attempt: Attempt, item: str, seq: int) -> str:
    token = _final_serializer().dumps({"a": attempt.id, "i": item, "u": current_user.id,
                                       "s": sco_sessions.final_seq(seq)})
    return url_for(".final_commit", token=token, _external=True)


def _final_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FINAL_COMMIT_SALT)


@bp.post("/final-commits/<token>")
@public  # the signed token is the credential (above)
@csrf.exempt
@accepts_beacon
def final_commit(token: str):
    try:
        claims = _final_serializer().loads(token, max_age=TOKEN_MAX_AGE)  # as the launch's own
    except BadSignature:  # SignatureExpired included
        abort(404)
    attempt = db.session.scalar(select(Attempt).join(Registration).where(
        Attempt.id == claims["a"], Registration.learner_id == claims["u"]))
    if attempt is None:
        abort(404)
    body = _body()
    return _stored(attempt, claims["i"], claims["s"], body.get("changes"),
                   bool(body.get("terminate")))


def _stored(attempt: Attempt, item: str, seq, changes, terminate: bool):
    """A commit through the ORM, the roll-ups redone when the outcome changed; the answer."""
    try:
        done = sco_sessions.commit(attempt, item, seq, changes, terminate)
    except sco_sessions.CommitRefused as refused:
        db.session.rollback()
        return jsonify(ok=False, error=refused.message, errors=refused.errors), refused.status
    if done.stale:
        db.session.rollback()
        return jsonify(ok=False, stale=True), 409
    if done.outcome_changed:  # a page turn changes nothing the roll-ups read
        registrations.roll_up(attempt)
    else:
        registrations.touch(attempt)
    db.session.commit()
    page_turns.forget(attempt.id, item)
    return jsonify(ok=True, stale=False, completion=done.completion, success=done.success)


def _body() -> dict:
    body = _parsed(request.get_data(as_text=True))
    if not body:
        abort(400, "A commit is a JSON object.")
    return body


def _parsed(text: str) -> dict:
    """The commit's JSON object, or {} when it is none."""
    try:
        body = json.loads(text or "null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# --- trainers' preview: the same player, nothing recorded ----------------------------------------

@bp.get("/preview/<int:version_id>")
@roles(*STAFF)
def preview(version_id: int):
    version = db.get_or_404(CourseVersion, version_id)
    urls = {"state": url_for(".preview_state", version_id=version.id, item="__item__"),
            "commit": url_for(".preview_commit", version_id=version.id, item="__item__"),
            "exit": url_for("courses.course", course_id=version.course_id)}
    return _player_page(version, None, None, urls)


@bp.get("/preview/<int:version_id>/scos/<item>/state")
@roles(*STAFF)
def preview_state(version_id: int, item: str):
    version = db.get_or_404(CourseVersion, version_id)
    found = next((i for i in sco_sessions.facts(version).items
                  if i["identifier"] == item and i.get("launch")), None)
    if found is None:
        abort(404)
    values = sco_sessions.seed(version.scorm_version, found, current_user, None, credit=False)
    return jsonify(values=values, seq=0, is_sco=bool(found.get("is_sco")),
                   **_urls(version, found["launch"]))


@bp.post("/preview/<int:version_id>/scos/<item>/commit")
@roles(*STAFF)
@csrf.exempt
@accepts_beacon
def preview_commit(version_id: int, item: str):
    """Accepted and kept nowhere: a preview records nothing."""
    db.get_or_404(CourseVersion, version_id)
    _body()
    return jsonify(ok=True, stale=False, tracked=False)

