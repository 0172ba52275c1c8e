"""What a SCO's data means for the LMS (pure; no database): completion, success and score from
the values a SCO stored, by the rules the standards set and that LMSes often get wrong, and the
two ways SCORM writes a length of time.

SCORM 1.2: `cmi.core.lesson_status` carries both: passed and failed are completed too; with a
mastery score (the manifest's `adlcp:masteryscore`) and a raw score, the LMS decides passed or
failed from the score, whatever the SCO said (in credit mode). SCORM 2004: with a completion
threshold and a progress measure, completion follows them; with a scaled passing score and a
scaled score, success follows them; otherwise what the SCO said.
"""

import math
import re
from dataclasses import dataclass

NOT_ATTEMPTED, INCOMPLETE, COMPLETED, UNKNOWN = ("not attempted", "incomplete", "completed",
                                                 "unknown")
PASSED, FAILED = "passed", "failed"

_TIMESPAN = re.compile(r"^(\d{2,4}):(\d{2}):(\d{2})(\.\d{1,2})?$")
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?"
                       r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


@dataclass(frozen=True)
class Outcome:
    completion: str
    success: str
    score: float | None  # 0..1


def _number(text) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def outcome(version: str, values: dict, mastery_score: float | None = None,
            credit: bool = True) -> Outcome:
    return _outcome_12(values, mastery_score, credit) if version == "1.2" \
        else _outcome_2004(values)


def _outcome_12(values: dict, mastery_score, credit: bool) -> Outcome:
    status = values.get("cmi.core.lesson_status") or NOT_ATTEMPTED
    raw = _number(values.get("cmi.core.score.raw"))
    score = score_of(values, "cmi.core.score.")
    if credit and mastery_score is not None and raw is not None:
        status = PASSED if raw >= mastery_score else FAILED
    completion = {PASSED: COMPLETED, FAILED: COMPLETED, COMPLETED: COMPLETED,
                  INCOMPLETE: INCOMPLETE, "browsed": INCOMPLETE}.get(status, NOT_ATTEMPTED)
    success = status if status in (PASSED, FAILED) else UNKNOWN
    return Outcome(completion, success, score)


def _outcome_2004(values: dict) -> Outcome:
    completion = values.get("cmi.completion_status") or UNKNOWN
    threshold = _number(values.get("cmi.completion_threshold"))
    progress = _number(values.get("cmi.progress_measure"))
    if threshold is not None and progress is not None:
        completion = COMPLETED if progress >= threshold else INCOMPLETE
    success = values.get("cmi.success_status") or UNKNOWN
    passing = _number(values.get("cmi.scaled_passing_score"))
    scaled = _number(values.get("cmi.score.scaled"))
    if passing is not None and scaled is not None:
        success = PASSED if scaled >= passing else FAILED
    return Outcome(completion, success, score_of(values, "cmi.score."))


def score_of(values: dict, prefix: str) -> float | None:
    """A score under `prefix` ("cmi.score.", "cmi.objectives.0.score.") as 0..1: the scaled
    one (2004), else raw within min and max, else raw as a percentage (1.2's usual reading)."""
    scaled = _number(values.get(prefix + "scaled"))
    raw, low, high = (_number(values.get(prefix + k)) for k in ("raw", "min", "max"))
    if scaled is not None:
        score = scaled
    elif raw is not None and low is not None and high is not None and high > low:
        score = (raw - low) / (high - low)
    elif raw is not None:
        score = raw / 100
    else:
        return None
    return max(0.0, min(1.0, score))


# --- time ---------------------------------------------------------------------------------------

def seconds_of(version: str, text) -> float:
    """A session time as seconds (0 for anything that is not one: the data model already
    refused malformed values, this only reads)."""
    if not isinstance(text, str):
        return 0.0
    if version == "1.2":
        found = _TIMESPAN.match(text)
        if not found:
            return 0.0
        hours, minutes, seconds, fraction = found.groups()
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + float(fraction or 0)
    found = _DURATION.match(text)
    if not found or text in ("P", "PT") or text.endswith("T"):
        return 0.0
    years, months, days, hours, minutes, seconds = (float(g) if g else 0.0
                                                    for g in found.groups())
    # A year and a month as ISO 8601's nominal 365 and 30 days: no session lasts that long.
    return ((years * 365 + months * 30 + days) * 86400 + hours * 3600 + minutes * 60
            + seconds)


def timespan(version: str, seconds: float) -> str:
    """Seconds as the version writes a total time: 1.2 HHHH:MM:SS.SS, 2004 PT#H#M#S."""
    hundredths = round(max(0.0, seconds) * 100)
    whole, fraction = divmod(hundredths, 100)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if version == "1.2":
        return f"{min(hours, 9999):04d}:{minutes:02d}:{secs:02d}.{fraction:02d}"
    return f"PT{hours}H{minutes}M{secs}.{fraction:02d}S"
