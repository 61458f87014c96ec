"""E-mail over SMTP (smtplib): plain text with an HTML alternative whose values are escaped.
Every attempt at one message carries the same Message-ID, so a mail store or client that
de-duplicates by it keeps one copy of a message sent again after a crash."""
from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from services.notify.channels.base import Adapter, DeliveryFailed, Outgoing


class SmtpAdapter(Adapter):
    channel = "email"
    name = "smtp"

    def __init__(self, host: str, port: int, sender: str, security: str = "starttls",
                 username: str | None = None, password: str | None = None,
                 timeout: float = 10.0, sender_name: str = "广陵街道绣花社区服务"):
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"NOTIFY_SMTP_SECURITY: {security!r} is not none, starttls or ssl")
        self.host, self.port, self.sender, self.security = host, port, sender, security
        self.username, self.password, self.timeout = username, password, timeout
        self.sender_name = sender_name

    @classmethod
    def from_config(cls, config: dict) -> "SmtpAdapter":
        if not config.get("NOTIFY_SMTP_HOST") or not config.get("NOTIFY_EMAIL_FROM"):
            raise ValueError("NOTIFY_EMAIL_CHANNEL=smtp needs NOTIFY_SMTP_HOST and "
                             "NOTIFY_EMAIL_FROM")
        return cls(host=config["NOTIFY_SMTP_HOST"],
                   port=int(config.get("NOTIFY_SMTP_PORT") or 587),
                   sender=config["NOTIFY_EMAIL_FROM"],
                   security=(config.get("NOTIFY_SMTP_SECURITY") or "starttls").lower(),
                   username=config.get("NOTIFY_SMTP_USERNAME") or None,
                   password=config.get("NOTIFY_SMTP_PASSWORD") or None,
                   timeout=float(config.get("NOTIFY_SMTP_TIMEOUT") or 10))

    @staticmethod
    def message_id(key: str) -> str:
        return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@xiuhua.notify>"

    def compose(self, outgoing: Outgoing) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = outgoing.rendered.subject
        mail["From"] = formataddr((self.sender_name, self.sender))
        mail["To"] = outgoing.to
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = self.message_id(outgoing.key)
        mail.set_content(outgoing.rendered.text)
        mail.add_alternative(outgoing.rendered.html, subtype="html")
        return mail

    def send(self, outgoing: Outgoing) -> str:
        mail = self.compose(outgoing)
        try:
            if self.security == "ssl":
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                              context=ssl.create_default_context())
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with connection:
                if self.security == "starttls":
                    connection.starttls(context=ssl.create_default_context())
                if self.username:
                    connection.login(self.username, self.password or "")
                refused = connection.send_message(mail)
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryFailed("ADDRESS_REFUSED", "邮件服务器拒收该地址", permanent=True) \
                from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryFailed(f"SMTP_{error.smtp_code}", _text(error.smtp_error),
                                 permanent=500 <= error.smtp_code < 600
                                 and error.smtp_code not in (530, 535)) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed("SMTP_UNAVAILABLE", f"{type(error).__name__}: {error}") \
                from None
        if refused:
            raise DeliveryFailed("ADDRESS_REFUSED", "邮件服务器拒收该地址", permanent=True)
        return mail["Message-ID"]


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
