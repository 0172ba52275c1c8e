"""What every long list (pipeline, audit log, users) needs: keyset paging, day-range filters
and safe LIKE operands.

Keyset ("seek") pagination: a page asks for the rows after (or before) the last one shown,
along an index on (sort column, id), so page 2,000 costs what page 1 costs; OFFSET would read
and discard every row before it. Cursors are opaque URL-safe strings holding the (sort value,
id) of a row.
"""

import base64
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Select, tuple_

from portal.extensions import MAX_ROW_ID, db


def escape_like(text: str) -> str:
    """A user's search text as a LIKE operand: their % and _ are characters, not wildcards
    (use with `escape="\\"`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def within_days(column, first: date | None, last: date | None) -> list:
    """Conditions for `column` (UTC time stamps) falling on the days `first` to `last`,
    inclusive; either end may be open."""
    conditions = []
    if first:
        conditions.append(column >= datetime.combine(first, time.min, UTC))
    if last and last < date.max:  # the day after the calendar's last day does not exist
        conditions.append(column < datetime.combine(last + timedelta(days=1), time.min, UTC))
    return conditions


class BadCursor(ValueError):
    """A page link that was tampered with or outlived its meaning; shown to the user."""

    def __init__(self):
        super().__init__("That page link is not valid any more.")


@dataclass
class Page:
    items: list
    next_cursor: str | None  # further along the sort order
    prev_cursor: str | None  # back towards the start


def encode(value, row_id: int) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([value, row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple:
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["t"])
            if value.tzinfo is None:
                raise TypeError
        if not isinstance(row_id, int) or not 0 < row_id <= MAX_ROW_ID \
                or not isinstance(value, str | int | float | datetime):
            raise TypeError
        return value, row_id
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise BadCursor() from None


def _fits(value, python_type) -> bool:
    """A cursor value the column can be compared with (PostgreSQL refuses text < integer)."""
    if python_type is int:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63
    if python_type in (float, Decimal):
        return isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value)
    if python_type is str:
        return isinstance(value, str) and "\x00" not in value and _encodable(value)
    return isinstance(value, python_type)


def _encodable(text: str) -> bool:
    try:
        text.encode()  # JSON may carry lone surrogates, which no database stores
    except UnicodeEncodeError:
        return False
    return True


def paginate(stmt: Select, column, id_column, *, descending: bool, after: str | None,
             before: str | None, page_size: int) -> Page:
    """One page of `stmt` ordered by (column, id), after/before the given cursor."""
    going_back = before is not None and after is None
    cursor = before if going_back else after
    # Walking back is the same seek with the order flipped, then the rows reversed.
    seek_descending = descending != going_back
    if cursor:
        key = tuple_(column, id_column)
        position = decode(cursor)
        if not _fits(position[0], column.type.python_type):
            raise BadCursor()  # a cursor made for another sort order, or by hand
        stmt = stmt.where(key < position if seek_descending else key > position)
    order = (column.desc(), id_column.desc()) if seek_descending \
        else (column.asc(), id_column.asc())
    rows = list(db.session.scalars(stmt.order_by(*order).limit(page_size + 1)))
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    if going_back:
        rows.reverse()
    has_next = True if going_back else has_more
    has_prev = bool(cursor) and (has_more if going_back else True)

    def cursor_of(row):
        return encode(getattr(row, column.key), getattr(row, id_column.key))

    return Page(items=rows,
                next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
                prev_cursor=cursor_of(rows[0]) if rows and has_prev else None)
