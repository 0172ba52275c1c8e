"""An application's assessment results as managers read them (the results page and the PDF):
every bank of its steps with the attempt, scales grouped under their headings, typing
measures, item-level answers with the time they took, what was granted, and the verdict under
the opening's rules."""

from dataclasses import dataclass, field

from sqlalchemy import select

from assessments import attempts, verdicts
from assessments import bank as banks
from assessments.models import Answer, Attempt, Grant, OpeningRules
from assessments.readiness import runs as readiness_runs
from portal.extensions import db
from portal.recruiting import steps
from portal.recruiting.models import Application, Opening


@dataclass
class ScaleRow:
    scale: banks.Scale
    score: dict
    figure: float | None   # percentile when normed, else the 0-100 score
    kind: str              # "percentile" or "score"


@dataclass
class BankResult:
    bank: banks.Bank
    step_title: str
    attempt: Attempt | None
    answers: dict[str, Answer] = field(default_factory=dict)
    groups: list[tuple[str, list[ScaleRow]]] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)

    @property
    def minutes_used(self) -> float | None:
        if self.attempt is None or self.attempt.closed_at is None:
            return None
        return (self.attempt.closed_at - self.attempt.started_at).total_seconds() / 60

    @property
    def norms_used(self) -> list[str]:
        """The norms the scales were compared with, as each result names its own."""
        return list(dict.fromkeys(row.score["norm"] for _, rows in self.groups for row in rows
                                  if row.score.get("norm")))

    def seconds_on(self, item_id: str) -> float | None:
        """Seconds from the previous saved answer to this one's first save: roughly the time
        the candidate spent on the question (pages show ten at once, so it is a guide)."""
        return self._timings().get(item_id)

    def _timings(self) -> dict[str, float]:
        if not hasattr(self, "_cached_timings"):
            moments = sorted((a.first_saved_at, a.item_id) for a in self.answers.values())
            previous = self.attempt.started_at if self.attempt else None
            timings = {}
            for moment, item_id in moments:
                timings[item_id] = (moment - previous).total_seconds()
                previous = moment
            self._cached_timings = timings
        return self._cached_timings


@dataclass
class ApplicationResults:
    application: Application
    banks: list[BankResult]
    verdict: verdicts.Verdict


def rules_for(opening: Opening) -> dict:
    row = db.session.get(OpeningRules, opening.id)
    return dict(row.rules) if row else {}


def assessed_banks(opening: Opening) -> list[tuple[str, banks.Bank]]:
    """The current banks of the opening's assessment steps, with the step's title, in order."""
    found = []
    for key in opening.steps:
        if key in banks.STEPS:
            found += [(steps.get(key).title, bank) for _, bank in attempts.step_banks(key)]
    return found


def for_application(application: Application) -> ApplicationResults:
    latest = attempts.latest_attempts(application)
    results = []
    for step_title, current in assessed_banks(application.opening):
        attempt = latest.get(current.key)
        bank = attempts.bank_of(attempt) if attempt else current
        results.append(_bank_result(application, bank, step_title, attempt))
    rules = rules_for(application.opening)
    taken = [verdicts.Taken(r.bank, r.attempt.scores or [], r.attempt.measures or [],
                            {i: a.value for i, a in r.answers.items()})
             for r in results if r.attempt is not None and not r.attempt.is_open]
    missing = [r.bank.title for r in results if r.attempt is None or r.attempt.is_open]
    return ApplicationResults(application, results, verdicts.decide(
        rules, taken, missing, readiness_runs.reasons(application)))


def _bank_result(application: Application, bank: banks.Bank, step_title: str,
                 attempt: Attempt | None) -> BankResult:
    result = BankResult(bank, step_title, attempt)
    result.grants = list(db.session.scalars(select(Grant).where(
        Grant.application_id == application.id, Grant.bank_key == bank.key)
        .order_by(Grant.created_at)))
    if attempt is None:
        return result
    result.answers = {a.item_id: a for a in db.session.scalars(
        select(Answer).where(Answer.attempt_id == attempt.id))}
    scores = {s["scale"]: s for s in attempt.scores or []}
    grouped: dict[str, list[ScaleRow]] = {}
    for scale in bank.scales:
        score = scores.get(scale.key)
        if score is None:
            continue
        figure, kind = verdicts.metric(bank, score)
        grouped.setdefault(scale.group or bank.title, []).append(
            ScaleRow(scale, score, figure, kind))
    result.groups = list(grouped.items())
    return result

