"""The typing test on the server: it hands out the passage and keeps the clock, so speed and
accuracy are measured from the server's times and the passage it gave, never from what the
browser says. The typed text is saved as it grows; once the test's time is up, later text is
refused and the last in-time save is what counts.

An item's Answer row holds {"passage": index, "typed": text, "final": bool}; its
`first_saved_at` is when the passage was handed out and `saved_at` when the text counted was
received.
"""

import random
from datetime import datetime, timedelta

from assessments import attempts, scoring
from assessments.bank import Item
from assessments.models import Answer, Attempt
from portal.extensions import db, utcnow

MAX_EXTRA_CHARACTERS = 200  # typed text may run past the passage a little, not without end


def passage_of(attempt: Attempt, item: Item) -> str:
    """The attempt's passage for this item: chosen by the seed, so a reload shows the same."""
    index = random.Random(f"{attempt.seed}:{item.id}").randrange(len(item.passages))
    return item.passages[index]


def state(attempt: Attempt, item: Item) -> Answer | None:
    return db.session.get(Answer, (attempt.id, item.id))


def seconds_left(answer: Answer, item: Item, now: datetime | None = None) -> int:
    elapsed = ((now or utcnow()) - answer.first_saved_at).total_seconds()
    return max(0, int(item.seconds - elapsed))


def begin(attempt: Attempt, item: Item) -> Answer:
    """Hand out the passage and start its clock; a second call (a reload) changes nothing."""
    _check_open(attempt)
    answer = state(attempt, item)
    if answer is None:
        index = item.passages.index(passage_of(attempt, item))
        answer = Answer(attempt_id=attempt.id, item_id=item.id, seq=0,
                        value={"passage": index, "typed": "", "final": False})
        db.session.add(answer)
        db.session.flush()
    return answer


def save(attempt: Attempt, item: Item, typed: str, final: bool) -> Answer:
    """Keep the text typed so far (or the finished text). Refused after the item's time, with
    the last in-time text kept; refused when faster than a human types."""
    _check_open(attempt)
    answer = state(attempt, item)
    if answer is None:
        raise attempts.AnswerRefused(409, "Start the typing test first.")
    if answer.value["final"]:
        raise attempts.AnswerRefused(409, "This typing test is finished.")
    now = utcnow()
    if now > answer.first_saved_at + timedelta(seconds=item.seconds + attempts.GRACE_SECONDS):
        _finalize(answer)
        raise attempts.AnswerRefused(409, "Time is up for the typing test; the text saved "
                                          "before the end counts.")
    passage = item.passages[answer.value["passage"]]
    if len(typed) > len(passage) + MAX_EXTRA_CHARACTERS:
        raise attempts.AnswerRefused(422, "That is much longer than the passage.")
    seconds = (now - answer.first_saved_at).total_seconds()
    try:
        scoring.typing_result(passage, typed, max(seconds, 0.001))
    except scoring.ResponseError as error:
        raise attempts.AnswerRefused(422, str(error)) from None
    answer.value = {**answer.value, "typed": typed, "final": final}
    answer.saved_at, answer.seq = now, answer.seq + 1
    db.session.flush()
    return answer


def _finalize(answer: Answer) -> None:
    answer.value = {**answer.value, "final": True}


def _check_open(attempt: Attempt) -> None:
    if attempts.close_if_due(attempt) or not attempt.is_open:
        raise attempts.AnswerRefused(409, "This assessment is finished.")
