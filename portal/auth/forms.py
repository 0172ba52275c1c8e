from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from portal.auth import passwords
from portal.text import clean_line


class StrongPassword:
    """Applies portal.auth.passwords to a field, using the form's email/name when present."""

    def __call__(self, form, field):
        email = form.email.data if "email" in form else getattr(form, "account_email", "")
        name = form.full_name.data if "full_name" in form else getattr(form, "account_name", "")
        issues = passwords.problems(field.data or "", email=email or "", name=name or "")
        if issues:
            raise ValidationError(" ".join(issues))


class RegisterForm(FlaskForm):
    full_name = StringField("Full name", filters=[clean_line],
                            validators=[DataRequired(), Length(2, 120)],
                            render_kw={"autocomplete": "name"})
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Password", validators=[DataRequired(), StrongPassword()],
                             description=f"At least {passwords.MIN_LENGTH} characters, "
                                         "mixing letters with digits or symbols.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat password",
                            validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    # No format check at login: an address we accepted once must always be able to log in.
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this computer")
    submit = SubmitField("Log in")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField("Email me a reset link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), StrongPassword()],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat new password",
                            validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set new password")

    def __init__(self, *args, account_email: str = "", account_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email, self.account_name = account_email, account_name


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-click POST actions."""
