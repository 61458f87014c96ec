"""The one envelope every event travels in.

    {"event_id": "…", "type": "work_order_completed", "source": "repair",
     "occurred_at": "2026-11-27T08:00:00.000+00:00", "schema_version": 1,
     "correlation_id": "…", "causation_id": "…", "data": {…}}

`correlation_id` follows a flow across services (the first event's id); `causation_id` is the
event that caused this one, so a chain can be traced back. Ids and times are strings.
"""
from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from marshmallow import ValidationError, fields, validate

from shared import clock
from shared.events import EventType
from shared.schemas import TolerantSchema


class EnvelopeSchema(TolerantSchema):
    event_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True)
    source = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    schema_version = fields.Integer(required=True)
    correlation_id = fields.String(load_default=None, allow_none=True)
    causation_id = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


class MalformedEvent(Exception):
    """A message that is not a valid event of the type its queue expects: it goes to the
    dead-letter queue at once, since retrying cannot mend it."""


@dataclass(frozen=True)
class Envelope:
    event_id: str
    type: str
    source: str
    occurred_at: datetime
    schema_version: int
    data: dict
    correlation_id: str | None = None
    causation_id: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @classmethod
    def new(cls, event_type: EventType, data: dict, *, cause: "Envelope | None" = None,
            occurred_at: datetime | None = None) -> "Envelope":
        """A new event, its payload checked strictly against the catalogue's schema."""
        event_type.check(data)
        event_id = uuid.uuid4().hex
        return cls(
            event_id=event_id, type=event_type.name, source=event_type.source,
            occurred_at=occurred_at or clock.now(), schema_version=event_type.version,
            data=copy.deepcopy(data),
            correlation_id=(cause.correlation_id or cause.event_id) if cause else event_id,
            causation_id=cause.event_id if cause else None)

    @classmethod
    def parse(cls, body, event_type: EventType) -> "Envelope":
        """A received event with its payload read tolerantly by the catalogue's schema."""
        if not isinstance(body, dict):
            raise MalformedEvent("消息体不是 JSON 对象")
        try:
            head = EnvelopeSchema().load(body)
        except ValidationError as error:
            raise MalformedEvent(f"事件信封无效: {error.messages}") from None
        if (head["source"], head["type"]) != (event_type.source, event_type.name):
            raise MalformedEvent(
                f"事件类型不符: 收到 {head['source']}.{head['type']},"
                f"期望 {event_type.source}.{event_type.name}")
        if head["schema_version"] != event_type.version:
            raise MalformedEvent(
                f"事件版本不符: 收到 {head['schema_version']},期望 {event_type.version}")
        try:
            data = event_type.read(head["data"])
        except ValidationError as error:
            raise MalformedEvent(f"事件数据无效: {error.messages}") from None
        return cls(event_id=head["event_id"], type=head["type"], source=head["source"],
                   occurred_at=head["occurred_at"], schema_version=head["schema_version"],
                   data=data, correlation_id=head["correlation_id"],
                   causation_id=head["causation_id"])

    def to_message(self) -> dict:
        return {
            "event_id": self.event_id, "type": self.type, "source": self.source,
            "occurred_at": clock.iso(self.occurred_at), "schema_version": self.schema_version,
            "correlation_id": self.correlation_id, "causation_id": self.causation_id,
            "data": copy.deepcopy(self.data),
        }
