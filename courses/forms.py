from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional

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
