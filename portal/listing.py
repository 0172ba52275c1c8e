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
from collections.abc import Callable
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


@dataclass(frozen=True)
class Keyset:
    """Rows of `stmt` in (column, id) order, the item shown for each row given by `item`
    (e.g. the application of a score row)."""

    stmt: Select
    column: object
    id_column: object
    descending: bool
    item: Callable = lambda row: row

    def rows(self, position: tuple | None, backwards: bool, limit: int) -> list:
        """Up to `limit` rows after `position` (before it, nearest first, when `backwards`)."""
        seek_descending = self.descending != backwards
        stmt = self.stmt
        if position is not None:
            key = tuple_(self.column, self.id_column)
            stmt = stmt.where(key < position if seek_descending else key > position)
        order = (self.column.desc(), self.id_column.desc()) if seek_descending \
            else (self.column.asc(), self.id_column.asc())
        return list(db.session.scalars(stmt.order_by(*order).limit(limit)))

    def cursor(self, row) -> str:
        return encode(getattr(row, self.column.key), getattr(row, self.id_column.key))


def paginate(stmt: Select, column, id_column, *, descending: bool, after: str | None,
             before: str | None, page_size: int) -> Page:
    """One page of `stmt` ordered by (column, id), after/before the given cursor."""
    return paginate_chain([Keyset(stmt, column, id_column, descending)], after=after,
                          before=before, page_size=page_size)


def paginate_chain(keysets: list[Keyset], *, after: str | None, before: str | None,
                   page_size: int) -> Page:
    """One page of the keysets' rows shown one keyset after the other (e.g. the scored rows by
    score, then the unscored ones by date: NULLs last, each part along its own index). A page
    that reaches the end of one part continues in the next with one more query."""
    going_back = before is not None and after is None
    cursor = before if going_back else after
    part, position = _position(cursor, keysets) if cursor else (0, None)
    found: list[tuple[int, object]] = []
    # Walking back is the same seek with the order flipped, then the rows reversed.
    while 0 <= part < len(keysets) and len(found) <= page_size:
        rows = keysets[part].rows(position, going_back, page_size + 1 - len(found))
        found += [(part, row) for row in rows]
        part, position = part + (-1 if going_back else 1), None
    has_more = len(found) > page_size
    found = found[:page_size]
    if going_back:
        found.reverse()
    has_next = True if going_back else has_more
    has_prev = bool(cursor) and (has_more if going_back else True)

    def cursor_of(part_row):
        part, row = part_row
        # The first part's cursors are plain (as before parts existed); others say their part.
        return keysets[part].cursor(row) if part == 0 else f"{part}.{keysets[part].cursor(row)}"

    return Page(items=[keysets[part].item(row) for part, row in found],
                next_cursor=cursor_of(found[-1]) if found and has_next else None,
                prev_cursor=cursor_of(found[0]) if found and has_prev else None)


def _position(cursor: str, keysets: list[Keyset]) -> tuple[int, tuple]:
    tag, _, encoded = cursor.rpartition(".")  # "." is not in the URL-safe base64 alphabet
    if tag and not (tag.isascii() and tag.isdigit() and 0 < int(tag) < len(keysets)):
        raise BadCursor()
    part = int(tag) if tag else 0
    position = decode(encoded)
    if not _fits(position[0], keysets[part].column.type.python_type):
        raise BadCursor()  # a cursor made for another sort order, or by hand
    return part, position
