"""补录 of a record's own date: a posting published, a job seeker or a volunteer registered
on paper before the office used the system keeps the date it really happened, so the figures
fall in the month it did (docs/reports.md).

A create command may carry `recorded_at` (an aware date-time). Only a street admin, or a
service acting for itself, may give one; it may not lie in the future. Without it the record
is dated now, as always.
"""
from __future__ import annotations

from datetime import datetime

from marshmallow import fields

from shared.errors import Forbidden, ValidationFailed

BACKDATERS = ("street_admin", "system")


def recorded_at_field() -> fields.AwareDateTime:
    """The optional input field of a create command that may be back-dated."""
    return fields.AwareDateTime(load_default=None, allow_none=True)


def moment(actor: dict, recorded_at: datetime | None, now: datetime) -> datetime:
    """When the record happened: `recorded_at` when given (checked), else now."""
    if recorded_at is None:
        return now
    if actor.get("role") not in BACKDATERS:
        raise Forbidden("只有街道管理员可以补录以往的日期", code="FORBIDDEN")
    if recorded_at > now:
        raise ValidationFailed(fields={"recorded_at": ["补录的时间不能晚于现在。"]})
    return recorded_at
