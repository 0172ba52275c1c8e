"""The pipeline list: filters, sort and keyset pagination that stay fast at 100,000 rows.

Each (filter, sort) seeks along an index of `applications` (see its model); stage counts come
from the maintained `stage_counts` table, so no page counts rows.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select

from portal import listing
from portal.extensions import db
from portal.recruiting import search, stages
from portal.recruiting.models import Application, Opening, StageCount

ACTIVE, ALL = "active", "all"
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
    after: str | None = None   # cursor: rows after this one
    before: str | None = None  # cursor: rows before this one (going back)
    page_size: int = 50

    def __post_init__(self):
        if self.sort not in SORTS:
            self.sort = "newest"
        if self.stage not in stages.BY_KEY and self.stage not in (ACTIVE, ALL):
            self.stage = ACTIVE
        self.text = (self.text or "").strip()[:100]


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


def _filtered(query: PipelineQuery) -> Select:
    stmt = select(Application)
    if query.opening_id is not None:
        stmt = stmt.where(Application.opening_id == query.opening_id)
    if query.stage == ACTIVE:
        stmt = stmt.where(Application.stage.in_(stages.ACTIVE_STAGES))
    elif query.stage != ALL:
        stmt = stmt.where(Application.stage == query.stage)
    if query.text:
        stmt = stmt.where(*search.conditions(query.text))
    stmt = stmt.where(*listing.within_days(Application.created_at, query.applied_from,
                                           query.applied_to))
    return stmt


def fetch_page(query: PipelineQuery) -> PipelinePage:
    _, column, descending = SORTS[query.sort]
    page = listing.paginate(_filtered(query), column, Application.id, descending=descending,
                           after=query.after, before=query.before, page_size=query.page_size)
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
