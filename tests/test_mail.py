"""portal/mail.py: every email is an outbox row first, delivered by a job after the commit, over
SMTP when SMTP_HOST is set (a real local SMTP server here) and kept in the outbox otherwise."""

import logging
import re
import socket
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from portal import jobs, mail
from portal.auth import services as accounts
from portal.extensions import db
from portal.jobs import JobRun
from portal.mail import KEPT, QUEUED, SENT, OutboxEmail
from portal.recruiting import services

PUBLIC_BASE_URL = "https://careers.example.org"
APPLY_ANSWERS = dict(
    full_name="Maria Santos", email="maria@example.com", phone="+1 555 123 4567", country="US",
    time_zone="America/Chicago", availability_days=["mon", "tue"],
    availability_shifts=["morning"], hours_per_week=30, languages=["en"], experience_years=2,
    has_computer=True, has_headset=True, has_wired_internet=True)
OPENING = dict(
    title="Customer Service Agent (Remote, US)",
    summary="Help customers of a national retailer by phone and chat from home.",
    pay_min=16, pay_max=18.5, pay_currency="USD", pay_period="hour", hours_min=30,
    hours_max=40, shifts=["morning", "afternoon"], countries=["US"], time_zones=[],
    steps=["skills_assessment"], status="open")


def reload(row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


def job_for(message: OutboxEmail) -> JobRun:
    db.session.expire_all()
    return db.session.scalar(select(JobRun).where(
        JobRun.idempotency_key == f"email:{message.id}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.received = []  # (envelope sender, recipients, parsed message)

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app, monkeypatch):
    controller_module = pytest.importorskip("aiosmtpd.controller")
    mailbox = Mailbox()
    port = free_port()
    controller = controller_module.Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", False)
    monkeypatch.setitem(app.config, "SMTP_USERNAME", None)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def no_smtp(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    return app


def queue_verification(user) -> OutboxEmail:
    return mail.send("verify_email", user, link="https://careers.example.org/verify/abc123")


# --- without SMTP: the outbox is the mailbox ---------------------------------------------------

def test_without_smtp_the_message_is_kept_after_commit_and_logged(no_smtp, make_user, caplog):
    caplog.set_level(logging.INFO, logger="portal.mail")
    user = make_user(full_name="Grace Mensah")
    message = mail.send("account_exists", user)
    assert message.status == QUEUED
    assert "Grace Mensah" not in caplog.text  # nothing is delivered before the commit

    db.session.commit()
    message = reload(message)
    assert message.status == KEPT
    assert message.sent_at is None
    assert job_for(message).status == jobs.SUCCEEDED
    assert user.email in caplog.text
    assert "You already have an account" in caplog.text
    assert "Hello Grace Mensah," in caplog.text


def test_without_smtp_a_sign_in_link_is_kept_in_the_outbox_but_never_logged(
        no_smtp, make_user, caplog):
    caplog.set_level(logging.INFO, logger="portal.mail")
    user = make_user(full_name="Grace Mensah")
    message = queue_verification(user)
    db.session.commit()
    assert reload(message).status == KEPT
    assert "Verify your email address" in caplog.text  # that it was sent, and to whom
    assert user.email in caplog.text
    assert "abc123" not in caplog.text and "Hello Grace Mensah" not in caplog.text
    assert "https://careers.example.org/verify/abc123" in reload(message).body_text


def test_mail_show_prints_the_newest_email_with_its_link_to_the_operator(no_smtp, make_user):
    user = make_user()
    queue_verification(user)
    db.session.commit()
    result = no_smtp.test_cli_runner().invoke(args=["mail", "show", "--to", user.email.upper()])
    assert result.exit_code == 0, result.output
    assert "Verify your email address" in result.output
    assert "https://careers.example.org/verify/abc123" in result.output


def test_rolled_back_message_is_never_delivered(smtp_server, make_user):
    user = make_user()
    kept = queue_verification(make_user())
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            queue_verification(user)
            raise RuntimeError("the caller failed")
    db.session.commit()
    assert [recipients for _, recipients, _ in smtp_server.received] == [[kept.to_address]]
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient_id == user.id)) \
        is None


# --- with SMTP: a real server on localhost -------------------------------------------------------

def test_smtp_delivery_sends_text_and_html_and_marks_the_row_sent(smtp_server, app, make_user):
    user = make_user(full_name="Kwame Mensah")
    message = queue_verification(user)
    assert smtp_server.received == []
    db.session.commit()

    assert len(smtp_server.received) == 1
    sender, recipients, received = smtp_server.received[0]
    assert recipients == [user.email]
    assert received["To"] == user.email
    assert received["Subject"] == "Verify your email address"
    assert "careers@example.com" in received["From"] and sender == "careers@example.com"
    assert received["Message-ID"]
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Hello Kwame Mensah," in text.get_content()
    assert "https://careers.example.org/verify/abc123" in text.get_content()
    assert 'href="https://careers.example.org/verify/abc123"' in html.get_content()

    message = reload(message)
    assert message.status == SENT
    assert message.sent_at is not None and message.sent_at.tzinfo is not None
    assert job_for(message).status == jobs.SUCCEEDED


def test_smtp_server_down_fails_the_job_and_does_not_mark_the_row_sent(app, make_user,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nobody listens there
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", False)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    user = make_user()
    message = queue_verification(user)
    db.session.commit()  # the failure is recorded; the caller's commit still stands

    job = job_for(message)
    assert job.status == jobs.FAILED
    assert job.attempts == 1
    assert "ConnectionRefusedError" in job.error
    message = reload(message)
    assert message.status != SENT
    assert message.sent_at is None
    assert db.session.get(type(user), user.id) is not None


def test_delivering_twice_sends_once(smtp_server, app, make_user):
    user = make_user()
    message = queue_verification(user)
    db.session.commit()
    assert len(smtp_server.received) == 1

    mail.deliver(message.id)                   # a retried job
    jobs.run_job(job_for(message).id)          # the job itself run again
    assert len(smtp_server.received) == 1
    assert reload(message).status == SENT


def test_failed_delivery_is_sent_when_retried_once_the_server_is_back(smtp_server, app,
                                                                     make_user, monkeypatch):
    port = app.config["SMTP_PORT"]
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())
    user = make_user()
    message = queue_verification(user)
    db.session.commit()
    job = job_for(message)
    assert job.status == jobs.FAILED and smtp_server.received == []

    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    jobs.run_job(job.id)
    assert len(smtp_server.received) == 1
    assert reload(message).status == SENT
    assert job_for(message).status == jobs.SUCCEEDED


# --- every template -------------------------------------------------------------------------------

@pytest.fixture
def application(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC_BASE_URL)
    manager = make_user(roles=("manager",))
    candidate = make_user(full_name="Maria Santos")
    opening = services.create_opening(manager, **OPENING)
    return services.apply(opening, candidate, **APPLY_ANSWERS)


def sent(template: str, application) -> OutboxEmail:
    """Queue `template` for the candidate the way the app does, and return the row."""
    candidate = application.candidate
    if template == "application_received":
        pass  # services.apply sent it already
    elif template == "verify_email":
        accounts.send_verification(candidate)
    elif template == "password_reset":
        accounts.send_password_reset(candidate.email)  # what the queued job does
    else:
        mail.send(template, candidate, application=application)
    db.session.flush()
    return db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.recipient_id == candidate.id, OutboxEmail.template == template)
        .order_by(OutboxEmail.id.desc())).first()


@pytest.mark.parametrize("template, path", [
    ("application_received", "/me/applications/"),
    ("verify_email", "/verify/"),
    ("password_reset", "/password/reset/"),
    ("stage_assessment", "/me/applications/"),
    ("stage_interview", "/me/applications/"),
    ("stage_offer", "/me/applications/"),
    ("stage_hired", "/me/applications/"),
    ("stage_rejected", "/me/applications/"),
])
def test_every_template_renders_a_subject_and_an_absolute_link(application, template, path):
    message = sent(template, application)
    assert message is not None
    assert message.to_address == application.candidate.email
    assert message.subject and "{" not in message.subject and "\n" not in message.subject
    assert not message.subject.startswith("Subject:")

    link = re.escape(PUBLIC_BASE_URL + path)
    assert re.search(link + r"\S+", message.body_text), message.body_text
    assert re.search(r'href="' + link + r'[^"]+"', message.body_html), message.body_html
    if path == "/me/applications/":
        assert f"{PUBLIC_BASE_URL}/me/applications/{application.id}" in message.body_text
    for body in (message.body_text, message.body_html):
        assert "{{" not in body and "{%" not in body
        assert "Maria Santos" in body
    assert f"<title>{message.subject}</title>" in message.body_html.replace("&#39;", "'")
    if template.startswith("stage_") or template == "application_received":
        assert "Customer Service Agent (Remote, US)" in message.subject + message.body_text
