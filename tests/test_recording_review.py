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
