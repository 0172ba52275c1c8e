"""Takes arrive in parts while they are recorded, and are whole only when their checksum matches.

- A take is started for one prompt of a recording step, with the recorder's actual MIME type.
- Each part is PUT with its index and SHA-256 as soon as the recorder hands it over. A part is
  stored (local folder or S3) before its row is written, and only if its bytes match its
  checksum; the same part again is harmless, other bytes under a kept index are refused.
- On a local folder, a part that comes in its turn is written straight into the take's file
  (a part ahead of its turn waits as an object of its own until the gap fills); on S3 every
  part is an object of its own. Parts are not synced to disk one by one: the browser keeps
  them until the take is whole, and the file is synced once, at completion.
- The browser asks which parts the server has (after a reload or a dropped connection) and
  sends the rest; then it completes the take with the number of parts and the whole file's
  SHA-256. The server keeps the file only if that checksum matches (on S3, after joining the
  parts in order, streaming, into one object); if it does not (parts lost in a crash, say),
  the server drops what it has and the browser sends every part again. Then a `media` job
  deletes the parts and makes the take playable (media.py).
Limits: part size (the request body limit), part count, take size, takes per prompt.
"""

import hashlib
import hmac
import re
from contextlib import closing

from sqlalchemy import delete, func, select, update

from portal import jobs, storage
from portal.extensions import db, utcnow
from portal.recordings import files, media, scripts, setups
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
    """A request the take cannot accept; `status` is the HTTP status that says why.
    `start_over`: the take's parts were dropped (that change is kept), send them all again."""

    def __init__(self, status: int, message: str, *, start_over: bool = False):
        self.status, self.message, self.start_over = status, message, start_over
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
    in_place = storage.get_storage().appends
    take = Take(application_id=application.id, step_key=step_key, script_id=row.id,
                prompt=prompt_key, number=number + 1, kind=kind, mime_type=mime_type.strip(),
                assembly_key=storage.make_key("recordings/takes") if in_place else None)
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
    # One request of a take at a time, its state read under the lock: parts may write into
    # the same file, and none may once a completion has kept it.
    db.session.refresh(take, with_for_update=True)
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
    in_file, file_size = _in_file(take)
    key = None if take.assembly_key and index == in_file else storage.make_key(
        "recordings/parts")
    if key is None:
        size, digest = backend.write_at(take.assembly_key, file_size, stream)
    else:
        size, digest = backend.put(key, stream, "application/octet-stream")
    if not hmac.compare_digest(digest, sha256):
        _unwrite(take, key, file_size)
        raise UploadRefused(422, f"Part {index} arrived damaged; send it again.")
    if take.size + size > MAX_TAKE_BYTES[take.kind]:
        _unwrite(take, key, file_size)
        raise UploadRefused(413, "This recording is longer than a take may be.")
    db.session.add(TakePart(take_id=take.id, index=index, size=size, sha256=digest, key=key))
    db.session.execute(update(Take).where(Take.id == take.id).values(
        parts=Take.parts + 1, size=Take.size + size))
    if key is None:
        _take_in_waiting(take, index + 1, file_size + size)
    return True


def _in_file(take: Take) -> tuple[int, int]:
    """How many parts the take's file holds (parts 0 to n-1), and their bytes."""
    count, size = db.session.execute(
        select(func.count(), func.coalesce(func.sum(TakePart.size), 0))
        .where(TakePart.take_id == take.id, TakePart.key.is_(None))).one()
    return count, size


def _unwrite(take: Take, key: str | None, file_size: int) -> None:
    if key is None:
        _cut_file(take, file_size)
    else:
        storage.get_storage().delete(key)


def _cut_file(take: Take, size: int) -> None:
    """The take's file back to its first `size` bytes; no file rather than an empty one."""
    backend = storage.get_storage()
    if size:
        backend.truncate(take.assembly_key, size)
    else:
        backend.delete(take.assembly_key)


def _take_in_waiting(take: Take, index: int, file_size: int) -> None:
    """Parts that came ahead of their turn, from `index` on, written into the take's file now
    that their turn has come; their own objects are deleted once this is committed."""
    backend, done = storage.get_storage(), []
    while (part := db.session.get(TakePart, (take.id, index))) is not None and part.key:
        with closing(backend.open(part.key)) as waiting:
            size, digest = backend.write_at(take.assembly_key, file_size, waiting)
        if digest != part.sha256 or size != part.size:  # its object changed: leave it be
            _cut_file(take, file_size)
            break
        done.append(part.key)
        part.key, index, file_size = None, index + 1, file_size + size
    if done:
        jobs.enqueue(files.delete_objects, queue="media", keys=done)


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
    """Keep the take's file if its `parts` parts have the checksum `sha256`, and queue its
    processing. The same completion again is harmless."""
    sha256 = (sha256 or "").strip().lower()
    if not _SHA256.fullmatch(sha256) or not isinstance(parts, int) or isinstance(parts, bool):
        raise UploadRefused(422, "Send the number of parts and the whole file's SHA-256.")
    db.session.refresh(take, with_for_update=True)  # as receive_part: one at a time
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
    name = f"{take.step_key}-{take.prompt}-{take.number}.{_extension(take.mime_type)}"
    try:
        stored = (_keep_file(take, sha256, name) if take.assembly_key else
                  storage.store(_Joined(storage.get_storage(), _part_keys(take)),
                                prefix="recordings/takes", content_type=take.mime_type,
                                original_name=name, owner=take.application.candidate,
                                expected_sha256=sha256))
    except storage.ChecksumMismatch:
        _start_over(take)
        raise UploadRefused(409, "The parts the server has do not make the recording your "
                                 "browser made; it sends them again.", start_over=True) from None
    take.upload_file, take.sha256 = stored, sha256
    take.status, take.uploaded_at = UPLOADED, utcnow()
    _replace_earlier(take)
    jobs.enqueue(media.process_take, queue="media", take_id=take.id,
                 idempotency_key=media.job_key(take.id))
    return take


def _part_keys(take: Take) -> list[str]:
    return list(db.session.scalars(select(TakePart.key).where(TakePart.take_id == take.id)
                                   .order_by(TakePart.index)))


def _keep_file(take: Take, sha256: str, name: str) -> storage.StoredFile:
    """The take's file, written in place, as a stored file once its bytes are checked and on
    disk; ChecksumMismatch when they are not the browser's."""
    backend = storage.get_storage()
    _take_in_waiting(take, *_in_file(take))  # none are left, unless a crash came between
    backend.truncate(take.assembly_key, take.size)  # bytes of a write never counted
    digest = hashlib.sha256()
    with closing(backend.open(take.assembly_key)) as data:
        while chunk := data.read(storage.CHUNK):
            digest.update(chunk)
    if not hmac.compare_digest(digest.hexdigest(), sha256):
        raise storage.ChecksumMismatch(f"expected sha256 {sha256}, have {digest.hexdigest()}")
    backend.sync(take.assembly_key)
    return storage.adopt(take.assembly_key, take.size, sha256, content_type=take.mime_type,
                         original_name=name, owner=take.application.candidate)


def _start_over(take: Take) -> None:
    """Drop every part of the take (their objects once this is committed), for the browser
    to send them all again."""
    keys = [key for key in _part_keys(take) if key]
    db.session.execute(delete(TakePart).where(TakePart.take_id == take.id))
    take.parts, take.size = 0, 0
    if take.assembly_key:
        _cut_file(take, 0)
    if keys:
        jobs.enqueue(files.delete_objects, queue="media", keys=keys)


def _replace_earlier(take: Take) -> None:
    """A whole retake replaces the earlier takes of its prompt (kept, marked replaced)."""
    db.session.execute(update(Take).where(
        Take.application_id == take.application_id, Take.step_key == take.step_key,
        Take.prompt == take.prompt, Take.id != take.id,
        Take.status.in_((UPLOADING, UPLOADED, READY))).values(status=REPLACED))


def _extension(mime_type: str) -> str:
    return EXTENSIONS[mime_type.split(";", 1)[0].split("/", 1)[1]]
