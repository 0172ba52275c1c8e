"""`flask --app app create-admin`: the first administrator, or admin rights for an existing user.

    flask --app app create-admin --email boss@example.com --name "Dana Boss"
    flask --app app create-admin --email existing@example.com --grant
"""

import click
from flask import Flask

from portal.admin import services
from portal.auth import passwords
from portal.auth.models import ADMIN, User
from portal.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_admin)


@click.command("create-admin")
@click.option("--email", required=True, help="Email address of the administrator.")
@click.option("--name", default=None, help="Full name (needed to create a new account).")
@click.option("--password", default=None,
              help="Initial password; asked for (hidden, twice) when not given.")
@click.option("--grant", is_flag=True,
              help="If the email belongs to an existing user, make that user an administrator.")
def create_admin(email: str, name: str | None, password: str | None, grant: bool) -> None:
    """Create a verified administrator account (or, with --grant, promote an existing user)."""
    try:
        email = services.normalize_email(email)
    except services.AdminError as error:
        raise click.ClickException(str(error)) from None
    existing = User.by_email(email)
    if existing is not None:
        _grant_existing(existing, grant)
        return
    if not name or len(name.strip()) < 2:
        raise click.ClickException("Give the new administrator's full name with --name.")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    issues = passwords.problems(password, email=email, name=name)
    if issues:
        raise click.ClickException("Password refused: " + " ".join(issues))
    try:
        user = services.create_user(email, name, {ADMIN}, password, actor=None)
    except services.AdminError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created administrator {user.email} (user #{user.id}).")


def _grant_existing(user: User, grant: bool) -> None:
    if not grant:
        raise click.ClickException(
            f"A user with the email {user.email} already exists. Run again with --grant to make "
            "that user an administrator.")
    if ADMIN in user.roles:
        click.echo(f"{user.email} (user #{user.id}) is already an administrator; nothing changed.")
        return
    if not user.is_active_account:
        raise click.ClickException(
            f"{user.email} is deactivated. Activate the account before granting admin rights.")
    try:
        services.set_roles(user, user.roles | {ADMIN}, actor=None)
    except services.AdminError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Granted administrator rights to {user.email} (user #{user.id}).")
