"""Tables as CSV downloads: rows in, a streamed response out.

    return csv_export.response(csv_export.filename("call-basics", "learners"),
                               ["Learner", "Score (%)"], rows)

The text is UTF-8 with a byte order mark (Excel otherwise reads it as the local code page) and
Excel's dialect (commas, CRLF, quotes where needed). It is written in chunks as the rows come,
so a lazy iterable of rows is never held whole; the request context stays open while it
streams, so the rows may come from the database. On SQLite a view marked `@writes_on_get`
begins its transactions IMMEDIATE: such a view should read its rows and commit before it
returns, or the write lock is held while the client downloads.

Spreadsheet formula injection: a text cell starting with = + - @, a tab or a carriage return
gets a leading apostrophe, so a spreadsheet shows it as text instead of running it. Numbers
are written as numbers (a negative number is not a formula), None as an empty cell.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime

from flask import Response, stream_with_context

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_UNSAFE_IN_PART = re.compile(r"[^A-Za-z0-9_-]+")


def safe_cell(value):
    """The value as a spreadsheet should read it: text that could run as a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def lines(header: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text in chunks: the BOM and header first, then a chunk per ROWS_PER_CHUNK rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([safe_cell(cell) for cell in header])
    for number, row in enumerate(rows, 1):
        writer.writerow([safe_cell(cell) for cell in row])
        if number % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def filename(*parts: str, day: date | None = None) -> str:
    """`parts` joined by '-', each reduced to letters, digits, '_' and '-', then the day
    (UTC): call-basics-learners-2024-03-04.csv. Safe in a header and on any file system."""
    cleaned = [_UNSAFE_IN_PART.sub("-", part).strip("-") for part in parts]
    stem = "-".join(part for part in cleaned if part) or "export"
    return f"{stem[:120]}-{(day or datetime.now(UTC).date()).isoformat()}.csv"


def response(name: str, header: Sequence, rows: Iterable[Sequence]) -> Response:
    """A download of the rows as `name` (make it with `filename`), never cached."""
    name = _UNSAFE_IN_NAME.sub("-", name) or "export.csv"
    return Response(stream_with_context(lines(header, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
