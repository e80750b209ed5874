"""SMTP delivery (smtplib): plain, STARTTLS or SSL, with an optional login."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from monitor.config import SmtpSettings
from monitor.errors import DigestError


def send_message(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Send one message.

    Raises:
        DigestError: the server could not be reached, refused the login or the message. The
            reason never includes the password.
    """
    context = ssl.create_default_context(cafile=str(smtp.ca_file) if smtp.ca_file else None)
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        reason = str(exc).replace(smtp.password, "***") if smtp.password else str(exc)
        raise DigestError(
            f"cannot send the digest through {smtp.host}:{smtp.port} ({smtp.security}): "
            f"{type(exc).__name__}: {reason}"
        ) from exc
