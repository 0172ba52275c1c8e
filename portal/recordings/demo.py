"""Demo sample calls: a few candidates past the first stage have recorded every turn, with a
manager's comments and review, so a newcomer sees the review page working. The "voice" is
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
from portal.recordings import media, review, reviews, rubrics
from portal.recordings.content import SAMPLE_CALL
from portal.recordings.models import UPLOADED, Take
from portal.recruiting import stages
from portal.recruiting.models import Application

CANDIDATES = 5
COMMENTS = ("Warm greeting, says her name.", "Owns the delay without blaming the courier.",
            "A long pause here while checking the order.", "Clear plan and a friendly close.")


def _voice(seconds: float, pitch: int) -> bytes:
    """Speech-like audio: bursts of a gliding tone at a syllable rate, with breaths."""
    expression = (f"0.4*sin(2*PI*({pitch}+30*sin(2*PI*4*t))*t)"
                  f"*gt(sin(2*PI*3.1*t)+0.2*sin(2*PI*0.4*t),-0.3)*gt(sin(2*PI*0.25*t),-0.7)")
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
         f"aevalsrc='{expression}':s=48000:d={seconds:.1f}", "-c:a", "libopus", "-f", "webm",
         "-"],
        capture_output=True, timeout=60, check=True)
    return done.stdout


def record_sample_calls(rng: random.Random, reviewer) -> str:
    """Recordings for up to CANDIDATES applications; what was done, in words."""
    if shutil.which("ffmpeg") is None:
        return "no demo recordings: ffmpeg is not installed"
    applications = [a for a in db.session.scalars(select(Application).order_by(Application.id))
                    if "sample_call" in a.opening.steps
                    and a.stage not in (stages.APPLIED, stages.WITHDRAWN)][:CANDIDATES]
    voices = [_voice(rng.uniform(5, 9), rng.choice((170, 200, 230))) for _ in range(3)]
    for application in applications:
        for prompt in SAMPLE_CALL.prompts:
            data = rng.choice(voices)
            upload = storage.store(io.BytesIO(data), prefix="recordings/takes",
                                   content_type="audio/webm;codecs=opus",
                                   original_name=f"sample_call-{prompt.key}-1.webm",
                                   owner=application.candidate)
            take = Take(application_id=application.id, step_key="sample_call",
                        prompt=prompt.key, kind="audio", mime_type="audio/webm;codecs=opus",
                        status=UPLOADED, parts=1, size=len(data), sha256=upload.checksum_sha256,
                        upload_file=upload, uploaded_at=utcnow())
            db.session.add(take)
            db.session.flush()
            media.process_take(take.id)  # as the media job would
            if take.duration_ms and rng.random() < 0.5:
                review.add_comment(take, rng.randint(0, take.duration_ms), rng.choice(COMMENTS),
                                   reviewer)
        skill = rng.choice((2, 3, 4, 5))
        scores = {c.key: max(1, min(5, skill + rng.choice((-1, 0, 0, 1))))
                  for c in rubrics.criteria_of(rubrics.current())}
        reviews.save(application, "sample_call", reviewer, scores,
                     "advance" if skill >= 4 else "hold" if skill == 3 else "reject",
                     "", submit=True)
    db.session.commit()
    return f"{len(applications)} demo sample calls recorded"

