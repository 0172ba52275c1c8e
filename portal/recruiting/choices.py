"""Vocabularies shared by the opening and application forms."""

from zoneinfo import available_timezones

SHIFTS = [
    ("morning", "Morning (6am-12pm)"),
    ("afternoon", "Afternoon (12pm-6pm)"),
    ("evening", "Evening (6pm-12am)"),
    ("overnight", "Overnight (12am-6am)"),
    ("weekend", "Weekends"),
]
DAYS = [("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri"),
        ("sat", "Sat"), ("sun", "Sun")]
LANGUAGES = [
    ("en", "English"), ("es", "Spanish"), ("fr", "French"), ("pt", "Portuguese"),
    ("de", "German"), ("it", "Italian"), ("tl", "Tagalog"), ("hi", "Hindi"),
    ("ar", "Arabic"), ("zh", "Mandarin Chinese"), ("vi", "Vietnamese"), ("pl", "Polish"),
]
COUNTRIES = [
    ("US", "United States"), ("CA", "Canada"), ("MX", "Mexico"), ("GB", "United Kingdom"),
    ("IE", "Ireland"), ("PH", "Philippines"), ("IN", "India"), ("ZA", "South Africa"),
    ("JM", "Jamaica"), ("CO", "Colombia"), ("DO", "Dominican Republic"), ("ES", "Spain"),
    ("PT", "Portugal"), ("DE", "Germany"), ("FR", "France"), ("PL", "Poland"),
    ("AU", "Australia"), ("NZ", "New Zealand"),
]
COUNTRY_NAMES = dict(COUNTRIES)
SHIFT_NAMES = dict(SHIFTS)
LANGUAGE_NAMES = dict(LANGUAGES)
DAY_NAMES = dict(DAYS)
TIME_ZONES = sorted(tz for tz in available_timezones() if "/" in tz and not tz.startswith("Etc/"))
CURRENCIES = [("USD", "USD"), ("CAD", "CAD"), ("GBP", "GBP"), ("EUR", "EUR"), ("PHP", "PHP"),
              ("MXN", "MXN"), ("INR", "INR"), ("AUD", "AUD")]
PAY_PERIODS = [("hour", "per hour"), ("month", "per month"), ("year", "per year")]
