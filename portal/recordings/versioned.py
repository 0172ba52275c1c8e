"""What scripts and rubrics share as versioned records a manager writes in a form: the rows
that were filled in, a key made from a new record's title, and the next version of a key."""

import re

from sqlalchemy import func, select

from portal.extensions import db


def filled(rows: list[dict], by: tuple[str, ...]) -> list[tuple[int, dict]]:
    """The rows a manager wrote something in, with their numbers on the form (from 1): rows
    with something in one of the fields `by` (the form's blank rows come with numbers filled
    in for convenience, and are ignored)."""
    return [(number, row) for number, row in enumerate(rows, start=1)
            if any(str(row.get(field, "")).strip() for field in by)]


def new_key(title: str, model, reserved) -> str:
    """A key for a new record of `model`, from its title, used by no record nor `reserved`."""
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40] or "untitled"
    key, n = base, 1
    while key in reserved or db.session.scalar(
            select(model.id).where(model.key == key).limit(1)) is not None:
        n += 1
        key = f"{base}_{n}"
    return key


def next_version(model, key: str) -> int:
    return (db.session.scalar(select(func.max(model.version)).where(model.key == key)) or 0) + 1
