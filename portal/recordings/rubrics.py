"""Rubrics reviewers score recordings with: criteria, each with an anchored 1-5 scale (what a
1, a 3 and a 5 sound like) and a weight. A rubric is versioned like an assessment bank: a
changed rubric is a new version, and a review keeps the version it was scored with."""

from dataclasses import dataclass

from sqlalchemy import func, select

from portal import audit
from portal.extensions import db
from portal.recordings import versioned
from portal.recordings.models import Rubric

SCALE = (1, 2, 3, 4, 5)
CALL_RUBRIC, INTERVIEW_RUBRIC = "customer_call", "interview"
DEFAULT_FOR_STEP = {"sample_call": CALL_RUBRIC, "video_interview": INTERVIEW_RUBRIC}
MAX_CRITERIA, MAX_TITLE, MAX_ANCHOR = 12, 200, 300
WEIGHTS = (0.5, 5)
TEXT_FIELDS = ("title", "anchor_1", "anchor_3", "anchor_5")  # a form row with none is blank


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
    INTERVIEW_RUBRIC: ("One-way interview", (
        Criterion("communication", "Communication", 1.5,
                  {"1": "Hard to follow; long pauses, filler or mumbling.",
                   "3": "Clear enough, some rambling or filler.",
                   "5": "Clear, well paced and easy to follow from start to end."}),
        Criterion("examples", "Concrete examples", 2,
                  {"1": "Speaks only in generalities; no real situation.",
                   "3": "A real situation, but what they did or how it ended is vague.",
                   "5": "A specific situation, their own actions and the result."}),
        Criterion("customer_focus", "Customer focus", 2,
                  {"1": "The customer hardly appears; blames customers.",
                   "3": "Mentions the customer's needs in general terms.",
                   "5": "Puts the customer's problem and feelings at the centre."}),
        Criterion("self_management", "Working from home", 1.5,
                  {"1": "No routine, space or plan for distractions.",
                   "3": "Some routine; relies on willpower.",
                   "5": "A set space, a schedule, and ways to stay focused and reachable."}),
        Criterion("professionalism", "Professionalism", 1,
                  {"1": "Casual or careless; a noisy or unsuitable setting.",
                   "3": "Polite; a few lapses in tone or setting.",
                   "5": "Courteous and composed, in a quiet, tidy setting."}),
    )),
}


def criteria_of(row: Rubric) -> list[Criterion]:
    return [Criterion(c["key"], c["title"], c["weight"], c["anchors"]) for c in row.criteria]


def current(key: str) -> Rubric | None:
    """The newest version of a rubric; a shipped one becomes version 1 on first use."""
    row = db.session.scalar(select(Rubric).where(Rubric.key == key)
                            .order_by(Rubric.version.desc()).limit(1))
    if row is None and key in SHIPPED:
        title, criteria = SHIPPED[key]
        row = Rubric(key=key, version=1, title=title,
                     criteria=[_fields(c) for c in criteria])
        db.session.add(row)
        db.session.flush()
    return row


def current_all() -> list[Rubric]:
    """The newest version of every rubric, the shipped ones included."""
    for key in SHIPPED:
        current(key)
    newest = select(Rubric.key, func.max(Rubric.version).label("version")) \
        .group_by(Rubric.key).subquery()
    return list(db.session.scalars(select(Rubric).join(newest, (
        Rubric.key == newest.c.key) & (Rubric.version == newest.c.version))
        .order_by(Rubric.title, Rubric.key)))


def _fields(criterion: Criterion) -> dict:
    return {"key": criterion.key, "title": criterion.title, "weight": criterion.weight,
            "anchors": criterion.anchors}


class RubricRefused(ValueError):
    """What is wrong with a rubric as sent, by field name ("title", "criterion-2-weight")."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def save(key: str | None, title: str, rows: list[dict], author) -> Rubric:
    """A new version of rubric `key` (a new rubric when None) from a manager's form rows
    (title, weight, anchor_1, anchor_3, anchor_5: strings), or RubricRefused."""
    problems: dict[str, str] = {}
    title = (title or "").strip()
    if not 1 <= len(title) <= MAX_TITLE:
        problems["title"] = f"Give the rubric a title of up to {MAX_TITLE} characters."
    criteria = [_checked_criterion(position, number, row, problems) for position, (number, row)
                in enumerate(versioned.filled(rows, TEXT_FIELDS), start=1)]
    if not criteria:
        problems["criterion-1-title"] = "Describe at least one criterion."
    elif len(criteria) > MAX_CRITERIA:
        problems["criteria"] = f"A rubric has at most {MAX_CRITERIA} criteria."
    if problems:
        raise RubricRefused(problems)
    if key is None:
        key = versioned.new_key(title, Rubric, SHIPPED)
    elif current(key) is None:
        raise RubricRefused({"key": "There is no such rubric."})
    row = Rubric(key=key, version=versioned.next_version(Rubric, key), title=title,
                 criteria=[_fields(c) for c in criteria])
    db.session.add(row)
    db.session.flush()
    audit.record("recording.rubric_saved", row, author, key=key, version=row.version)
    return row


def _checked_criterion(position: int, number: int, row: dict, problems: dict) -> Criterion:
    """The criterion at `position` of the rubric, from the form's row `number`."""
    name = f"criterion-{number}"
    title = str(row.get("title", "")).strip()
    if not 1 <= len(title) <= MAX_TITLE:
        problems[f"{name}-title"] = f"Name the criterion, up to {MAX_TITLE} characters."
    try:
        weight = float(str(row.get("weight", "")).strip())
    except ValueError:
        weight = float("nan")
    if not WEIGHTS[0] <= weight <= WEIGHTS[1]:  # NaN fails too
        problems[f"{name}-weight"] = f"Weight: a number from {WEIGHTS[0]} to {WEIGHTS[1]}."
    anchors = {}
    for level in ("1", "3", "5"):
        text = str(row.get(f"anchor_{level}", "")).strip()
        if not 1 <= len(text) <= MAX_ANCHOR:
            problems[f"{name}-anchor_{level}"] = (f"Say what a {level} looks like, up to "
                                                  f"{MAX_ANCHOR} characters.")
        anchors[level] = text
    return Criterion(f"c{position}", title, weight, anchors)


def weighted(row: Rubric, scores: dict) -> float | None:
    """The weighted mean of the 1-5 scores (None unless every criterion is scored)."""
    criteria = criteria_of(row)
    if any(scores.get(c.key) not in SCALE for c in criteria):
        return None
    return sum(c.weight * scores[c.key] for c in criteria) / sum(c.weight for c in criteria)
