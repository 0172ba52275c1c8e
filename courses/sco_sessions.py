"""A SCO's run-time sessions on the server, which is the authority on what is stored.

Launch seeds the data model before the content can call Initialize: who the learner is, credit
and mode, `entry` (ab-initio the first time, resume after `exit=suspend`, else empty), the
bookmark and suspend data when resuming, the manifest's settings (mastery score, launch data,
time limit, completion threshold, scaled passing score, objectives) and the total time so far.
Each launch is a new session: its sequence numbers start above every number of the sessions
before, so a commit or beacon of an earlier session (a tab left open, a replay) is stale.

A commit carries a sequence number and the SetValue calls since the last one. It is applied
only if its number is newer within the current session; its calls are replayed through the
same data model table the browser used (`scorm.rte.replay`), and a commit with any call the
table refuses changes nothing and says which. At Terminate, the session time is added to the
total time. Completion, success and score follow sco_status; the attempt and registration
roll up in registrations.py.
"""

import functools
from dataclasses import dataclass

from sqlalchemy import delete, select

from courses import prerequisites, sco_status
from courses.models import CourseVersion
from courses.scorm import rte
from courses.tracking_models import Attempt, ScoInteraction, ScoObjective, ScoState
from portal.extensions import db

SESSION_STRIDE = 1_000_000  # sequence numbers a session may use
ELEMENTS = {  # what each version calls the elements the server reads or seeds
    "1.2": {"learner_id": "cmi.core.student_id", "learner_name": "cmi.core.student_name",
            "credit": "cmi.core.credit", "mode": "cmi.core.lesson_mode",
            "entry": "cmi.core.entry", "location": "cmi.core.lesson_location",
            "total_time": "cmi.core.total_time", "session_time": "cmi.core.session_time",
            "exit": "cmi.core.exit", "launch_data": "cmi.launch_data",
            "mastery": "cmi.student_data.mastery_score",
            "max_time": "cmi.student_data.max_time_allowed",
            "time_action": "cmi.student_data.time_limit_action",
            "status": "cmi.core.lesson_status"},
    "2004": {"learner_id": "cmi.learner_id", "learner_name": "cmi.learner_name",
             "credit": "cmi.credit", "mode": "cmi.mode", "entry": "cmi.entry",
             "location": "cmi.location", "total_time": "cmi.total_time",
             "session_time": "cmi.session_time", "exit": "cmi.exit",
             "launch_data": "cmi.launch_data", "max_time": "cmi.max_time_allowed",
             "time_action": "cmi.time_limit_action"},
}
# Carried from a suspended session into the next (with entry=resume); a fresh session keeps
# only completion, success and score, as the next session of the same attempt must.
RESUMED_PREFIXES = ("cmi.core.lesson_location", "cmi.core.lesson_status", "cmi.core.score.",
                    "cmi.suspend_data", "cmi.objectives.", "cmi.interactions.", "cmi.location",
                    "cmi.completion_status", "cmi.success_status", "cmi.score.",
                    "cmi.progress_measure", "cmi.comments_from_learner.")
KEPT_PREFIXES = ("cmi.core.lesson_status", "cmi.core.score.", "cmi.completion_status",
                 "cmi.success_status", "cmi.score.", "cmi.progress_measure")


class CommitRefused(Exception):
    def __init__(self, status: int, message: str, errors: list | None = None):
        self.status, self.message, self.errors = status, message, errors or []
        super().__init__(message)


@dataclass(frozen=True)
class Launch:
    values: dict
    seq: int
    launch: str       # the path of the item's file in the package, with its parameters
    is_sco: bool


@dataclass(frozen=True)
class Committed:
    stale: bool
    completion: str = ""
    success: str = ""
    outcome_changed: bool = False


@dataclass(frozen=True)
class VersionFacts:
    scorm_version: str
    items: tuple[dict, ...]  # the default organization's, in tree order


def facts(version: CourseVersion) -> VersionFacts:
    """What the run-time needs of a course version, read once per worker: a version never
    changes, and its manifest is the largest thing a commit would otherwise load. Remembered
    by id and package checksum: a restored database may give an id to another package."""
    return facts_of(version.id, version.package_sha256)


@functools.lru_cache(maxsize=256)
def facts_of(version_id: int, package_sha256: str) -> VersionFacts:
    row = db.session.execute(select(CourseVersion.scorm_version, CourseVersion.manifest)
                             .where(CourseVersion.id == version_id)).one()
    return VersionFacts(row.scorm_version, tuple(items_of(row.manifest)))


def items_of(manifest: dict) -> list[dict]:
    """The default organization's items in tree order, each with its depth."""
    organization = next((o for o in manifest.get("organizations", [])
                         if o["identifier"] == manifest.get("default_organization")),
                        (manifest.get("organizations") or [{}])[0])
    found = []

    def walk(items: list[dict], depth: int) -> None:
        for item in items:
            found.append({**item, "depth": depth})
            walk(item.get("children") or [], depth + 1)

    walk(organization.get("items") or [], 0)
    return found


def item_of(attempt: Attempt, identifier: str) -> dict | None:
    return next((item for item in facts(attempt.version).items
                 if item["identifier"] == identifier and item.get("launch")), None)


def blocked(attempt: Attempt) -> set[str]:
    """The items whose SCORM 1.2 prerequisites the attempt does not meet yet."""
    known = facts(attempt.version)
    if known.scorm_version != "1.2" or not any(i.get("prerequisites") for i in known.items):
        return set()
    status_of = {state.item: (state.success if state.success in (sco_status.PASSED,
                                                                   sco_status.FAILED)
                              else state.completion)
                 for state in db.session.scalars(select(ScoState).where(
                     ScoState.attempt_id == attempt.id))}
    return {item["identifier"] for item in known.items if item.get("prerequisites")
            and not prerequisites.satisfied(item["prerequisites"], status_of)}


def seed(version: str, item: dict, learner, state: ScoState | None, credit: bool) -> dict:
    """The data model as the content finds it at Initialize."""
    names = ELEMENTS[version]
    resuming = state is not None and state.exit == "suspend"
    carried = _carried(state.values if state else {},
                       RESUMED_PREFIXES if resuming else KEPT_PREFIXES)
    values = {**carried,
              names["learner_id"]: str(learner.id),
              names["learner_name"]: _name(version, learner.full_name),
              names["credit"]: "credit" if credit else "no-credit",
              names["mode"]: "normal" if credit else "browse",
              names["entry"]: "resume" if resuming else ("ab-initio" if state is None
                                                         or state.sessions == 0 else ""),
              names["total_time"]: sco_status.timespan(version,
                                                        state.total_seconds if state else 0)}
    for setting, name in (("data_from_lms", "launch_data"), ("max_time_allowed", "max_time"),
                          ("time_limit_action", "time_action")):
        if item.get(setting):
            values[names[name]] = str(item[setting])
    if version == "1.2":
        values.setdefault("cmi.core.lesson_status", sco_status.NOT_ATTEMPTED)
        if item.get("mastery_score") is not None:
            values[names["mastery"]] = _decimal(item["mastery_score"])
    else:
        values.update(_settings_2004(item, carried))
    return values


def _settings_2004(item: dict, carried: dict) -> dict:
    values = {}
    threshold = item.get("completion_threshold")
    if isinstance(threshold, dict) and threshold.get("completed_by_measure"):
        values["cmi.completion_threshold"] = _decimal(threshold.get("min_progress_measure", 1))
    objectives = (item.get("sequencing") or {}).get("objectives") or []
    primary = next((o for o in objectives if o.get("primary")), None)
    if primary and primary.get("satisfied_by_measure"):
        values["cmi.scaled_passing_score"] = _decimal(primary.get("min_normalized_measure", 1))
    if "cmi.objectives._count" not in carried:
        named = [o["objective_id"] for o in objectives if o.get("objective_id")]
        for n, objective_id in enumerate(named):
            values[f"cmi.objectives.{n}.id"] = objective_id
        if named:
            values["cmi.objectives._count"] = len(named)
    return values


def _carried(values: dict, prefixes: tuple[str, ...]) -> dict:
    carried = {name: value for name, value in values.items() if name.startswith(prefixes)}
    if not any(name.startswith(("cmi.objectives.", "cmi.interactions.")) for name in carried):
        carried = {n: v for n, v in carried.items() if not n.endswith("._count")}
    return carried


def _name(version: str, full_name: str) -> str:
    """1.2 asks for "Last, First"; 2004 for the name as it is written."""
    if version != "1.2" or " " not in full_name.strip():
        return full_name.strip()
    first, _, last = full_name.strip().rpartition(" ")
    return f"{last}, {first}"


def _decimal(number) -> str:
    return f"{float(number):g}"


def launch(attempt: Attempt, identifier: str, learner, credit: bool = True) -> Launch | None:
    """Start a session of the item (None when the version has no such launchable item).
    Without credit (a review once the attempts are used up) nothing is stored, and the
    session's commits are stale: its numbers start at 0, below the stored session's."""
    item = item_of(attempt, identifier)
    if item is None:
        return None
    version = facts(attempt.version).scorm_version
    state = db.session.get(ScoState, (attempt.id, identifier))
    values = seed(version, item, learner, state, credit)
    if not credit:
        return Launch(values, 0, item["launch"], bool(item.get("is_sco")))
    if state is None:
        state = ScoState(attempt_id=attempt.id, item=identifier, values={}, seq=0, sessions=0,
                         total_seconds=0)
        db.session.add(state)
    state.values = values
    state.seq = (state.seq // SESSION_STRIDE + 1) * SESSION_STRIDE
    state.sessions += 1
    state.terminated = False
    attempt.bookmark = identifier
    return Launch(values, state.seq, item["launch"], bool(item.get("is_sco")))


def commit(attempt: Attempt, identifier: str, seq, changes, terminate: bool) -> Committed:
    """Apply a commit of the item's current session, or CommitRefused. `Committed.outcome`
    says whether completion, success, score or time changed (what the roll-ups read)."""
    check_shape(seq, changes)
    state = db.session.scalar(select(ScoState).where(
        ScoState.attempt_id == attempt.id, ScoState.item == identifier).with_for_update())
    if state is None:
        raise CommitRefused(404, "This lesson was not launched in this attempt.")
    return apply(state, facts(attempt.version), seq, changes, terminate)


def check_shape(seq, changes) -> None:
    if not isinstance(seq, int) or isinstance(seq, bool) or not _calls(changes):
        raise CommitRefused(400, "A commit is a sequence number and a list of [name, value].")


def final_seq(seq: int) -> int:
    """The last number of the session `seq` is of: the launcher's farewell commit on a content
    origin takes it, so it is newer than anything the player sent."""
    return (seq // SESSION_STRIDE + 1) * SESSION_STRIDE - 1


def apply(state: ScoState, known: VersionFacts, seq: int, changes: list,
          terminate: bool) -> Committed:
    """A commit applied to its SCO's state, loaded for update (commit, or the player's
    quicker path that loads it along with the session check)."""
    if state.terminated or not state.seq < seq <= final_seq(state.seq):
        return Committed(stale=True)
    version = known.scorm_version
    values, refused = rte.replay(version, state.values, [tuple(c) for c in changes])
    if refused:
        raise CommitRefused(422, "The lesson sent values the SCORM data model does not allow.",
                            [[name, str(value)[:200], code] for name, value, code in refused])
    item = next((i for i in known.items if i["identifier"] == state.item), {})
    names = ELEMENTS[version]
    before = (state.completion, state.success, state.score, state.total_seconds)
    state.values, state.seq = values, seq
    state.exit = values.get(names["exit"], "") or ""
    outcome = sco_status.outcome(version, values, item.get("mastery_score"),
                                 credit=values.get(names["credit"]) != "no-credit")
    state.completion, state.success, state.score = (outcome.completion, outcome.success,
                                                    outcome.score)
    if terminate:
        state.terminated = True
        state.total_seconds += sco_status.seconds_of(version, values.get(names["session_time"]))
    if any(name.startswith(("cmi.interactions.", "cmi.objectives.")) for name, _ in changes):
        _record_rows(state.attempt_id, state.item, values)
    changed = before != (state.completion, state.success, state.score, state.total_seconds)
    return Committed(False, outcome.completion, outcome.success, changed)


def _calls(changes) -> bool:
    return isinstance(changes, list) and len(changes) <= 10_000 and all(
        isinstance(c, list) and len(c) == 2 and isinstance(c[0], str) for c in changes)


def _record_rows(attempt_id: int, identifier: str, values: dict) -> None:
    """The interactions and objectives the values hold, as rows for reports."""
    for model in (ScoInteraction, ScoObjective):
        db.session.execute(delete(model).where(model.attempt_id == attempt_id,
                                               model.item == identifier))
    for n in range(int(values.get("cmi.interactions._count", 0) or 0)):
        prefix = f"cmi.interactions.{n}."
        if prefix + "id" not in values:
            continue
        responses = [values[f"{prefix}correct_responses.{k}.pattern"]
                     for k in range(int(values.get(prefix + "correct_responses._count", 0) or 0))
                     if f"{prefix}correct_responses.{k}.pattern" in values]
        db.session.add(ScoInteraction(
            attempt_id=attempt_id, item=identifier, index=n, interaction_id=values[prefix + "id"],
            type=values.get(prefix + "type"),
            learner_response=values.get(prefix + "learner_response")
            or values.get(prefix + "student_response"),
            result=values.get(prefix + "result"), correct_responses=responses,
            description=values.get(prefix + "description")))
    for n in range(int(values.get("cmi.objectives._count", 0) or 0)):
        prefix = f"cmi.objectives.{n}."
        if prefix + "id" not in values:
            continue
        db.session.add(ScoObjective(
            attempt_id=attempt_id, item=identifier, index=n, objective_id=values[prefix + "id"],
            completion=values.get(prefix + "completion_status"),
            success=values.get(prefix + "success_status") or values.get(prefix + "status"),
            score=sco_status.score_of(values, prefix + "score.")))
