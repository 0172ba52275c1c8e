"""Managers set recordings up: interview templates and sample-call scenarios (scripts), the
rubrics reviewers score with, and for each opening's recording step which script and rubric it
uses and who reviews it. Saving a script or a rubric makes a new version; what candidates
recorded and reviewers scored keeps the version it used."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal import storage
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import roles
from portal.extensions import db, writes_on_get
from portal.recordings import rubrics, scripts, setups, versioned
from portal.recordings.content import DEFAULTS, STEP_KEYS
from portal.recordings.models import OpeningSetup
from portal.recruiting import steps as step_registry
from portal.recruiting.models import Opening
from portal.request_body import accepts_upload
from portal.storage import StoredFile

bp = Blueprint("recording_setup", __name__, url_prefix="/recordings",
               template_folder="templates")

EMPTY_ROWS = 2  # blank rows under the filled ones, for another question or criterion


def _rows(prefix: str, fields: tuple[str, ...]) -> list[dict]:
    """The form's numbered rows (`prefix`-1-`field`, ...), in order."""
    rows, number = [], 1
    while any(f"{prefix}-{number}-{field}" in request.form for field in fields):
        rows.append({field: request.form.get(f"{prefix}-{number}-{field}", "")
                     for field in fields})
        number += 1
    return rows


def _padded(rows: list[dict], fields: tuple[str, ...], text_fields: tuple[str, ...],
            limit: int) -> list[dict]:
    """The rows filled in so far, then blank ones for more (the "add" button sends the form
    back for this: what was typed into the blanks becomes rows, and new blanks follow)."""
    rows = [row for _, row in versioned.filled(rows, text_fields)]
    blank = dict.fromkeys(fields, "")
    return rows + [dict(blank) for _ in range(max(0, min(EMPTY_ROWS, limit - len(rows))))]


@bp.get("/scripts")
@roles(TRAINER, MANAGER, ADMIN)
@writes_on_get  # a shipped script or rubric is stored on first look
def index():
    used = dict(db.session.execute(select(OpeningSetup.script_key, func.count())
                                   .group_by(OpeningSetup.script_key)).all())
    rubric_used = dict(db.session.execute(select(OpeningSetup.rubric_key, func.count())
                                          .group_by(OpeningSetup.rubric_key)).all())
    by_step = {key: scripts.current_for_step(key) for key in STEP_KEYS}
    found = rubrics.current_all()
    db.session.commit()  # the shipped versions stored on first look
    defaults = {script.key for script in DEFAULTS.values()} | set(
        rubrics.DEFAULT_FOR_STEP.values())
    return render_template("recordings/setup_index.html", by_step=by_step, used=used,
                           rubrics=found, rubric_used=rubric_used, defaults=defaults,
                           step_title=lambda key: step_registry.get(key).title)


# --- scripts ------------------------------------------------------------------------------------

PROMPT_FIELDS = ("text", "think_seconds", "max_seconds", "retakes", "audio", "remove_audio")


@bp.route("/scripts/new/<step_key>", methods=["GET", "POST"])
@accepts_upload("MAX_UPLOAD_MB")  # spoken prompts (prompt_audio.py caps each)
@roles(TRAINER, MANAGER, ADMIN)
@writes_on_get  # a shipped script or rubric is stored on first look
def new_script(step_key: str):
    if step_key not in STEP_KEYS:
        abort(404)
    return _edit_script(step_key, None)


@bp.route("/scripts/<key>", methods=["GET", "POST"])
@accepts_upload("MAX_UPLOAD_MB")
@roles(TRAINER, MANAGER, ADMIN)
@writes_on_get  # a shipped script or rubric is stored on first look
def edit_script(key: str):
    row = scripts.current(key)
    if row is None:
        abort(404)
    return _edit_script(row.step_key, row)


def _edit_script(step_key: str, row):
    if request.method == "GET":
        draft = scripts.Draft(row.title, row.kind, row.introduction, [
            {f: str(p.get("audio_file_id") or "") if f == "audio" else str(p.get(f, ""))
             for f in PROMPT_FIELDS} for p in row.prompts]) \
            if row else scripts.Draft("", scripts.KINDS[step_key][0], "", [])
        return _script_page(step_key, row, draft, {})
    rows = _rows("prompt", PROMPT_FIELDS)
    spoken = {number: (upload.stream, upload.filename) for number in range(1, len(rows) + 1)
              if (upload := request.files.get(f"prompt-{number}-audio_upload"))
              and upload.filename}
    draft = scripts.Draft(request.form.get("title", ""), request.form.get("kind", ""),
                          request.form.get("introduction", ""), rows, spoken)
    if request.form.get("action") == "add":  # more blank rows, nothing saved
        return _script_page(step_key, row, draft, {})
    return _saved_version(
        lambda: scripts.save(step_key, row.key if row else None, draft, current_user),
        lambda problems: _script_page(step_key, row, draft, problems, 422))


def _saved_version(save, show_problems):
    """Save a new version and go back to the list, or show the form again with what is wrong
    (ScriptRefused and RubricRefused both carry `problems`), nothing kept."""
    try:
        saved = save()
    except (scripts.ScriptRefused, rubrics.RubricRefused) as refused:
        db.session.rollback()
        return show_problems(refused.problems)
    db.session.commit()
    flash(f"Saved “{saved.title}” as version {saved.version}.", "success")
    return redirect(url_for(".index"))


def _script_page(step_key: str, row, draft, problems: dict, status: int = 200):
    prompts = _padded(draft.prompts, PROMPT_FIELDS, scripts.TEXT_FIELDS, scripts.MAX_PROMPTS)
    defaults = {"think_seconds": "30" if step_key == "video_interview" else "0",
                "max_seconds": "120", "retakes": "2"}
    audio_url = (lambda file_id: url_for(".spoken_preview", key=row.key, file_id=file_id)) \
        if row else None
    return render_template("recordings/script_form.html", step_key=step_key, row=row,
                           audio_url=audio_url,
                           draft=draft, prompts=prompts, problems=problems,
                           defaults=defaults, kinds=scripts.KINDS[step_key],
                           step=step_registry.get(step_key), limits=scripts), status


@bp.get("/scripts/<key>/spoken/<int:file_id>")
@roles(TRAINER, MANAGER, ADMIN)
def spoken_preview(key: str, file_id: int):
    """A spoken prompt of script `key`, for those who write it to listen to."""
    if file_id not in scripts.spoken_files_of(key):
        abort(404)
    return storage.playback_or_404(db.session.get(StoredFile, file_id))


# --- rubrics ------------------------------------------------------------------------------------

CRITERION_FIELDS = ("title", "weight", "anchor_1", "anchor_3", "anchor_5")


@bp.route("/rubrics/new", methods=["GET", "POST"])
@roles(MANAGER, ADMIN)
def new_rubric():
    return _edit_rubric(None)


@bp.route("/rubrics/<key>", methods=["GET", "POST"])
@roles(MANAGER, ADMIN)
@writes_on_get  # a shipped script or rubric is stored on first look
def edit_rubric(key: str):
    row = rubrics.current(key)
    if row is None:
        abort(404)
    return _edit_rubric(row)


def _edit_rubric(row):
    if request.method == "GET":
        title = row.title if row else ""
        criteria = [{"title": c.title, "weight": f"{c.weight:g}",
                     **{f"anchor_{level}": c.anchors.get(level, "") for level in "135"}}
                    for c in rubrics.criteria_of(row)] if row else []
        return _rubric_page(row, title, criteria, {})
    title, criteria = request.form.get("title", ""), _rows("criterion", CRITERION_FIELDS)
    if request.form.get("action") == "add":  # more blank rows, nothing saved
        return _rubric_page(row, title, criteria, {})
    return _saved_version(
        lambda: rubrics.save(row.key if row else None, title, criteria, current_user),
        lambda problems: _rubric_page(row, title, criteria, problems, 422))


def _rubric_page(row, title: str, criteria: list[dict], problems: dict, status: int = 200):
    return render_template("recordings/rubric_form.html", row=row, title=title,
                           criteria=_padded(criteria, CRITERION_FIELDS, rubrics.TEXT_FIELDS,
                                            rubrics.MAX_CRITERIA),
                           problems=problems, weights=rubrics.WEIGHTS), status


# --- an opening's recording step ----------------------------------------------------------------

@bp.route("/openings/<int:opening_id>/<step_key>", methods=["GET", "POST"])
@roles(MANAGER, ADMIN)
@writes_on_get  # a shipped script or rubric is stored on first look
def opening_step(opening_id: int, step_key: str):
    opening = db.get_or_404(Opening, opening_id)
    if step_key not in STEP_KEYS or step_key not in opening.steps:
        abort(404)
    problem, status = None, 200
    chosen = {user.id for user in setups.reviewers_of(opening)}
    if request.method == "POST":
        try:
            reviewer_ids = [int(value) for value in request.form.getlist("reviewers")]
            setups.save(opening, step_key, request.form.get("script", ""),
                        request.form.get("rubric", ""), reviewer_ids, current_user)
        except (ValueError, setups.SetupRefused) as refused:
            db.session.rollback()
            problem = str(refused) if isinstance(refused, setups.SetupRefused) else \
                "Choose reviewers from the list."
            status = 422
            chosen = {int(v) for v in request.form.getlist("reviewers") if v.isdigit()}
        else:
            db.session.commit()
            flash("Saved. Candidates who have started recording keep the script they began "
                  "with.", "success")
            return redirect(url_for(".opening_step", opening_id=opening.id,
                                    step_key=step_key))
    page = render_template(
        "recordings/opening_setup.html", opening=opening, step=step_registry.get(step_key),
        scripts=scripts.current_for_step(step_key), rubrics=rubrics.current_all(),
        script_key=request.form.get("script") or setups.script_key_of(opening, step_key),
        rubric_key=request.form.get("rubric") or setups.rubric_key_of(opening, step_key),
        people=setups.eligible_reviewers(), chosen=chosen, problem=problem)
    db.session.commit()
    return page, status
