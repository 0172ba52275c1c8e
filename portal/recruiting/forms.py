from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from portal.extensions import MAX_ROW_ID
from portal.form_fields import MultiCheckboxField
from portal.recruiting import choices, screening, stages, steps
from portal.text import clean_line, clean_text


def in_vocabulary_order(keys: list[str], vocabulary: list[tuple[str, str]]) -> list[str]:
    """Checked boxes in the order they are shown (Mon..Sun), not the order they were clicked."""
    chosen = set(keys)
    return [key for key, _ in vocabulary if key in chosen]


class FiniteNumber:
    """DecimalField accepts 'NaN' and 'Infinity'; no pay is either."""

    def __call__(self, form, field):
        if field.data is not None and not field.data.is_finite():
            raise StopValidation("Enter a number.")  # comparing NaN would raise later


class AtLeastOne:
    """Like DataRequired for a checkbox group, without marking every box `required` (which
    screen readers would announce on each option)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise ValidationError(self.message)


class OpeningForm(FlaskForm):
    title = StringField("Job title", filters=[clean_line],
                        validators=[DataRequired(), Length(3, 140)])
    summary = StringField("One-line summary", filters=[clean_line],
                          validators=[DataRequired(), Length(10, 300)])
    description = TextAreaField("Description", filters=[clean_text],
                                validators=[Optional(), Length(max=10000)])
    requirements = TextAreaField("Requirements (one per line)", filters=[clean_text],
                                 validators=[Optional(), Length(max=5000)])
    pay_min = DecimalField("Pay from", places=2, validators=[
        InputRequired(), FiniteNumber(), NumberRange(0, 1_000_000)])
    pay_max = DecimalField("Pay up to", places=2, validators=[
        InputRequired(), FiniteNumber(), NumberRange(0, 1_000_000)])
    pay_currency = SelectField("Currency", choices=choices.CURRENCIES)
    pay_period = SelectField("Period", choices=choices.PAY_PERIODS)
    hours_min = IntegerField("Hours per week from", validators=[InputRequired(),
                                                                NumberRange(1, 80)])
    hours_max = IntegerField("Hours per week up to", validators=[InputRequired(),
                                                                 NumberRange(1, 80)])
    shifts = MultiCheckboxField("Shifts", choices=choices.SHIFTS,
                                validators=[AtLeastOne("Choose at least one shift.")])
    countries = SelectMultipleField("Countries (none selected: any)", choices=choices.COUNTRIES)
    time_zones = SelectMultipleField("Time zones (none selected: any)",
                                     choices=[(tz, tz) for tz in choices.TIME_ZONES])
    steps = MultiCheckboxField("Steps candidates must complete")
    submit = SubmitField("Save opening")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps.choices = steps.choices()

    def validate_pay_max(self, field):
        if self.pay_min.data is not None and self.pay_min.data.is_finite() \
                and field.data < self.pay_min.data:
            raise ValidationError("Must not be less than the lower bound.")

    def validate_hours_max(self, field):
        if self.hours_min.data is not None and field.data is not None \
                and field.data < self.hours_min.data:
            raise ValidationError("Must not be less than the lower bound.")

    def opening_fields(self) -> dict:
        fields = {name: self[name].data for name in (
            "title", "summary", "description", "requirements", "pay_min", "pay_max",
            "pay_currency", "pay_period", "hours_min", "hours_max", "shifts", "countries",
            "time_zones", "steps")}
        for name in ("description", "requirements"):
            fields[name] = fields[name] or ""
        return fields


class ApplicationForm(FlaskForm):
    full_name = StringField("Full name", filters=[clean_line],
                            validators=[DataRequired(), Length(2, 120)],
                            render_kw={"autocomplete": "name"})
    # Shown, not taken: we write to the verified address of the account.
    email = EmailField("Email", render_kw={"readonly": True, "autocomplete": "email"},
                       description="The verified address of your account; we write to it.")
    phone = TelField("Phone", validators=[
        DataRequired(), Length(7, 40),
        Regexp(r"^\+?[0-9 ()./-]+$", message="Digits, spaces and + ( ) - only.")],
        render_kw={"autocomplete": "tel"})
    country = SelectField("Country you live in", choices=[("", "Choose...")] + choices.COUNTRIES,
                          validators=[DataRequired("Choose your country.")],
                          render_kw={"autocomplete": "country"})
    time_zone = SelectField("Your time zone",
                            choices=[("", "Choose...")] + [(t, t) for t in choices.TIME_ZONES],
                            validators=[DataRequired("Choose your time zone.")])
    availability_days = MultiCheckboxField("Days you can work", choices=choices.DAYS,
                                           validators=[AtLeastOne("Choose at least one day.")])
    availability_shifts = MultiCheckboxField(
        "Shifts you can work", choices=choices.SHIFTS,
        validators=[AtLeastOne("Choose at least one shift.")])
    hours_per_week = IntegerField("Hours per week you want", validators=[
        InputRequired(), NumberRange(1, 80, "Between 1 and 80 hours.")])
    languages = MultiCheckboxField("Languages you speak fluently", choices=choices.LANGUAGES,
                                   validators=[AtLeastOne("Choose at least one language.")])
    experience_years = IntegerField("Years of customer-service experience", validators=[
        InputRequired(), NumberRange(0, 60, "Between 0 and 60 years.")])
    has_computer = BooleanField("I have a computer I can use for work (Windows 10+ or macOS 12+)")
    has_headset = BooleanField("I have a USB headset with a noise-cancelling microphone")
    has_wired_internet = BooleanField("I can connect my computer to the internet with a cable")
    privacy_consent = BooleanField(
        "I have read the privacy notice and agree that my data is used to assess my application",
        validators=[DataRequired("You must agree to the privacy notice to apply.")])
    retention_consent = BooleanField(
        "I agree that my application is kept for 12 months, then deleted",
        validators=[DataRequired("You must agree to the retention period to apply.")])
    submit = SubmitField("Submit application")

    ANSWER_FIELDS = ("full_name", "phone", "country", "time_zone", "availability_days",
                     "availability_shifts", "hours_per_week", "languages", "experience_years",
                     "has_computer", "has_headset", "has_wired_internet")

    def answers(self) -> dict:
        answers = {name: self[name].data for name in self.ANSWER_FIELDS}
        answers["phone"] = answers["phone"].strip()
        for name, vocabulary in (("availability_days", choices.DAYS),
                                 ("availability_shifts", choices.SHIFTS),
                                 ("languages", choices.LANGUAGES)):
            answers[name] = in_vocabulary_order(answers[name], vocabulary)
        return answers


MOVE_CHOICES = [(key, stages.label(key)) for key in stages.MANAGER_TARGETS]


class MoveForm(FlaskForm):
    stage = SelectField("Move to", choices=MOVE_CHOICES)
    # The stage the manager saw: if someone moved it since, the move is refused, not applied
    # on top of the other person's.
    seen_stage = HiddenField(validators=[Optional(), AnyOf(stages.STAGE_KEYS)])
    reason = TextAreaField("Reason (internal)", filters=[clean_text],
                           validators=[Optional(), Length(max=500)])
    submit = SubmitField("Move")


class IdListField(Field):
    """The values of every checkbox named like the field, as a sorted list of distinct ids."""

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        self.data = []
        if not all(value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ROW_ID
                   for value in valuelist):
            raise ValueError("That selection is not valid.")
        self.data = sorted({int(value) for value in valuelist})
        if len(self.data) > 500:
            raise ValueError("Select at most 500 applications at a time.")


class BulkMoveForm(MoveForm):
    # No preselected stage: a bulk move to the wrong stage is costly to undo.
    stage = SelectField("Move selected to", validators=[DataRequired("Choose a stage.")],
                        choices=[("", "Move selected to...")] + MOVE_CHOICES)
    application_ids = IdListField(validators=[InputRequired("Select at least one application.")])
    reason = TextAreaField("Reason (internal)", filters=[clean_text], validators=[
        DataRequired("Give a reason for a bulk change."), Length(max=500)])
    submit = SubmitField("Move selected")


class NoteForm(FlaskForm):
    body = TextAreaField("Internal note", filters=[clean_text], validators=[
        DataRequired("A note cannot be empty."), Length(max=5000)])
    submit = SubmitField("Add note")


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Why are you withdrawing? (optional)", filters=[clean_text],
                           validators=[Optional(), Length(max=500)])
    submit = SubmitField("Withdraw application")


class EraseForm(FlaskForm):
    confirm_email = StringField("Type your email address to confirm",
                                validators=[DataRequired()])
    submit = SubmitField("Delete my account and data")


class PipelineFilterForm(FlaskForm):
    """The pipeline's GET filters; no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    opening = SelectField("Opening", coerce=str, validators=[Optional()])
    stage = SelectField("Stage", validators=[Optional()])
    q = StringField("Search name or email", validators=[Optional(), Length(max=100)])
    applied_from = DateField("Applied from", validators=[Optional()])
    applied_to = DateField("Applied to", validators=[Optional()])
    outcome = SelectField("Screening", validators=[Optional()])
    sort = SelectField("Sort", validators=[Optional()])

    def __init__(self, formdata, openings, sorts: list[tuple[str, str]]):
        super().__init__(formdata)
        self.opening.choices = [("", "All openings")] + [
            (str(opening_id), f"{title} ({status})") for opening_id, title, status in openings]
        self.stage.choices = [("active", "All active"), ("all", "All stages")] + [
            (s.key, s.label) for s in stages.STAGES]
        self.outcome.choices = [("", "Any result"), *screening.OUTCOME_LABELS.items(),
                                (screening.NOT_ASSESSED, "Not assessed")]
        self.sort.choices = sorts
