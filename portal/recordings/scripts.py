"""What an opening's recording step asks candidates to record: scripts stored as versions, like
assessment banks and rubrics. Managers write interview templates (questions with think time,
answer limit and tries; audio or video) and sample-call scenarios (the customer's turns); a
changed script is a new version of its key. An opening's step uses the newest version of the
key its managers chose (setups.py), or the step's shipped default; a candidate's takes keep the
version their first take answered, so a script edited mid-interview changes nothing for them.
"""

from dataclasses import dataclass, field, replace

from sqlalchemy import func, select

from portal import audit
from portal.extensions import db
from portal.recordings import prompt_audio, versioned
from portal.recordings.content import DEFAULTS, SHIPPED, STEP_KEYS, Prompt, Script
from portal.recordings.models import RecordingScript, Take
from portal.storage import StoredFile

MAX_PROMPTS = 12
MAX_TITLE, MAX_INTRODUCTION, MAX_PROMPT_TEXT = 200, 4000, 1000
THINK_SECONDS, ANSWER_SECONDS, RETAKES = (0, 300), (10, 600), (0, 5)
KINDS = {"sample_call": ("audio",), "video_interview": ("video", "audio")}
PROMPT_PREFIX = {"sample_call": "t", "video_interview": "q"}
TEXT_FIELDS = ("text",)  # a form row with none of these is a blank one


class ScriptRefused(ValueError):
    """What is wrong with a script as sent, by field name ("title", "prompt-2-text", ...)."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def as_script(row: RecordingScript) -> Script:
    return Script(row.step_key, row.title, row.kind, row.introduction,
                  tuple(Prompt(**prompt) for prompt in row.prompts), key=row.key,
                  version=row.version)


def _version(key: str, version: int | None = None) -> RecordingScript | None:
    """A version of `key` (the newest when None); a shipped script's version 1 is stored the
    first time it is asked for."""
    query = select(RecordingScript).where(RecordingScript.key == key)
    query = query.where(RecordingScript.version == version) if version else \
        query.order_by(RecordingScript.version.desc()).limit(1)
    row = db.session.scalar(query)
    if row is None and key in SHIPPED and version in (None, 1):
        shipped = SHIPPED[key]
        row = RecordingScript(key=key, version=1, step_key=shipped.step_key,
                              title=shipped.title, kind=shipped.kind,
                              introduction=shipped.introduction,
                              prompts=[_prompt_fields(p) for p in shipped.prompts])
        db.session.add(row)
        db.session.flush()
    return row


def current(key: str) -> RecordingScript | None:
    return _version(key)


def current_for_step(step_key: str) -> list[RecordingScript]:
    """The newest version of every script of the step, the shipped default first."""
    _version(DEFAULTS[step_key].key)
    newest = select(RecordingScript.key, func.max(RecordingScript.version).label("version")) \
        .where(RecordingScript.step_key == step_key).group_by(RecordingScript.key).subquery()
    rows = db.session.scalars(select(RecordingScript).join(newest, (
        RecordingScript.key == newest.c.key) & (RecordingScript.version == newest.c.version))
        .order_by(RecordingScript.title, RecordingScript.key))
    return sorted(rows, key=lambda row: row.key != DEFAULTS[step_key].key)


def for_application(application, step_key: str, chosen_key: str) -> RecordingScript:
    """The script an application records for a step: the version its first take answered
    (the shipped one for takes made before versions), else the newest of `chosen_key`."""
    first = db.session.execute(select(Take.id, Take.script_id).where(
        Take.application_id == application.id, Take.step_key == step_key)
        .order_by(Take.id).limit(1)).first()
    if first is None:
        return _version(chosen_key) or _version(DEFAULTS[step_key].key)
    if first.script_id is None:
        return _version(DEFAULTS[step_key].key, 1)
    return db.session.get(RecordingScript, first.script_id)


def spoken_file(row: RecordingScript, prompt_key: str) -> StoredFile | None:
    """The stored sound of a prompt of this script version, if it has one."""
    prompt = next((p for p in row.prompts if p["key"] == prompt_key), None)
    file_id = prompt.get("audio_file_id") if prompt else None
    return db.session.get(StoredFile, file_id) if file_id else None


def spoken_files_of(key: str) -> set[int]:
    """Every stored sound any version of script `key` used (for previews while editing)."""
    return {p["audio_file_id"] for row in db.session.scalars(
        select(RecordingScript).where(RecordingScript.key == key))
        for p in row.prompts if p.get("audio_file_id")}


def of_take(take: Take) -> Script:
    row = take.script or _version(DEFAULTS[take.step_key].key, 1)
    return as_script(row)


# --- writing a new version --------------------------------------------------------------------

@dataclass
class Draft:
    """A script as a manager's form sends it: every value a string, prompts in order."""
    title: str
    kind: str
    introduction: str
    # text, think_seconds, max_seconds, retakes; audio (the id of the spoken prompt a row had
    # in the version edited) and remove_audio: strings
    prompts: list[dict]
    # form row number -> (stream, file name) of a newly uploaded spoken prompt
    spoken: dict[int, tuple] = field(default_factory=dict)


def save(step_key: str, key: str | None, draft: Draft, author) -> RecordingScript:
    """A new version of `key` (a new script when None), or ScriptRefused with every problem
    (then nothing is kept, no sound file either)."""
    if step_key not in STEP_KEYS:
        raise ScriptRefused({"step": "Scripts are for the sample call or the interview."})
    problems: dict[str, str] = {}
    title = draft.title.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        problems["title"] = f"Give the script a title of up to {MAX_TITLE} characters."
    if draft.kind not in KINDS[step_key]:
        problems["kind"] = "Choose " + " or ".join(KINDS[step_key]) + "."
    introduction = draft.introduction.strip()
    if not introduction or len(introduction) > MAX_INTRODUCTION:
        problems["introduction"] = (f"Tell candidates what to do, in up to {MAX_INTRODUCTION} "
                                    "characters.")
    rows = versioned.filled(draft.prompts, TEXT_FIELDS)
    prompts = [_checked_prompt(step_key, position, number, fields, problems)
               for position, (number, fields) in enumerate(rows, start=1)]
    if not prompts:
        problems["prompt-1-text"] = "Write at least one question or customer turn."
    elif len(prompts) > MAX_PROMPTS:
        problems["prompts"] = f"A script has at most {MAX_PROMPTS} questions or turns."
    previous = _version(key) if key else None
    if key is not None and (previous is None or previous.step_key != step_key):
        raise ScriptRefused({"key": "There is no such script for this step."})
    if problems:
        raise ScriptRefused(problems)
    spoken = _spoken_prompts(rows, draft.spoken, previous, author)
    prompts = [replace(prompt, audio_file_id=spoken.get(number))
               for prompt, (number, _) in zip(prompts, rows, strict=True)]
    key = key or versioned.new_key(title, RecordingScript, SHIPPED)
    number = versioned.next_version(RecordingScript, key)
    row = RecordingScript(key=key, version=number, step_key=step_key, title=title,
                          kind=draft.kind, introduction=introduction,
                          prompts=[_prompt_fields(p) for p in prompts], created_by_id=author.id)
    db.session.add(row)
    db.session.flush()
    audit.record("recording.script_saved", row, author, key=key, version=number)
    return row


def _spoken_prompts(rows: list[tuple[int, dict]], uploads: dict[int, tuple], previous,
                    author) -> dict[int, int]:
    """Form row number -> the stored file of its spoken prompt: a new upload, else the one the
    row had in the version edited (unless removed; only that version's own files are taken,
    never another file's id sent by the form). ScriptRefused, with every sound file stored
    here removed again, when an upload is not a usable sound."""
    had = {p.get("audio_file_id") for p in previous.prompts} - {None} if previous else set()
    found, stored, problems = {}, [], {}
    for number, fields in rows:
        if number in uploads:
            stream, filename = uploads[number]
            try:
                audio = prompt_audio.store(stream, filename, author)
            except prompt_audio.PromptAudioRefused as refused:
                problems[f"prompt-{number}-audio"] = str(refused)
                continue
            stored.append(audio)
            found[number] = audio.id
        elif str(fields.get("audio", "")).isdigit() and not fields.get("remove_audio") \
                and int(fields["audio"]) in had:
            found[number] = int(fields["audio"])
    if problems:
        prompt_audio.discard(stored)
        raise ScriptRefused(problems)
    return found


def _checked_prompt(step_key: str, position: int, number: int, fields: dict,
                    problems: dict) -> Prompt:
    """The prompt at `position` of the script, from the form's row `number`."""
    name = f"prompt-{number}"
    text = str(fields.get("text", "")).strip()
    if not 1 <= len(text) <= MAX_PROMPT_TEXT:
        problems[f"{name}-text"] = f"Write the text, up to {MAX_PROMPT_TEXT} characters."
    numbers = {}
    for attribute, (low, high), label in (("think_seconds", THINK_SECONDS, "Think time"),
                                      ("max_seconds", ANSWER_SECONDS, "The answer limit"),
                                      ("retakes", RETAKES, "Retakes")):
        raw = str(fields.get(attribute, "")).strip()
        if not raw.isdigit() or not low <= int(raw) <= high:
            problems[f"{name}-{attribute}"] = f"{label}: a whole number from {low} to {high}."
            numbers[attribute] = low
        else:
            numbers[attribute] = int(raw)
    return Prompt(f"{PROMPT_PREFIX[step_key]}{position}", text, **numbers)


def _prompt_fields(prompt: Prompt) -> dict:
    return {"key": prompt.key, "text": prompt.text, "think_seconds": prompt.think_seconds,
            "max_seconds": prompt.max_seconds, "retakes": prompt.retakes,
            "audio_file_id": prompt.audio_file_id}
