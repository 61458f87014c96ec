// For street admins: what the system told people and how it went. 通知发送记录 (every message,
// its attempts, why one was not sent or failed, 重发 for a failed one), 12345 回传 (the
// hotline callbacks, 重发 for a failed one) and 消息记录 (the development mailbox: what the
// development channel "sent", only while it is configured). Names, never codes: the API's
// *_name fields, and shared/names.py for the filters' choices (scope "notification").

import { call } from "../catalog.js";
import { kv } from "../components/detail.js";
import { listPage, table } from "../components/list.js";
import { formatDateTime, h, mount } from "../dom.js";
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

/** 重发 once confirmed: true when it was queued again (its result is told where it was asked). */
async function retry(op, params, what) {
  const ok = await confirmSheet("重发", `重新发送${what}?系统将按发送规则重新尝试。`, "重发");
  if (!ok) return false;
  try {
    await call(op, params, {});
  } catch (error) {
    toast(describeError(error), "error");
    return false;
  }
  toast("已重新排队发送", "ok");
  return true;
}

// --- 通知发送记录 ----------------------------------------------------------------------------

// After 重发 the message's sheet asks again every FOLLOW_MS until the attempt is made (about a
// minute at most); one held for later (免打扰时段, a wait before the next try) says when.
const FOLLOW_MS = 1500;
const FOLLOW_TIMES = 40;
const LATER_MS = 30000;

const retryable = (m) => m.state === "failed" && m.kind !== "sign_in_code" && may("notifications.retry");
const retryMessage = (m) => retry("notifications.retry", { key: m.key }, `“${m.kind_name}”通知`);

const MESSAGES = {
  title: "通知发送记录",
  help: ["系统发出的短信和邮件通知。发送失败的通知可以重发(在列表或详情中),重发后详情显示这次发送的结果;",
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
      h("button", { type: "button", dataset: { action: "details" }, onclick: () => messageSheet(m.key) }, "详情"),
      retryable(m) ? h("button", { type: "button", class: "primary", dataset: { action: "retry" },
        onclick: async () => { if (await retryMessage(m)) messageSheet(m.key, true); } }, "重发")
        : null) },
  ],
};

/** What became of a message sent again: sent, failed again, or not sent (and why). */
function outcome(message) {
  if (message.state === "sent") {
    return h("div", { class: "alert ok", role: "status" }, `重发成功:已于 ${formatDateTime(message.sent_at)} 发送。`);
  }
  if (message.state === "failed") return h("div", { class: "alert", role: "status" }, `重发未成功:${whyNot(message)}`);
  return h("div", { class: "alert info", role: "status" }, `未发送:${whyNot(message) || message.state_name}`);
}

/** 详情: the message and every attempt to send it, with 重发 for a failed one. Once sent again
 *  (here or from its row: `retried`) the sheet follows it to the new attempt's result, and the
 *  list behind is read again when the sheet closes. */
async function messageSheet(key, retried = false) {
  const read = () => call("notifications.message", { key });
  let message;
  try {
    message = await read();
  } catch (error) {
    toast(describeError(error), "error");
    return;
  }
  let open = true;
  let changed = retried;
  const body = h("div", { class: "message-detail" });
  const draw = (status) => mount(body, status || null, messageFacts(message),
    retryable(message) ? h("div", { class: "form-actions" }, h("button", {
      type: "button", class: "primary", dataset: { action: "retry" },
      onclick: async () => { if (await retryMessage(message)) { changed = true; follow(); } } }, "重发"))
      : null,
    h("h3", {}, "发送尝试"),
    table(message.attempts_made, { empty: "尚未尝试发送。", columns: ATTEMPT_COLUMNS }));
  const follow = async () => {
    for (let i = 0; i < FOLLOW_TIMES && open; i += 1) {
      try {
        message = await read();
      } catch (error) {
        if (open) draw(h("div", { class: "alert", role: "status" }, describeError(error)));
        return;
      }
      if (!open) return;
      if (message.state !== "pending") { draw(outcome(message)); return; }
      if (new Date(message.not_before) - Date.now() > LATER_MS) {
        draw(h("div", { class: "alert info", role: "status" },
          `已重新排队,将于 ${formatDateTime(message.not_before)} 发送。`));
        return;
      }
      draw(h("div", { class: "alert info", role: "status" }, "已重新排队,正在发送…"));
      await new Promise((resolve) => { setTimeout(resolve, FOLLOW_MS); });
    }
    if (open) draw(h("div", { class: "alert info", role: "status" }, "仍在排队等待发送,稍后可在列表中查看结果。"));
  };
  draw();
  if (retried) follow();
  await openSheet(`通知:${message.kind_name}`, () => body);
  open = false;
  if (changed) renderCurrent();
}

function messageFacts(message) {
  return kv([
    ["类别", message.topic_name],
    ["收件人", message.recipient_name || "—"],
    ["联系方式", message.address_masked || "—"],
    ["状态", stateBadge(message)],
    ["未发送原因或错误", whyNot(message) || "—"],
    ["生成时间", formatDateTime(message.created_at)],
    ["最早发送时间", formatDateTime(message.not_before)],
    ["发送时间", formatDateTime(message.sent_at) || "—"],
  ]);
}

const ATTEMPT_COLUMNS = [
  { key: "at", label: "时间", render: (a) => formatDateTime(a.at) },
  { key: "channel", label: "渠道", render: (a) => codeName("channel", a.channel, "notification") || "—" },
  { key: "outcome_name", label: "结果" },
  { key: "error", label: "错误", render: (a) => a.error?.message || "" },
];

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
        onclick: async () => {
          if (await retry("notifications.retry_hotline_callback", { callback_id: c.id },
            `12345 工单 ${c.ticket} 的${c.stage_name}结果`)) renderCurrent();
        } }, "重发")
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
