"""Routes for the notification service: what was sent to whom and how it went (street admins
only: 通知发送记录, 12345 回传, and 消息记录 — the development mailbox, served only while a
channel is `development`), and a resident's own 消息设置 on the resident site (/m/api/), for
the phone their one-time code proved — read from their account, never from the request."""
from __future__ import annotations

from marshmallow import fields, validate

from services.gateway.access import ADMIN, REFERENCE, RESIDENT, Scope
from services.gateway.residents import resident_phone
from services.gateway.routes.base import Route
from services.notify import domain, schemas as notify, views as notify_views
from shared.errors import NotFound
from shared.schemas import Schema, fields_of, load

TAG = "通知"
# Their own preferences, found by their phone: the input may name no one else.
THEMSELVES = Scope(inputs={"resident": "resident"})
RESIDENT_FIELD = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=64))


class MyPreferencesQuery(Schema):
    resident = RESIDENT_FIELD


class MyPreferences(fields_of(notify.SetPreferences, "opted_out", "topics_off")):
    """消息设置: everything off, or the topics not wanted (sign-in codes are always sent)."""
    resident = RESIDENT_FIELD


def development_mailbox(config) -> bool:
    """消息记录 exists while SMS or e-mail goes to the development adapter."""
    return any((config.get(name) or "development").lower() == "development"
               for name in ("NOTIFY_SMS_CHANNEL", "NOTIFY_EMAIL_CHANNEL"))


def dev_messages(api, principal, params, data, request):
    if not development_mailbox(api.worker.config):
        raise NotFound("未使用开发通道,没有消息记录", code="DEV_MAILBOX_OFF")
    return api.worker.notify.list_dev_messages(**data)


def _quiet_hours(config) -> dict | None:
    start, end = domain.parse_quiet_hours(config.get("NOTIFY_QUIET_HOURS", "22:00-08:00"))
    if start is None:
        return None
    return {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}


def _mine(api, answer: dict) -> dict:
    """The service's answer with the street's quiet hours (the same for everyone: a message
    due then waits until they end; a sign-in code never waits)."""
    return {**answer, "quiet_hours": _quiet_hours(api.worker.config)}


def my_preferences(api, principal, params, data, request):
    phone = resident_phone(api, api.auth.account(principal.account_id))
    return _mine(api, api.worker.notify.get_preferences(phone=phone))


def set_my_preferences(api, principal, params, data, request):
    data = load(MyPreferences(), data)
    phone = resident_phone(api, api.auth.account(principal.account_id))
    return _mine(api, api.worker.notify.set_preferences(
        actor=principal.actor, phone=phone, opted_out=data["opted_out"],
        topics_off=data["topics_off"]))


def _admin(id_, method, path, summary, **extra):
    return Route(f"notifications.{id_}", method, f"/api/notifications{path}", summary, TAG,
                 ADMIN, REFERENCE, **extra)


ROUTES = [
    _admin("messages", "GET", "/messages",
           "通知发送记录(按状态、类型、渠道、收件人手机号或邮箱、时间筛选)",
           rpc=("notify", "list_messages"), input=notify.ListMessages,
           output=notify_views.MessageView, paged=True,
           export=(("created_at", "生成时间"), ("kind_name", "通知类型"),
                   ("recipient_name", "收件人"), ("address_masked", "联系方式(脱敏)"),
                   ("channel", "渠道"), ("state_name", "状态"), ("attempts", "发送次数"),
                   ("skip_reason_name", "未发送原因"), ("sent_at", "发送时间"))),
    _admin("message", "GET", "/messages/<key>", "一条通知及其每次发送尝试",
           rpc=("notify", "get_message"), output=notify_views.MessageDetailView),
    _admin("retry", "POST", "/messages/<key>/retry", "重发发送失败的通知",
           rpc=("notify", "retry_message"), input=notify.Retry,
           output=notify_views.MessageView, actor=True),
    _admin("attempts", "GET", "/attempts", "通知发送尝试(成功、失败、推迟、中断后重发)",
           rpc=("notify", "list_delivery_attempts"), input=notify.ListAttempts,
           output=notify_views.AttemptView, paged=True),
    _admin("hotline_callbacks", "GET", "/hotline-callbacks", "12345 回传记录(按状态、工单号筛选)",
           rpc=("notify", "list_hotline_callbacks"), input=notify.ListCallbacks,
           output=notify_views.CallbackView, paged=True),
    _admin("retry_hotline_callback", "POST", "/hotline-callbacks/<callback_id>/retry",
           "重新回传失败的 12345 工单结果", rpc=("notify", "retry_hotline_callback"),
           input=notify.Retry, output=notify_views.CallbackView, actor=True),
    _admin("dev_messages", "GET", "/dev-messages",
           "消息记录:开发通道“发出”的短信和邮件(仅在使用开发通道时)",
           input=notify.ListDevMessages, output=notify_views.DevMessageView, paged=True),
    Route("resident.notifications", "GET", "/m/api/me/notifications",
          "本人的消息设置(退订的通知类别,免打扰时段)", "居民端", RESIDENT, THEMSELVES,
          input=MyPreferencesQuery),
    Route("resident.set_notifications", "PUT", "/m/api/me/notifications",
          "修改本人的消息设置(全部退订或按类别退订;验证码总会发送)", "居民端", RESIDENT,
          THEMSELVES, input=MyPreferences),
]

HANDLERS = {"notifications.dev_messages": dev_messages,
            "resident.notifications": my_preferences,
            "resident.set_notifications": set_my_preferences}
