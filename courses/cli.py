"""`flask --app app courses ...`: look inside SCORM packages from the command line."""

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from courses.scorm import manifest, package

group = AppGroup("courses", help="Courses: SCORM packages.")


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


def register_cli(app: Flask) -> None:
    app.cli.add_command(group)
