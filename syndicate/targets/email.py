"""Email target: the crosspost as a multipart (text + HTML) message to list addresses over SMTP.

The Message-ID is derived from the delivery id (``<syn-<id prefix>@domain>``), so a resend
after a crash carries the same Message-ID: SMTP has no way to ask whether a message
arrived, and list archives and mail readers collapse copies with one Message-ID.
Edits are sent as replies (``In-Reply-To`` / ``References`` the first message).
There is no delete. 4xx SMTP answers are transient, 5xx permanent.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from syndicate.errors import PermanentTargetError, TransientTargetError
from syndicate.redact import scrub
from syndicate.targets.base import Post, Remote, Target, TargetOptions, short_hash
from syndicate.targets.registry import register

ID_CHARS = 24  # of the delivery id in the Message-ID (96 bits)


class EmailOptions(TargetOptions):
    host: str
    port: int | None = None  # default: 465 with ssl, else 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    sender: str  # From: address, e.g. "Syndicate <news@example.org>"
    to: list[str] = Field(min_length=1)
    subject_prefix: str = ""  # e.g. "[news]"; a space is put after it
    domain: str | None = None  # Message-ID domain (default: the sender's)
    ca_certs: str | None = None  # extra CA certificates to trust (a private CA); relative to the config's folder
    content: Literal["full", "excerpt"] = "full"


@register
class EmailTarget(Target):
    type_name = "email"
    block_format = "email"
    supports_delete = False
    can_find = False
    Options = EmailOptions
    options: EmailOptions

    @property
    def domain(self) -> str:
        if self.options.domain:
            return self.options.domain
        address = parseaddr(self.options.sender)[1]
        return address.rpartition("@")[2] or "syndicate.invalid"

    def message_id(self, delivery_id: str, suffix: str = "") -> str:
        """``<syn-<delivery id prefix>[.<edit>]@domain>``: short enough not to be folded."""
        return f"<syn-{delivery_id[:ID_CHARS]}{suffix}@{self.domain}>"

    def message(self, post: Post, *, reply_to: str | None = None, suffix: str = "") -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.options.sender
        message["To"] = ", ".join(self.options.to)
        subject = post.title if reply_to is None else f"Updated: {post.title}"
        prefix = self.options.subject_prefix
        message["Subject"] = f"{prefix} {subject}" if prefix else subject
        when = post.updated_at if reply_to is not None and post.updated_at else post.article.published
        if when is not None:
            message["Date"] = format_datetime(when)
        message["Message-ID"] = self.message_id(post.delivery_id, suffix)
        if reply_to is not None:
            message["In-Reply-To"] = reply_to
            message["References"] = reply_to
        message["X-Syndicate-Delivery"] = post.delivery_id
        message.set_content(post.text)
        message.add_alternative(post.html, subtype="html")
        return message

    def _send(self, message: EmailMessage) -> None:
        options = self.options
        port = options.port or (465 if options.security == "ssl" else 587)
        timeout = sum(self.timeout)
        client: smtplib.SMTP | None = None
        try:
            if options.security == "ssl":
                client = smtplib.SMTP_SSL(options.host, port, timeout=timeout, context=self._tls())
            else:
                client = smtplib.SMTP(options.host, port, timeout=timeout)
                if options.security == "starttls":
                    client.starttls(context=self._tls())
            if options.username:
                client.login(options.username, options.password or "")
            client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            transient = all(400 <= code < 500 for code in codes)
            raise self._error(f"recipients refused ({', '.join(str(c) for c in codes)})", transient, codes[0]) from None
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error
            text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
            raise self._error(f"SMTP {exc.smtp_code}: {text}", 400 <= exc.smtp_code < 500, exc.smtp_code) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise self._error(f"server does not support this: {exc}", False, None) from None
        except ssl.SSLCertVerificationError as exc:
            raise self._error(f"TLS certificate not trusted: {exc.verify_message}", False, None) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise self._error(f"{type(exc).__name__}: {exc}", True, None) from None
        finally:
            if client is not None:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.options.ca_certs:
            path = Path(self.options.ca_certs)
            context.load_verify_locations(cafile=str(path if path.is_absolute() else self.base_dir / path))
        return context

    def _error(self, text: str, transient: bool, code: int | None) -> PermanentTargetError | TransientTargetError:
        message = scrub(f"{self.name}: {' '.join(text.split())}")[:300]
        cls = TransientTargetError if transient else PermanentTargetError
        return cls(message, target=self.name, status=code)

    def publish(self, post: Post) -> Remote:
        message = self.message(post)
        self._send(message)
        return Remote(str(message["Message-ID"]), None, {"to": list(self.options.to)})

    def update(self, post: Post, remote: Remote) -> Remote:
        suffix = f".{short_hash(post.content_hash, 10)}"
        message = self.message(post, reply_to=remote.id, suffix=suffix)
        self._send(message)
        meta: dict[str, Any] = dict(remote.meta)
        meta["last_message_id"] = str(message["Message-ID"])
        return Remote(remote.id, remote.url, meta)


__all__ = ["EmailOptions", "EmailTarget"]
