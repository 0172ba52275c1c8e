from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from portal.text import clean_line


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


class RegisterForm(FlaskForm):
    emails = TextAreaField("Learners' email addresses", validators=[
        Length(max=20000, message="Paste at most a few hundred addresses at once.")],
        render_kw={"rows": 3},
        description="One or more, separated by commas, spaces or new lines.")
    register = SubmitField("Register")
