"""Rubrics reviewers score recordings with: criteria, each with an anchored 1-5 scale (what a
1, a 3 and a 5 sound like) and a weight. A rubric is versioned like an assessment bank: a
changed rubric is a new version, and a review keeps the version it was scored with."""

from dataclasses import dataclass

from sqlalchemy import select

from portal.extensions import db
from portal.recordings.models import Rubric

SCALE = (1, 2, 3, 4, 5)
CALL_RUBRIC = "customer_call"


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    weight: float
    anchors: dict  # "1", "3", "5" -> what that level sounds like


SHIPPED = {
    CALL_RUBRIC: ("Customer call", (
        Criterion("greeting", "Greeting and opening", 1,
                  {"1": "No greeting or name; jumps in or sounds rushed.",
                   "3": "Greets and gives a name, but flat or scripted.",
                   "5": "Warm greeting, own name and company, invites the caller to speak."}),
        Criterion("empathy", "Empathy", 2,
                  {"1": "Ignores or argues with the caller's frustration.",
                   "3": "Acknowledges the problem in general words.",
                   "5": "Names the caller's situation and feeling, and apologises sincerely."}),
        Criterion("clarity", "Clarity", 1.5,
                  {"1": "Hard to follow: mumbles, jargon, or contradicts itself.",
                   "3": "Understandable, with some filler or vague steps.",
                   "5": "Plain words, one idea at a time, checks understanding."}),
        Criterion("pace", "Pace and tone", 1,
                  {"1": "Too fast or too slow; long dead air; monotone.",
                   "3": "Mostly even, a few rushed or silent stretches.",
                   "5": "Calm, even pace that matches the caller; pauses only with a reason."}),
        Criterion("ownership", "Ownership and resolution", 2,
                  {"1": "Blames others or leaves the caller without a plan.",
                   "3": "Offers a fix, but the caller must chase the next step.",
                   "5": "Owns the problem, offers a concrete plan, confirms what happens next."}),
        Criterion("professionalism", "Professionalism", 1,
                  {"1": "Slang, interrupts, or shares what should stay private.",
                   "3": "Polite but with lapses (interrupts once, casual words).",
                   "5": "Courteous throughout, protects the caller's data, closes warmly."}),
    )),
}


def criteria_of(row: Rubric) -> list[Criterion]:
    return [Criterion(c["key"], c["title"], c["weight"], c["anchors"]) for c in row.criteria]


def current(key: str = CALL_RUBRIC) -> Rubric:
    """The newest version of a rubric; the shipped one becomes version 1 on first use."""
    row = db.session.scalar(select(Rubric).where(Rubric.key == key)
                            .order_by(Rubric.version.desc()).limit(1))
    if row is None:
        title, criteria = SHIPPED[key]
        row = Rubric(key=key, version=1, title=title,
                     criteria=[{"key": c.key, "title": c.title, "weight": c.weight,
                                "anchors": c.anchors} for c in criteria])
        db.session.add(row)
        db.session.flush()
    return row


def weighted(row: Rubric, scores: dict) -> float | None:
    """The weighted mean of the 1-5 scores (None unless every criterion is scored)."""
    criteria = criteria_of(row)
    if any(scores.get(c.key) not in SCALE for c in criteria):
        return None
    return sum(c.weight * scores[c.key] for c in criteria) / sum(c.weight for c in criteria)
