"""Finding applications by what a recruiter types: word prefixes of the name and email.

"mar san" finds Maria Santos; "maria.santos@" and "example.com" find her by email. Each typed
word is an index range over `application_search_terms` (term >= "mar" AND term < "mas"), so a
search costs the same at 100 or 100,000 applications.
"""

import re
import sys

from sqlalchemy import and_, select

from portal.extensions import db
from portal.recruiting.models import Application, ApplicationSearchTerm

MAX_TERM, MAX_WORDS = 120, 5
_WORD_SPLIT = re.compile(r"[\s,;]+")


def terms_for(full_name: str, email: str) -> set[str]:
    email = email.lower()
    local, _, domain = email.partition("@")
    name_words = _WORD_SPLIT.split(full_name.lower())
    words = {*name_words, *(part for word in name_words for part in word.split("-")),
             email, local, domain, *re.split(r"[._+-]+", local)}
    return {word[:MAX_TERM] for word in words if word}


def index(application: Application) -> None:
    db.session.add_all(ApplicationSearchTerm(term=term, application_id=application.id)
                       for term in terms_for(application.full_name, application.email))


def _next_character(character: str) -> str:
    following = ord(character) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are not characters a database can store
        following = 0xE000
    return chr(following)


def _prefix_range(prefix: str):
    """Terms starting with `prefix`: from it up to (not including) the smallest string after
    all of them, its last character bumped. Trailing U+10FFFF cannot be bumped: drop it and
    bump the one before (a prefix of nothing but U+10FFFF has no upper end)."""
    condition = ApplicationSearchTerm.term >= prefix
    stem = prefix.rstrip(chr(sys.maxunicode))
    if stem:
        condition = and_(condition,
                         ApplicationSearchTerm.term < stem[:-1] + _next_character(stem[-1]))
    return condition


def conditions(text: str) -> list:
    """One condition per typed word (all must match), for a query on Application."""
    words = [w[:MAX_TERM] for w in _WORD_SPLIT.split(text.lower()) if w][:MAX_WORDS]
    return [Application.id.in_(select(ApplicationSearchTerm.application_id)
                               .where(_prefix_range(word))) for word in words]
