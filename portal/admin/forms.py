from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.admin import services
from portal.auth import passwords
from portal.auth.forms import StrongPassword
from portal.auth.models import ROLE_LABELS, ROLES
from portal.extensions import MAX_ROW_ID
from portal.form_fields import MultiCheckboxField
from portal.text import clean_line

ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in ROLES]


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = SearchField("Search", validators=[Optional(), Length(max=100)],
                    render_kw={"placeholder": "Name or email"})
    role = SelectField("Role", choices=[("", "All roles")] + ROLE_CHOICES,
                       validators=[Optional()])


class RolesForm(FlaskForm):
    # No DataRequired: the service explains why a user needs at least one role.
    roles = MultiCheckboxField("Roles", choices=ROLE_CHOICES)
    submit = SubmitField("Save roles")


class SetActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"])])


class CreateUserForm(FlaskForm):
    # Another person's name and address: the browser must not fill in the admin's own.
    full_name = StringField("Full name", filters=[clean_line],
                            validators=[DataRequired(), Length(2, 120)],
                            render_kw={"autocomplete": "off"})
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "off"})
    roles = MultiCheckboxField("Roles", choices=ROLE_CHOICES,
                               validators=[DataRequired("Choose at least one role.")])
    password = PasswordField(
        "Initial password", validators=[DataRequired(), StrongPassword()],
        description=f"At least {passwords.MIN_LENGTH} characters, mixing letters with digits or "
                    "symbols. Share it safely; the person can change it after logging in.",
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat password",
                            validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Create account")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter form

    action = StringField("Action", validators=[Optional(), Length(max=60)],
                         render_kw={"placeholder": "user.created or application.",
                                    "list": "known-actions"})
    actor = StringField("Actor", validators=[Optional(), Length(max=254)],
                        render_kw={"placeholder": "email, or system"})
    target_type = SelectField("Target", validators=[Optional()])
    target_id = IntegerField("Target id", validators=[Optional(), NumberRange(1, MAX_ROW_ID)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_type.choices = [("", "Any target")] + [
            (name, name.replace("_", " ").capitalize()) for name in services.target_types()]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("Must be on or after the start date.")
