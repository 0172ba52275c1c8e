"""The pipeline list: filters, sort and keyset pagination that stay fast at 100,000 rows.

Each (filter, sort) seeks along an index of `applications` (see its model); stage counts come
from the maintained `stage_counts` table, so no page counts rows.

Screening results (recruiting/screening.py):
- the outcome filter seeks along (screening_outcome, created_at, id), or with an opening
  (opening_id, screening_outcome, created_at, id), for the date sorts; with the name or "moved"
  sort it walks that sort's index and skips other outcomes, so a rare outcome reads more rows;
- a score sort ("score:<key>") shows the applications with that score by (value, id),
  highest first, along application_scores' (key, value, application_id) index, then those
  without it (NULLs last), newest first along the date index, skipping the scored ones. Other
  filters are checked on the rows walked, so a filter that matches few of them reads more.
  A page that runs on from the scored into the unscored rows makes one more query (whatever
  the size); finding the unscored walks past the scored ones, so when nearly every
  application has the score, the pages of the few without it read many rows.
Every combination is correct; the ones not backed by an index say so above.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import contains_eager

from portal import listing
from portal.extensions import db
from portal.recruiting import screening, search, stages
from portal.recruiting.models import Application, ApplicationScore, Opening, StageCount

ACTIVE, ALL = "active", "all"
SCORE_SORT = "score:"  # + a registered score key: highest first, applications without last
SORTS = {
    # key: (label, column, descending)
    "newest": ("Newest applications", Application.created_at, True),
    "oldest": ("Oldest applications", Application.created_at, False),
    "moved": ("Recently moved", Application.stage_changed_at, True),
    "name": ("Name A-Z", Application.full_name, False),
}


@dataclass
class PipelineQuery:
    opening_id: int | None = None
    stage: str = ACTIVE  # a stage key, ACTIVE (not final) or ALL
    text: str = ""
    applied_from: date | None = None
    applied_to: date | None = None
    sort: str = "newest"
    outcome: str = ""  # "" (any), a screening outcome or screening.NOT_ASSESSED
    after: str | None = None   # cursor: rows after this one
    before: str | None = None  # cursor: rows before this one (going back)
    page_size: int = 50

    def __post_init__(self):
        if self.sort not in SORTS and self.score_key not in screening.score_labels():
            self.sort = "newest"
        if self.outcome not in (*screening.OUTCOMES, screening.NOT_ASSESSED):
            self.outcome = ""
        if self.stage not in stages.BY_KEY and self.stage not in (ACTIVE, ALL):
            self.stage = ACTIVE
        self.text = (self.text or "").strip()[:100]

    @property
    def score_key(self) -> str | None:
        return self.sort.removeprefix(SCORE_SORT) if self.sort.startswith(SCORE_SORT) else None


@dataclass
class PipelinePage:
    items: list[Application]
    next_cursor: str | None
    prev_cursor: str | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def active_count(self) -> int:
        return sum(self.counts.get(k, 0) for k in stages.ACTIVE_STAGES)

    @property
    def total_count(self) -> int:
        return sum(self.counts.values())


def sort_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _, _) in SORTS.items()] + [
        (SCORE_SORT + key, f"{label} (high first)")
        for key, label in screening.score_labels().items()]


def _conditions(query: PipelineQuery) -> list:
    conditions = []
    if query.opening_id is not None:
        conditions.append(Application.opening_id == query.opening_id)
    if query.stage == ACTIVE:
        conditions.append(Application.stage.in_(stages.ACTIVE_STAGES))
    elif query.stage != ALL:
        conditions.append(Application.stage == query.stage)
    if query.outcome == screening.NOT_ASSESSED:
        conditions.append(Application.screening_outcome.is_(None))
    elif query.outcome:
        conditions.append(Application.screening_outcome == query.outcome)
    if query.text:
        conditions += search.conditions(query.text)
    return conditions + listing.within_days(Application.created_at, query.applied_from,
                                            query.applied_to)


def _keysets(query: PipelineQuery) -> list[listing.Keyset]:
    conditions = _conditions(query)
    key = query.score_key
    if key is None:
        _, column, descending = SORTS[query.sort]
        return [listing.Keyset(select(Application).where(*conditions), column, Application.id,
                               descending)]
    scored = (select(ApplicationScore).join(ApplicationScore.application)
              .options(contains_eager(ApplicationScore.application))
              .where(ApplicationScore.key == key, *conditions))
    has_score = exists().where(ApplicationScore.application_id == Application.id,
                               ApplicationScore.key == key)
    unscored = select(Application).where(~has_score, *conditions)
    return [listing.Keyset(scored, ApplicationScore.value, ApplicationScore.application_id,
                           descending=True, item=lambda row: row.application),
            listing.Keyset(unscored, Application.created_at, Application.id, descending=True)]


def fetch_page(query: PipelineQuery) -> PipelinePage:
    page = listing.paginate_chain(_keysets(query), after=query.after, before=query.before,
                                  page_size=query.page_size)
    return PipelinePage(items=page.items, next_cursor=page.next_cursor,
                        prev_cursor=page.prev_cursor, counts=stage_counts(query.opening_id))


def stage_counts(opening_id: int | None) -> dict[str, int]:
    stmt = select(StageCount.stage, func.sum(StageCount.count)).group_by(StageCount.stage)
    if opening_id is not None:
        stmt = stmt.where(StageCount.opening_id == opening_id)
    return {stage: int(total or 0) for stage, total in db.session.execute(stmt)}


def counts_by_opening() -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for row in db.session.scalars(select(StageCount)):
        counts.setdefault(row.opening_id, {})[row.stage] = row.count
    return counts


def opening_choices() -> list[tuple[int, str, str]]:
    return list(db.session.execute(
        select(Opening.id, Opening.title, Opening.status).order_by(Opening.status.desc(),
                                                                   Opening.title)))
