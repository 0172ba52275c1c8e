"""The application factory: configure, bind extensions, register blueprints and CLI.

It runs no database query at start-up, so preforked gunicorn workers never share a connection.
"""

import logging
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal import config as config_module
from portal.extensions import (
    MAX_ROW_ID,
    bootstrap,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
    ping_after_idle,
)
from portal.session_cookie import VerifiedCookieSessions

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get(
        "PORTAL_INSTANCE_PATH", str(PROJECT_ROOT / "instance"))
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=False)
    app.config.update(config_module.load_config(app.instance_path, config))
    config_module.validate(app.config)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.session_interface = VerifiedCookieSessions()
    _init_extensions(app)
    app.url_map.converters["int"] = RowIdConverter
    _register_models()
    _register_blueprints(app)
    _register_steps()

    from portal import cli, errors, jobs, request_body, security
    from portal.auth import permissions, sessions

    errors.init_app(app)
    jobs.init_app(app)
    request_body.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    permissions.init_app(app)
    cli.init_app(app)
    _register_screening_cli(app)
    _register_learning_cli(app)
    return app


class RowIdConverter(IntegerConverter):
    """`<int:...>` in URLs, bounded to what an id column holds: /jobs/99999999999999999999
    is a 404, not a database overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_after_idle(engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)


def _register_models() -> None:
    """Import every package's models so that Alembic and relationships see all tables."""
    import assessments.models  # noqa: F401
    import courses.certificate_models  # noqa: F401
    import courses.landing_models  # noqa: F401
    import courses.models  # noqa: F401
    import courses.path_models  # noqa: F401
    import courses.progress_models  # noqa: F401
    import courses.tracking_models  # noqa: F401
    import portal.audit  # noqa: F401
    import portal.auth.models  # noqa: F401
    import portal.jobs  # noqa: F401
    import portal.mail  # noqa: F401
    import portal.recordings.models  # noqa: F401
    import portal.recruiting.models  # noqa: F401
    import portal.storage  # noqa: F401
    import portal.teams.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from assessments.candidate_views import bp as assessments_bp
    from assessments.readiness.speed_views import bp as readiness_speed_bp
    from assessments.readiness.views import bp as readiness_bp
    from assessments.results_views import bp as assessment_results_bp
    from assessments.views import bp as assessment_banks_bp
    from courses.certificate_views import bp as certificates_bp
    from courses.content_views import bp as course_content_bp
    from courses.dashboard_views import bp as learning_dashboards_bp
    from courses.landing_views import bp as landing_bp
    from courses.learning_views import bp as learning_bp
    from courses.path_views import bp as paths_bp
    from courses.player_views import bp as course_player_bp
    from courses.report_views import bp as course_reports_bp
    from courses.trainer_views import bp as courses_bp
    from portal.admin.views import bp as admin_bp
    from portal.auth.views import bp as auth_bp
    from portal.health import bp as health_bp
    from portal.recordings.candidate_views import bp as recordings_bp
    from portal.recordings.review_views import bp as recording_review_bp
    from portal.recordings.setup_views import bp as recording_setup_bp
    from portal.recordings.upload_views import bp as recording_uploads_bp
    from portal.recruiting.candidate_views import bp as candidate_bp
    from portal.recruiting.careers_views import bp as careers_bp
    from portal.recruiting.opening_views import bp as openings_bp
    from portal.recruiting.pipeline_views import bp as pipeline_bp
    from portal.teams.views import bp as teams_bp

    for blueprint in (careers_bp, auth_bp, candidate_bp, pipeline_bp, openings_bp, admin_bp,
                      assessment_banks_bp, assessments_bp, assessment_results_bp,
                      readiness_bp, readiness_speed_bp, recordings_bp, recording_uploads_bp,
                      recording_review_bp, recording_setup_bp, courses_bp, course_content_bp,
                      course_player_bp, course_reports_bp, landing_bp, learning_bp, paths_bp,
                      teams_bp, certificates_bp, learning_dashboards_bp, health_bp):
        app.register_blueprint(blueprint)


def _register_screening_cli(app: Flask) -> None:
    import assessments.cli

    assessments.cli.register_cli(app)


def _register_learning_cli(app: Flask) -> None:
    import courses.cli

    courses.cli.register_cli(app)


def _register_steps() -> None:
    """The screening packages plug their application steps, score labels and data export into
    recruiting, and the LMS listens to its hires (never the reverse)."""
    import assessments.privacy
    import assessments.screening_sync
    import assessments.steps
    import courses.listeners
    import portal.recordings.privacy
    import portal.recordings.retention
    import portal.recordings.steps

    assessments.steps.register()
    assessments.screening_sync.register()
    assessments.privacy.register()
    portal.recordings.steps.register()
    portal.recordings.privacy.register()
    portal.recordings.retention.register()
    courses.listeners.connect()
