"""Reviewers hear an application's recordings and pin comments to moments: staff only, every
page view and playback audited (once per playback, not per range request), comments checked
(a time past the end, an empty comment: the reason, nothing kept)."""

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.recordings.models import Comment
from tests.test_recording_uploads import (  # noqa: F401  (fixtures, and the ffmpeg skip)
    pytestmark,
    recording,
    tone,
    upload,
)


@pytest.fixture
def reviewed(recording, tone, make_user, login):  # noqa: F811
    """A ready take of turn 1, and a manager signed in: (client, application, take id)."""
    client, application = recording
    take_id, _ = upload(client, application, tone)
    client.post("/logout")
    login(client, make_user(roles=("manager",)))
    return client, application, take_id


def events(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action))


def test_the_review_page_shows_the_turns_in_order_with_the_take_and_its_measures(reviewed):
    client, application, take_id = reviewed
    page = client.get(f"/recordings/applications/{application.id}").get_data(as_text=True)
    assert page.index("Turn 1:") < page.index("Turn 2:") < page.index("Turn 4:")
    assert f'src="/recordings/takes/{take_id}/media"' in page and "0:03" in page
    assert "Not recorded yet" in page and "LUFS" in page and "<rect" in page
    assert events("recording.reviewed") == 1


def test_a_playback_is_audited_once_and_seeks_with_ranges(reviewed):
    client, _, take_id = reviewed
    first = client.get(f"/recordings/takes/{take_id}/media", headers={"Range": "bytes=0-"})
    assert first.status_code == 206
    later = client.get(f"/recordings/takes/{take_id}/media", headers={"Range": "bytes=500-"})
    assert later.status_code == 206
    assert events("recording.played") == 1


def test_comments_are_pinned_to_a_moment_and_listed_in_time_order(reviewed):
    client, application, take_id = reviewed
    for at, body in (("0:02", "Warm greeting."), ("0:01", "Clear opening.")):
        answer = client.post(f"/recordings/takes/{take_id}/comments",
                             data={"at": at, "body": body})
        assert answer.status_code == 302
    page = client.get(f"/recordings/applications/{application.id}").get_data(as_text=True)
    assert page.index("Clear opening.") < page.index("Warm greeting.")
    assert 'data-seek-ms="1000"' in page and events("recording.commented") == 2


@pytest.mark.parametrize("at, body, message", [
    ("0:09", "After the end", "from 0:00 to 0:03"),
    ("soon", "Not a time", "from 0:00 to 0:03"),
    ("0:01", "   ", "Write the comment first."),
    ("0:01", "x" * 1001, "under 1000 characters"),
])
def test_a_comment_that_cannot_be_kept_says_why(reviewed, at, body, message):
    client, _, take_id = reviewed
    answer = client.post(f"/recordings/takes/{take_id}/comments", data={"at": at, "body": body})
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_candidates_cannot_reach_the_review(recording, tone, login):  # noqa: F811
    client, application = recording
    take_id, _ = upload(client, application, tone)
    assert client.get(f"/recordings/applications/{application.id}").status_code == 403
    assert client.get(f"/recordings/takes/{take_id}/media").status_code == 403
    assert client.post(f"/recordings/takes/{take_id}/comments",
                       data={"at": "0:01", "body": "Mine"}).status_code == 403


def test_a_view_that_writes_on_get_takes_the_sqlite_write_lock_up_front(app):
    """Two players load at once and each playback writes an audit row after reading: a
    deferred SQLite transaction would fail one of them instead of letting it wait."""
    from portal.extensions import sqlite_begin_statement

    with app.test_request_context("/recordings/takes/1/media", method="GET"):
        assert sqlite_begin_statement() == "BEGIN IMMEDIATE"
    with app.test_request_context("/me/recordings/takes/1/media", method="GET"):
        assert sqlite_begin_statement() == "BEGIN"


# --- scoring with a rubric ------------------------------------------------------------------

ALL_FIVE = {f"score-{key}": "5" for key in ("greeting", "empathy", "clarity", "pace",
                                               "ownership", "professionalism")}


def score(client, application, action="submit", recommendation="advance", **scores):
    return client.post(f"/recordings/applications/{application.id}/sample_call/review",
                       data={**ALL_FIVE, **scores, "recommendation": recommendation,
                             "note": "Calm and clear.", "action": action})


def test_reviewers_score_independently_and_see_each_other_only_after_submitting(
        reviewed, make_user, login):
    client, application, _ = reviewed
    first = client.get(f"/recordings/applications/{application.id}").get_data(as_text=True)
    assert "Customer call, version 1" in first and "Warm greeting, own name" in first
    assert score(client, application, action="save", **{"score-empathy": "2"}).status_code == 302
    assert score(client, application, **{"score-empathy": "2"}).status_code == 302
    # (5*1 + 2*2 + 5*1.5 + 5*1 + 5*2 + 5*1) / 8.5 = 36.5 / 8.5
    client.post("/logout")
    login(client, make_user(roles=("manager",)))
    page = client.get(f"/recordings/applications/{application.id}").get_data(as_text=True)
    assert "(1 submitted so far)" in page and "Calm and clear." not in page
    assert score(client, application, recommendation="reject",
                 **{key: "2" for key in ALL_FIVE}).status_code == 302
    page = client.get(f"/recordings/applications/{application.id}").get_data(as_text=True)
    assert "4.29" in page and "2.00" in page  # 36.5 / 8.5, and all twos
    assert "Mean <strong>3.15</strong>" in page and "spread 2.29" in page
    assert "The reviewers disagree" in page and "Do not advance" in page
    assert events("recording.review_submitted") == 2


@pytest.mark.parametrize("changes, message", [
    ({"score-empathy": "7"}, "Empathy: choose a score from 1 to 5."),
    ({"score-pace": ""}, "still missing Pace and tone."),
    ({"recommendation": ""}, "still missing a recommendation."),
    ({"recommendation": "hire now"}, "Choose a recommendation from the list."),
])
def test_an_incomplete_or_impossible_review_is_refused_with_the_reason(
        reviewed, changes, message):
    client, application, _ = reviewed
    data = {**ALL_FIVE, "recommendation": "advance", "action": "submit", **changes}
    answer = client.post(f"/recordings/applications/{application.id}/sample_call/review",
                         data=data)
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert events("recording.review_submitted") == 0


def test_a_submitted_review_cannot_change(reviewed):
    client, application, _ = reviewed
    score(client, application)
    answer = score(client, application, **{"score-pace": "1"})
    assert answer.status_code == 422 and "can no longer change" in answer.get_data(
        as_text=True)


def test_a_review_keeps_the_rubric_version_it_began_with(reviewed, app):
    from portal.recordings import rubrics
    from portal.recordings.models import Review, Rubric

    client, application, _ = reviewed
    score(client, application, action="save")
    old = rubrics.current(rubrics.CALL_RUBRIC)
    db.session.add(Rubric(key=old.key, version=2, title=old.title,
                          criteria=old.criteria[:2]))
    db.session.commit()
    score(client, application)
    review = db.session.scalar(select(Review))
    assert review.rubric.version == 1 and len(review.scores) == 6


@pytest.mark.parametrize("at", ["1e309", "-0:05", "inf", "nan"])
def test_a_time_that_is_not_a_moment_is_refused_not_a_crash(reviewed, at):
    client, _, take_id = reviewed
    answer = client.post(f"/recordings/takes/{take_id}/comments", data={"at": at, "body": "x"})
    assert answer.status_code == 422 and "from 0:00 to 0:03" in answer.get_data(as_text=True)
