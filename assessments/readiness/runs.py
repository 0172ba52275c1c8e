"""Readiness runs as the portal keeps them: each run stored whole with its checks under the
opening's profile, the run that counts (the best or the latest, as the opening says), the
application step it completes, and the screening recommendation it feeds."""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from assessments import attempts
from assessments.models import OpeningRules, ReadinessRun
from assessments.readiness import measures, rules
from portal import user_agents
from portal.extensions import db, utcnow
from portal.recruiting import services as recruiting
from portal.recruiting import steps
from portal.recruiting.models import Application
from portal.recruiting.screening import FAIL, PENDING, REVIEW

STEP = "desktop_readiness"
MAX_RUNS_PER_DAY = 20  # per application: enough to fix things and try again, not a flood
# The counted run's figures the pipeline sorts by (highest first): score key -> label.
SCORES = {"readiness.download_mbps": "Download speed (computer check)",
          "readiness.upload_mbps": "Upload speed (computer check)"}


class TooManyRuns(Exception):
    pass


def profile_for(application: Application) -> dict:
    stored = db.session.get(OpeningRules, application.opening_id)
    return rules.profile(stored.rules.get("readiness") if stored else None)


def record(application: Application, run: measures.Run, user_agent: str) -> ReadinessRun:
    """Store a checked run with its verdict, complete the step and refresh the
    recommendation. TooManyRuns when the application already ran the check too often today."""
    since = utcnow() - timedelta(days=1)
    today = db.session.scalar(select(func.count()).select_from(ReadinessRun).where(
        ReadinessRun.application_id == application.id, ReadinessRun.created_at > since))
    if today >= MAX_RUNS_PER_DAY:
        raise TooManyRuns
    profile = profile_for(application)
    agent = user_agents.parse(user_agent)
    figures = run.figures.as_dict()
    checks = rules.evaluate(profile, figures, run.device, agent, run.microphone, run.headset,
                            run.connection)
    row = ReadinessRun(
        application_id=application.id, verdict=rules.overall(checks), figures=figures,
        checks=[check.as_dict() for check in checks],
        device={**run.device, "browser": agent.browser, "browser_version": agent.version,
                "system": agent.system, "microphone": run.microphone, "headset": run.headset,
                "connection": run.connection},
        samples=run.samples, user_agent=user_agent[:300])
    db.session.add(row)
    db.session.flush()
    counted = counted_run(application, profile)
    recruiting.record_step(application, STEP, steps.COMPLETED,
                           f"{rules.LABELS[counted.verdict]} (computer check)")
    attempts.results_changed.send(application)
    return row


def runs_of(application: Application) -> list[ReadinessRun]:
    """Newest first."""
    return list(db.session.scalars(select(ReadinessRun).where(
        ReadinessRun.application_id == application.id).order_by(ReadinessRun.id.desc())))


def counted_run(application: Application, profile: dict | None = None) -> ReadinessRun | None:
    """The run the recommendation uses: the latest, or the best (the latest of the best)."""
    found = runs_of(application)
    if not found:
        return None
    if (profile or profile_for(application))["counts"] == "latest":
        return found[0]
    return min(found, key=lambda run: rules.ORDER[run.verdict])  # newest first: ties keep it


@dataclass(frozen=True)
class Summary:
    """What a manager's results page shows of the computer check."""

    runs: list[ReadinessRun]
    counted: ReadinessRun | None
    profile: dict
    labels: dict = field(default_factory=lambda: rules.LABELS)
    colors: dict = field(default_factory=lambda: rules.COLORS)


def summary(application: Application) -> Summary | None:
    """None when the opening has no computer check."""
    if STEP not in application.opening.steps:
        return None
    profile = profile_for(application)
    found = runs_of(application)
    return Summary(found, counted_run(application, profile) if found else None, profile)


def scores(run: ReadinessRun) -> dict[str, float]:
    return {key: run.figures[key.removeprefix("readiness.")] for key in SCORES}


def reasons(application: Application) -> list[tuple[str, str]]:
    """What the readiness check adds to the recommendation, as verdicts.decide's reasons: a
    failing run fails, a run with warnings asks for a review, none yet is pending."""
    if STEP not in application.opening.steps:
        return []
    run = counted_run(application)
    if run is None:
        return [(PENDING, f"Not finished yet: {steps.get(STEP).title}")]
    failed = [c["label"] for c in run.checks if c["outcome"] == rules.FAIL]
    warned = [c["label"] for c in run.checks if c["outcome"] == rules.WARN]
    if failed:
        return [(FAIL, "Computer check not passed: " + ", ".join(failed))]
    if warned:
        return [(REVIEW, "Computer check passed with warnings: " + ", ".join(warned))]
    return []
