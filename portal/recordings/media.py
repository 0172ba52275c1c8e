"""Processing a whole take (a `media` job): ffmpeg makes it playable with a duration and
measures it. Chrome's MediaRecorder writes WebM without a duration or cues, so players cannot
show the length or seek until it is remuxed (`-c copy`: the audio is not re-encoded); MP4 gets
`+faststart` so it plays before it has all arrived. Measured: loudness (EBU R128 integrated),
silence (below -40 dBFS for half a second or more: its share and the longest stretch), and
waveform peaks for the player. A file ffmpeg cannot read, an empty one, a video sent as audio or
one longer than its prompt allows is marked failed with the reason, and the candidate records
again (a failed take does not count against their retakes)."""

import re
import shutil
import subprocess
import tempfile
from array import array
from contextlib import closing
from pathlib import Path

from sqlalchemy import select

from portal import jobs, storage
from portal.extensions import db, utcnow
from portal.recordings import scripts
from portal.recordings.ffmpeg import FFMPEG_SECONDS, MediaError, probe, run_tool
from portal.recordings.models import FAILED, READY, UPLOADED, Take, TakePart
from portal.recruiting import services as recruiting
from portal.recruiting import steps

PEAKS = 400               # waveform slices
PEAK_RATE = 8000          # samples a second read for the peaks (mono)
SILENCE = "silencedetect=noise=-40dB:d=0.5"
SLACK_SECONDS = 5         # a recorder stops a moment after the countdown
# container -> (ffmpeg muxer, extra options, extension)
OUTPUTS = {"webm": ("webm", [], "webm"), "x-matroska": ("webm", [], "webm"),
           "mp4": ("mp4", ["-movflags", "+faststart"], "mp4"), "ogg": ("ogg", [], "ogg")}


def _remux(source: Path, mime_type: str, folder: Path) -> tuple[Path, str]:
    """A copy with a duration and an index, the streams untouched; and its MIME type."""
    kind, container = mime_type.split(";", 1)[0].split("/", 1)
    muxer, options, extension = OUTPUTS[container]
    target = folder / f"playable.{extension}"
    done = run_tool(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(source), "-map", "0",
                 "-c", "copy", *options, "-f", muxer, str(target)])
    if done.returncode != 0:
        raise MediaError("The recording is damaged and cannot be played.")
    return target, f"{kind}/{'webm' if muxer == 'webm' else muxer}"


def _measure(path: Path, duration: float) -> dict:
    """Loudness and silence in one pass over the audio. (framelog=verbose keeps the per-frame
    lines below the log level; framelog=quiet also blanks the summary in ffmpeg 5.1.)"""
    done = run_tool(["ffmpeg", "-v", "info", "-nostats", "-nostdin", "-i", str(path), "-vn", "-af",
                 f"ebur128=framelog=verbose,{SILENCE}", "-f", "null", "-"])
    log = done.stderr.decode(errors="replace")
    loudness = re.findall(r"I:\s+(-?[\d.]+|-inf) LUFS", log)
    starts = [float(s) for s in re.findall(r"silence_start: (-?[\d.]+)", log)]
    ends = [float(e) for e in re.findall(r"silence_end: (-?[\d.]+)", log)]
    ends += [duration] * (len(starts) - len(ends))  # silent to the end
    stretches = [max(0.0, end - start) for start, end in zip(starts, ends, strict=True)]
    value = loudness[-1] if loudness else None
    return {"loudness_lufs": None if value in (None, "-inf") else float(value),
            "silence_ratio": round(min(1.0, sum(stretches) / duration), 3) if duration else None,
            "longest_silence_ms": round(max(stretches, default=0.0) * 1000)}


def _peaks(path: Path, duration: float) -> list[float]:
    """The loudest sample of each of PEAKS slices, 0..1, read as a stream (bounded memory)."""
    per_slice = max(1, int(duration * PEAK_RATE / PEAKS))
    process = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-vn", "-ac", "1", "-ar",
         str(PEAK_RATE), "-f", "s16le", "-"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peaks, pending = [], b""
    try:
        while chunk := process.stdout.read(per_slice * 2):
            pending += chunk
            while len(pending) >= per_slice * 2:
                samples = array("h", pending[:per_slice * 2])
                pending = pending[per_slice * 2:]
                peaks.append(max(max(samples), -min(samples)) / 32768)
        process.wait(timeout=FFMPEG_SECONDS)
    finally:
        process.kill()
    return [round(peak, 3) for peak in peaks[:PEAKS * 2]]


def _check_streams(info: dict, take: Take) -> None:
    """MediaError unless the file has sound, and no picture where sound alone was recorded."""
    streams = info.get("streams") or []
    if not any(s.get("codec_type") == "audio" for s in streams):
        raise MediaError("The recording has no sound.")
    if take.kind == "audio" and any(s.get("codec_type") == "video" for s in streams):
        raise MediaError("A video was sent where a sound recording was expected.")


def _duration(info: dict, take: Take) -> float:
    """The playable file's length in seconds (a recorder's own file may not say it), or
    MediaError when it is empty or longer than its prompt allows."""
    try:
        duration = float((info.get("format") or {}).get("duration", 0))
    except ValueError:
        duration = 0.0
    if duration <= 0:
        raise MediaError("The recording is empty.")
    prompt = scripts.of_take(take).prompt(take.prompt)
    if prompt is not None and duration > prompt.max_seconds + SLACK_SECONDS:
        raise MediaError(f"The recording is longer than the {prompt.max_seconds} seconds "
                         "allowed.")
    return duration


def job_key(take_id: int) -> str:
    """The processing job's idempotency key: one job per take."""
    return f"recording-take-{take_id}"


def processing_delayed(take: Take) -> bool:
    """The take is whole and kept, but its processing failed for a reason of the server's (a
    bad recording is marked failed instead): it runs again with `flask jobs retry-failed`."""
    return take.status == UPLOADED and jobs.has_failed(job_key(take.id))


def process_take(take_id: int) -> None:
    """The job. Run again for a take already processed, it does nothing."""
    take = db.session.get(Take, take_id)
    if take is None or take.status != UPLOADED:
        return
    _drop_parts(take)
    try:
        with tempfile.TemporaryDirectory(prefix="take-") as folder:
            folder = Path(folder)
            source = _local_file(take.upload_file.key, folder)
            _check_streams(probe(source), take)
            playable, content_type = _remux(source, take.mime_type, folder)
            duration = _duration(probe(playable), take)
            measures = _measure(playable, duration)
            peaks = _peaks(playable, duration)
            with open(playable, "rb") as data:
                take.media_file = storage.store(
                    data, prefix="recordings/media", content_type=content_type,
                    original_name=take.upload_file.original_name,
                    owner=take.application.candidate)
    except MediaError as error:
        take.status, take.failure, take.processed_at = FAILED, str(error), utcnow()
        _report(take)
        db.session.commit()
        return
    take.duration_ms = round(duration * 1000)
    take.loudness_lufs = measures["loudness_lufs"]
    take.silence_ratio = measures["silence_ratio"]
    take.longest_silence_ms = measures["longest_silence_ms"]
    take.peaks, take.status, take.processed_at = peaks, READY, utcnow()
    _report(take)
    db.session.commit()


def _local_file(key: str, folder: Path) -> Path:
    """The stored file where ffmpeg can read it: itself on a local folder, else a copy."""
    backend = storage.get_storage()
    path = backend.local_path(key)
    if path is not None:
        return path
    path = folder / "upload"
    with closing(backend.open(key)) as stored, open(path, "wb") as local:
        shutil.copyfileobj(stored, local, storage.CHUNK)
    return path


def _drop_parts(take: Take) -> None:
    """The parts of a whole take: its file holds them now."""
    backend = storage.get_storage()
    for part in db.session.scalars(select(TakePart).where(TakePart.take_id == take.id)):
        if part.key:
            backend.delete(part.key)
        db.session.delete(part)
    db.session.commit()


def _report(take: Take) -> None:
    """The step is completed when every prompt of its script has a take ready."""
    script = scripts.of_take(take)
    ready = set(db.session.scalars(select(Take.prompt).where(
        Take.application_id == take.application_id, Take.step_key == take.step_key,
        Take.status == READY)))
    done = sum(prompt.key in ready for prompt in script.prompts)
    if done == len(script.prompts):
        recruiting.record_step(take.application, take.step_key, steps.COMPLETED,
                               f"{done} recording{'s' if done != 1 else ''} ready for review")
    elif take.status == FAILED:
        recruiting.record_step(take.application, take.step_key, steps.IN_PROGRESS,
                               "A recording could not be used; please record it again")
    else:
        recruiting.record_step(take.application, take.step_key, steps.IN_PROGRESS,
                               f"{done} of {len(script.prompts)} recorded")
