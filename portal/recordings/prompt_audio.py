"""Spoken prompts: the customer's lines of a sample call, or an interview question read aloud,
as a trainer or manager recorded them. An uploaded file is checked with ffprobe (a sound, not a
video, at most MAX_SECONDS) and converted to MP3 (mono, 64 kb/s: every browser plays it, and
nothing of the original file's metadata is kept) before it is stored; a script's prompt keeps
the stored file's id."""

import tempfile
from pathlib import Path

from portal import storage
from portal.recordings.ffmpeg import MediaError, probe, run_tool
from portal.storage import StoredFile

MAX_BYTES = 20 * 1024 * 1024
MAX_SECONDS = 120


class PromptAudioRefused(ValueError):
    pass


def store(stream, filename: str, owner) -> StoredFile:
    """The uploaded sound as a stored MP3, or PromptAudioRefused saying what is wrong."""
    with tempfile.TemporaryDirectory(prefix="prompt-audio-") as folder:
        source, target = Path(folder) / "upload", Path(folder) / "prompt.mp3"
        with source.open("wb") as out:
            copied = 0
            while chunk := stream.read(storage.CHUNK):
                copied += len(chunk)
                if copied > MAX_BYTES:
                    raise PromptAudioRefused(f"Keep the sound file under "
                                             f"{MAX_BYTES // (1024 * 1024)} MB.")
                out.write(chunk)
        if copied == 0:
            raise PromptAudioRefused("The sound file is empty.")
        _check(source)
        done = run_tool(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(source),
                               "-map", "0:a:0", "-vn", "-map_metadata", "-1", "-ac", "1",
                               "-b:a", "64k", "-f", "mp3", str(target)])
        if done.returncode != 0 or not target.exists():
            raise PromptAudioRefused("The sound file could not be converted; export it as "
                                     "MP3 or WAV and upload that.")
        with target.open("rb") as converted:
            return storage.store(converted, prefix="recordings/prompts",
                                 content_type="audio/mpeg", original_name=filename or "prompt",
                                 owner=owner)


def _check(source: Path) -> None:
    try:
        info = probe(source)
    except MediaError:
        raise PromptAudioRefused("This is not a sound file the portal can read; upload MP3, "
                                 "WAV, M4A, Ogg or WebM.") from None
    streams = info.get("streams") or []
    # A cover picture inside an MP3 is a "video" stream marked attached_pic: not a video.
    moving = [s for s in streams if s.get("codec_type") == "video"
              and not (s.get("disposition") or {}).get("attached_pic")]
    if moving:
        raise PromptAudioRefused("This is a video; upload the sound only.")
    if not any(s.get("codec_type") == "audio" for s in streams):
        raise PromptAudioRefused("This file has no sound in it.")
    try:
        seconds = float((info.get("format") or {}).get("duration", 0))
    except ValueError:
        seconds = 0
    if seconds > MAX_SECONDS:
        raise PromptAudioRefused(f"Keep a spoken prompt under {MAX_SECONDS} seconds.")


def discard(files: list[StoredFile]) -> None:
    """Files stored for a script that was then refused: nothing of it may remain."""
    for stored in files:
        storage.remove(stored)
