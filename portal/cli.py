"""Command-line tools: `flask --app app demo load`, `create-admin` (see portal/admin/cli.py)."""

import logging

import click
from flask import Flask

from portal.extensions import db


def init_app(app: Flask) -> None:
    from portal.admin.cli import register_cli

    register_cli(app)

    @app.cli.group()
    def demo():
        """Demo data for trying the portal."""

    @demo.command("load")
    @click.option("--candidates", default=300, show_default=True, help="How many candidates.")
    @click.option("--seed", default=7, show_default=True, help="Same seed, same data.")
    def load(candidates: int, seed: int):
        """Load openings, candidates across stages and one user per staff role."""
        from portal import demo_data

        # Hundreds of demo emails would bury the credentials printed below.
        logging.getLogger("portal.mail").setLevel(logging.WARNING)
        if demo_data.already_loaded():
            click.echo("Demo data is already loaded; nothing changed.")
        else:
            recordings = demo_data.load(candidates=candidates, seed=seed)
            db.session.commit()
            click.echo(f"Loaded demo data: {candidates} candidates; {recordings}.")
        click.echo(demo_data.credentials_text())

    @app.cli.group()
    def jobs():
        """Background jobs."""

    @jobs.command("requeue")
    @click.option("--older-than", default=300, show_default=True, help="Seconds queued.")
    def requeue(older_than: int):
        """Queue again the jobs that never reached a worker (e.g. Redis was down)."""
        from portal.jobs import requeue_stale

        click.echo(f"Queued again: {requeue_stale(older_than)} job(s).")

    @jobs.command("retry-failed")
    @click.option("--queue", help="Only this queue (default, email, media).")
    def retry_failed_command(queue: str | None):
        """Run again the jobs that failed, once what made them fail is mended (e.g. ffmpeg
        installed): a take whose processing failed that way is processed then."""
        from portal.jobs import QUEUES, retry_failed

        if queue is not None and queue not in QUEUES:
            raise click.BadParameter(f"choose one of {', '.join(QUEUES)}", param_hint="--queue")
        click.echo(f"Queued again: {retry_failed(queue)} failed job(s).")

    @app.cli.command("purge-expired")
    def purge_expired():
        """Delete applications and recordings past their retention periods, and ended
        sessions (run daily)."""
        from portal.auth import sessions
        from portal.recordings import retention
        from portal.recruiting import privacy

        deleted = privacy.purge_expired(app.config["APPLICATION_RETENTION_DAYS"])
        takes = retention.purge_closed(app.config["RECORDING_RETENTION_DAYS"])
        ended = sessions.purge_expired()
        db.session.commit()
        click.echo(f"Deleted {deleted} expired application(s), the recordings of {takes} "
                   f"closed take(s) and {ended} ended session(s).")

    @app.cli.group()
    def mail():
        """Emails in the outbox."""

    @mail.command("show")
    @click.option("--to", "address", required=True, help="Recipient's email address.")
    @click.option("--last", default=1, show_default=True, help="How many of the newest.")
    def show(address: str, last: int):
        """Print the newest emails to ADDRESS, links included (without SMTP, the way to read
        a verification or reset link on a laptop demo; the log never shows them)."""
        from portal.mail import newest_to

        for message in newest_to(address, last):
            click.echo(f"--- {message.created_at:%Y-%m-%d %H:%M} UTC · {message.status} · "
                       f"{message.subject}\n{message.body_text}")
