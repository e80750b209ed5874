"""The digest as one multipart/alternative email: plain text first, HTML preferred."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from monitor.digest.render import RenderedDigest
from monitor.store.models import utcnow

_LINE_BREAKS = re.compile(r"[\r\n]+")


def compose_message(digest: RenderedDigest, sender: str, recipient: str) -> EmailMessage:
    """A UTF-8 email of the digest from `sender` to `recipient`."""
    message = EmailMessage(policy=policy.SMTP)
    # No captured text reaches a header; the configured addresses are still kept on one line.
    message["Subject"] = _one_line(digest.subject)
    message["From"] = _one_line(sender)
    message["To"] = _one_line(recipient)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(digest.text, charset="utf-8")
    message.add_alternative(digest.html, subtype="html", charset="utf-8")
    return message


def _one_line(value: str) -> str:
    return _LINE_BREAKS.sub(" ", value).strip()
