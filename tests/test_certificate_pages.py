"""Certificates people can use: the learner downloads their own PDF (nobody else's), staff
download any (audited) and re-issue one under a new name, and anyone checks a code on the
public verify page, which tells what the certificate says and nothing more, and slows down
whoever tries codes in bulk."""

import pytest
from sqlalchemy import select

from courses import certificates, registrations
from courses.certificate_models import Certificate
from courses.tracking_models import Registration
from portal import create_app, pdf
from portal.audit import AuditEvent
from portal.extensions import db, limiter
from tests.conftest import test_config as build_config
from tests.helpers import page_text as text_of
from tests.test_course_tracking import MANIFEST_12, commit, imported, launch, open_attempt

REPLACED = "Replaced by a certificate re-issued under a new name."


def page_text(response) -> str:
    """What a person reads; a comma after bold text is read right after it."""
    return text_of(response).replace(" ,", ",").replace(" .", ".")


@pytest.fixture
def certified(app, tmp_path, make_user, client, login):
    """A learner who passed a certifying course through the player (score 87 of a mastery
    score of 80), signed in on `client`: (learner, certificate)."""
    course = imported(tmp_path, MANIFEST_12, "cert").course
    course.certifies = True
    learner = make_user(roles=("agent",), full_name="Avery Lin",
                        email="avery.lin@example.com")
    registration = registrations.register(course, learner)
    db.session.commit()
    login(client, learner)
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    answer = commit(client, attempt_id, seq + 1, [["cmi.core.lesson_status", "completed"],
                                                  ["cmi.core.score.raw", "87"]])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    db.session.expire_all()
    [certificate] = certificates.valid_for(learner.id)
    return learner, certificate


@pytest.fixture
def rendered(monkeypatch):
    """The HTML each PDF was rendered from (WeasyPrint compresses the PDF's text)."""
    pages = []
    real = pdf.render

    def keep(html):
        pages.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "render", keep)
    return pages


def test_the_learner_downloads_their_certificate(certified, client, rendered):
    learner, certificate = certified
    response = client.get(f"/me/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert f"certificate-{certificate.code}.pdf" in response.headers["Content-Disposition"]
    text = " ".join(rendered[-1].split())
    assert "Certificate of achievement" in text  # passed, not merely completed
    for fact in ("WAH Portal", "Avery Lin", "Call basics", certificate.code,
                 certificate.achieved_at.strftime("%-d %B %Y"),
                 f"/certificates/verify/{certificate.code}"):
        assert fact in text, fact
    assert "avery.lin@example.com" not in text
    assert "87" not in text.replace(certificate.code, "")  # the score


def test_another_learners_certificate_is_not_found(certified, app, make_user, login):
    _, certificate = certified
    other = app.test_client()
    login(other, make_user(roles=("agent",)))
    assert other.get(f"/me/certificates/{certificate.id}.pdf").status_code == 404
    assert other.get(f"/learning/certificates/{certificate.id}.pdf").status_code == 403
    assert app.test_client().get(f"/me/certificates/{certificate.id}.pdf").status_code == 302


def test_a_revoked_certificate_is_gone_for_its_learner(certified, client):
    _, certificate = certified
    certificates.revoke_for_registration(
        db.session.get(Registration, certificate.registration_id), "The completion was reset.")
    db.session.commit()
    response = client.get(f"/me/certificates/{certificate.id}.pdf")
    assert response.status_code == 410
    assert "was revoked on" in page_text(response)
    assert "The completion was reset." in page_text(response)


def test_staff_download_any_certificate_and_it_is_audited(certified, app, make_user, login,
                                                          rendered):
    learner, certificate = certified
    trainer = make_user(roles=("trainer",))
    staff = app.test_client()
    login(staff, trainer)
    response = staff.get(f"/learning/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "Avery Lin" in rendered[-1]
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "certificate.downloaded", AuditEvent.target_id == certificate.id))
    assert event is not None and event.actor_id == trainer.id
    assert event.detail["learner_id"] == learner.id


def test_reissue_changes_the_name_and_code_and_the_old_code_says_replaced(
        certified, app, make_user, login):
    learner, certificate = certified
    old_code = certificate.code
    learner.full_name = "Avery Lin-Moreau"
    db.session.commit()
    staff = app.test_client()
    login(staff, make_user(roles=("manager",)))
    response = staff.post(f"/learning/certificates/{certificate.id}/reissue",
                          data={"next": "/learning/courses/"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/learning/courses/")
    db.session.expire_all()
    [fresh] = certificates.valid_for(learner.id)
    assert fresh.name == "Avery Lin-Moreau" and fresh.code != old_code
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "certificate.reissued", AuditEvent.target_id == fresh.id))

    old = app.test_client().get(f"/certificates/verify/{old_code}")
    assert old.status_code == 410
    text = page_text(old)
    assert "revoked on" in text and REPLACED in text and "Avery Lin" not in text
    new = page_text(app.test_client().get(f"/certificates/verify/{fresh.code}"))
    assert "Valid: issued to Avery Lin-Moreau for Call basics, passed on" in new

    again = staff.post(f"/learning/certificates/{certificate.id}/reissue")
    assert again.status_code == 303  # a revoked one is not re-issued: it says why
    db.session.expire_all()
    assert len(certificates.valid_for(learner.id)) == 1


def test_the_verify_page_shows_only_what_the_certificate_says(certified, app):
    learner, certificate = certified
    anyone = app.test_client()
    response = anyone.get(f"/certificates/verify/{certificate.code}")
    assert response.status_code == 200
    assert "noindex" in response.headers["X-Robots-Tag"]
    text = page_text(response)
    date = certificate.achieved_at.strftime("%-d %B %Y")
    assert f"Valid: issued to Avery Lin for Call basics, passed on {date}." in text
    main = response.get_data(as_text=True).split("</nav>", 1)[1].split("<footer", 1)[0]
    main = main.replace(certificate.code, "CODE")
    for secret in ("avery.lin@example.com", "87", "score", f"/{learner.id}", "/me/",
                   "/learning/"):
        assert secret not in main, secret


def test_the_verify_form_accepts_a_code_as_a_person_types_it(certified, app):
    _, certificate = certified
    anyone = app.test_client()
    assert anyone.get("/certificates/verify").status_code == 200
    typed = certificate.code.lower().replace("-", "")
    assert anyone.get(f"/certificates/verify/{typed}").status_code == 200
    response = anyone.get("/certificates/verify", query_string={"code": f" {typed[:6]} "
                                                                        f"{typed[6:]} "})
    assert response.status_code == 200 and "Valid: issued to Avery Lin" in page_text(response)
    empty = anyone.get("/certificates/verify", query_string={"code": ""})
    assert empty.status_code == 422 and "Enter the code" in page_text(empty)


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "not-a-code", "!!!", "0000-1111-OOOO",
                                  "x" * 500])
def test_an_unknown_or_malformed_code_is_not_valid(app, code):
    response = app.test_client().get("/certificates/verify", query_string={"code": code})
    assert response.status_code == 404
    assert "not a valid certificate code" in page_text(response)
    direct = app.test_client().get(f"/certificates/verify/{code}")
    assert direct.status_code == 404
    assert "not a valid certificate code" in page_text(direct)


# --- the rate limit (a separate app with limits on; read-only requests) -------------------

@pytest.fixture
def limited_client(_app, tmp_dir):
    """As in test_auth: the limiter is shared by every app in the process, and init_app sets
    its `enabled` flag, so the flag is put back afterwards."""
    was_enabled = limiter.enabled
    limited = create_app(build_config(tmp_dir, RATELIMIT_ENABLED=True))
    limiter.reset()
    try:
        yield limited.test_client()
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        with limited.app_context():
            db.engine.dispose()


def test_the_thirty_first_check_in_a_minute_is_refused(limited_client):
    for number in range(30):
        url = (f"/certificates/verify/ABCD-EFGH-{number:04d}" if number % 2
               else f"/certificates/verify?code=WXYZ{number}")
        assert limited_client.get(url).status_code == 404, f"check {number + 1}"
    response = limited_client.get("/certificates/verify")
    assert response.status_code == 429
    assert "Too many attempts" in page_text(response)


def test_certificates_are_rows_the_pages_do_not_change(certified, app):
    """Reading pages writes nothing to a certificate."""
    _, certificate = certified
    app.test_client().get(f"/certificates/verify/{certificate.code}")
    db.session.expire_all()
    again = db.session.get(Certificate, certificate.id)
    assert again.revoked_at is None and again.code == certificate.code
