// For street admins: what the system told people and how it went. 通知发送记录 (every message,
// its attempts, why one was not sent or failed, 重发 for a failed one), 12345 回传 (the
// hotline callbacks, 重发 for a failed one) and 消息记录 (the development mailbox: what the
// development channel "sent", only while it is configured). Names, never codes: the API's
// *_name fields, and shared/names.py for the filters' choices (scope "notification").

import { call } from "../catalog.js";
import { kv } from "../components/detail.js";
import { listPage, table } from "../components/list.js";
import { formatDateTime, h } from "../dom.js";
import { codeName } from "../labels.js";
import { renderCurrent } from "../router.js";
import { may } from "../roles.js";
import { badge, confirmSheet, describeError, openSheet, toast } from "../ui.js";

const STATE_BADGES = { sent: "ok", failed: "bad", skipped: "", pending: "warn" };
const FILTER_LABELS = { channel: "发送渠道", phone: "收件人手机号", email: "收件人电子邮箱" };

export function registerNotificationPages(route, guarded) {
  route("/notifications/messages", guarded(notificationList(MESSAGES)));
  route("/notifications/callbacks", guarded(notificationList(CALLBACKS)));
  route("/notifications/mailbox", guarded(notificationList(MAILBOX)));
}

/** One of the three lists: {title, help: [lines], op, filters: [names], labels, idOf,
 *  columns} as a list page (components/list.js), its filters named in scope "notification". */
function notificationList(page) {
  return (main, ctx) => listPage(main, ctx, {
    title: page.title, op: page.op, idOf: page.idOf, columns: page.columns,
    intro: h("p", { class: "help" }, ...page.help),
    filters: { only: page.filters, scope: "notification", labels: page.labels },
  });
}

function stateBadge(row) {
  return badge(row.state_name, STATE_BADGES[row.state] || "");
}

/** Why a message did not go, or the last error of one that failed. */
function whyNot(message) {
  if (message.skip_reason_name) return message.skip_reason_name;
  return message.last_error ? message.last_error.message : "";
}

async function retry(op, params, what) {
  const ok = await confirmSheet("重发", `重新发送${what}?系统将按发送规则重新尝试。`, "重发");
  if (!ok) return;
  try {
    await call(op, params, {});
    toast("已重新排队发送", "ok");
    renderCurrent();
  } catch (error) {
    toast(describeError(error), "error");
  }
}

// --- 通知发送记录 ----------------------------------------------------------------------------

const MESSAGES = {
  title: "通知发送记录",
  help: ["系统发出的短信和邮件通知。发送失败的通知可以重发;",
    "收件人已退订、没有联系方式等原因未发送的通知不会重发。登录验证码请居民重新获取。"],
  op: "notifications.messages",
  filters: ["state", "kind", "topic", "channel", "phone", "email", "created_from", "created_to"],
  labels: FILTER_LABELS,
  idOf: (m) => m.key,
  columns: [
    { key: "created_at", label: "生成时间", render: (m) => formatDateTime(m.created_at) },
    { key: "kind_name", label: "通知类型", primary: true },
    { key: "recipient_name", label: "收件人", render: (m) => m.recipient_name || "—" },
    { key: "address_masked", label: "联系方式", render: (m) => m.address_masked || "—" },
    { key: "channel", label: "渠道", render: (m) => codeName("channel", m.channel, "notification") || "—" },
    { key: "state_name", label: "状态", render: stateBadge },
    { key: "attempts", label: "发送次数" },
    { key: "last_error", label: "未发送原因或错误", render: whyNot },
    { key: "key", label: "操作", render: (m) => h("div", { class: "actions" },
      h("button", { type: "button", onclick: () => messageSheet(m.key) }, "详情"),
      m.state === "failed" && m.kind !== "sign_in_code" && may("notifications.retry")
        ? h("button", { type: "button", class: "primary",
          onclick: () => retry("notifications.retry", { key: m.key }, `“${m.kind_name}”通知`) }, "重发")
        : null) },
  ],
};

async function messageSheet(key) {
  let message;
  try {
    message = await call("notifications.message", { key });
  } catch (error) {
    toast(describeError(error), "error");
    return;
  }
  await openSheet(`通知:${message.kind_name}`, () => [
    kv([
      ["类别", message.topic_name],
      ["收件人", message.recipient_name || "—"],
      ["联系方式", message.address_masked || "—"],
      ["状态", stateBadge(message)],
      ["未发送原因或错误", whyNot(message) || "—"],
      ["生成时间", formatDateTime(message.created_at)],
      ["最早发送时间", formatDateTime(message.not_before)],
      ["发送时间", formatDateTime(message.sent_at) || "—"],
    ]),
    h("h3", {}, "发送尝试"),
    table(message.attempts_made, { empty: "尚未尝试发送。", columns: [
      { key: "at", label: "时间", render: (a) => formatDateTime(a.at) },
      { key: "channel", label: "渠道", render: (a) => codeName("channel", a.channel, "notification") || "—" },
      { key: "outcome_name", label: "结果" },
      { key: "error", label: "错误", render: (a) => a.error?.message || "" },
    ] }),
  ]);
}

// --- 12345 回传 ------------------------------------------------------------------------------

const CALLBACKS = {
  title: "12345 回传",
  help: ["来自 12345 热线的工单,受理和办结时把结果回传给热线平台。",
    "多次回传失败的记录需要在热线平台恢复后重发。"],
  op: "notifications.hotline_callbacks",
  filters: ["state", "ticket", "created_from", "created_to"],
  labels: { ticket: "12345 工单编号" },
  idOf: (c) => c.id,
  columns: [
    { key: "created_at", label: "生成时间", render: (c) => formatDateTime(c.created_at) },
    { key: "ticket", label: "12345 工单编号", primary: true },
    { key: "work_order_number", label: "工单号" },
    { key: "stage_name", label: "回传内容" },
    { key: "state_name", label: "状态", render: stateBadge },
    { key: "attempts", label: "回传次数" },
    { key: "last_error", label: "最近错误", render: (c) => c.last_error?.message || c.last_error?.code || "" },
    { key: "delivered_at", label: "送达时间", render: (c) => formatDateTime(c.delivered_at) },
    { key: "id", label: "操作", render: (c) => (c.state === "failed" && may("notifications.retry_hotline_callback")
      ? h("button", { type: "button", class: "primary",
        onclick: () => retry("notifications.retry_hotline_callback", { callback_id: c.id },
          `12345 工单 ${c.ticket} 的${c.stage_name}结果`) }, "重发")
      : "") },
  ],
};

// --- 消息记录 (the development mailbox) ------------------------------------------------------

const MAILBOX = {
  title: "消息记录",
  help: ["开发通道“发出”的短信和邮件(未接入短信平台或邮件服务器时),",
    "包括居民端的登录验证码。接入后此处不再记录。"],
  op: "notifications.dev_messages",
  filters: ["channel", "phone", "email", "created_from", "created_to"],
  labels: FILTER_LABELS,
  idOf: (m) => m.id,
  columns: [
    { key: "sent_at", label: "发送时间", render: (m) => formatDateTime(m.sent_at) },
    { key: "kind_name", label: "通知类型", primary: true },
    { key: "channel_name", label: "渠道" },
    { key: "to_masked", label: "收件人" },
    { key: "subject", label: "标题" },
    { key: "text", label: "内容", render: (m) => h("span", { class: "message-text" }, m.text) },
  ],
};
