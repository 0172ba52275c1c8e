"""Takes arrive in parts while they are recorded, and are whole only when their checksum matches.

- A take is started for one prompt of a recording step, with the recorder's actual MIME type.
- Each part is PUT with its index and SHA-256 as soon as the recorder hands it over. A part is
  stored (local folder or S3) before its row is written, and only if its bytes match its
  checksum; the same part again is harmless, other bytes under a kept index are refused.
- The browser asks which parts the server has (after a reload or a dropped connection) and
  sends the rest; then it completes the take with the number of parts and the whole file's
  SHA-256. The server joins the parts in order, streaming, into one stored file, and keeps it
  only if that checksum matches; then a `media` job deletes the parts and makes it playable
  (media.py).
Limits: part size (the request body limit), part count, take size, takes per prompt.
"""

import hmac
import re

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal import jobs, storage
from portal.extensions import db, utcnow
from portal.recordings import media, scripts, setups
from portal.recordings.models import (
    FAILED,
    READY,
    REPLACED,
    UPLOADED,
    UPLOADING,
    Take,
    TakePart,
)
from portal.recruiting.models import Application

MAX_PARTS = 3600                 # one a second for an hour: longer than any prompt allows
MAX_TAKE_BYTES = {"audio": 100 * 1024 * 1024, "video": 500 * 1024 * 1024}
# What MediaRecorder makes in the browsers we support: type/subtype and optional codecs.
_MIME = re.compile(r"(audio|video)/(webm|mp4|ogg|x-matroska)(;\s*codecs=\"?[\w.,+ -]{1,80}\"?)?",
                   re.ASCII)
_SHA256 = re.compile(r"[0-9a-f]{64}")
EXTENSIONS = {"webm": "webm", "mp4": "mp4", "ogg": "ogg", "x-matroska": "mkv"}


class UploadRefused(Exception):
    """A request the take cannot accept; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        self.status, self.message = status, message
        super().__init__(message)


def start(application: Application, step_key: str, prompt_key: str, mime_type: str) -> Take:
    """A new take of `prompt_key`; a retake when there are takes already, within the prompt's
    allowance (the earlier take is replaced only when the new one is whole)."""
    row = setups.script_for(application, step_key)
    script = scripts.as_script(row)
    prompt = script.prompt(prompt_key)
    if prompt is None:
        raise UploadRefused(404, "There is no such question or turn.")
    if not isinstance(mime_type, str) or not _MIME.fullmatch(mime_type.strip()):
        raise UploadRefused(422, "Record in WebM, MP4 or Ogg, as the browser's recorder makes.")
    kind = mime_type.split("/", 1)[0]
    if kind != script.kind and not (script.kind == "video" and kind == "audio"):
        raise UploadRefused(422, f"This step records {script.kind}, not {kind}.")
    of_prompt = (Take.application_id == application.id, Take.step_key == step_key,
                 Take.prompt == prompt_key)
    if takes_used(application, step_key).get(prompt_key, 0) > prompt.retakes:
        raise UploadRefused(409, f"You have used the {prompt.retakes} retakes this question "
                                 "allows.")
    number = db.session.scalar(select(func.coalesce(func.max(Take.number), 0)).where(*of_prompt))
    take = Take(application_id=application.id, step_key=step_key, script_id=row.id,
                prompt=prompt_key, number=number + 1, kind=kind, mime_type=mime_type.strip())
    db.session.add(take)
    db.session.flush()
    return take


def takes_used(application: Application, step_key: str) -> dict[str, int]:
    """Per prompt, the takes that count against its retakes: a take the server could not use
    (damaged, empty) costs the candidate nothing."""
    return dict(db.session.execute(
        select(Take.prompt, func.count()).where(
            Take.application_id == application.id, Take.step_key == step_key,
            Take.status != FAILED).group_by(Take.prompt)).all())


def received(take: Take) -> list[int]:
    return list(db.session.scalars(select(TakePart.index).where(
        TakePart.take_id == take.id).order_by(TakePart.index)))


def receive_part(take: Take, index: int, stream, sha256: str) -> bool:
    """Keep part `index`; whether it is new (False: the same part came again)."""
    if take.status != UPLOADING:
        raise UploadRefused(409, "This recording is already complete.")
    if not 0 <= index < MAX_PARTS:
        raise UploadRefused(422, f"Parts are numbered from 0 to {MAX_PARTS - 1}.")
    sha256 = (sha256 or "").strip().lower()
    if not _SHA256.fullmatch(sha256):
        raise UploadRefused(422, "Send the part's SHA-256 in the X-Part-SHA256 header.")
    kept = db.session.get(TakePart, (take.id, index))
    if kept is not None:
        return _same_again(kept, sha256)
    backend = storage.get_storage()
    key = storage.make_key("recordings/parts")
    size, digest = backend.put(key, stream, "application/octet-stream")
    if not hmac.compare_digest(digest, sha256):
        backend.delete(key)
        raise UploadRefused(422, f"Part {index} arrived damaged; send it again.")
    if take.size + size > MAX_TAKE_BYTES[take.kind]:
        backend.delete(key)
        raise UploadRefused(413, "This recording is longer than a take may be.")
    try:
        with db.session.begin_nested():
            db.session.add(TakePart(take_id=take.id, index=index, size=size, sha256=digest,
                                    key=key))
    except IntegrityError:  # the same index, sent twice at once: the first one is kept
        backend.delete(key)
        return _same_again(db.session.get(TakePart, (take.id, index)), sha256)
    db.session.execute(update(Take).where(Take.id == take.id).values(
        parts=Take.parts + 1, size=Take.size + size))
    return True


def _same_again(kept: TakePart, sha256: str) -> bool:
    if not hmac.compare_digest(kept.sha256, sha256):
        raise UploadRefused(409, f"Part {kept.index} was already received with other bytes.")
    return False


class _Joined:
    """The parts read one after another, as one stream (never more than a chunk in memory)."""

    def __init__(self, backend, keys: list[str]):
        self._backend, self._keys, self._current = backend, iter(keys), None

    def read(self, amount: int = -1) -> bytes:
        while True:
            if self._current is None:
                key = next(self._keys, None)
                if key is None:
                    return b""
                self._current = self._backend.open(key)
            data = self._current.read(amount if amount and amount > 0 else storage.CHUNK)
            if data:
                return data
            self._current.close()
            self._current = None


def complete(take: Take, parts: int, sha256: str) -> Take:
    """Join the `parts` parts into the take's file if their checksum is `sha256`, and queue its
    processing. The same completion again is harmless."""
    sha256 = (sha256 or "").strip().lower()
    if not _SHA256.fullmatch(sha256) or not isinstance(parts, int) or isinstance(parts, bool):
        raise UploadRefused(422, "Send the number of parts and the whole file's SHA-256.")
    if take.status != UPLOADING:
        if take.sha256 == sha256:
            return take
        raise UploadRefused(409, "This recording is already complete.")
    have = received(take)
    if parts < 1 or take.size == 0:
        raise UploadRefused(422, "The recording is empty: record again.")
    if have != list(range(parts)):
        missing = sorted(set(range(parts)) - set(have))
        raise UploadRefused(409, "Some parts have not arrived yet: "
                                 + (", ".join(map(str, missing[:20])) or "none")
                                 + ("" if set(have) <= set(range(parts)) else
                                    "; and more parts came than the recording has"))
    keys = list(db.session.scalars(select(TakePart.key).where(TakePart.take_id == take.id)
                                   .order_by(TakePart.index)))
    name = f"{take.step_key}-{take.prompt}-{take.number}.{_extension(take.mime_type)}"
    try:
        stored = storage.store(_Joined(storage.get_storage(), keys), prefix="recordings/takes",
                               content_type=take.mime_type, original_name=name,
                               owner=take.application.candidate, expected_sha256=sha256)
    except storage.ChecksumMismatch:
        raise UploadRefused(422, "The parts the server has do not make the recording your "
                                 "browser made; it will send them again.") from None
    take.upload_file, take.sha256 = stored, sha256
    take.status, take.uploaded_at = UPLOADED, utcnow()
    _replace_earlier(take)
    jobs.enqueue(media.process_take, queue="media", take_id=take.id,
                 idempotency_key=media.job_key(take.id))
    return take


def _replace_earlier(take: Take) -> None:
    """A whole retake replaces the earlier takes of its prompt (kept, marked replaced)."""
    db.session.execute(update(Take).where(
        Take.application_id == take.application_id, Take.step_key == take.step_key,
        Take.prompt == take.prompt, Take.id != take.id,
        Take.status.in_((UPLOADING, UPLOADED, READY))).values(status=REPLACED))


def _extension(mime_type: str) -> str:
    return EXTENSIONS[mime_type.split(";", 1)[0].split("/", 1)[1]]
