"""Helpers shared by the test modules: what a person reads on a page, and recruiting data."""

import html
import re

from portal.recruiting import services

APPLY_FORM = {
    "full_name": "Maria Santos", "email": "maria@example.com",
    "phone": "+1 555 123 4567", "country": "US", "time_zone": "America/Chicago",
    "availability_days": ["mon", "tue"], "availability_shifts": ["morning"],
    "hours_per_week": "30", "languages": ["en"], "experience_years": "2",
    "has_computer": "y", "has_headset": "y", "has_wired_internet": "y",
    "privacy_consent": "y", "retention_consent": "y",
}


def new_user(email: str, full_name: str, role: str, password: str):
    """A verified user with one role, added to the session (the caller commits)."""
    from portal.auth.models import User
    from portal.extensions import db, utcnow

    user = User(email=email, full_name=full_name, email_verified_at=utcnow())
    user.set_password(password)
    user.grant(role)
    db.session.add(user)
    db.session.flush()
    return user


def open_opening(manager, **overrides):
    fields = dict(title="Customer Service Agent", summary="Help customers of a retailer by phone.",
                  pay_min=15, pay_max=18, hours_min=20, hours_max=40, shifts=["morning"],
                  countries=[], time_zones=[], steps=[])
    fields.update(overrides)
    opening = services.create_opening(manager, **fields)
    services.set_opening_status(opening, "open", manager)
    return opening


def apply(opening, candidate, **overrides):
    answers = dict(full_name=candidate.full_name, email=candidate.email,
                   phone="+1 555 000 1111", country="US", time_zone="America/Chicago",
                   availability_days=["mon"], availability_shifts=["morning"],
                   hours_per_week=30, languages=["en"], experience_years=1, has_computer=True,
                   has_headset=True, has_wired_internet=True)
    answers.update(overrides)
    return services.apply(opening, candidate, **answers)


def page_text(response) -> str:
    """What a person reads: the page without its tags, white space collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
