from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.form_fields import MultiCheckboxField
from portal.text import clean_line


class TeamForm(FlaskForm):
    name = StringField("Team name", filters=[clean_line], validators=[
        DataRequired("Give the team a name."),
        Length(max=80, message="Keep the name under 80 characters.")])
    supervisor = SelectField("Supervisor", description="A trainer, manager, QA evaluator or "
                             "administrator who looks after the team.")
    submit = SubmitField("Save")

    def set_supervisors(self, users) -> None:
        self.supervisor.choices = [("", "No supervisor yet")] + [
            (str(user.id), f"{user.full_name} ({user.email})") for user in users]

    def supervisor_id(self) -> int | None:
        return int(self.supervisor.data) if self.supervisor.data else None


class AddMembersForm(FlaskForm):
    agents = MultiCheckboxField("Agents without a team", coerce=int)
    emails = TextAreaField("Paste agents' email addresses", validators=[
        Length(max=20000, message="Paste at most a few hundred addresses at once.")],
        render_kw={"rows": 3},
        description="Separated by commas, spaces or new lines. Anyone who cannot be added is "
                    "listed with the reason.")
    add = SubmitField("Add to the team")
