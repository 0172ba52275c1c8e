"""Templated email: every message is an outbox row first, delivered by a job.

With SMTP_HOST set the job sends it over SMTP; without it the message stays in the outbox
(status `kept`) and is written to the log, so a demo or a test sees exactly what would be sent.
"""

import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from portal import jobs
from portal.extensions import UTCDateTime, db, utcnow

log = logging.getLogger(__name__)

QUEUED, SENT, KEPT, FAILED = "queued", "sent", "kept", "failed"
# Emails that carry a credential (a link that logs in or resets a password): their bodies are
# for the recipient only, never shown to staff or kept in exports.
CREDENTIAL_TEMPLATES = frozenset({"verify_email", "password_reset"})


class OutboxEmail(db.Model):
    __tablename__ = "outbox_emails"
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_outbox_emails_recipient", "recipient_id", "created_at"),
        Index("ix_outbox_emails_application", "application_id", "created_at"),
    )


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email, always on PUBLIC_BASE_URL: never from the Host header a client
    sent, or one request with a forged Host would mail a valid reset token to its server."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def send(template: str, user, *, application=None, **context) -> OutboxEmail:
    """Render emails/<template>.txt and .html for `user` and queue the message.

    The template's first line is `Subject: ...`; the rest is the body.
    """
    context.update(user=user, application=application, absolute_url=absolute_url)
    subject, _, text = render_template(f"emails/{template}.txt", **context).partition("\n")
    if not subject.startswith("Subject: "):
        raise ValueError(f"emails/{template}.txt must start with a 'Subject: ' line")
    message = OutboxEmail(
        recipient_id=user.id,
        application_id=application.id if application is not None else None,
        to_address=user.email,
        template=template,
        subject=subject.removeprefix("Subject: ").strip(),
        body_text=text.strip() + "\n",
        body_html=render_template(f"emails/{template}.html", subject=subject[9:], **context),
    )
    db.session.add(message)
    db.session.flush()
    jobs.enqueue(deliver, queue="email", idempotency_key=f"email:{message.id}",
                 email_id=message.id)
    return message


def newest_to(address: str, count: int) -> list[OutboxEmail]:
    return list(db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.to_address == address.strip().lower())
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc()).limit(count)))


def deliver(email_id: int) -> None:
    message = db.session.get(OutboxEmail, email_id)
    if message is None or message.status in (SENT, KEPT):
        return  # erased meanwhile, or a retried job: never send twice
    config = current_app.config
    if not config["SMTP_HOST"]:
        # Logs are read by many: a body that carries a sign-in link stays in the outbox only
        # (`flask mail show` prints it to whoever runs the server).
        body = ("(not logged: it contains a sign-in link)"
                if message.template in CREDENTIAL_TEMPLATES else message.body_text)
        log.info("email kept in outbox (no SMTP_HOST) to=%s subject=%r\n%s",
                 message.to_address, message.subject, body)
        message.status = KEPT
    else:
        try:
            _smtp_send(config, message)
        except (OSError, smtplib.SMTPException) as error:
            message.status, message.error = FAILED, f"{type(error).__name__}: {error}"[:2000]
            db.session.commit()
            raise  # the job is marked failed too, and a retry sends it
        message.status, message.sent_at, message.error = SENT, utcnow(), None
    db.session.commit()


def _smtp_send(config, message: OutboxEmail) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="wah-portal")
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(email)
