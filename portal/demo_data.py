"""Realistic demo data: openings, a few hundred candidates across stages, one user per role.

It goes through the real services (apply, move), so the history, counts, emails and audit log
look exactly as they would after real use.
"""

import random
from datetime import timedelta
from functools import cache

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from assessments import demo as assessment_demo
from assessments import services as assessment_services
from courses import demo as courses_demo
from courses import demo_onboarding
from portal.auth.models import ADMIN, MANAGER, QA, TRAINER, User
from portal.extensions import db, utcnow
from portal.recordings import demo as recordings_demo
from portal.recruiting import choices, services, stages
from portal.recruiting.forms import in_vocabulary_order
from portal.recruiting.models import OPEN, Application, Opening, StageChange
from portal.teams import demo as teams_demo

DEMO_PASSWORD = "Demo-Portal-2026"
STAFF = (
    ("admin@example.com", "Alex Admin", (ADMIN,)),
    ("manager@example.com", "Morgan Rivera", (MANAGER,)),
    ("trainer@example.com", "Taylor Brooks", (TRAINER,)),
    ("qa@example.com", "Quinn Patel", (QA,)),
)
FIRST = ("Maria", "James", "Aisha", "Luis", "Grace", "Kwame", "Sofia", "Daniel", "Priya", "Omar",
         "Emily", "Carlos", "Fatima", "Noah", "Chloe", "Ravi", "Hannah", "Diego", "Mei", "Samuel",
         "Olivia", "Mateo", "Zara", "Ethan", "Lucia", "Jamal", "Ana", "Liam", "Nia", "Marco")
LAST = ("Santos", "Johnson", "Okafor", "Garcia", "Nguyen", "Mensah", "Rossi", "Smith", "Sharma",
        "Haddad", "Brown", "Lopez", "Khan", "Miller", "Dubois", "Reddy", "Wilson", "Torres",
        "Chen", "Adeyemi", "Martin", "Silva", "Ali", "Taylor", "Fernandez", "Walker", "Costa")
OPENINGS = (
    dict(title="Customer Service Agent (Remote, US)",
         summary="Help customers of a national retailer by phone and chat from home.",
         description="You answer questions about orders, returns and deliveries.\n\n"
                     "Paid two-week online training. Equipment checklist provided.",
         requirements="High-school diploma or equivalent\nQuiet, dedicated workspace\n"
                      "Wired internet, 25 Mbps down / 5 Mbps up\nUSB noise-cancelling headset",
         pay_min=16, pay_max=18.5, pay_currency="USD", pay_period="hour", hours_min=30,
         hours_max=40, shifts=["morning", "afternoon", "evening"], countries=["US"],
         time_zones=[], steps=["skills_assessment", "desktop_readiness", "sample_call"]),
    dict(title="Bilingual Support Agent (English/Spanish)",
         summary="Support customers in English and Spanish for a telecom provider.",
         requirements="Fluent English and Spanish\nOne year of customer-service experience",
         pay_min=18, pay_max=21, pay_currency="USD", pay_period="hour", hours_min=35,
         hours_max=40, shifts=["afternoon", "evening", "weekend"], countries=["US", "MX", "CO"],
         time_zones=[], steps=["skills_assessment", "personality_fit", "video_interview"]),
    dict(title="Technical Support Representative, Tier 1",
         summary="Troubleshoot home internet and TV issues with customers, remotely.",
         requirements="Comfortable with home networking\nPatient, clear communicator",
         pay_min=19, pay_max=23, pay_currency="USD", pay_period="hour", hours_min=40,
         hours_max=40, shifts=["evening", "overnight"], countries=["US", "CA"], time_zones=[],
         steps=["skills_assessment", "home_office_readiness", "desktop_readiness"]),
    dict(title="Customer Care Associate (UK & Ireland)",
         summary="Look after customers of a travel company by phone, email and chat.",
         pay_min=11.5, pay_max=12.5, pay_currency="GBP", pay_period="hour", hours_min=20,
         hours_max=37, shifts=["morning", "afternoon"], countries=["GB", "IE"], time_zones=[],
         steps=["personality_fit", "sample_call"]),
    dict(title="Seasonal Holiday Support Agent",
         summary="Short-term role for the holiday peak: order and delivery questions.",
         pay_min=15, pay_max=15, pay_currency="USD", pay_period="hour", hours_min=20,
         hours_max=30, shifts=["weekend", "evening"], countries=[], time_zones=[],
         steps=["skills_assessment"]),
)
# How far candidates got, as weights over their final stage.
STAGE_WEIGHTS = {
    stages.APPLIED: 30, stages.SCREENING: 18, stages.ASSESSMENT: 15, stages.REVIEW: 10,
    stages.INTERVIEW: 7, stages.OFFER: 3, stages.HIRED: 5, stages.REJECTED: 10,
    stages.WITHDRAWN: 2,
}
DAYS = [key for key, _ in choices.DAYS]
PATH = (stages.SCREENING, stages.ASSESSMENT, stages.REVIEW, stages.INTERVIEW, stages.OFFER,
        stages.HIRED)


def already_loaded() -> bool:
    return User.by_email(STAFF[0][0]) is not None


def credentials_text() -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {', '.join(roles):<9} {email}" for email, _, roles in STAFF]
    lines.append("  candidate candidate1@example.com (and candidate2..N)")
    return "\n".join(lines)


@cache
def _demo_password_hash() -> str:
    # Hashing is deliberately slow; one hash serves every demo account.
    return generate_password_hash(DEMO_PASSWORD)


def _user(email: str, name: str, roles) -> User:
    user = User(email=email, full_name=name, email_verified_at=utcnow(),
                password_hash=_demo_password_hash())
    for role in roles:
        user.grant(role)
    db.session.add(user)
    return user


def load(candidates: int = 300, seed: int = 7) -> str:
    """Load the demo; a line on what could not be included (the recordings need ffmpeg)."""
    rng = random.Random(seed)
    staff = [_user(email, name, roles) for email, name, roles in STAFF]
    manager = staff[1]
    db.session.flush()
    openings = [services.create_opening(manager, **fields) for fields in OPENINGS]
    for opening in openings[:4]:
        services.set_opening_status(opening, OPEN, manager)
    db.session.flush()
    for number in range(1, candidates + 1):
        candidate = _user(f"candidate{number}@example.com",
                          f"{rng.choice(FIRST)} {rng.choice(LAST)}", ("candidate",))
        db.session.flush()
        for opening in rng.sample(openings[:4], k=rng.choice((1, 1, 1, 2))):
            _apply_and_progress(rng, opening, candidate, manager)
    _spread_dates(rng)
    openings[4].status = "draft"
    assessment_services.publish_shipped()
    _take_assessments(rng)
    assessment_demo.local_norms(manager)
    return "; ".join((recordings_demo.speak_customer_lines(rng, manager),
                      recordings_demo.record_sample_calls(rng, manager),
                      recordings_demo.record_interviews(rng, manager),
                      recordings_demo.write_interview_template(manager),
                      courses_demo.import_shared_packages(staff[2]),
                      teams_demo.form_teams(staff[1:4], manager),
                      demo_onboarding.onboard(staff[2], openings[:4], rng),
                      courses_demo.post_news(staff[2], teams_demo.TEAMS[0], openings[0])))


def _apply_and_progress(rng, opening: Opening, candidate: User, manager: User) -> None:
    country = rng.choice(opening.countries or ["US", "PH", "IN", "GB"])
    application = services.apply(
        opening, candidate, full_name=candidate.full_name, email=candidate.email,
        phone=f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}", country=country,
        time_zone=rng.choice(("America/New_York", "America/Chicago", "America/Denver",
                              "America/Los_Angeles", "Europe/London", "America/Mexico_City")),
        availability_days=in_vocabulary_order(rng.sample(DAYS, k=5), choices.DAYS),
        availability_shifts=in_vocabulary_order(
            rng.sample(opening.shifts, k=min(2, len(opening.shifts))), choices.SHIFTS),
        hours_per_week=rng.choice((20, 25, 30, 35, 40)),
        languages=["en"] + (["es"] if rng.random() < 0.3 else []),
        experience_years=rng.randint(0, 12), has_computer=rng.random() < 0.95,
        has_headset=rng.random() < 0.8, has_wired_internet=rng.random() < 0.75)
    final = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
    if final == stages.APPLIED:
        return
    if final in (stages.REJECTED, stages.WITHDRAWN):
        for stage in PATH[:rng.randint(0, 3)]:
            services.move(application, stage, manager, "Meets the basic requirements")
        if final == stages.REJECTED:
            services.move(application, final, manager, "Not enough availability for the shifts")
        else:
            services.withdraw(application, candidate, "Accepted another offer")
        return
    for stage in PATH[:PATH.index(final) + 1]:
        services.move(application, stage, manager, "Looks good")


def _take_assessments(rng) -> None:
    """Candidates past the first stage have taken their assessments; of the new ones some
    have too, and some have only begun."""
    for opening in db.session.scalars(select(Opening)):
        assessment_demo.set_rules(opening)
    for application in db.session.scalars(select(Application).order_by(Application.id)):
        if application.stage == stages.WITHDRAWN:
            continue
        chance = rng.random()
        if application.stage != stages.APPLIED or chance < 0.4:
            assessment_demo.take_assessments(rng, application)
        elif chance < 0.6:
            assessment_demo.start_one(rng, application)


def _spread_dates(rng) -> None:
    """Move time stamps into the past so lists and histories look like weeks of real use."""
    db.session.flush()
    now = utcnow()
    for application in db.session.scalars(select(Application)):
        start = now - timedelta(days=rng.uniform(1, 60), hours=rng.uniform(0, 23))
        application.created_at = start
        application.privacy_consent_at = application.retention_consent_at = start
        changes = db.session.scalars(select(StageChange).where(
            StageChange.application_id == application.id).order_by(StageChange.id)).all()
        moment = start
        for change in changes:
            change.created_at = moment
            moment = min(now, moment + timedelta(days=rng.uniform(0.5, 4)))
        application.stage_changed_at = changes[-1].created_at if changes else start
