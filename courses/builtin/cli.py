"""`flask --app app courses build-qm|import-qm`: our own QM course, built from its sources
(courses/builtin/qm/) and imported. Attached to the `courses` group by courses/cli.py."""

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from courses import importing
from courses.builtin import package
from portal.extensions import db


@click.command("build-qm")
@click.option("--output", type=click.Path(path_type=Path), default=Path("."),
              show_default=True,
              help=f"A folder (the zip is {package.QM_ZIP_NAME} in it) or the zip's path.")
@with_appcontext
def build_qm(output: Path) -> None:
    """Build the SCORM package of the course "Quality management: how your calls are
    evaluated" from its sources and print its path and SHA-256, as JSON. The same sources
    always give the same bytes."""
    path = package.build_qm_package(output)
    click.echo(json.dumps({"path": str(path.resolve()), "sha256": package.sha256_of(path),
                           "bytes": path.stat().st_size}, indent=2))


@click.command("import-qm")
@with_appcontext
def import_qm() -> None:
    """Build the QM course and import it as the course 'qm-basics': created the first time, a
    new version when its sources changed, nothing otherwise. Prints JSON: course_id,
    course_key, version, scorm_version, files, notes, status (created, new version or
    unchanged)."""
    try:
        done = package.import_qm_course(actor=None)
    except importing.ImportRefused as error:
        db.session.rollback()
        raise click.ClickException(f"{package.QM_ZIP_NAME}: {error.message}") from None
    db.session.commit()
    version = done.version
    click.echo(json.dumps({"course_id": version.course_id, "course_key": version.course.key,
                           "version": version.number, "scorm_version": version.scorm_version,
                           "files": version.file_count, "notes": version.notes,
                           "status": done.status, "package_sha256": done.package_sha256},
                          indent=2))
