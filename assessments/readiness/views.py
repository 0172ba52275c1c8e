"""The candidate's computer check: the guided page (readiness.js does the measuring), the run it
posts (checked whole, stored with its verdict), and the results with advice for each
requirement that was not met."""

from flask import Blueprint, jsonify, render_template, request, url_for

from assessments.readiness import measures, rules, runs
from assessments.readiness.access import is_open, open_application, own_application
from portal import user_agents
from portal.auth.models import AGENT, CANDIDATE
from portal.auth.permissions import roles
from portal.extensions import db
from portal.recruiting import steps
from portal.request_body import accepts_json

bp = Blueprint("readiness", __name__, url_prefix="/me/readiness")


@bp.get("/applications/<int:application_id>")
@roles(CANDIDATE, AGENT)
def check(application_id: int):
    application = own_application(application_id)
    found = runs.runs_of(application)
    profile = runs.profile_for(application)
    return render_template(
        "readiness/check.html", application=application, step=steps.get(runs.STEP),
        runs=found, counted=runs.counted_run(application, profile) if found else None,
        open=is_open(application), profile=profile, labels=rules.LABELS, colors=rules.COLORS,
        microphone_advice=rules.MICROPHONE_ADVICE,
        agent=user_agents.parse(request.headers.get("User-Agent", "")),
        warmups={"download": measures.DOWNLOAD_WARMUP_MS, "upload": measures.UPLOAD_WARMUP_MS})


@bp.post("/applications/<int:application_id>/runs")
@roles(CANDIDATE, AGENT)
@accepts_json
def post_run(application_id: int):
    """A run as readiness.js measured it (shape in measures.py): 201 with the verdict and the
    checks, or 422 saying what is wrong (nothing stored)."""
    application = open_application(application_id)
    try:
        run = measures.read(request.get_json(silent=True))
        row = runs.record(application, run, request.headers.get("User-Agent", ""))
    except measures.RunRejected as rejected:
        return jsonify(error=f"This result cannot be stored: {rejected}."), 422
    except runs.TooManyRuns:
        return jsonify(error=f"You have run the check {runs.MAX_RUNS_PER_DAY} times today. "
                             "Fix what it found and try again tomorrow."), 429
    db.session.commit()
    return jsonify(verdict=row.verdict, label=rules.LABELS[row.verdict], checks=row.checks,
                   figures=row.figures,
                   results_url=url_for(".check", application_id=application.id)), 201
