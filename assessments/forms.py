from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from assessments.models import EXTRA_TIME, RETAKE
from portal.text import clean_text


class BankUploadForm(FlaskForm):
    file = FileField("Bank file (YAML)", validators=[FileRequired("Choose a .yaml file.")],
                     render_kw={"accept": ".yaml,.yml,text/yaml"},
                     description="Checked whole before anything is saved; a changed file "
                                 "becomes a new version, and attempts keep the version they "
                                 "were taken with.")
    submit = SubmitField("Check and publish")


class GrantForm(FlaskForm):
    """Extra time (an accommodation) or a retake, always with the reason on record."""

    bank_key = SelectField("Assessment", choices=[])
    kind = RadioField("Grant", choices=[(EXTRA_TIME, "Extra time"), (RETAKE, "A retake")],
                      default=EXTRA_TIME)
    minutes = IntegerField("Extra minutes", default=10, validators=[
        Optional(), NumberRange(1, 240, "Give between 1 and 240 minutes.")])
    reason = TextAreaField("Reason (kept on record)", filters=[clean_text], validators=[
        InputRequired("Say why: the reason is kept with the grant."),
        Length(3, 300, "Keep the reason between 3 and 300 characters.")],
        description="For example: an accommodation the candidate asked for, or a technical "
                    "problem during the first attempt.")
    submit = SubmitField("Grant")

    def validate_minutes(self, field):
        if self.kind.data == EXTRA_TIME and not field.data:
            raise ValidationError("Say how many extra minutes.")


class RubricScoreForm(FlaskForm):
    points = SelectField("Rubric level", coerce=int, choices=[])
    submit = SubmitField("Save score")
