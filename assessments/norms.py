"""Local norms: once a bank has as many finished attempts as a manager asked for, its scales are
normed on the portal's own applicants (one norm for everyone, as the reference norms are) and
results say which norm they used. `flask assessments recompute-norms` computes them (from cron,
say nightly); a norm that moves becomes a new version, never an edit."""

import statistics
from datetime import datetime

from sqlalchemy import func, select

from assessments import bank as banks
from assessments.models import IN_PROGRESS, Attempt, BankVersion, LocalNorm, NormSetting
from assessments.scoring import MIN_ANSWERED
from portal import audit
from portal.extensions import db, utcnow

MIN_SAMPLE = 30  # fewer people than this describe nobody, whatever a manager sets


def current(bank_key: str) -> dict[str, banks.Norm]:
    """The newest local norm of each scale of the bank (none until computed)."""
    newest = select(LocalNorm.scale_key, func.max(LocalNorm.version).label("version")) \
        .where(LocalNorm.bank_key == bank_key).group_by(LocalNorm.scale_key).subquery()
    rows = db.session.scalars(select(LocalNorm).join(newest, (
        LocalNorm.scale_key == newest.c.scale_key) & (LocalNorm.version == newest.c.version))
        .where(LocalNorm.bank_key == bank_key))
    return {row.scale_key: banks.Norm(row.mean, row.sd, _source(row)) for row in rows}


def _source(row: LocalNorm) -> str:
    return (f"local norm v{row.version}: {row.n} applicants to this portal, "
            f"{row.computed_at:%Y-%m-%d}")


MAX_MINIMUM = 1_000_000


class SettingRefused(ValueError):
    """A minimum that is not a whole number in range; the message says what to give."""


def set_minimum(bank_key: str, minimum: int | str | None, actor) -> None:
    """From how many finished attempts the bank switches to local norms (None: never)."""
    if minimum is not None and (not isinstance(minimum, int)
                                or not MIN_SAMPLE <= minimum <= MAX_MINIMUM):
        raise SettingRefused(f"Give a whole number of attempts from {MIN_SAMPLE} to "
                             f"{MAX_MINIMUM:,}, or leave it empty to keep the reference norm.")
    setting = db.session.get(NormSetting, bank_key)
    if minimum is None:
        if setting is not None:
            db.session.delete(setting)
    elif setting is None:
        db.session.add(NormSetting(bank_key=bank_key, minimum=minimum, updated_by_id=actor.id))
    else:
        setting.minimum, setting.updated_by_id = minimum, actor.id
    db.session.flush()
    audit.record("assessment.norm_setting_changed", None, actor, bank=bank_key,
                 minimum=minimum)


def _prorated_raws(bank_key: str, scale_key: str) -> list[float]:
    """Each applicant's raw score on the scale from their latest finished attempt, prorated as
    scoring does (mean x items), when enough items were answered to score it."""
    latest: dict[int, Attempt] = {}
    for attempt in db.session.scalars(select(Attempt).where(
            Attempt.bank_key == bank_key, Attempt.status != IN_PROGRESS)
            .order_by(Attempt.number)):
        latest[attempt.application_id] = attempt
    raws = []
    for attempt in latest.values():
        score = next((s for s in attempt.scores or [] if s["scale"] == scale_key), None)
        if score and score["mean"] is not None and score["answered"] >= MIN_ANSWERED * \
                score["items"]:
            raws.append(score["mean"] * score["items"])
    return raws


def recompute(bank_key: str, now: datetime | None = None) -> list[LocalNorm]:
    """New local norm versions for the bank's scales whose sample reached the minimum and
    whose mean or SD moved; the rows added."""
    setting = db.session.get(NormSetting, bank_key)
    row = db.session.scalar(select(BankVersion).where(BankVersion.bank_key == bank_key)
                            .order_by(BankVersion.id.desc()).limit(1))
    if setting is None or row is None:
        return []
    added = []
    for scale in banks.load(row.content).scales:
        raws = _prorated_raws(bank_key, scale.key)
        if len(raws) < max(setting.minimum, MIN_SAMPLE) or statistics.pstdev(raws) == 0:
            continue
        mean, sd = round(statistics.fmean(raws), 2), round(statistics.pstdev(raws), 2)
        previous = db.session.scalar(select(LocalNorm).where(
            LocalNorm.bank_key == bank_key, LocalNorm.scale_key == scale.key)
            .order_by(LocalNorm.version.desc()).limit(1))
        if previous is not None and (previous.mean, previous.sd) == (mean, sd):
            continue
        norm = LocalNorm(bank_key=bank_key, scale_key=scale.key, mean=mean, sd=sd, n=len(raws),
                         version=previous.version + 1 if previous else 1,
                         computed_at=now or utcnow())
        db.session.add(norm)
        added.append(norm)
    db.session.flush()
    return added


def recompute_all() -> list[LocalNorm]:
    return [norm for setting in db.session.scalars(select(NormSetting))
            for norm in recompute(setting.bank_key)]
