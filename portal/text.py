"""Text that people type, made safe to show to others.

Names and notes are shown to staff and candidates: a name may not hide direction overrides
("Bob \\u202enimda\\u202c" displays as "Bob admin"), invisible characters, control characters or
a tower of combining marks that paints over the lines around it. Used as WTForms filters and
by the services that store names.
"""

import unicodedata

# Joiners shape real words in Persian, Indic and emoji sequences; every other format character
# (direction overrides and isolates, zero-width space, BOM, word joiner...) goes.
KEPT_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})
REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
MAX_COMBINING_MARKS = 3  # in a row; more than any written language needs after NFC


def _cleaned(text: str, keep: frozenset[str]) -> str:
    out, marks = [], 0
    for character in unicodedata.normalize("NFC", text):
        category = unicodedata.category(character)
        if character in keep:
            out.append(character)
            marks = 0
        elif category in REMOVED_CATEGORIES and character not in KEPT_FORMAT_CHARACTERS:
            continue
        elif category.startswith("M"):
            marks += 1
            if marks <= MAX_COMBINING_MARKS:
                out.append(character)
        else:
            out.append(character)
            marks = 0
    return "".join(out)


def clean_line(value):
    """One line (a name, a title): the above, white space collapsed to single spaces."""
    if not isinstance(value, str):
        return value
    return " ".join(_cleaned(value, frozenset({" ", "\t"})).split())


def clean_text(value):
    """Several lines (a note, a reason): the above, keeping line breaks and tabs."""
    if not isinstance(value, str):
        return value
    return _cleaned(value.replace("\r\n", "\n"), frozenset({"\n", "\t"})).strip()
