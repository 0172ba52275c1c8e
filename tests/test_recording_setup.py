"""Managers set recordings up: they write interview templates and rubrics (each save a new
version, bad input refused field by field with nothing saved), choose for each opening's
recording step its script, rubric and reviewers; candidates record the version they began
with, and only the named reviewers (and administrators) can open an opening's recordings."""

import re

import pytest
from sqlalchemy import func, select

from portal import storage
from portal.extensions import db
from portal.recordings.models import RecordingScript, Review, Rubric
from tests.test_recording_uploads import (  # noqa: F401  (fixtures, and the ffmpeg skip)
    pytestmark,
    recording,
    start,
    stored_keys,
    text_of,
    tone,
    upload,
)

TEMPLATE = {
    "title": "Billing support interview", "kind": "video",
    "introduction": "Two short questions about billing calls.",
    "prompt-1-text": "How would you explain a prorated charge?", "prompt-1-think_seconds": "20",
    "prompt-1-max_seconds": "90", "prompt-1-retakes": "1",
    "prompt-2-text": "Tell us about a refund you handled.", "prompt-2-think_seconds": "15",
    "prompt-2-max_seconds": "60", "prompt-2-retakes": "0",
    "prompt-3-text": "", "prompt-3-think_seconds": "", "prompt-3-max_seconds": "",
    "prompt-3-retakes": "",
}
RUBRIC = {
    "title": "Billing answers",
    "criterion-1-title": "Accuracy", "criterion-1-weight": "2",
    "criterion-1-anchor_1": "Wrong facts.", "criterion-1-anchor_3": "Mostly right.",
    "criterion-1-anchor_5": "Exact and complete.",
    "criterion-2-title": "Warmth", "criterion-2-weight": "1",
    "criterion-2-anchor_1": "Cold.", "criterion-2-anchor_3": "Polite.",
    "criterion-2-anchor_5": "Warm and reassuring.",
}


@pytest.fixture
def manager(make_user):
    return make_user(roles=("manager",), full_name="Morgan Manager")


def as_user(client, login, user):
    client.post("/logout")
    login(client, user)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def set_up(client, application, step="video_interview", **fields):
    return client.post(f"/recordings/openings/{application.opening_id}/{step}", data=fields)


def test_a_template_chosen_for_an_opening_is_what_its_candidates_record(
        recording, manager, login, make_user):  # noqa: F811
    client, application = recording
    as_user(client, login, manager)
    saved = client.post("/recordings/scripts/new/video_interview", data=TEMPLATE)
    assert saved.status_code == 302
    script = db.session.scalar(select(RecordingScript).where(
        RecordingScript.title == "Billing support interview"))
    assert script.version == 1 and [p["key"] for p in script.prompts] == ["q1", "q2"]
    assert set_up(client, application, script=script.key, rubric="interview").status_code == 302
    assert script.key in client.get(f"/recordings/openings/{application.opening_id}/"
                                    "video_interview").get_data(as_text=True)

    as_user(client, login, application.candidate)
    url = f"/me/recordings/applications/{application.id}/video_interview"
    page = text_of(client.get(url).get_data(as_text=True))
    assert "Question 2 of 2" in page and "How would you explain a prorated charge?" in page
    assert "20 s to think · up to 90 s to answer · 2 tries left" in page
    assert start(client, application, "q3", "video_interview",
                 "video/webm").status_code == 404  # not a question of this template
    assert start(client, application, "q1", "video_interview", "video/webm").status_code == 201

    # A new version changes nothing for a candidate who began, and is what a new one records.
    as_user(client, login, manager)
    edited = dict(TEMPLATE, **{"prompt-1-text": "What is a prorated charge?"})
    assert client.post(f"/recordings/scripts/{script.key}", data=edited).status_code == 302
    assert count(RecordingScript) >= 2
    as_user(client, login, application.candidate)
    assert "How would you explain a prorated charge?" in text_of(client.get(url).get_data(
        as_text=True))
    from tests.helpers import apply
    newcomer = make_user()
    other = apply(application.opening, newcomer)
    db.session.commit()
    as_user(client, login, newcomer)
    assert "What is a prorated charge?" in text_of(client.get(
        f"/me/recordings/applications/{other.id}/video_interview").get_data(as_text=True))


@pytest.mark.parametrize("change, field, message", [
    ({"title": " "}, "Title", "Give the script a title"),
    ({"prompt-1-think_seconds": "999"}, "Question 1", "Think time: a whole number from 0 to 300"),
    ({"prompt-2-max_seconds": "5"}, "Question 2", "The answer limit: a whole number from 10"),
    ({"prompt-1-text": "", "prompt-1-think_seconds": "", "prompt-1-max_seconds": "",
      "prompt-1-retakes": "", "prompt-2-text": "", "prompt-2-think_seconds": "",
      "prompt-2-max_seconds": "", "prompt-2-retakes": ""}, "Question 1",
     "Write at least one question"),
    ({"kind": "hologram"}, "Records", "Choose video or audio"),
])
def test_a_template_that_cannot_be_kept_says_why_and_saves_nothing(
        recording, manager, login, change, field, message):  # noqa: F811
    client, _ = recording
    as_user(client, login, manager)
    before = count(RecordingScript)
    answer = client.post("/recordings/scripts/new/video_interview", data=dict(TEMPLATE, **change))
    page = text_of(answer.get_data(as_text=True))
    assert answer.status_code == 422 and re.search(rf"{field}\s*:\s*{re.escape(message)}", page)
    assert count(RecordingScript) == before
    assert "Two short questions about billing calls." in page  # what was typed is kept


def test_add_a_question_keeps_what_was_typed_and_saves_nothing(
        recording, manager, login):  # noqa: F811
    client, _ = recording
    as_user(client, login, manager)
    answer = client.post("/recordings/scripts/new/video_interview",
                         data=dict(TEMPLATE, action="add"))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Tell us about a refund you handled." in page
    assert len(re.findall(r'name="prompt-\d+-text"', page)) == 4
    assert count(RecordingScript) == 0


def test_a_rubric_chosen_for_an_opening_is_what_its_reviewers_score_with(
        recording, tone, manager, login):  # noqa: F811
    client, application = recording
    upload(client, application, tone)
    as_user(client, login, manager)
    assert client.post("/recordings/rubrics/new", data=RUBRIC).status_code == 302
    rubric = db.session.scalar(select(Rubric).where(Rubric.title == "Billing answers"))
    assert set_up(client, application, step="sample_call", script="delayed_order",
                  rubric=rubric.key).status_code == 302
    page = client.get(f"/recordings/applications/{application.id}").get_data(as_text=True)
    assert "Billing answers, version 1" in page and "Exact and complete." in page
    answer = client.post(f"/recordings/applications/{application.id}/sample_call/review",
                         data={"score-c1": "5", "score-c2": "3", "recommendation": "advance",
                               "action": "submit"})
    assert answer.status_code == 302
    review = db.session.scalar(select(Review))
    assert review.rubric_id == rubric.id and review.scores == {"c1": 5, "c2": 3}


def test_a_rubric_without_anchors_or_with_a_wild_weight_is_refused(
        recording, manager, login):  # noqa: F811
    client, _ = recording
    as_user(client, login, manager)
    answer = client.post("/recordings/rubrics/new", data=dict(
        RUBRIC, **{"criterion-1-weight": "nan", "criterion-2-anchor_3": ""}))
    page = text_of(answer.get_data(as_text=True))
    assert answer.status_code == 422 and "Weight: a number from 0.5 to 5" in page
    assert "Say what a 3 looks like" in page and count(Rubric) == 0


def test_named_reviewers_alone_open_an_openings_recordings(
        recording, tone, manager, login, make_user):  # noqa: F811
    client, application = recording
    take_id, _ = upload(client, application, tone)
    reviewer = make_user(roles=("manager",), full_name="Riley Reviewer")
    as_user(client, login, manager)
    assert set_up(client, application, step="sample_call", script="delayed_order",
                  rubric="customer_call", reviewers=[str(reviewer.id)]).status_code == 302
    review_page = f"/recordings/applications/{application.id}"
    for path in (review_page, f"/recordings/takes/{take_id}/media"):
        assert client.get(path).status_code == 404
    assert client.post(f"/recordings/takes/{take_id}/comments",
                       data={"at": "0:01", "body": "x"}).status_code == 404
    for user in (reviewer, make_user(roles=("admin",))):
        as_user(client, login, user)
        assert client.get(review_page).status_code == 200
        assert client.get(f"/recordings/takes/{take_id}/media").status_code == 200


def test_an_opening_set_up_with_what_is_not_offered_is_refused(
        recording, manager, login, make_user):  # noqa: F811
    client, application = recording
    as_user(client, login, manager)
    for fields, message in (
            ({"script": "delayed_order", "rubric": "interview"}, "scripts listed for this step"),
            ({"script": "one_way_interview", "rubric": "nope"}, "rubrics listed"),
            ({"script": "one_way_interview", "rubric": "interview",
              "reviewers": [str(application.candidate_id)]}, "among the active managers"),
            ({"script": "one_way_interview", "rubric": "interview", "reviewers": ["x"]},
             "Choose reviewers from the list")):
        answer = set_up(client, application, **fields)
        assert answer.status_code == 422 and message in answer.get_data(as_text=True)


def test_who_may_write_scripts_and_rubrics(recording, make_user, login):  # noqa: F811
    client, application = recording
    assert client.get("/recordings/scripts").status_code == 403  # a candidate
    as_user(client, login, make_user(roles=("trainer",)))
    assert client.get("/recordings/scripts").status_code == 200
    assert client.post("/recordings/scripts/new/sample_call", data=dict(
        TEMPLATE, kind="audio")).status_code == 302
    assert client.get("/recordings/rubrics/new").status_code == 403
    assert client.get(f"/recordings/openings/{application.opening_id}/sample_call"
                      ).status_code == 403


# --- spoken prompts ---------------------------------------------------------------------------

SCENARIO = {
    "title": "A double charge", "kind": "audio",
    "introduction": "Sam was charged twice for one order; calm him and fix it.",
    "prompt-1-text": "Hi, I've been charged twice!", "prompt-1-think_seconds": "0",
    "prompt-1-max_seconds": "60", "prompt-1-retakes": "1",
    "prompt-2-text": "Okay, when will I get it back?", "prompt-2-think_seconds": "0",
    "prompt-2-max_seconds": "60", "prompt-2-retakes": "1",
}


def sound_file(tmp_path, name="line.wav", *sources, codecs=("-c:a", "pcm_s16le"),
               container="wav"):
    from tests.test_recording_uploads import media
    return media(tmp_path, name, *(sources or ("sine=frequency=330",)), seconds=2,
                 codecs=codecs, container=container)


def with_sound(fields: dict, **sounds: bytes) -> dict:
    """The form fields plus uploaded files: prompt row number -> bytes."""
    import io
    return {**fields, **{f"prompt-{row.removeprefix('row')}-audio_upload":
                         (io.BytesIO(data), f"line{row}.wav") for row, data in sounds.items()}}


def stored_files() -> int:
    from portal.storage import StoredFile
    return db.session.scalar(select(func.count()).select_from(StoredFile).where(
        StoredFile.deleted_at.is_(None)))


def test_a_customer_line_spoken_by_a_trainer_plays_for_the_candidate_and_the_reviewer(
        recording, tone, tmp_path, manager, login, make_user):  # noqa: F811
    client, application = recording
    as_user(client, login, manager)
    answer = client.post("/recordings/scripts/new/sample_call",
                         data=with_sound(SCENARIO, row1=sound_file(tmp_path)),
                         content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    script = db.session.scalar(select(RecordingScript).where(
        RecordingScript.title == "A double charge"))
    spoken_id = script.prompts[0]["audio_file_id"]
    assert spoken_id and script.prompts[1]["audio_file_id"] is None
    set_up(client, application, step="sample_call", script=script.key, rubric="customer_call")

    as_user(client, login, application.candidate)
    spoken = f"/me/recordings/applications/{application.id}/sample_call/prompts/t1/audio"
    assert spoken in client.get(f"/me/recordings/applications/{application.id}/sample_call"
                                ).get_data(as_text=True)
    played = client.get(spoken)
    assert played.status_code == 200 and played.mimetype == "audio/mpeg"
    assert client.get(spoken.replace("/t1/", "/t2/")).status_code == 404  # text only
    upload(client, application, tone)

    as_user(client, login, manager)
    page = client.get(f"/recordings/applications/{application.id}").get_data(as_text=True)
    assert "data-customer-line" in page
    assert client.get(f"/recordings/applications/{application.id}/sample_call/prompts/t1/"
                      "audio").status_code == 200
    as_user(client, login, make_user())  # another candidate
    assert client.get(spoken).status_code == 404


def test_a_new_version_keeps_removes_or_refuses_spoken_prompts(
        recording, tmp_path, manager, login):  # noqa: F811
    client, _ = recording
    as_user(client, login, manager)
    client.post("/recordings/scripts/new/sample_call",
                data=with_sound(SCENARIO, row1=sound_file(tmp_path), row2=sound_file(tmp_path)),
                content_type="multipart/form-data")
    first = db.session.scalar(select(RecordingScript).where(
        RecordingScript.title == "A double charge"))
    kept, other = (p["audio_file_id"] for p in first.prompts)
    # Row 1 keeps its sound; row 2 asks to remove its own; a third row claims a file it never had.
    client.post("/recordings/scripts/new/video_interview", data=with_sound(
        TEMPLATE, row1=sound_file(tmp_path)), content_type="multipart/form-data")
    foreign = db.session.scalar(select(RecordingScript).where(
        RecordingScript.step_key == "video_interview")).prompts[0]["audio_file_id"]
    assert foreign
    edited = dict(SCENARIO, **{
        "prompt-1-audio": str(kept), "prompt-2-audio": str(other), "prompt-2-remove_audio": "1",
        "prompt-3-text": "Thanks.", "prompt-3-think_seconds": "0", "prompt-3-max_seconds": "30",
        "prompt-3-retakes": "0", "prompt-3-audio": str(foreign)})
    assert client.post(f"/recordings/scripts/{first.key}", data=edited).status_code == 302
    second = scripts_current(first.key)
    assert [p["audio_file_id"] for p in second.prompts] == [kept, None, None]
    preview = client.get(f"/recordings/scripts/{first.key}/spoken/{kept}")
    assert preview.status_code == 200
    assert client.get(f"/recordings/scripts/{first.key}/spoken/{foreign}").status_code == 404


@pytest.mark.parametrize("what, message", [
    ("video", "This is a video; upload the sound only."),
    ("text", "This is not a sound file the portal can read"),
])
def test_a_spoken_prompt_that_is_not_a_sound_is_refused_and_nothing_is_kept(
        recording, tmp_path, manager, login, what, message):  # noqa: F811
    client, _ = recording
    as_user(client, login, manager)
    good = sound_file(tmp_path)
    bad = b"just some words, not a sound" if what == "text" else sound_file(
        tmp_path, "clip.webm", "testsrc2=s=160x120:r=10", "sine=frequency=300",
        codecs=("-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus"),
        container="webm")
    before, objects = stored_files(), stored_keys(storage.get_storage())
    answer = client.post("/recordings/scripts/new/sample_call",
                         data=with_sound(SCENARIO, row1=good, row2=bad),
                         content_type="multipart/form-data")
    page = text_of(answer.get_data(as_text=True))
    assert answer.status_code == 422 and message in page and "Customer turn 2" in page
    assert stored_files() == before and count(RecordingScript) == 0
    assert stored_keys(storage.get_storage()) == objects  # row 1's sound went again


def scripts_current(key):
    from portal.recordings import scripts
    db.session.expire_all()
    return scripts.current(key)
