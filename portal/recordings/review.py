"""What a reviewer sees of an application's recordings: each recording step of its opening,
its prompts in order with the take that stands (the newest not replaced), and the comments
pinned to moments of each take; and the comments reviewers add."""

import math
from dataclasses import dataclass, field

from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.recordings import scripts, setups
from portal.recordings.content import STEP_KEYS, Prompt, Script
from portal.recordings.models import REPLACED, Comment, Take
from portal.recruiting.models import Application

MAX_COMMENT = 1000


class CommentRefused(ValueError):
    pass


@dataclass
class Turn:
    prompt: Prompt
    take: Take | None
    comments: list[Comment] = field(default_factory=list)


@dataclass
class StepRecordings:
    script: Script
    turns: list[Turn]

    @property
    def ready(self) -> list[Turn]:
        return [turn for turn in self.turns if turn.take is not None
                and turn.take.media_file is not None]


def for_application(application: Application) -> list[StepRecordings]:
    found = []
    for step_key in application.opening.steps:
        if step_key not in STEP_KEYS:
            continue
        script = scripts.as_script(setups.script_for(application, step_key))
        standing = {take.prompt: take for take in db.session.scalars(
            select(Take).where(Take.application_id == application.id,
                               Take.step_key == step_key, Take.status != REPLACED)
            .order_by(Take.number))}
        turns = [Turn(prompt, standing.get(prompt.key)) for prompt in script.prompts]
        take_ids = [turn.take.id for turn in turns if turn.take is not None]
        by_take: dict[int, list[Comment]] = {}
        for comment in db.session.scalars(select(Comment).where(Comment.take_id.in_(take_ids))
                                          .order_by(Comment.at_ms, Comment.id)):
            by_take.setdefault(comment.take_id, []).append(comment)
        for turn in turns:
            if turn.take is not None:
                turn.comments = by_take.get(turn.take.id, [])
        found.append(StepRecordings(script, turns))
    return found


def add_comment(take: Take, at_ms, body: str, author) -> Comment:
    """A comment at `at_ms` into the take; CommentRefused says why it cannot be kept."""
    body = (body or "").strip()
    if not body:
        raise CommentRefused("Write the comment first.")
    if len(body) > MAX_COMMENT:
        raise CommentRefused(f"Keep a comment under {MAX_COMMENT} characters.")
    if take.duration_ms is None:
        raise CommentRefused("This recording is not ready to comment on yet.")
    if not isinstance(at_ms, int) or not 0 <= at_ms <= take.duration_ms:
        raise CommentRefused(f"Pin the comment to a moment of the recording, from 0:00 to "
                             f"{clock(take.duration_ms)}.")
    comment = Comment(take_id=take.id, at_ms=at_ms, body=body, author_id=author.id)
    db.session.add(comment)
    audit.record("recording.commented", take.application, author, take=take.id, at_ms=at_ms)
    return comment


def clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def parse_clock(text: str) -> int | None:
    """'1:05' or '65' (seconds, decimals allowed) as milliseconds; None when it is not one."""
    text = (text or "").strip()
    minutes, _, seconds = text.rpartition(":")
    try:
        total = float(seconds) + 60 * (int(minutes) if minutes else 0)
    except ValueError:
        return None
    return round(total * 1000) if math.isfinite(total) and total >= 0 else None
