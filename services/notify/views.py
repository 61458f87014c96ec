"""What the notification service answers, declared once: each view documents a shape and
presents it (`MessageView(now=...).dump(message)`). No view ever holds a clear phone number,
e-mail address or code; the development mailbox's text is the one exception, because that
mailbox is the phone of a development system."""
from marshmallow import fields

from services.notify import domain
from shared.schemas import Instant, Schema, View, derived, optional_text, required_text


class _ErrorView(Schema):
    code = required_text()
    message = required_text()
    at = Instant(required=True)


class MessageView(View):
    key = required_text()
    kind = required_text()
    kind_name = derived("get_kind_name")
    topic = derived("get_topic")
    topic_name = derived("get_topic_name")
    state = required_text()
    state_name = derived("get_state_name")
    recipient_kind = derived("get_recipient_kind")
    recipient_name = derived("get_recipient_name", allow_none=True)
    channel = optional_text()
    address_masked = optional_text()
    attempts = fields.Integer(required=True)
    last_error = fields.Nested(_ErrorView, required=True, allow_none=True)
    skip_reason = optional_text()
    skip_reason_name = derived("get_skip_reason_name", allow_none=True)
    cause = optional_text()
    created_at = Instant(required=True)
    not_before = Instant(required=True)
    sent_at = Instant(required=True, allow_none=True)
    ended_at = Instant(required=True, allow_none=True)
    imported = fields.Dict(required=True, allow_none=True)

    def get_kind_name(self, message) -> str:
        return domain.KINDS[message.kind].name

    def get_topic(self, message) -> str:
        return message.topic

    def get_topic_name(self, message) -> str:
        return domain.TOPICS[message.topic]

    def get_state_name(self, message) -> str:
        return domain.STATE_NAMES[message.state]

    def get_recipient_kind(self, message) -> str:
        return message.recipient["kind"]

    def get_recipient_name(self, message):
        return message.recipient.get("name")

    def get_skip_reason_name(self, message):
        return domain.SKIP_REASONS.get(message.skip_reason) if message.skip_reason else None


class AttemptView(View):
    id = required_text()
    message_key = required_text()
    kind = required_text()
    kind_name = derived("get_kind_name")
    channel = optional_text()
    outcome = required_text()
    outcome_name = derived("get_outcome_name")
    address_masked = optional_text()
    error = fields.Dict(required=True, allow_none=True)
    provider_ref = optional_text()
    ms = fields.Float(required=True, allow_none=True)
    at = Instant(required=True)

    def get_kind_name(self, attempt) -> str:
        return domain.KINDS[attempt["kind"]].name

    def get_outcome_name(self, attempt) -> str:
        return domain.ATTEMPT_OUTCOMES[attempt["outcome"]]


class MessageDetailView(MessageView):
    data = fields.Dict(required=True)


class CallbackView(View):
    id = required_text()
    ticket = required_text()
    work_order_number = required_text()
    stage = required_text()
    stage_name = required_text()
    state = required_text()
    state_name = derived("get_state_name")
    attempts = fields.Integer(required=True)
    next_at = Instant(required=True, allow_none=True)
    last_error = fields.Dict(required=True, allow_none=True)
    delivered_at = Instant(required=True, allow_none=True)
    created_at = Instant(required=True)
    body = fields.Dict(required=True)

    def get_state_name(self, callback) -> str:
        return domain.STATE_NAMES[callback["state"]]


class DevMessageView(View):
    id = required_text()
    kind = required_text()
    kind_name = derived("get_kind_name")
    channel = required_text()
    channel_name = derived("get_channel_name")
    to_masked = required_text()
    subject = required_text()
    text = required_text()
    sent_at = Instant(required=True)

    def get_kind_name(self, message) -> str:
        return domain.KINDS[message["kind"]].name

    def get_channel_name(self, message) -> str:
        return domain.CHANNELS[message["channel"]]


class _TopicView(Schema):
    code = required_text()
    name = required_text()
    on = fields.Boolean(required=True)


class PreferenceView(View):
    address_masked = required_text()
    opted_out = fields.Boolean(required=True)
    topics_off = fields.List(fields.String(), required=True)
    topics = derived("get_topics", fields.List, fields.Nested(_TopicView))
    updated_at = Instant(required=True, allow_none=True)

    def get_topics(self, preference) -> list[dict]:
        off = set(preference["topics_off"])
        return [{"code": code, "name": domain.TOPICS[code],
                 "on": not preference["opted_out"] and code not in off}
                for code in domain.OPTIONAL_TOPICS]


class CodeSentView(View):
    code_id = required_text()
    phone_masked = required_text()
    expires_at = Instant(required=True)
    resend_after = Instant(required=True)


class CodeCheckView(View):
    valid = fields.Boolean(required=True)
    reason = optional_text()
    reason_name = optional_text()
    attempts_left = fields.Integer(required=True)
    phone_masked = required_text()
