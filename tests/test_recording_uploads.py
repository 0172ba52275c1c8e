"""Recordings uploaded in parts while they are made, whole only when their checksum matches, then
made playable and measured by ffmpeg: on the local folder and on S3 (moto). Every bad input
gets its reason and leaves no half-made take or orphan part behind."""

import hashlib
import re
import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from portal import storage
from portal.extensions import db
from portal.recordings.models import Take, TakePart
from portal.recruiting.models import StepProgress
from tests.helpers import apply, open_opening

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None,
                                reason="ffmpeg is missing: tests/run.sh installs it")
PART = 2 * 1024  # a 3 s tone makes about a dozen parts
DASHBOARD = "/me"


def media(tmp_path, name: str, *inputs: str, seconds: float = 3, codecs=("-c:a", "libopus"),
          container: str = "webm") -> bytes:
    """A recording made by ffmpeg from its own test sources (a tone, a test picture)."""
    target = tmp_path / name
    sources = []
    for source in inputs:
        sources += ["-f", "lavfi", "-i", f"{source}:duration={seconds}"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", *sources, *codecs, "-f", container,
                    str(target)], check=True, timeout=60)
    return target.read_bytes()


@pytest.fixture
def tone(tmp_path) -> bytes:
    return media(tmp_path, "tone.webm", "sine=frequency=440")


@pytest.fixture
def recording(app, make_user, client, login):
    """A candidate signed in, applied to an opening with both recording steps:
    (client, application)."""
    candidate = make_user()
    opening = open_opening(make_user(roles=("manager",)), steps=["sample_call",
                                                                 "video_interview"])
    application = apply(opening, candidate)
    db.session.commit()
    login(client, candidate)
    return client, application


def start(client, application, prompt="t1", step="sample_call", mime="audio/webm;codecs=opus"):
    return client.post(f"/me/recordings/applications/{application.id}/{step}/{prompt}/takes",
                       json={"mime_type": mime})


def put(client, take_id, index, data, sha=None):
    return client.put(f"/me/recordings/takes/{take_id}/parts/{index}", data=data,
                      headers={"Content-Type": "application/octet-stream",
                               "X-Part-SHA256": sha or hashlib.sha256(data).hexdigest()})


def complete(client, take_id, parts, data):
    return client.post(f"/me/recordings/takes/{take_id}/complete",
                       json={"parts": parts, "sha256": hashlib.sha256(data).hexdigest()})


def text_of(html: str) -> str:
    """What a page says, without its markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def parts_of(data: bytes) -> list[bytes]:
    return [data[i:i + PART] for i in range(0, len(data), PART)]


def upload(client, application, data, prompt="t1", mime="audio/webm;codecs=opus",
           step="sample_call"):
    """A whole take, part by part: its id and the completion's answer."""
    take_id = start(client, application, prompt, step, mime).get_json()["id"]
    pieces = parts_of(data)
    for index, piece in enumerate(pieces):
        assert put(client, take_id, index, piece).status_code == 200
    return take_id, complete(client, take_id, len(pieces), data)


def take(take_id) -> Take:
    db.session.expire_all()
    return db.session.get(Take, take_id)


def part_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(TakePart))


@pytest.fixture(params=["local", "s3"])
def backend(request, app, monkeypatch):
    if request.param == "s3":
        monkeypatch.setitem(app.extensions, "storage", request.getfixturevalue("s3_storage"))
    return storage.get_storage()


def stored_keys(backend) -> list[str]:
    if backend.name == "local":
        return [str(p.relative_to(backend.root)) for p in backend.root.rglob("*") if p.is_file()]
    found = backend.client.list_objects_v2(Bucket=backend.bucket)
    return [item["Key"] for item in found.get("Contents", [])]


# --- the whole way ----------------------------------------------------------------------------

def test_a_take_sent_in_parts_becomes_a_playable_measured_recording(recording, tone, backend):
    client, application = recording
    take_id, answer = upload(client, application, tone)
    assert answer.status_code == 202
    done = take(take_id)
    assert done.status == "ready", done.failure
    assert done.upload_file.size == len(tone) and done.sha256 == hashlib.sha256(
        tone).hexdigest()
    assert 2900 <= done.duration_ms <= 3100
    assert done.loudness_lufs is not None and -30 < done.loudness_lufs < 0
    assert done.silence_ratio < 0.1
    # ffmpeg's test tone has an amplitude of 1/8: every slice peaks there
    assert len(done.peaks) == 400 and all(abs(peak - 0.125) < 0.01 for peak in done.peaks)
    assert done.media_file.content_type == "audio/webm"
    assert part_rows() == 0
    keys = stored_keys(backend)
    assert not any(key.startswith("recordings/parts/") for key in keys)  # parts deleted
    assert {done.upload_file.key, done.media_file.key} <= set(keys)
    with storage.get_storage().open(done.media_file.key) as playable:
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                "-of", "csv=p=0", "-"], input=playable.read(),
                               capture_output=True, check=True)
    assert abs(float(probe.stdout) - 3.0) < 0.1  # the playable file knows its length


def test_a_reload_asks_which_parts_arrived_and_sends_the_rest(recording, tone):
    client, application = recording
    take_id = start(client, application).get_json()["id"]
    pieces = parts_of(tone)
    for index in (0, 1, 3):
        put(client, take_id, index, pieces[index])
    assert client.get(f"/me/recordings/takes/{take_id}").get_json()["received"] == [0, 1, 3]
    early = complete(client, take_id, len(pieces), tone)
    assert early.status_code == 409 and "2, 4" in early.get_json()["error"]
    assert take(take_id).status == "uploading"
    for index, piece in enumerate(pieces):
        assert put(client, take_id, index, piece).status_code == 200  # again: harmless
    assert take(take_id).size == len(tone)
    assert complete(client, take_id, len(pieces), tone).status_code == 202
    assert complete(client, take_id, len(pieces), tone).status_code == 202  # retried
    assert take(take_id).status == "ready"


def test_the_step_is_done_when_every_turn_is_ready(recording, tone):
    client, application = recording
    for prompt in ("t1", "t2", "t3", "t4"):
        upload(client, application, tone, prompt)
    progress = db.session.get(StepProgress, (application.id, "sample_call"))
    assert progress.status == "completed" and "4 recordings ready" in progress.summary


# --- bad input ------------------------------------------------------------------------------

def test_a_damaged_part_is_refused_and_leaves_nothing(recording, tone, backend):
    client, application = recording
    take_id = start(client, application).get_json()["id"]
    before = stored_keys(backend)
    answer = put(client, take_id, 0, tone[:PART], sha="0" * 64)
    assert answer.status_code == 422 and "damaged" in answer.get_json()["error"]
    assert stored_keys(backend) == before and part_rows() == 0


def test_other_bytes_under_a_kept_index_are_refused(recording, tone):
    client, application = recording
    take_id = start(client, application).get_json()["id"]
    put(client, take_id, 0, tone[:PART])
    answer = put(client, take_id, 0, tone[PART:2 * PART])
    assert answer.status_code == 409 and "other bytes" in answer.get_json()["error"]


def test_parts_that_do_not_make_the_browsers_file_are_dropped_for_all_to_come_again(
        recording, tone, backend):
    client, application = recording
    take_id = start(client, application).get_json()["id"]
    put(client, take_id, 0, tone)
    answer = complete(client, take_id, 1, tone + b"x")
    assert answer.status_code == 409 and answer.get_json()["start_over"] is True
    assert take(take_id).status == "uploading" and take(take_id).upload_file is None
    assert take(take_id).size == 0 and part_rows() == 0
    assert client.get(f"/me/recordings/takes/{take_id}").get_json()["received"] == []

    assert put(client, take_id, 0, tone).status_code == 200
    assert complete(client, take_id, 1, tone).status_code == 202
    assert take(take_id).status == "ready"


def test_a_take_whose_file_lost_bytes_on_the_server_is_sent_again_not_lost(recording, tone):
    """Parts are not synced to disk one by one (the browser keeps them until the take is
    whole): if the server's copy is damaged, say by a crash, completion finds out and the
    browser sends every part again."""
    client, application = recording
    pieces = parts_of(tone)
    take_id = start(client, application).get_json()["id"]
    for index, piece in enumerate(pieces):
        put(client, take_id, index, piece)
    path = storage.get_storage().local_path(take(take_id).assembly_key)
    damaged = bytearray(path.read_bytes())
    damaged[100] ^= 0xFF
    path.write_bytes(bytes(damaged))

    answer = complete(client, take_id, len(pieces), tone)
    assert answer.status_code == 409 and answer.get_json()["start_over"] is True
    for index, piece in enumerate(pieces):
        assert put(client, take_id, index, piece).status_code == 200
    assert complete(client, take_id, len(pieces), tone).status_code == 202
    assert take(take_id).status == "ready" and take(take_id).upload_file.size == len(tone)


def test_a_part_ahead_of_its_turn_waits_and_joins_the_file_when_the_gap_fills(recording, tone):
    client, application = recording
    pieces = parts_of(tone)
    take_id = start(client, application).get_json()["id"]
    order = [2, 1, *range(3, len(pieces)), 0]  # 0 last: every other part waits for it
    for index in order:
        assert put(client, take_id, index, pieces[index]).status_code == 200
    waiting = list(db.session.scalars(select(TakePart.key).where(TakePart.key.is_not(None))))
    assert waiting == []  # all written into the take's file once part 0 came
    assert complete(client, take_id, len(pieces), tone).status_code == 202
    assert take(take_id).status == "ready"
    stored = storage.get_storage().local_path(take(take_id).upload_file.key)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == hashlib.sha256(tone).hexdigest()
    kept = set(stored_keys(storage.get_storage()))
    assert not any(key.startswith("recordings/parts/") for key in kept)  # waiting ones deleted


def test_a_completed_take_takes_no_more_parts_and_a_second_completion_changes_nothing(
        recording, tone):
    """Parts write into the take's file: once a completion has kept it, a late part (a
    retry, another tab) must not touch it."""
    client, application = recording
    take_id, answer = upload(client, application, tone)
    assert answer.status_code == 202
    kept = take(take_id).upload_file
    late = put(client, take_id, len(parts_of(tone)), b"late bytes")
    assert late.status_code == 409 and "already complete" in late.get_json()["error"]
    assert complete(client, take_id, len(parts_of(tone)), tone).status_code == 202
    path = storage.get_storage().local_path(kept.key)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == kept.checksum_sha256
    assert take(take_id).upload_file_id == kept.id


@pytest.mark.parametrize("parts, index, status", [(0, None, 422), (1, 3600, 422)])
def test_empty_takes_and_parts_out_of_range_are_refused(recording, tone, parts, index, status):
    client, application = recording
    take_id = start(client, application).get_json()["id"]
    if index is not None:
        assert put(client, take_id, index, tone[:10]).status_code == status
    else:
        assert complete(client, take_id, parts, b"").status_code == status


def test_a_file_that_is_not_media_is_marked_failed_with_the_reason(recording):
    client, application = recording
    text = b"This is not a recording at all. " * 100
    take_id, answer = upload(client, application, text)
    failed = take(take_id)
    assert (failed.status, failed.failure) == (
        "failed", "The file is not a recording the portal can read.")
    assert answer.get_json()["failure"] == failed.failure
    progress = db.session.get(StepProgress, (application.id, "sample_call"))
    assert "record it again" in progress.summary


def test_a_video_sent_as_sound_is_refused(recording, tmp_path):
    client, application = recording
    video = media(tmp_path, "clip.webm", "testsrc=size=160x120:rate=10", "sine=frequency=440",
                  codecs=("-c:v", "libvpx", "-c:a", "libopus"))
    take_id, _ = upload(client, application, video)
    assert take(take_id).failure == "A video was sent where a sound recording was expected."


def test_a_take_longer_than_the_prompt_allows_fails(recording, tmp_path):
    client, application = recording
    long = media(tmp_path, "long.webm", "sine=frequency=440", seconds=100)  # turn t1 allows 90 s
    take_id, _ = upload(client, application, long)
    assert "longer than the 90 seconds" in take(take_id).failure


def test_retakes_are_limited_and_a_failed_take_does_not_count(recording, tone):
    client, application = recording
    upload(client, application, b"not media " * 50)  # failed: free
    for _ in range(3):  # the first take and the two retakes turn t1 allows
        upload(client, application, tone)
    answer = start(client, application)
    assert answer.status_code == 409 and "2 retakes" in answer.get_json()["error"]
    statuses = [t.status for t in db.session.scalars(select(Take).order_by(Take.number))]
    assert statuses == ["failed", "replaced", "replaced", "ready"]


@pytest.mark.parametrize("prompt, step, mime, status", [
    ("t9", "sample_call", "audio/webm", 404),
    ("t1", "sample_call", "audio/x-wav", 422),
    ("t1", "sample_call", "video/webm;codecs=vp8,opus", 422),
    ("t1", "typing", "audio/webm", 404),
])
def test_a_take_must_answer_a_prompt_of_the_step_in_a_recorder_format(
        recording, prompt, step, mime, status):
    client, application = recording
    assert start(client, application, prompt, step, mime).status_code == status
    assert db.session.scalar(select(func.count()).select_from(Take)) == 0


def test_other_peoples_takes_and_applications_are_not_found(recording, tone, make_user,
                                                            login):
    client, application = recording
    take_id = start(client, application).get_json()["id"]
    client.post("/logout")
    login(client, make_user())
    for answer in (start(client, application),
                   put(client, take_id, 0, tone[:PART]),
                   client.get(f"/me/recordings/takes/{take_id}"),
                   complete(client, take_id, 1, tone)):
        assert answer.status_code == 404
    assert part_rows() == 0


# --- privacy --------------------------------------------------------------------------------

def test_erasure_removes_the_recordings_from_storage_and_the_download_lists_them(
        recording, tone, backend):
    from portal.recruiting import privacy

    client, application = recording
    upload(client, application, tone)
    unfinished = start(client, application, "t2").get_json()["id"]
    put(client, unfinished, 0, tone[:PART])
    candidate = application.candidate
    listed = client.get("/me/data/export.json").get_json()["recordings"]
    assert [(t["prompt"], t["status"]) for t in listed] == [("t1", "ready"), ("t2", "uploading")]
    ready = db.session.scalar(select(Take).where(Take.prompt == "t1"))
    # The unfinished take's parts: written into its file (local folder), or objects (S3).
    in_progress = {take(unfinished).assembly_key, *db.session.scalars(select(TakePart.key))}
    ours = {ready.upload_file.key, ready.media_file.key, *in_progress - {None}}
    assert len(ours) == 3 and ours <= set(stored_keys(backend))
    privacy.erase(candidate, candidate.email)
    db.session.commit()
    assert not ours & set(stored_keys(backend))
    assert db.session.scalar(select(func.count()).select_from(Take)) == 0


# --- the candidate's page ----------------------------------------------------------------------

def test_the_page_shows_each_turn_and_plays_back_the_candidates_own_takes(
        recording, tone, make_user, login):
    client, application = recording
    page = client.get(f"/me/recordings/applications/{application.id}/sample_call")
    assert page.status_code == 200 and "Turn 4 of 4" in page.get_data(as_text=True)
    take_id, _ = upload(client, application, tone)
    page = client.get(f"/me/recordings/applications/{application.id}/sample_call")
    assert f"/me/recordings/takes/{take_id}/media" in page.get_data(as_text=True)
    played = client.get(f"/me/recordings/takes/{take_id}/media", headers={"Range": "bytes=0-99"})
    assert played.status_code == 206 and len(played.get_data()) == 100  # players seek so
    assert played.mimetype == "audio/webm"
    client.post("/logout")
    login(client, make_user())
    assert client.get(f"/me/recordings/applications/{application.id}/sample_call"
                      ).status_code == 404
    assert client.get(f"/me/recordings/takes/{take_id}/media").status_code == 404


def test_the_interview_page_starts_with_the_device_check_and_shows_each_question(
        recording, tmp_path, make_user, login):
    """The one-way interview: a device check first, then each question with its think time,
    answer limit and tries; an answer saved on video plays back on the candidate's page, and
    the dashboard's step opens the page."""
    client, application = recording
    url = f"/me/recordings/applications/{application.id}/video_interview"
    page = client.get(url).get_data(as_text=True)
    assert "check your camera and microphone" in page and "Question 3 of 3" in page
    assert "30 s to think · up to 120 s to answer · 3 tries left" in text_of(page)
    assert "interview.js" in page and "Allow the camera and the microphone" in page
    assert url in client.get(DASHBOARD).get_data(as_text=True)
    answer = media(tmp_path, "answer.webm", "testsrc2=s=320x240:r=15", "sine=frequency=300",
                   codecs=("-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus"))
    take_id, done = upload(client, application, answer, prompt="q1", step="video_interview",
                           mime="video/webm;codecs=vp8,opus")
    assert done.status_code == 202
    page = text_of(client.get(url).get_data(as_text=True))
    assert "Saved: 3 seconds" in page and "2 tries left" in page
    played = client.get(f"/me/recordings/takes/{take_id}/media")
    assert played.status_code == 200 and played.mimetype == "video/webm"
    client.post("/logout")
    login(client, make_user())
    assert client.get(url).status_code == 404


# --- retention ------------------------------------------------------------------------------

def test_recordings_of_rejected_candidates_go_after_the_retention_period(
        recording, tone, app, make_user, backend):
    from datetime import timedelta

    from portal.recordings import retention
    from portal.recruiting import services
    from portal.recruiting.models import StageChange

    client, application = recording
    take_id, _ = upload(client, application, tone)
    kept = take(take_id)
    keys = {kept.upload_file.key, kept.media_file.key}
    services.move(application, "rejected", make_user(roles=("manager",)), "Other fit")
    db.session.commit()
    assert retention.purge_closed(90) == 0  # decided today: kept for now
    decision = db.session.scalar(select(StageChange).where(StageChange.to_stage == "rejected"))
    decision.created_at -= timedelta(days=91)
    db.session.commit()
    assert retention.purge_closed(90) == 1
    db.session.commit()
    assert db.session.get(Take, take_id) is None and not keys & set(stored_keys(backend))


def test_an_application_deleted_by_its_retention_period_takes_its_recordings_along(
        recording, tone, backend):
    from datetime import timedelta

    from portal.recruiting import privacy

    client, application = recording
    take_id, _ = upload(client, application, tone)
    done = take(take_id)
    keys = {done.upload_file.key, done.media_file.key}
    application.created_at -= timedelta(days=400)
    db.session.commit()
    assert privacy.purge_expired(365) == 1
    db.session.commit()
    assert not keys & set(stored_keys(backend))


def test_a_part_of_the_largest_size_is_taken_from_a_server_that_ends_the_body_itself(
        recording, app):
    """gunicorn sets wsgi.input_terminated: the stream is then limited by the size cap, not
    the body's length, and reading once more at the cap would refuse the part."""
    client, application = recording
    take_id = start(client, application).get_json()["id"]
    largest = b"\x01" * (app.config["RECORDING_PART_MB"] * 1024 * 1024)
    answer = client.put(f"/me/recordings/takes/{take_id}/parts/0", data=largest,
                        environ_overrides={"wsgi.input_terminated": True},
                        headers={"Content-Type": "application/octet-stream",
                                 "X-Part-SHA256": hashlib.sha256(largest).hexdigest()})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:200]
    assert take(take_id).size == len(largest)
    assert put(client, take_id, 1, largest + b"x").status_code == 413


def app_cli(app, args):
    return app.test_cli_runner().invoke(args=args)


def test_a_take_kept_while_the_server_cannot_process_it_is_processed_once_mended(
        recording, tone, monkeypatch):
    """ffmpeg missing is the server's fault: the take is kept (not failed), its answer says
    processing is delayed, and `flask jobs retry-failed` processes it once ffmpeg is back."""
    from portal.recordings import ffmpeg

    client, application = recording
    real_run = subprocess.run

    def no_ffmpeg(args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", args[0])

    monkeypatch.setattr(ffmpeg.subprocess, "run", no_ffmpeg)
    take_id, answer = upload(client, application, tone)
    assert answer.status_code == 202
    kept = client.get(f"/me/recordings/takes/{take_id}").get_json()
    assert (kept["status"], kept["delayed"], kept["failure"]) == ("uploaded", True, None)

    monkeypatch.setattr(ffmpeg.subprocess, "run", real_run)
    result = app_cli(client.application, ["jobs", "retry-failed", "--queue", "media"])
    assert "Queued again: 1 failed job(s)." in result.output
    done = client.get(f"/me/recordings/takes/{take_id}").get_json()
    assert (done["status"], done["delayed"]) == ("ready", False)
    assert app_cli(client.application, ["jobs", "retry-failed", "--queue", "nope"]).exit_code
