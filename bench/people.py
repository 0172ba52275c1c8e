"""The portal a bench needs: built by the migrations, with a manager's open opening of the
given steps and a candidate who applied to it."""

import logging

from portal import create_app
from portal.auth.models import CANDIDATE, MANAGER
from portal.extensions import db
from tests.conftest import reset_schema
from tests.helpers import apply, new_user, open_opening

CANDIDATE_EMAIL = "candidate@bench.example.com"


def fresh_portal(config: dict):
    """The app on an empty schema built by the migrations (quietly)."""
    app = create_app(config)
    logging.disable(logging.INFO)  # Alembic's progress lines
    reset_schema(app)
    logging.disable(logging.NOTSET)
    return app


def candidate_applied(steps: list[str], password: str) -> int:
    """In an app context: the application's id; the candidate signs in with CANDIDATE_EMAIL."""
    manager = new_user("manager@bench.example.com", "Bench Manager", MANAGER, password)
    candidate = new_user(CANDIDATE_EMAIL, "Bench Candidate", CANDIDATE, password)
    application_id = apply(open_opening(manager, steps=steps), candidate).id
    db.session.commit()
    return application_id
