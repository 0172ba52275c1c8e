"""The pipeline list: filters, sort and keyset pagination that stay fast at 100,000 rows.

Keyset ("seek") pagination asks the database for the 50 rows after the last one shown, using
the index for the chosen sort, so page 2,000 costs what page 1 costs; an OFFSET would read and
discard every row before it. Stage counts come from the maintained `stage_counts` table.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select, tuple_

from portal.extensions import db
from portal.recruiting import stages
from portal.recruiting.models import Application, Opening, StageCount

ACTIVE, ALL = "active", "all"
SORTS = {
    # key: (label, column, descending)
    "newest": ("Newest applications", Application.created_at, True),
    "oldest": ("Oldest applications", Application.created_at, False),
    "moved": ("Recently moved", Application.stage_changed_at, True),
    "name": ("Name A-Z", Application.full_name, False),
}


class BadCursor(ValueError):
    pass


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


def _encode(application: Application, sort: str) -> str:
    value = getattr(application, SORTS[sort][1].key)
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    raw = json.dumps([value, application.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> tuple:
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if SORTS[sort][1].key != "full_name":
            value = datetime.fromisoformat(value)
        if not isinstance(row_id, int):
            raise TypeError
        return value, row_id
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise BadCursor("That page link is not valid any more.") from None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(query: PipelineQuery) -> Select:
    stmt = select(Application)
    if query.opening_id is not None:
        stmt = stmt.where(Application.opening_id == query.opening_id)
    if query.stage == ACTIVE:
        stmt = stmt.where(Application.stage.in_(stages.ACTIVE_STAGES))
    elif query.stage != ALL:
        stmt = stmt.where(Application.stage == query.stage)
    if query.text:
        pattern = f"%{_escape_like(query.text.lower())}%"
        stmt = stmt.where(or_(func.lower(Application.full_name).like(pattern, escape="\\"),
                              func.lower(Application.email).like(pattern, escape="\\")))
    if query.applied_from:
        stmt = stmt.where(Application.created_at >= datetime.combine(
            query.applied_from, time.min, UTC))
    if query.applied_to:
        stmt = stmt.where(Application.created_at < datetime.combine(
            query.applied_to + timedelta(days=1), time.min, UTC))
    return stmt


def fetch_page(query: PipelineQuery) -> PipelinePage:
    _, column, descending = SORTS[query.sort]
    going_back = query.before is not None and query.after is None
    cursor = query.before if going_back else query.after
    # Walking backwards is the same query with the order flipped, then the rows reversed.
    seek_descending = descending != going_back
    stmt = _filtered(query)
    if cursor:
        value, row_id = _decode(cursor, query.sort)
        key = tuple_(column, Application.id)
        stmt = stmt.where(key < (value, row_id) if seek_descending else key > (value, row_id))
    order = (column.desc(), Application.id.desc()) if seek_descending \
        else (column.asc(), Application.id.asc())
    rows = list(db.session.scalars(stmt.order_by(*order).limit(query.page_size + 1)))
    has_more = len(rows) > query.page_size
    rows = rows[:query.page_size]
    if going_back:
        rows.reverse()
    has_next = has_more if not going_back else True
    has_prev = bool(cursor) and (has_more if going_back else True)
    return PipelinePage(
        items=rows,
        next_cursor=_encode(rows[-1], query.sort) if rows and has_next else None,
        prev_cursor=_encode(rows[0], query.sort) if rows and has_prev else None,
        counts=stage_counts(query.opening_id),
    )


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
