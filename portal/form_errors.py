"""Say what was wrong with a form whose page we redirect away from (one-click POST forms)."""

from flask import flash
from flask_wtf import FlaskForm


def flash_errors(form: FlaskForm) -> None:
    """Each field's errors as a flash message, named by the field's label."""
    for name, errors in form.errors.items():
        label = form[name].label.text if name in form and name != "csrf_token" else ""
        for error in errors:
            flash(f"{label}: {error}" if label else error, "danger")
