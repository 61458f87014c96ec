"""Events the repair service publishes: one per step of a work order (工单)."""
from marshmallow import fields, validate

from shared.events import EventType
from shared.schemas import Schema

CATEGORIES = ("road_surface", "manhole_cover", "street_light", "waterlogging", "parking",
              "greenery", "other")
QUANTITY_KINDS = ("street_lamp", "road_surface", "sidewalk_tiles", "hedge_trimming",
                  "replanting", "hardening", "manhole_cover")
FOLLOW_UP_RESULTS = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")


class SourceRef(Schema):
    """Where a work order came from when another service opened it (an employer visit)."""
    service = fields.String(required=True)
    ref = fields.String(required=True)


class WorkOrderEvent(Schema):
    number = fields.String(required=True)
    state = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    community = fields.String(required=True)
    alley = fields.String(load_default=None, allow_none=True)
    actor_name = fields.String(required=True)
    # Optional, for whoever tells people of an order's progress (the notification service):
    # where the order came from (a 12345 ticket is answered back to the hotline), whether the
    # reporter left a phone or e-mail to be told by (the number itself never travels; it is
    # revealed by repair, audited, at sending time), and whether the order was 补录 (recorded
    # after the fact: its history is not news to anyone).
    channel = fields.String(load_default=None, allow_none=True)
    external_ref = fields.String(load_default=None, allow_none=True)
    reporter_reachable = fields.Boolean(load_default=None, allow_none=True)
    imported = fields.Boolean(load_default=None, allow_none=True)


class WorkOrderReported(WorkOrderEvent):
    address = fields.String(required=True)
    channel = fields.String(required=True)
    reported_at = fields.String(required=True)
    source_ref = fields.Nested(SourceRef, load_default=None, allow_none=True)


class WorkOrderAccepted(WorkOrderEvent):
    due_at = fields.String(required=True)


class WorkOrderDispatched(WorkOrderEvent):
    department_code = fields.String(required=True)
    department_name = fields.String(required=True)
    due_at = fields.String(required=True)


class WorkOrderReturned(WorkOrderEvent):
    department_code = fields.String(required=True)
    grounds = fields.String(required=True)


class WorkOrderSignedFor(WorkOrderEvent):
    department_code = fields.String(required=True)


class WorkOrderExtensionRequested(WorkOrderEvent):
    requested_due_at = fields.String(required=True)
    reason = fields.String(required=True)


class WorkOrderExtensionDecided(WorkOrderEvent):
    due_at = fields.String(required=True)


class WorkOrderEscalated(WorkOrderEvent):
    department_code = fields.String(load_default=None, allow_none=True)
    due_at = fields.String(required=True)
    automatic = fields.Boolean(required=True)


class Quantity(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(QUANTITY_KINDS))
    amount = fields.Float(required=True)
    unit = fields.String(required=True)


class WorkOrderCompleted(WorkOrderEvent):
    address = fields.String(required=True)
    department_code = fields.String(required=True)
    completed_at = fields.String(required=True)
    on_time = fields.Boolean(required=True)
    quantities = fields.List(fields.Nested(Quantity), required=True)
    # Masked only: a visitor who must call the resident asks repair for the number, which is
    # audited; the number itself never travels in an event.
    reporter_name = fields.String(load_default=None, allow_none=True)
    reporter_phone_masked = fields.String(load_default=None, allow_none=True)
    # The answer given (办理结果), for the reporter and the 12345 hotline.
    result_note = fields.String(load_default=None, allow_none=True)


class WorkOrderFollowedUp(WorkOrderEvent):
    result = fields.String(required=True, validate=validate.OneOf(FOLLOW_UP_RESULTS))


class WorkOrderReopened(WorkOrderEvent):
    reason = fields.String(required=True)
    due_at = fields.String(required=True)


class WorkOrderClosed(WorkOrderEvent):
    resolution = fields.String(required=True)
    closed_at = fields.String(required=True)
    # The answer given when the order was answered directly or completed (办理结果).
    result_note = fields.String(load_default=None, allow_none=True)
    source_ref = fields.Nested(SourceRef, load_default=None, allow_none=True)


class WorkOrderEnded(WorkOrderEvent):
    """Ended without work: duplicate, rejected or cancelled."""
    reason = fields.String(required=True)
    duplicate_of = fields.String(load_default=None, allow_none=True)
    source_ref = fields.Nested(SourceRef, load_default=None, allow_none=True)


def _event(name, schema, description):
    return EventType("repair", name, schema, description)


WORK_ORDER_REPORTED = _event("work_order_reported", WorkOrderReported, "问题已上报")
WORK_ORDER_ACCEPTED = _event("work_order_accepted", WorkOrderAccepted, "工单已受理")
WORK_ORDER_DISPATCHED = _event("work_order_dispatched", WorkOrderDispatched, "工单已派单")
WORK_ORDER_RETURNED = _event("work_order_returned", WorkOrderReturned, "承办部门退单")
WORK_ORDER_SIGNED_FOR = _event("work_order_signed_for", WorkOrderSignedFor, "承办部门已签收")
WORK_ORDER_EXTENSION_REQUESTED = _event(
    "work_order_extension_requested", WorkOrderExtensionRequested, "申请延期")
WORK_ORDER_EXTENSION_APPROVED = _event(
    "work_order_extension_approved", WorkOrderExtensionDecided, "延期已批准")
WORK_ORDER_EXTENSION_REJECTED = _event(
    "work_order_extension_rejected", WorkOrderExtensionDecided, "延期未批准")
WORK_ORDER_ESCALATED = _event("work_order_escalated", WorkOrderEscalated, "工单被督办")
WORK_ORDER_COMPLETED = _event("work_order_completed", WorkOrderCompleted, "工单已办结,待回访")
WORK_ORDER_FOLLOWED_UP = _event("work_order_followed_up", WorkOrderFollowedUp, "已回访")
WORK_ORDER_REOPENED = _event("work_order_reopened", WorkOrderReopened, "回访不满意,重办")
WORK_ORDER_CLOSED = _event("work_order_closed", WorkOrderClosed, "工单已结案")
WORK_ORDER_MARKED_DUPLICATE = _event(
    "work_order_marked_duplicate", WorkOrderEnded, "重复件,不再办理")
WORK_ORDER_REJECTED = _event("work_order_rejected", WorkOrderEnded, "不予受理")
WORK_ORDER_CANCELLED = _event("work_order_cancelled", WorkOrderEnded, "工单已撤销")
