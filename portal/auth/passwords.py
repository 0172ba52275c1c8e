"""Password rules, in one place for the registration, reset and admin forms."""

MIN_LENGTH, MAX_LENGTH = 10, 128
# The most common choices that pass the length rule; a real deployment can add its own list.
COMMON = frozenset({
    "password12", "password123", "password1234", "1234567890", "qwertyuiop", "iloveyou12",
    "welcome123", "letmein123", "123456789a", "abc1234567", "passw0rd12", "qwerty1234",
    "administrator", "changeme123", "football123", "monkey12345",
})


def problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Every rule the password breaks, as messages for the form (empty: acceptable)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        found.append(f"Use at most {MAX_LENGTH} characters.")
    if not any(c.isalpha() for c in password) or not any(not c.isalpha() for c in password):
        found.append("Mix letters with digits or symbols.")
    lowered = password.lower()
    if lowered in COMMON:
        found.append("That password is too common.")
    personal = [email.split("@")[0].lower()] + [part.lower() for part in name.split()]
    if any(len(part) >= 4 and part in lowered for part in personal):
        found.append("Do not use your name or email in the password.")
    return found
