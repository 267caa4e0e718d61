"""Outgoing email through SMTP (aiosmtplib), configured by ``LEGAL_TRACKER_SMTP_URL`` and
``LEGAL_TRACKER_MAIL_FROM``.

``smtp://user:password@host:port`` upgrades to TLS with STARTTLS whenever the server offers
it; ``smtps://…`` speaks TLS from the first byte (port 465). Messages say nothing about the
work done with this system: they carry a link and what to do with it.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

import aiosmtplib

from legal_tracker.settings import Settings

log = logging.getLogger("legal_tracker.mail")
TIMEOUT_SECONDS = 30


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server (the text names no address)."""


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_url and settings.mail_from)


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    if not mail_configured(settings):
        raise MailError("outgoing mail is not configured")
    assert settings.smtp_url and settings.mail_from
    url = urlsplit(settings.smtp_url)
    implicit_tls = url.scheme == "smtps"
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    try:
        await aiosmtplib.send(
            message,
            hostname=url.hostname or "localhost",
            port=url.port or (465 if implicit_tls else 25),
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_tls=implicit_tls,
            start_tls=None if not implicit_tls else False,
            timeout=TIMEOUT_SECONDS,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        # The exception's text may quote the recipient: log its type only.
        log.warning("could not send mail (%s)", type(exc).__name__)
        raise MailError("the mail server did not accept the message") from exc
