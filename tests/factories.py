"""Shared builders for recruiting data (used as plain functions by the test modules)."""

from portal.recruiting import services

APPLY_FORM = {
    "phone": "+1 555 123 4567", "country": "US", "time_zone": "America/Chicago",
    "availability_days": ["mon", "tue"], "availability_shifts": ["morning"],
    "hours_per_week": "30", "languages": ["en"], "experience_years": "2",
    "has_computer": "y", "has_headset": "y", "has_wired_internet": "y",
    "privacy_consent": "y", "retention_consent": "y",
}


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
