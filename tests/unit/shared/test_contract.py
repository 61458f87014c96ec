"""The shared contract: envelope, catalogue, typed errors, Chinese field errors."""
import pytest
from marshmallow import fields
from nameko.exceptions import deserialize, serialize

from shared.envelope import Envelope, MalformedEvent
from shared.errors import NotFound, ValidationFailed
from shared.events import CATALOGUE
from shared.events.repair import WORK_ORDER_ACCEPTED
from shared.schemas import Schema, load

ACCEPTED = {"number": "WO1", "state": "accepted", "category": "street_light",
            "community": "浚河社区", "alley": None, "actor_name": "李伟",
            "due_at": "2026-03-06T15:59:59.999+00:00"}


def test_producers_may_not_send_fields_the_catalogue_does_not_know():
    with pytest.raises(ValueError):
        Envelope.new(WORK_ORDER_ACCEPTED, {**ACCEPTED, "surprise": 1})
    with pytest.raises(ValueError):
        Envelope.new(WORK_ORDER_ACCEPTED, {k: v for k, v in ACCEPTED.items() if k != "due_at"})


def test_consumers_ignore_unknown_fields_and_refuse_broken_envelopes():
    message = Envelope.new(WORK_ORDER_ACCEPTED, ACCEPTED).to_message()
    message["data"]["added_later"] = "ignored"
    parsed = Envelope.parse(message, WORK_ORDER_ACCEPTED)
    assert parsed.data["number"] == "WO1" and "added_later" not in parsed.data
    assert parsed.correlation_id == parsed.event_id
    for broken in ({**message, "schema_version": 2}, {**message, "type": "other"},
                   {**message, "data": {"number": "WO1"}}, "not an object"):
        with pytest.raises(MalformedEvent):
            Envelope.parse(broken, WORK_ORDER_ACCEPTED)


def test_a_caused_event_carries_the_chain():
    first = Envelope.new(WORK_ORDER_ACCEPTED, ACCEPTED)
    second = Envelope.new(WORK_ORDER_ACCEPTED, ACCEPTED, cause=first)
    assert (second.causation_id, second.correlation_id) == (first.event_id, first.event_id)


def test_event_types_follow_the_naming_convention():
    import shared.events.activity, shared.events.job, shared.events.volunteer  # noqa: F401
    catalogue = [e for e in CATALOGUE.values() if e.schema.__module__.startswith("shared.events")]
    assert len(catalogue) > 20
    for event_type in catalogue:
        # the producer's name is the source, and lives in shared/events/<source>.py
        assert event_type.schema.__module__ == f"shared.events.{event_type.source}"
        assert event_type.name.islower() and "_" in event_type.name


def test_errors_cross_rpc_as_themselves():
    error = ValidationFailed(fields={"category": ["必填项。"]})
    back = deserialize(serialize(error))
    assert type(back) is ValidationFailed
    assert (back.code, back.fields, back.message) == (error.code, error.fields, error.message)
    back = deserialize(serialize(NotFound("工单 WO1 不存在", code="WORK_ORDER_NOT_FOUND")))
    assert (type(back), back.code, back.http_status) == (NotFound, "WORK_ORDER_NOT_FOUND", 404)


class Sample(Schema):
    name = fields.String(required=True)
    age = fields.Integer()


def test_field_errors_speak_chinese_and_unknown_fields_are_refused():
    with pytest.raises(ValidationFailed) as failed:
        load(Sample(), {"age": "abc", "extra": 1})
    assert failed.value.fields == {"name": ["必填项。"], "age": ["应为整数。"],
                                   "extra": ["未知字段。"]}
