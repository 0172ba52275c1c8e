"""Certificates people can use: the learner's PDF, staff's copy of anyone's and its re-issue
after a name change, and the public page where anyone checks a code.

The public page tells what the certificate itself says (to whom, for what, which
achievement, when) and nothing else: no email, no score, no link to the learner. Unknown
and malformed codes take the same path (normalise, one lookup) and get the same answer."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from courses import certificates
from courses.certificate_models import Certificate
from portal import audit, pdf
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import owned_or_404, public, roles, signed_in
from portal.extensions import db, limiter, writes_on_get
from portal.mail import absolute_url

bp = Blueprint("certificates", __name__, template_folder="templates")

STAFF = (TRAINER, MANAGER, ADMIN)
PORTAL_NAME = "WAH Portal"
# Longer than any code with spaces and dashes typed around it; the rest is never read.
MAX_TYPED = 64
NOINDEX = "noindex, nofollow"


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    # No length check: any typed code, however long or odd, takes the one path of _verdict.
    code = StringField("Certificate code", validators=[
        DataRequired("Enter the code printed on the certificate.")],
        description="12 letters and digits, as printed on the certificate, e.g. "
                    "ABCD-EFGH-JKMN. Dashes, spaces and lower case are fine.",
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters",
                   "maxlength": MAX_TYPED})


@dataclass(frozen=True)
class Verdict:
    """All the verify page may show: what the certificate says, never who the learner is."""

    state: str  # valid, revoked, unknown
    name: str = ""
    title: str = ""
    achievement: str = ""
    achieved_at: datetime | None = None
    revoked_at: datetime | None = None
    reason: str = ""


STATUS = {"valid": 200, "revoked": 410, "unknown": 404}


def _verdict(typed: str) -> Verdict:
    certificate = certificates.by_code(typed[:MAX_TYPED])
    if certificate is None:
        return Verdict("unknown")
    if certificate.revoked_at is not None:
        return Verdict("revoked", revoked_at=certificate.revoked_at,
                       reason=certificate.revoked_reason or "")
    return Verdict("valid", name=certificate.name, title=certificate.title,
                   achievement=certificate.achievement, achieved_at=certificate.achieved_at)


def _verify_limit() -> str:
    """Checks per client address, all verify pages together."""
    return current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"]


def _verify_page(form: VerifyForm, verdict: Verdict | None, status: int = 200):
    response = make_response(render_template("courses/verify.html", form=form, verdict=verdict),
                             status)
    response.headers["X-Robots-Tag"] = NOINDEX
    # A verdict changes when the certificate is revoked: no copy of it is kept anywhere.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/certificates/verify")
@public
@limiter.shared_limit(_verify_limit, scope="certificate-verify")
def verify():
    """The form; with ?code= (the form sent) the answer for that code under it."""
    form = VerifyForm(request.args)
    if "code" not in request.args:
        return _verify_page(VerifyForm(formdata=None), None)
    if not form.validate():
        return _verify_page(form, None, 422)
    verdict = _verdict(form.code.data)
    return _verify_page(form, verdict, STATUS[verdict.state])


@bp.get("/certificates/verify/<code>")
@public
@limiter.shared_limit(_verify_limit, scope="certificate-verify")
def verify_code(code: str):
    """The link printed on a certificate."""
    verdict = _verdict(code)
    shown = code if verdict.state == "unknown" else certificates.normalised(code)
    form = VerifyForm(formdata=None, code=shown[:MAX_TYPED])
    return _verify_page(form, verdict, STATUS[verdict.state])


# --- the PDF -----------------------------------------------------------------------------

def _pdf(certificate: Certificate) -> Response:
    html = render_template(
        "courses/certificate_pdf.html", certificate=certificate, portal_name=PORTAL_NAME,
        verify_url=absolute_url("certificates.verify_code", code=certificate.code))
    try:
        document = pdf.render(html)
    except pdf.PdfUnavailable as missing:
        abort(503, str(missing))
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"'})


@bp.get("/me/certificates/<int:certificate_id>.pdf")
@signed_in
def my_pdf(certificate_id: int):
    """The learner's own certificate; anyone else's is not found."""
    certificate = owned_or_404(Certificate, certificate_id, "learner_id")
    if certificate.revoked_at is not None:
        abort(410, f"This certificate was revoked on "
                   f"{certificate.revoked_at.strftime('%-d %B %Y')}: "
                   f"{certificate.revoked_reason or 'it is no longer valid.'} "
                   "Your valid certificates are listed on your home page.")
    return _pdf(certificate)


@bp.get("/learning/certificates/<int:certificate_id>.pdf")
@roles(*STAFF)
@writes_on_get  # audits the read
def staff_pdf(certificate_id: int):
    """Any learner's certificate, for their file; a revoked one says so across the page."""
    certificate = db.get_or_404(Certificate, certificate_id)
    response = _pdf(certificate)
    audit.record("certificate.downloaded", certificate, current_user,
                 learner_id=certificate.learner_id, code=certificate.code)
    db.session.commit()
    return response


@bp.post("/learning/certificates/<int:certificate_id>/reissue")
@roles(*STAFF)
def reissue(certificate_id: int):
    """The same achievement under the learner's current name and a new code (audited by
    certificates.reissue); the old code then says it was replaced."""
    certificate = db.get_or_404(Certificate, certificate_id)
    try:
        fresh = certificates.reissue(certificate, current_user)
    except certificates.ReissueRefused as refused:
        flash(str(refused), "warning")
    else:
        db.session.commit()
        flash(f"Re-issued to {fresh.name} under the new code {fresh.code}. The old code "
              f"{certificate.code} now says it was replaced.", "success")
    return redirect(_back(), code=303)


def _back() -> str:
    """The same-site page the form was on (its `next` field or the Referer), else the
    learning pages."""
    for target in (request.form.get("next"), request.referrer):
        if target:
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != request.host:
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith("/") and not path.startswith("//") and "\\" not in path \
                    and all(31 < ord(ch) != 127 for ch in path):
                return path
    return url_for("courses.index")
