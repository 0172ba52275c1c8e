from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from courses.announcements import Fields
from courses.formatting import is_web_url
from courses.landing_models import AUDIENCES, KINDS, OPENING, TEAM
from portal.form_fields import MultiCheckboxField
from portal.text import clean_line, clean_text


class PackageForm(FlaskForm):
    package = FileField("SCORM package (.zip)", validators=[FileRequired(
        "Choose the SCORM package: the .zip your authoring tool exported.")],
        render_kw={"accept": ".zip,application/zip"},
        description="SCORM 1.2 or 2004, as exported. It is checked whole before anything is "
                    "kept: a package that cannot be imported leaves nothing behind.")
    title = StringField("Title (optional)", filters=[clean_line], validators=[
        Optional(), Length(max=200, message="Keep the title under 200 characters.")],
        description="Leave empty to use the title in the package's manifest.")
    submit = SubmitField("Upload and import")


class PolicyForm(FlaskForm):
    max_attempts = IntegerField("Most attempts a learner may make", validators=[
        Optional(), NumberRange(1, 100, "From 1 to 100, or empty for no limit.")],
        description="Empty: no limit. Once the last allowed attempt is completed, the course "
                    "opens for review only.")
    new_attempt = SelectField("A new attempt starts")
    grading = SelectField("The learner's result is the")
    save = SubmitField("Save the attempt rules")


class CatalogueForm(FlaskForm):
    title = StringField("Title", filters=[clean_line], validators=[
        DataRequired("Give the course a title."),
        Length(max=200, message="Keep the title under 200 characters.")])
    description = TextAreaField("Description", filters=[clean_text], validators=[
        Length(max=4000, message="Keep the description under 4,000 characters.")],
        render_kw={"rows": 3}, description="What the learner will be able to do afterwards.")
    category = StringField("Category", filters=[clean_line], validators=[
        Length(max=60, message="Keep the category under 60 characters.")],
        description="E.g. Onboarding, Compliance, Product knowledge.")
    estimated_minutes = IntegerField("Estimated time (minutes)", validators=[
        Optional(), NumberRange(1, 6000, "From 1 to 6,000 minutes, or empty.")])
    certifies = BooleanField("Completing it earns a certificate (passing, when it is scored)")
    save = SubmitField("Save the details")


class RegisterForm(FlaskForm):
    emails = TextAreaField("Learners' email addresses", validators=[
        Length(max=20000, message="Paste at most a few hundred addresses at once.")],
        render_kw={"rows": 3},
        description="One or more, separated by commas, spaces or new lines.")
    register = SubmitField("Register")


def _optional_id(value) -> int | None:
    """A select's row id; its empty choice, or anything that is no id, is None (the form's
    own check then says what to choose)."""
    return int(value) if isinstance(value, int) or str(value or "").isdigit() else None


class AnnouncementForm(FlaskForm):
    kind = SelectField("Kind", choices=list(KINDS.items()))
    title = StringField("Title", filters=[clean_line], validators=[
        DataRequired("Give the announcement a title."),
        Length(max=160, message="Keep the title under 160 characters.")])
    body = TextAreaField("Text", filters=[clean_text], validators=[
        DataRequired("Write the announcement's text."),
        Length(max=10000, message="Keep the text under 10,000 characters.")],
        render_kw={"rows": 8},
        description="A blank line starts a new paragraph. **bold**, *italic*, lines starting "
                    "with \"- \" make a list, and http:// or https:// addresses become links. "
                    "Nothing else is formatted: HTML shows as typed.")
    audience = SelectField("Who sees it", choices=list(AUDIENCES.items()))
    # Named after the columns, so that editing fills them from the announcement (its `team`
    # and `opening` are relationships).
    team_id = SelectField("Team", coerce=_optional_id, description="When it is for a team.")
    opening_id = SelectField("Opening", coerce=_optional_id,
                             description="When it is for the agents hired through an opening.")
    pinned = BooleanField("Pinned: shown above the others")
    starts_on = DateField("First day shown", validators=[
        InputRequired("Give the first day it is shown.")])
    ends_on = DateField("Last day shown (optional)", validators=[Optional()],
                        description="Empty: until you archive it. Days are UTC.")
    preview = SubmitField("Preview")
    save = SubmitField("Save")

    def set_choices(self, teams, openings) -> None:
        self.team_id.choices = [("", "Choose a team")] + [(t.id, t.name) for t in teams]
        self.opening_id.choices = [("", "Choose an opening")] + [
            (o.id, o.title) for o in openings]

    def validate_team_id(self, field):
        if self.audience.data == TEAM and not field.data:
            raise ValidationError("Choose the team the announcement is for.")

    def validate_opening_id(self, field):
        if self.audience.data == OPENING and not field.data:
            raise ValidationError("Choose the opening whose hires it is for.")

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The last day cannot come before the first.")

    def fields(self) -> Fields:
        return Fields(kind=self.kind.data, title=self.title.data, body=self.body.data,
                      audience=self.audience.data, team_id=self.team_id.data,
                      opening_id=self.opening_id.data, pinned=self.pinned.data,
                      starts_on=self.starts_on.data, ends_on=self.ends_on.data)


class ToolLinkForm(FlaskForm):
    title = StringField("Title", filters=[clean_line], validators=[
        DataRequired("Give the link a title."),
        Length(max=120, message="Keep the title under 120 characters.")])
    url = URLField("Address", filters=[clean_line], validators=[
        DataRequired("Give the address, starting with https://."),
        Length(max=500, message="Keep the address under 500 characters.")],
        description="https://... or http://...; nothing else is accepted.")
    description = StringField("What it is for (optional)", filters=[clean_line], validators=[
        Length(max=300, message="Keep it under 300 characters.")])
    team_id = SelectField("Shown to", coerce=_optional_id,
                          description="Everyone, or one team's agents only.")
    save = SubmitField("Save the link")

    def set_teams(self, teams) -> None:
        self.team_id.choices = [("", "Everyone")] + [(t.id, t.name) for t in teams]

    def validate_url(self, field):
        if field.data and not is_web_url(field.data):
            raise ValidationError("The address must start with http:// or https:// and name "
                                  "a host, e.g. https://crm.example.com.")


STEP_ROWS = 12  # the most courses a path's form offers at once (a path is a short program)


class PathForm(FlaskForm):
    """A path: text, due days, and up to STEP_ROWS steps as rows of (course, opens when);
    an empty row is skipped, so a trainer removes a step by emptying its course."""

    title = StringField("Title", filters=[clean_line], validators=[
        DataRequired("Give the path a title."),
        Length(max=200, message="Keep the title under 200 characters.")])
    description = TextAreaField("Description", filters=[clean_text], validators=[
        Length(max=4000, message="Keep the description under 4,000 characters.")],
        render_kw={"rows": 2})
    due_days = IntegerField("Due, in days after enrolment", validators=[
        Optional(), NumberRange(1, 365, "From 1 to 365 days, or empty for no due date.")],
        description="Empty: no due date. Each learner's due date counts from their enrolment.")
    save = SubmitField("Save the path")

    def steps(self, form) -> list[tuple[int, str]]:
        """The filled rows in order: (course id, opens after)."""
        rows = []
        for number in range(STEP_ROWS):
            course = form.get(f"step-{number}-course", "")
            if course.isdigit():
                rows.append((int(course), form.get(f"step-{number}-opens", "")))
        return rows


class EnrolForm(FlaskForm):
    how = SelectField("Enrol", choices=[("emails", "These people (email addresses)"),
                                        ("team", "A team"), ("opening", "An opening's hires")])
    emails = TextAreaField("Email addresses", validators=[
        Length(max=20000, message="Paste at most a few hundred addresses at once.")],
        render_kw={"rows": 3}, description="Separated by commas, spaces or new lines.")
    team_id = SelectField("Team", coerce=_optional_id)
    opening_id = SelectField("Opening", coerce=_optional_id)
    enrol = SubmitField("Enrol")

    def set_choices(self, teams, openings) -> None:
        self.team_id.choices = [("", "Choose a team")] + [(t.id, t.name) for t in teams]
        self.opening_id.choices = [("", "Choose an opening")] + [
            (o.id, o.title) for o in openings]

    def validate_team_id(self, field):
        if self.how.data == "team" and not field.data:
            raise ValidationError("Choose the team to enrol.")

    def validate_opening_id(self, field):
        if self.how.data == "opening" and not field.data:
            raise ValidationError("Choose the opening whose hires to enrol.")

    def validate_emails(self, field):
        if self.how.data == "emails" and not (field.data or "").strip():
            raise ValidationError("Paste at least one email address.")


class PathOpeningsForm(FlaskForm):
    openings = MultiCheckboxField("Openings whose hires join this path", coerce=int,
                                  description="An opening names one path: ticking it here "
                                              "takes it from another path.")
    save = SubmitField("Save the openings")
