"""Reviewers score a candidate's recordings independently: each under the rubric version they
began with, a draft until they submit, and nobody sees another's scores before submitting
their own. Then the page shows every submitted review, the mean of their weighted scores, the
spread, and a flag when reviewers disagree by more than DISAGREEMENT points. A person decides
(the stage move is recruiting's); a review only recommends."""

import statistics
from dataclasses import dataclass

from sqlalchemy import select

from portal import audit
from portal.extensions import db, utcnow
from portal.recordings import rubrics, setups
from portal.recordings.models import RECOMMENDATIONS, Review
from portal.recruiting.models import Application

DISAGREEMENT = 1.0  # points on the 1-5 scale, highest weighted score minus lowest
MAX_NOTE = 2000


class ReviewRefused(ValueError):
    pass


def review_of(application: Application, step_key: str, reviewer) -> Review | None:
    return db.session.scalar(select(Review).where(
        Review.application_id == application.id, Review.step_key == step_key,
        Review.reviewer_id == reviewer.id))


def save(application: Application, step_key: str, reviewer, scores: dict, recommendation,
         note: str, submit: bool) -> Review:
    """Keep the reviewer's draft, or submit it (every criterion and a recommendation then)."""
    review = review_of(application, step_key, reviewer)
    if review is None:
        review = Review(application_id=application.id, step_key=step_key,
                        reviewer_id=reviewer.id,
                        rubric=setups.rubric_for(application.opening, step_key))
        db.session.add(review)
    elif review.submitted_at is not None:
        raise ReviewRefused("Your review is submitted and can no longer change.")
    criteria = rubrics.criteria_of(review.rubric)
    kept = {}
    for criterion in criteria:
        raw = scores.get(criterion.key)
        if raw in (None, ""):
            continue
        if not str(raw).isdigit() or int(raw) not in rubrics.SCALE:
            raise ReviewRefused(f"{criterion.title}: choose a score from 1 to 5.")
        kept[criterion.key] = int(raw)
    if recommendation not in (None, "", *RECOMMENDATIONS):
        raise ReviewRefused("Choose a recommendation from the list.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ReviewRefused(f"Keep the note under {MAX_NOTE} characters.")
    review.scores, review.recommendation, review.note = kept, recommendation or None, note
    if submit:
        missing = [c.title for c in criteria if c.key not in kept]
        if missing or not review.recommendation:
            raise ReviewRefused("To submit, score every criterion and recommend: still "
                                "missing " + ", ".join(missing + ([] if review.recommendation
                                                                  else ["a recommendation"]))
                                + ".")
        review.submitted_at = utcnow()
        db.session.flush()
        audit.record("recording.review_submitted", application, reviewer, step=step_key,
                     score=round(rubrics.weighted(review.rubric, kept), 2),
                     recommendation=review.recommendation)
    return review


@dataclass
class Summary:
    mine: Review | None
    shown: list[Review]      # every submitted review, once the viewer has submitted theirs
    hidden: int              # submitted reviews the viewer may not see yet
    mean: float | None
    spread: float | None

    @property
    def disagree(self) -> bool:
        return self.spread is not None and self.spread > DISAGREEMENT


def summary(application: Application, step_key: str, viewer) -> Summary:
    found = list(db.session.scalars(select(Review).where(
        Review.application_id == application.id, Review.step_key == step_key)
        .order_by(Review.submitted_at, Review.id)))
    mine = next((r for r in found if r.reviewer_id == viewer.id), None)
    submitted = [r for r in found if r.submitted_at is not None]
    if mine is None or mine.submitted_at is None:
        return Summary(mine, [], len(submitted), None, None)
    weighted = [rubrics.weighted(r.rubric, r.scores) for r in submitted]
    return Summary(mine, submitted, 0, statistics.fmean(weighted), max(weighted) - min(weighted))
