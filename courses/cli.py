"""`flask --app app courses ...`: look inside SCORM packages and import them from the command
line."""

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from courses import importing, registrations
from courses.builtin.cli import build_qm, import_qm
from courses.models import Course
from courses.scorm import manifest, package
from portal.extensions import db

group = AppGroup("courses", help="Courses: SCORM packages.")
group.add_command(build_qm)  # our own QM course (courses/builtin/cli.py)
group.add_command(import_qm)


@group.command("inspect")
@click.argument("zip_file", metavar="PACKAGE.zip",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def inspect(zip_file: Path) -> None:
    """Print what the package's imsmanifest.xml says, as JSON: the SCORM version, the
    organizations and their item trees with each item's launch URL, and notes. Nothing is
    unpacked; a package that import would refuse is refused here with the reason."""
    try:
        packed = package.read_manifest(zip_file)
        parsed = manifest.parse(packed.data)
    except (package.PackageRefused, manifest.ManifestError) as error:
        raise click.ClickException(f"{zip_file.name}: {error.message}") from None
    shown = {"manifest_path": packed.manifest_path, **parsed.to_dict(),
             "notes": [*packed.notes, *parsed.notes]}
    click.echo(json.dumps(shown, indent=2))


@group.command("import")
@click.argument("zip_file", metavar="PACKAGE.zip",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_key", metavar="KEY",
              help="Import as the next version of this course (its key); default: a new course.")
@click.option("--title", help="The course's title; default: the manifest's.")
def import_command(zip_file: Path, course_key: str | None, title: str | None) -> None:
    """Import the package as a new course, or as the next version of course KEY, and print
    JSON: course_id, course_key, version, scorm_version, files, notes. A package that cannot
    be imported exits 1 with the reason, and leaves nothing behind."""
    try:
        with importing.unpack(zip_file) as unpacked:
            # The database only now: on SQLite the first statement takes the write lock.
            version = importing.store(unpacked, title=title, course=_course(course_key),
                                      actor=None)
    except importing.ImportRefused as error:
        raise click.ClickException(f"{zip_file.name}: {error.message}") from None
    db.session.commit()
    click.echo(json.dumps({"course_id": version.course_id, "course_key": version.course.key,
                           "version": version.number, "scorm_version": version.scorm_version,
                           "files": version.file_count, "notes": version.notes}, indent=2))


@group.command("register")
@click.argument("course_key", metavar="COURSE")
@click.argument("emails", nargs=-1, required=True, metavar="EMAIL...")
def register_command(course_key: str, emails: tuple[str, ...]) -> None:
    """Register learners (by their accounts' email addresses) to the course COURSE (its key,
    as `import` printed it); prints who was registered and who skipped, and why."""
    course = _course(course_key)
    added, skipped = registrations.register_emails(course, " ".join(emails))
    db.session.commit()
    click.echo(json.dumps({"course": course.key, "registered": [r.learner.email for r in added],
                           "skipped": [{"email": e, "why": why} for e, why in skipped]},
                          indent=2))


def _course(key: str | None) -> Course | None:
    if key is None:
        return None
    course = db.session.scalar(select(Course).where(Course.key == key))
    if course is None:
        raise click.ClickException(f"No course has the key '{key}'; leave out --course to "
                                   "import a new course.")
    return course


def register_cli(app: Flask) -> None:
    app.cli.add_command(group)


@group.command("remind")
@click.option("--now", "inline", is_flag=True,
              help="Send the reminders now, in this process, and print the counts as JSON.")
def remind_command(inline: bool) -> None:
    """Queue today's course due-date reminders (due within 3 days, overdue): run it daily from
    cron or a systemd timer. The job is keyed by the UTC date, so a second run the same day
    queues nothing; each reminder is sent once per due date whatever runs. --now sends them
    inline and prints {"due_soon": n, "overdue": n, "skipped": n}."""
    from courses import reminders
    from portal import jobs
    from portal.extensions import utcnow

    if inline:
        click.echo(json.dumps(reminders.send_due_reminders()))
        return
    key = f"course-reminders:{utcnow().date().isoformat()}"
    job = jobs.enqueue(reminders.remind_job, queue="default", idempotency_key=key)
    job_id = job.id
    db.session.commit()  # without Redis the job runs here, inline
    job = db.session.get(jobs.JobRun, job_id)
    click.echo(json.dumps({"job": job_id, "idempotency_key": key, "status": job.status}))
