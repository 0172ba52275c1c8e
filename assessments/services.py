"""Assessment banks in the portal: publish a new version (validated whole, nothing half-saved),
find the current one. Callable without HTTP; functions flush, the caller commits."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from assessments import bank as banks
from assessments.models import BankVersion
from portal import audit
from portal.auth.models import User
from portal.extensions import db

MAX_BANK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Published:
    version: BankVersion
    is_new: bool


def publish(content: bytes, actor: User | None) -> Published:
    """Store `content` as the newest version of its bank. Raises banks.BankError (with every
    problem and its line) for a file that is not a valid bank; the same file twice is one
    version."""
    if len(content) > MAX_BANK_BYTES:
        raise banks.BankError([f"line 1: the file is larger than {MAX_BANK_BYTES // 1024} KB"])
    bank = banks.load(content)
    existing = _version(bank.key, bank.version)
    if existing is not None:
        return Published(existing, is_new=False)
    row = BankVersion(bank_key=bank.key, version=bank.version, title=bank.title,
                      item_count=len(bank.items), content=content.decode("utf-8"),
                      uploaded_by_id=actor.id if actor else None)
    try:
        with db.session.begin_nested():  # two uploads of one file at once: one row
            db.session.add(row)
    except IntegrityError:
        return Published(_version(bank.key, bank.version), is_new=False)
    audit.record("assessment_bank.published", row, actor, bank=bank.key, version=bank.version)
    return Published(row, is_new=True)


def publish_shipped() -> int:
    """Make every bank shipped in assessments/banks/ a version here (at install, upgrade and
    demo load); how many were new."""
    return sum(publish(path.read_bytes(), None).is_new
               for path in sorted(banks.BANK_DIR.glob("*.yaml")))


def _version(key: str, version: str) -> BankVersion | None:
    return db.session.scalar(select(BankVersion).where(
        BankVersion.bank_key == key, BankVersion.version == version))


def current_versions() -> list[tuple[BankVersion, int]]:
    """The newest version of every bank, with how many versions it has had, by key."""
    newest = select(BankVersion.bank_key, func.max(BankVersion.id).label("id"),
                    func.count().label("versions")).group_by(BankVersion.bank_key).subquery()
    rows = db.session.execute(select(BankVersion, newest.c.versions)
                              .join(newest, BankVersion.id == newest.c.id)
                              .order_by(BankVersion.bank_key))
    return [(row, versions) for row, versions in rows]
