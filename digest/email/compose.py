"""Rendered parts -> one multipart/alternative EmailMessage with list headers.

Header values are built from config (validated addresses) and from rendered text; every
value is squeezed onto one line here as well, so a newline in an article title can never
start a new header. The stdlib's policy refuses CR/LF in a header value as a second guard.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses
from urllib.parse import quote

MAX_SUBJECT = 180
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]")


def one_line(text: str, limit: int | None = None) -> str:
    """Collapse all whitespace and control characters to single spaces."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def domain_of(mailbox: str) -> str:
    address = getaddresses([mailbox])[0][1]
    return address.rpartition("@")[2].lower() or "localhost"


def new_message_id(digest: str, sender: str) -> str:
    """A unique Message-ID in the sender's domain, made once and kept for every retry."""
    return f"<digest.{digest}.{uuid.uuid4().hex}@{domain_of(sender)}>"


def list_id(digest: str, sender: str) -> str:
    """List-Id: one list per digest, e.g. 'digest morning <morning.digest.example.org>'."""
    return f"digest {digest} <{digest}.digest.{domain_of(sender)}>"


def unsubscribe_target(digest: str, sender: str, configured: str | None) -> str:
    """Where List-Unsubscribe points: the configured URL, else a mail to the sender."""
    if configured:
        return configured
    address = getaddresses([sender])[0][1]
    return f"mailto:{address}?subject={quote(f'unsubscribe {digest}')}"


def build_message(*, subject: str, text: str, html: str, sender: str, recipient: str,
                  message_id: str, date: datetime, digest: str,
                  unsubscribe: str | None = None) -> EmailMessage:
    """A multipart/alternative message (text first, HTML preferred) with list headers."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = one_line(subject, MAX_SUBJECT)
    msg["From"] = one_line(sender)
    msg["To"] = one_line(recipient)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = one_line(message_id)
    msg["List-Id"] = one_line(list_id(digest, sender))
    msg["List-Unsubscribe"] = f"<{one_line(unsubscribe_target(digest, sender, unsubscribe))}>"
    if unsubscribe and unsubscribe.startswith("https://"):
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["Precedence"] = "list"
    # Quoted-printable keeps every line under SMTP's 998-byte limit (inlined CSS runs long).
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg
