"""E-mail for notifications, through the server named by ARENA_SMTP_URL.

    smtp://user:password@host:port?from=arena@example.org&starttls=1
    smtps://…  (TLS from the start)

The standard library's smtplib does the talking, in a worker thread so the loop is not held.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    tls: bool = False  # smtps: TLS from the start
    starttls: bool = False

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("ARENA_SMTP_URL must look like smtp://user:password@host:port?from=arena@example.org")
        query = parse_qs(parts.query)
        tls = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if tls else 25),
                   sender=query.get("from", ["arena@localhost"])[0],
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   tls=tls, starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"))


def send(config: SmtpConfig, to: str, subject: str, body: str) -> None:
    """Send one message; raises on failure (the worker counts the attempt and retries later)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config.sender, to, subject
    message.set_content(body)
    context = ssl.create_default_context()
    if config.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=20, context=context)
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=20)
    with client:
        if config.starttls:
            client.starttls(context=context)
        if config.username:
            client.login(config.username, config.password or "")
        client.send_message(message)
