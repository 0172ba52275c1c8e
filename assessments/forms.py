from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class BankUploadForm(FlaskForm):
    file = FileField("Bank file (YAML)", validators=[FileRequired("Choose a .yaml file.")],
                     render_kw={"accept": ".yaml,.yml,text/yaml"},
                     description="Checked whole before anything is saved; a changed file "
                                 "becomes a new version, and attempts keep the version they "
                                 "were taken with.")
    submit = SubmitField("Check and publish")
