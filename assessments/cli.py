"""`flask --app app assessments ...`: list the shipped banks, validate a bank file, score
answers against a bank by hand (audits, checking a key)."""

import json
from pathlib import Path

import click
from flask import Flask

from assessments import bank as banks
from assessments import scoring


def _bank_named(name: str) -> banks.Bank:
    """A shipped bank by key, or a bank file by path."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            return banks.load(path.read_bytes())
        except OSError as error:
            raise click.ClickException(f"cannot read {path}: {error.strerror}") from None
        except banks.BankError as error:
            raise click.ClickException(f"{path} is not a valid bank:\n{error}") from None
    shipped = banks.shipped()
    if name not in shipped:
        raise click.ClickException(f"no bank '{name}'; shipped banks: {', '.join(shipped)}")
    return shipped[name]


def register_cli(app: Flask) -> None:
    @app.cli.group("assessments")
    def group():
        """Assessment banks: list, validate, score."""

    @group.command("list")
    def list_banks():
        """The shipped banks with their version, items, scales and time limit."""
        for bank in banks.shipped().values():
            limit = f"{bank.time_limit_minutes} min" if bank.time_limit_minutes else "untimed"
            click.echo(f"{bank.key:<20} version {bank.version}  {len(bank.items):>3} items  "
                       f"{len(bank.scales)} scales  {limit}  {bank.title}")

    @group.command("publish-shipped")
    def publish_shipped():
        """Make every bank shipped in assessments/banks/ a version in the database (after an
        upgrade; `demo load` does it too). Unchanged files are not published twice."""
        from assessments import services
        from portal.extensions import db

        new = services.publish_shipped()
        db.session.commit()
        click.echo(f"Published {new} new bank version(s).")

    @group.command("close-expired")
    def close_expired():
        """Close and score every attempt whose time has run out (run it from cron every few
        minutes, so application steps complete even when a candidate never comes back)."""
        from assessments import attempts
        from portal.extensions import db

        closed = attempts.close_expired()
        db.session.commit()
        click.echo(f"Closed {closed} attempt(s) whose time had run out.")

    @group.command("recompute-norms")
    def recompute_norms():
        """Local norms for every bank a manager switched to them, from the finished attempts
        (a norm that moved becomes a new version). Run it from cron, say nightly."""
        from assessments import norms
        from portal.extensions import db

        added = norms.recompute_all()
        db.session.commit()
        for norm in added:
            click.echo(f"{norm.bank_key}.{norm.scale_key}: version {norm.version}, mean "
                       f"{norm.mean}, sd {norm.sd}, from {norm.n} applicants")
        click.echo(f"{len(added)} local norm(s) added.")

    @group.command("validate")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def validate(file: Path):
        """Check a bank FILE; every problem is printed with its line (exit 1 if any)."""
        bank = _bank_named(str(file))
        click.echo(f"{file}: valid bank '{bank.key}' version {bank.version} "
                   f"({len(bank.items)} items, {len(bank.scales)} scales)")

    @group.command("score")
    @click.argument("bank_name", metavar="BANK")
    @click.option("--responses", "responses_file", required=True,
                  type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="JSON object of item id -> answer (1..5).")
    def score(bank_name: str, responses_file: Path):
        """Score a JSON object of answers against BANK (a shipped key or a file); prints the
        scale scores as JSON."""
        bank = _bank_named(bank_name)
        try:
            responses = json.loads(responses_file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise click.ClickException(f"{responses_file} is not JSON: {error}") from None
        if not isinstance(responses, dict):
            raise click.ClickException("the responses must be one JSON object: "
                                       '{"item id": answer, ...}')
        try:
            scores = scoring.score(bank, responses)
        except scoring.ResponseError as error:
            raise click.ClickException(str(error)) from None
        click.echo(json.dumps({"bank": bank.key, "version": bank.version,
                               "scales": {s.scale: s.as_dict() for s in scores}}, indent=2))
