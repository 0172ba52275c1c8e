"""Demo recordings: a few candidates past the first stage have recorded every turn of the sample
call (with a manager's comments and review) or answered the one-way interview on video, so a
newcomer sees the review page working. The "voice" is
ffmpeg's own synthesis (a gliding tone in syllable-like bursts with pauses): nobody's voice,
and no file in the repository. Without ffmpeg the demo simply has no recordings (it says
so)."""

import io
import random
import shutil
import subprocess

from sqlalchemy import select

from portal import storage
from portal.extensions import db, utcnow
from portal.recordings import media, review, reviews, rubrics, scripts, setups
from portal.recordings.content import INTERVIEW, SAMPLE_CALL
from portal.recordings.models import UPLOADED, Take
from portal.recruiting import stages
from portal.recruiting.models import Application

CANDIDATES = 5
INTERVIEWS = 3
COMMENTS = ("Warm greeting, says her name.", "Owns the delay without blaming the courier.",
            "A long pause here while checking the order.", "Clear plan and a friendly close.")


def _voice_expression(pitch: int) -> str:
    """Speech-like audio: bursts of a gliding tone at a syllable rate, with breaths."""
    return (f"0.4*sin(2*PI*({pitch}+30*sin(2*PI*4*t))*t)"
            f"*gt(sin(2*PI*3.1*t)+0.2*sin(2*PI*0.4*t),-0.3)*gt(sin(2*PI*0.25*t),-0.7)")


def _ffmpeg(*arguments: str) -> bytes:
    return subprocess.run(["ffmpeg", "-v", "error", *arguments, "-f", "webm", "-"],
                          capture_output=True, timeout=120, check=True).stdout


def _voice(seconds: float, pitch: int) -> bytes:
    return _ffmpeg("-f", "lavfi", "-i",
                   f"aevalsrc='{_voice_expression(pitch)}':s=48000:d={seconds:.1f}",
                   "-c:a", "libopus")


def _video_answer(seconds: float, pitch: int) -> bytes:
    """A small WebM (VP8 and Opus) as a browser records it: ffmpeg's test picture, the voice."""
    return _ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=640x360:r=15:d={seconds:.1f}",
                   "-f", "lavfi", "-i",
                   f"aevalsrc='{_voice_expression(pitch)}':s=48000:d={seconds:.1f}",
                   "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "400k",
                   "-c:a", "libopus", "-shortest")


def _recorded(application: Application, step_key: str, prompt_key: str, mime_type: str,
              data: bytes) -> Take:
    """A take as the upload would leave it, processed as the media job would."""
    upload = storage.store(io.BytesIO(data), prefix="recordings/takes", content_type=mime_type,
                           original_name=f"{step_key}-{prompt_key}-1.webm",
                           owner=application.candidate)
    script = setups.script_for(application, step_key)
    take = Take(application_id=application.id, step_key=step_key, script_id=script.id,
                prompt=prompt_key,
                kind=mime_type.split("/", 1)[0], mime_type=mime_type, status=UPLOADED, parts=1,
                size=len(data), sha256=upload.checksum_sha256, upload_file=upload,
                uploaded_at=utcnow())
    db.session.add(take)
    db.session.flush()
    media.process_take(take.id)
    return take


def _recording_applications(step_key: str, limit: int) -> list[Application]:
    return [a for a in db.session.scalars(select(Application).order_by(Application.id))
            if step_key in a.opening.steps
            and a.stage not in (stages.APPLIED, stages.WITHDRAWN)][:limit]


def _review(rng: random.Random, application: Application, step_key: str, reviewer) -> None:
    skill = rng.choice((2, 3, 4, 5))
    scores = {c.key: max(1, min(5, skill + rng.choice((-1, 0, 0, 1))))
              for c in rubrics.criteria_of(setups.rubric_for(application.opening, step_key))}
    reviews.save(application, step_key, reviewer, scores,
                 "advance" if skill >= 4 else "hold" if skill == 3 else "reject", "",
                 submit=True)


def speak_customer_lines(rng: random.Random, manager) -> str:
    """The shipped sample call's next version, each customer turn spoken (the same synthetic
    voice, higher): the demo's recorded calls then play as conversations."""
    if shutil.which("ffmpeg") is None:
        return "no spoken customer lines: ffmpeg is not installed"
    row = scripts.current(SAMPLE_CALL.key)
    fields = ("think_seconds", "max_seconds", "retakes")
    scripts.save("sample_call", row.key, scripts.Draft(
        row.title, row.kind, row.introduction,
        [{"text": p["text"], **{f: str(p[f]) for f in fields}} for p in row.prompts],
        {n: (io.BytesIO(_voice(rng.uniform(2.5, 4), 260)), f"customer-{n}.webm")
         for n in range(1, len(row.prompts) + 1)}), manager)
    db.session.commit()
    return "the sample call's customer speaks"


def record_sample_calls(rng: random.Random, reviewer) -> str:
    """Recordings for up to CANDIDATES applications; what was done, in words."""
    if shutil.which("ffmpeg") is None:
        return "no demo recordings: ffmpeg is not installed"
    applications = _recording_applications("sample_call", CANDIDATES)
    voices = [_voice(rng.uniform(5, 9), rng.choice((170, 200, 230))) for _ in range(3)]
    for application in applications:
        for prompt in SAMPLE_CALL.prompts:
            take = _recorded(application, "sample_call", prompt.key, "audio/webm;codecs=opus",
                             rng.choice(voices))
            if take.duration_ms and rng.random() < 0.5:
                review.add_comment(take, rng.randint(0, take.duration_ms), rng.choice(COMMENTS),
                                   reviewer)
        _review(rng, application, "sample_call", reviewer)
    db.session.commit()
    return f"{len(applications)} demo sample calls recorded"


def record_interviews(rng: random.Random, reviewer) -> str:
    """One-way interviews for up to INTERVIEWS applications, the first one left unreviewed;
    what was done, in words."""
    if shutil.which("ffmpeg") is None:
        return "no demo interviews: ffmpeg is not installed"
    applications = _recording_applications("video_interview", INTERVIEWS)
    answers = [_video_answer(rng.uniform(5, 8), rng.choice((170, 220))) for _ in range(2)]
    for number, application in enumerate(applications):
        for prompt in INTERVIEW.prompts:
            _recorded(application, "video_interview", prompt.key, "video/webm;codecs=vp8,opus",
                      rng.choice(answers))
        if number:
            _review(rng, application, "video_interview", reviewer)
    db.session.commit()
    return f"{len(applications)} demo one-way interviews recorded"


def write_interview_template(manager) -> str:
    """A manager's own interview template, chosen for the first opening with an interview
    once its first candidates answered the shipped one (they keep it; newcomers get this
    one), reviewed by that manager alone; what was done, in words."""
    applications = _recording_applications("video_interview", 1)
    if not applications:
        return "no opening has a one-way interview"
    opening = applications[0].opening
    prompt = {"think_seconds": "30", "max_seconds": "90", "retakes": "1"}
    script = scripts.save("video_interview", None, scripts.Draft(
        "Bilingual support interview", "video",
        "Answer the first question in English and the second in Spanish, as you would speak "
        "to a customer.",
        [dict(prompt, text="A customer cannot log in to their account. Walk them through what "
                           "you would check, in English."),
         dict(prompt, text="El mismo cliente prefiere hablar en español: explícale los pasos "
                           "en español.")]), manager)
    setups.save(opening, "video_interview", script.key, rubrics.INTERVIEW_RUBRIC, [manager.id],
                manager)
    db.session.commit()
    return f"“{opening.title}” now uses a manager's own interview template"
