"""Every error the activity service gives, by code. They are shared error kinds (see
shared/errors.py), so callers need nothing from this package to understand them."""
from shared.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed


def activity_not_found(activity_id: str) -> NotFound:
    return NotFound(f"活动 {activity_id} 不存在", code="ACTIVITY_NOT_FOUND")


def series_not_found(series_id: str) -> NotFound:
    return NotFound(f"系列活动 {series_id} 不存在", code="SERIES_NOT_FOUND")


def venue_not_found(venue_id: str) -> NotFound:
    return NotFound(f"场地 {venue_id} 不存在或已停用", code="VENUE_NOT_FOUND")


def room_not_found(room_id: str) -> NotFound:
    return NotFound(f"功能室 {room_id} 不存在或已停用", code="ROOM_NOT_FOUND")


def registration_not_found(ref: str) -> NotFound:
    return NotFound(f"报名记录 {ref} 不存在", code="REGISTRATION_NOT_FOUND")


def exemplar_not_found(exemplar_id: str) -> NotFound:
    return NotFound(f"先进典型 {exemplar_id} 不存在", code="EXEMPLAR_NOT_FOUND")


def not_started(activity_id: str, starts_at_text: str, action_label: str) -> IllegalTransition:
    return IllegalTransition(f"活动 {activity_id} 将于 {starts_at_text} 开始,现在不能{action_label}",
                             code="ILLEGAL_TRANSITION")


def registration_closed(activity_id: str, why: str) -> IllegalTransition:
    return IllegalTransition(f"活动 {activity_id} {why},不能报名", code="REGISTRATION_CLOSED")


def activity_already_started(activity_id: str, starts_at_text: str) -> IllegalTransition:
    return IllegalTransition(f"活动 {activity_id} 已于 {starts_at_text} 开始,不能取消报名",
                             code="ACTIVITY_ALREADY_STARTED")


def check_in_not_open(activity_id: str, why: str) -> IllegalTransition:
    return IllegalTransition(f"活动 {activity_id} {why},不能签到", code="CHECK_IN_NOT_OPEN")


def room_booked(place: str, clashes: list[dict]) -> Conflict:
    """Names every clash: which activity holds the place, and when."""
    described = ";".join(f"{c['when']} 已被活动“{c['title']}”({c['activity_id']})占用"
                         for c in clashes)
    return Conflict(f"{place}{described}", code="ROOM_BOOKED",
                    fields={"clashes": clashes})


def already_registered(phone_masked: str) -> Conflict:
    return Conflict(f"手机号 {phone_masked} 已报名此活动,不能重复报名",
                    code="ALREADY_REGISTERED")


def already_checked_in(name: str, at_text: str) -> Conflict:
    return Conflict(f"{name} 已于 {at_text} 签到", code="ALREADY_CHECKED_IN")


def place_full(place: str, capacity: int) -> Conflict:
    return Conflict(f"{place}最多容纳 {capacity} 人,现场已满,不能再接待现场报名",
                    code="PLACE_FULL")


def exists(what: str) -> Conflict:
    return Conflict(f"{what}已存在", code="ALREADY_EXISTS")


def forbidden(message: str) -> Forbidden:
    return Forbidden(message, code="FORBIDDEN")


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})
