"""Notifications (通知): the rules, as plain Python with no I/O.

A message is one thing to tell one person, born of an event (or of a request for a sign-in
code) and stored with a key that names what it is about, so the same fact never makes two
messages. It then waits in the service's database until it may go:

    pending ─ claim (lease) ─┬─ sent
        ↑                    ├─ skipped   (opted out, nobody to reach, nothing to say)
        └── deferred / retry ┴─ failed    (every attempt failed; an admin may retry it)

- **Quiet hours** (Asia/Shanghai, e.g. 22:00–08:00): a message due then waits until the
  morning; a sign-in code never waits.
- **Rate limit per recipient**: at most N messages in a window to one person; the next one
  waits until the oldest leaves the window (codes have limits of their own, on request).
- **Opt-out** per recipient, for everything or by topic (codes are always sent: the person
  asked for them).
- **Retries** with a doubling pause, up to a number of attempts; a permanent failure (the
  address is refused, the recipient does not exist) ends at once.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from html import escape
from pathlib import Path

from shared import clock, names
from shared.domain import Aggregate

TEMPLATES = Path(__file__).resolve().parent / "templates"

# --- topics and kinds ------------------------------------------------------------------------

TOPICS = names.table("notification.topic")
# A person may turn these off; a sign-in code is never turned off (it was asked for).
OPTIONAL_TOPICS = ("work_orders", "activities", "volunteering", "jobs")


@dataclass(frozen=True)
class Kind:
    code: str
    name: str
    topic: str
    # The template's variables, in the order an SMS provider's approved template takes them.
    sms_params: tuple[str, ...]
    urgent: bool = False


def _kind(code: str, *rest, **extra) -> Kind:
    return Kind(code, names.name("notification.kind", code), *rest, **extra)


KINDS = {k.code: k for k in (
    _kind("work_order_accepted", "work_orders", ("number", "due_date")),
    _kind("work_order_completed", "work_orders", ("number", "answer")),
    _kind("work_order_closed", "work_orders", ("number", "resolution_name")),
    _kind("activity_reminder", "activities", ("title", "start_time", "place")),
    _kind("registration_promoted", "activities", ("title", "start_time")),
    _kind("shift_changed", "volunteering", ("title", "start_time", "place")),
    _kind("shift_cancelled", "volunteering", ("title", "reason")),
    _kind("follow_up_assigned", "volunteering", ("number", "place", "end_time")),
    _kind("employer_problem_resolved", "jobs", ("problem", "resolution_name")),
    _kind("posting_matched", "jobs", ("employer_name", "title")),
    _kind("sign_in_code", "sign_in", ("code", "minutes"), urgent=True),
)}

RESOLUTIONS = {"satisfied": "回访满意", "basically_satisfied": "回访基本满意",
               "unreachable": "已办结", "answered": "已直接答复", "resolved": "已解决"}

# --- states --------------------------------------------------------------------------------

PENDING, SENT, FAILED, SKIPPED = "pending", "sent", "failed", "skipped"
STATE_NAMES = names.table("notification.state")
SKIP_REASONS = {"opted_out": "收件人已退订", "no_address": "没有可用的联系方式",
                "recipient_unknown": "找不到收件人", "channel_off": "该渠道未开通",
                "expired": "已过期"}
CHANNELS = names.table("notification.channel")
ATTEMPT_OUTCOMES = names.table("notification.outcome")

# --- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    quiet_start: time | None = time(22, 0)
    quiet_end: time | None = time(8, 0)
    rate_count: int = 5
    rate_window: timedelta = timedelta(hours=1)
    max_attempts: int = 5
    retry_base: timedelta = timedelta(seconds=60)
    retry_cap: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(seconds=60)
    reminder_time: time = time(9, 0)

    @classmethod
    def from_config(cls, config: dict) -> "Settings":
        start, end = parse_quiet_hours(config.get("NOTIFY_QUIET_HOURS", "22:00-08:00"))
        count, window = parse_rate(config.get("NOTIFY_RATE_LIMIT") or "5/3600")
        return cls(quiet_start=start, quiet_end=end, rate_count=count, rate_window=window,
                   max_attempts=int(config.get("NOTIFY_MAX_ATTEMPTS") or 5),
                   retry_base=timedelta(seconds=float(config.get("NOTIFY_RETRY_SECONDS") or 60)),
                   lease=timedelta(seconds=float(config.get("NOTIFY_LEASE_SECONDS") or 60)),
                   reminder_time=_hhmm(config.get("NOTIFY_REMINDER_TIME") or "09:00"))


def _hhmm(text) -> time:
    if isinstance(text, int):  # YAML 1.1 reads an unquoted 10:30 as 630 (base 60)
        return time(text // 60, text % 60)
    hours, minutes = str(text).strip().split(":")
    return time(int(hours), int(minutes))


def parse_quiet_hours(text) -> tuple[time | None, time | None]:
    """'22:00-08:00' (local time, may cross midnight); '' or 'off' for none (YAML reads an
    unquoted off as false)."""
    text = "" if text is None or text is False else str(text).strip()
    if not text or text.lower() == "off":
        return None, None
    start, _, end = text.partition("-")
    return _hhmm(start), _hhmm(end)


def parse_rate(text: str) -> tuple[int, timedelta]:
    """'5/3600': at most 5 messages to one person in 3600 seconds."""
    count, _, seconds = str(text).partition("/")
    return int(count), timedelta(seconds=float(seconds or 3600))


# --- the rules -----------------------------------------------------------------------------

def quiet_until(at: datetime, settings: Settings) -> datetime | None:
    """When the quiet hours around `at` end, or None if `at` is not in them."""
    if settings.quiet_start is None or settings.quiet_start == settings.quiet_end:
        return None
    local = clock.as_utc(at).astimezone(clock.OFFICE_TZ)
    now, start, end = local.time(), settings.quiet_start, settings.quiet_end
    crosses_midnight = start > end
    inside = (now >= start or now < end) if crosses_midnight else (start <= now < end)
    if not inside:
        return None
    day = local.date()
    if crosses_midnight and now >= start:
        day += timedelta(days=1)
    return clock.as_utc(datetime.combine(day, end, tzinfo=clock.OFFICE_TZ))


def rate_limited_until(recent: list[datetime], at: datetime,
                       settings: Settings) -> datetime | None:
    """`recent`: when messages to this person were sent. None if one more may go now, else
    the moment the oldest one counted leaves the window."""
    window_start = at - settings.rate_window
    inside = sorted(t for t in recent if t > window_start)
    if len(inside) < settings.rate_count:
        return None
    return inside[len(inside) - settings.rate_count] + settings.rate_window


def retry_after(attempts: int, settings: Settings) -> timedelta:
    """The pause after the `attempts`-th failed attempt: doubling, capped."""
    return min(settings.retry_base * 2 ** max(attempts - 1, 0), settings.retry_cap)


def reminder_at(starts_at: datetime, settings: Settings) -> datetime:
    """The day before the activity's local date, at the reminder time."""
    day = clock.local_date(starts_at) - timedelta(days=1)
    return clock.as_utc(datetime.combine(day, settings.reminder_time, tzinfo=clock.OFFICE_TZ))


def opted_out(preference: dict | None, topic: str) -> bool:
    if not preference or topic not in OPTIONAL_TOPICS:
        return False
    return bool(preference.get("opted_out")) or topic in (preference.get("topics_off") or ())


def choose_channel(contact: dict, enabled: set[str]) -> tuple[str, str] | None:
    """The channel and address to use: a phone by SMS, else an e-mail address."""
    if contact.get("phone") and "sms" in enabled:
        return "sms", contact["phone"]
    if contact.get("email") and "email" in enabled:
        return "email", contact["email"]
    return None


def local_text(moment: datetime | str | None) -> str:
    """How a time reads in a message: 12月1日 09:00 (Asia/Shanghai)."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = clock.parse_iso(moment)
    local = clock.as_utc(moment).astimezone(clock.OFFICE_TZ)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def local_day(moment: datetime | str | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = clock.parse_iso(moment)
    local = clock.as_utc(moment).astimezone(clock.OFFICE_TZ)
    return f"{local.month}月{local.day}日"


# --- templates -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms_params: list[str]


def template_text(kind: str) -> tuple[str, str]:
    """(subject, body) of templates/<kind>.txt: a `subject:` line, a `---` line, the body."""
    head, _, body = (TEMPLATES / f"{kind}.txt").read_text(encoding="utf-8").partition("\n---\n")
    subject = head.strip().removeprefix("subject:").strip()
    return subject, body.strip()


def render(kind: str, data: dict) -> Rendered:
    """The message in Chinese. A missing variable is a bug (KeyError), not a blank. The
    HTML form (for e-mail) escapes every value, so nothing a resident typed becomes markup."""
    values = {k: "" if v is None else str(v) for k, v in data.items()}
    subject, body = template_text(kind)
    subject = string.Template(subject).substitute(values)
    text = string.Template(body).substitute(values)
    escaped = {k: escape(v) for k, v in values.items()}
    html_body = "<br>\n".join(string.Template(line).substitute(escaped)
                              for line in body.splitlines())
    layout = string.Template((TEMPLATES / "email.html").read_text(encoding="utf-8"))
    html = layout.substitute(subject=escape(subject), body=html_body)
    params = [values[name] for name in KINDS[kind].sms_params]
    return Rendered(subject=subject, text=text, html=html, sms_params=params)


# --- the message ---------------------------------------------------------------------------

ACTIONS = {
    "claim": ((PENDING,), "发送"),
    "skip": ((PENDING,), "不发送"),
    "retry": ((FAILED,), "重新发送"),
}


@dataclass
class Message(Aggregate):
    ACTIONS = ACTIONS
    STATE_NAMES = STATE_NAMES

    key: str                      # what it is about, unique: one message per fact and person
    kind: str
    recipient: dict               # how to reach them (never a clear value): see directory.py
    data: dict                    # the template's variables
    created_at: datetime
    not_before: datetime
    cause: str | None = None      # the event id it came from
    state: str = PENDING
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    sending_since: datetime | None = None   # a send was begun under the current lease
    channel: str | None = None
    address_masked: str | None = None
    recipient_fp: str | None = None
    secret: str | None = None     # sealed (a sign-in code), dropped once the message is done
    provider_ref: str | None = None
    last_error: dict | None = None
    sent_at: datetime | None = None
    ended_at: datetime | None = None
    skip_reason: str | None = None
    updated_at: datetime | None = None
    imported: dict | None = None  # 补录 for the demo: {"by", "reason"}
    history: list = field(default_factory=list)
    version: int = 0

    @property
    def topic(self) -> str:
        return KINDS[self.kind].topic

    @property
    def urgent(self) -> bool:
        return KINDS[self.kind].urgent

    @classmethod
    def new(cls, key: str, kind: str, recipient: dict, data: dict, at: datetime,
            cause: str | None = None, secret: str | None = None,
            not_before: datetime | None = None) -> "Message":
        if kind not in KINDS:
            raise ValueError(f"unknown message kind {kind}")
        return cls(key=key, kind=kind, recipient=recipient, data=data, created_at=at,
                   not_before=not_before or at, cause=cause, secret=secret, updated_at=at)

    # -- delivery ---------------------------------------------------------------------------

    def is_due(self, at: datetime) -> bool:
        return (self.state == PENDING and self.not_before <= at
                and (self.lease_until is None or self.lease_until <= at))

    def claim(self, owner: str, at: datetime, settings: Settings) -> str:
        """'claimed', 'waiting' (quiet hours: moved to the morning) or 'busy'."""
        self._check("claim")
        if not self.is_due(at):
            return "busy"
        quiet = None if self.urgent else quiet_until(at, settings)
        if quiet is not None:
            self.not_before, self.updated_at = quiet, at
            return "waiting"
        self.lease_owner, self.lease_until = owner, at + settings.lease
        self.updated_at = at
        return "claimed"

    def holds(self, owner: str, at: datetime) -> bool:
        return (self.state == PENDING and self.lease_owner == owner
                and self.lease_until is not None and self.lease_until > at)

    def interrupted(self) -> bool:
        """A send was begun under an earlier lease and never recorded: it may have gone."""
        return self.sending_since is not None

    def begin_sending(self, owner: str, at: datetime, channel: str, masked: str,
                      fingerprint: str) -> None:
        self.channel, self.address_masked, self.recipient_fp = channel, masked, fingerprint
        self.sending_since, self.updated_at = at, at

    def defer(self, until: datetime, at: datetime) -> None:
        self.not_before, self.updated_at, self.sending_since = until, at, None
        self._release()

    def mark_sent(self, at: datetime, provider_ref: str | None) -> None:
        self.state, self.sent_at, self.ended_at = SENT, at, at
        self.provider_ref, self.last_error = provider_ref, None
        self.attempts += 1
        self._finish(at)

    def skip(self, reason: str, at: datetime) -> None:
        self._check("skip")
        self.state, self.skip_reason, self.ended_at = SKIPPED, reason, at
        self._finish(at)

    def attempt_failed(self, at: datetime, code: str, message: str, permanent: bool,
                       settings: Settings) -> bool:
        """Records a failed attempt; True if it was the last (the message has failed)."""
        self.attempts += 1
        self.last_error = {"code": code, "message": message[:500], "at": at}
        if permanent or self.attempts >= settings.max_attempts:
            self.state, self.ended_at = FAILED, at
            self._finish(at)
            return True
        self.not_before = at + retry_after(self.attempts, settings)
        self.sending_since = None
        self._release()
        self.updated_at = at
        return False

    def retry(self, at: datetime) -> None:
        """An admin sends a failed message again (a sign-in code has expired by then)."""
        self._check("retry")
        if self.urgent:
            raise ValueError("a sign-in code is not sent again; ask for a new one")
        self.state, self.not_before, self.ended_at, self.attempts = PENDING, at, None, 0
        self.sending_since, self.updated_at = None, at

    def _release(self) -> None:
        self.lease_owner = self.lease_until = None

    def _finish(self, at: datetime) -> None:
        self._release()
        self.sending_since, self.secret, self.updated_at = None, None, at
        if self.recipient.get("phone"):  # a number given for one message is not kept
            self.recipient = {**self.recipient, "phone": {
                k: v for k, v in self.recipient["phone"].items() if k != "sealed"}}

    def subject(self) -> str:
        return f"消息 {self.key} "


# --- keys ----------------------------------------------------------------------------------

def message_key(kind: str, *parts) -> str:
    """One message per fact and person: the kind, what it is about, and who."""
    return "|".join([kind, *(str(p) for p in parts)])
