"""Keeps recruiting's copy of each application's screening results (the pipeline filters and
sorts by it, recruiting/screening.py) in step with the assessments.

What is copied: the recommendation under the opening's rules (`verdicts`), or None while the
candidate has started nothing, and per scale of a finished attempt its comparable figure
(`verdicts.metric`: the percentile when the scale has a norm, else its 0-100 score) under the
key "<bank>.<scale>", and the counted computer check's download and upload speeds. It changes
when an attempt starts or closes or a check is run (`attempts.results_changed`) and when an
opening's rules change (`recompute_later`: every assessed application of the opening, in a
background job, as an opening may have 100,000 of them).
"""

import functools

from sqlalchemy import exists, or_, select

from assessments import attempts, results
from assessments import bank as banks
from assessments.models import Attempt, ReadinessRun
from assessments.readiness import runs as readiness_runs
from portal import jobs
from portal.extensions import db
from portal.recruiting import screening
from portal.recruiting import services as recruiting
from portal.recruiting.models import Application, Opening

BATCH = 200  # applications per transaction in the recompute job


def sync(application: Application) -> None:
    found = results.for_application(application)
    taken = [r for r in found.banks if r.attempt is not None]
    scores = {f"{r.bank.key}.{row.scale.key}": row.figure
              for r in taken for _, rows in r.groups for row in rows if row.figure is not None}
    run = readiness_runs.counted_run(application)
    if run is not None:
        scores.update(readiness_runs.scores(run))
    started = taken or run is not None
    recruiting.record_screening(application, found.verdict.outcome if started else None, scores)


def recompute_later(opening: Opening) -> None:
    """After the caller commits, and after the answer is sent when inline (jobs.enqueue)."""
    jobs.enqueue(recompute_opening, opening_id=opening.id, after_response=True)


def recompute_opening(opening_id: int) -> None:
    """The job: every application of the opening with an attempt or a computer check, in id
    order, committed every BATCH so that a long run holds no lock for long and a rerun
    finishes the work."""
    assessed = or_(exists().where(Attempt.application_id == Application.id),
                   exists().where(ReadinessRun.application_id == Application.id))
    last_id = 0
    while batch := db.session.scalars(
            select(Application).where(Application.opening_id == opening_id,
                                      Application.id > last_id, assessed)
            .order_by(Application.id).limit(BATCH)).all():
        for application in batch:
            sync(application)
        db.session.commit()
        last_id = batch[-1].id


@functools.cache
def score_labels() -> dict[str, str]:
    """The scales of the shipped banks, read once per process (parsing takes a while, and no
    start-up work touches the files). A scale only an uploaded version has is stored and
    shown on results pages but not offered as a pipeline sort."""
    return {**{f"{bank.key}.{scale.key}": scale.title
               for bank in banks.shipped().values() for scale in bank.scales},
            **readiness_runs.SCORES}


def register() -> None:
    screening.register_scores(score_labels)
    attempts.results_changed.connect(_on_results_changed)


def _on_results_changed(application: Application) -> None:
    sync(application)
