"""The adapters the configuration chooses (`NOTIFY_SMS_CHANNEL`, `NOTIFY_EMAIL_CHANNEL`), and
the dependency that gives them to workers."""
from __future__ import annotations

from nameko.extensions import DependencyProvider

from services.notify.channels import development, smtp, tencent
from services.notify.channels.base import Adapter


def build(config: dict) -> dict[str, Adapter | None]:
    """The configured adapter of each channel (None: the channel is off)."""
    sms = (config.get("NOTIFY_SMS_CHANNEL") or "development").lower()
    email = (config.get("NOTIFY_EMAIL_CHANNEL") or "development").lower()
    makers = {
        ("sms", "development"): lambda: development.DevelopmentAdapter("sms"),
        ("sms", "tencent"): lambda: tencent.TencentSmsAdapter.from_config(config),
        ("email", "development"): lambda: development.DevelopmentAdapter("email"),
        ("email", "smtp"): lambda: smtp.SmtpAdapter.from_config(config),
    }
    adapters: dict[str, Adapter | None] = {}
    for channel, choice in (("sms", sms), ("email", email)):
        if choice == "off":
            adapters[channel] = None
        elif (channel, choice) in makers:
            adapters[channel] = makers[(channel, choice)]()
        else:
            raise ValueError(f"NOTIFY_{channel.upper()}_CHANNEL: unknown adapter {choice!r}")
    return adapters


class Channels(DependencyProvider):
    """Gives workers the adapters, bound to the service's database for the development one
    (`channels(db)` → {"sms": adapter, "email": adapter})."""

    def setup(self):
        self.adapters = build(self.container.config)

    def get_dependency(self, worker_ctx):
        def bound(db, cipher=None) -> dict[str, Adapter | None]:
            for adapter in self.adapters.values():
                if adapter is not None and hasattr(adapter, "bind"):
                    adapter.bind(db, cipher)
            return self.adapters
        return bound
