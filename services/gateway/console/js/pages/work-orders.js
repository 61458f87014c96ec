// 背街小巷工单: the list, one order with its transition buttons, and reporting a problem.

import { call, operation } from "../catalog.js";
import { actionBar, openAction } from "../components/actions.js";
import { kv, links, section, timeline } from "../components/detail.js";
import { buildForm, fieldsFromSchema } from "../components/form.js";
import { listPage } from "../components/list.js";
import { photoThumbnails } from "../components/photos.js";
import { formatDateTime, formatNumber, h, mount } from "../dom.js";
import { alleyOptions, places, placeHints } from "../places.js";
import { href, navigate } from "../router.js";
import { limitedCommunity, may } from "../roles.js";
import { account } from "../session.js";
import { badge, loadInto, toast } from "../ui.js";
import { locationPicker } from "./map.js";

const STATE_TONES = {
  reported: "warn", accepted: "info", dispatched: "info", returned: "bad", in_progress: "info",
  extension_requested: "warn", completed: "ok", closed: "ok", duplicate: "", rejected: "", cancelled: "",
};

export function stateBadge(order) {
  return [badge(order.state_name, STATE_TONES[order.state] || ""),
    order.overdue ? [" ", badge("已超期", "bad")] : null,
    order.escalations ? [" ", badge(`督办 ${order.escalations}`, "warn")] : null];
}

// The departments the forms offer as choices: the register's (GET /api/places).
async function departments() {
  return (await places()).departments;
}

export function registerWorkOrderPages(route, guarded) {
  route("/work-orders", guarded(listWorkOrders));
  route("/work-orders/new", guarded(reportWorkOrder));
  route("/work-orders/:number", guarded(showWorkOrder));
}

async function listWorkOrders(main, ctx) {
  const deps = await departments();
  await listPage(main, ctx, {
    title: "背街小巷工单",
    op: "work_orders.list",
    toolbar: may("work_orders.report")
      ? [h("a", { class: "button primary", href: href("/work-orders/new") }, "＋ 上报问题")] : [],
    filters: {
      only: ["q", "state", "category", "community", "alley", "department_code", "channel",
        "overdue", "escalated", "reported_from", "reported_to", "sort"],
      scope: "work_order",
      labels: { q: "工单号/地址/描述" },
      hints: {
        department_code: deps.length ? { kind: "select", options: deps.map((d) => ({ value: d.code, label: d.name })) } : {},
        sort: { emptyLabel: "默认(最新上报在前)" },
      },
    },
    rowHref: (o) => href(`/work-orders/${o.number}`),
    idOf: (o) => o.number,
    columns: [
      { key: "number", label: "工单号", primary: true },
      { key: "category_name", label: "类别" },
      { key: "state", label: "状态", render: stateBadge },
      { key: "community", label: "社区" },
      { key: "address", label: "地址", render: (o) => [o.alley && o.alley !== o.address ? `${o.alley} ` : "", o.address] },
      { key: "department.name", label: "承办部门", render: (o) => o.department?.name || "" },
      { key: "reported_at", label: "上报时间", render: (o) => formatDateTime(o.reported_at) },
      { key: "due_at", label: "办理期限", render: (o) => formatDateTime(o.due_at) },
    ],
    empty: "没有符合条件的工单。",
  });
}

// --- one work order -----------------------------------------------------------------------

async function showWorkOrder(main, ctx) {
  const number = ctx.params.number;
  const deps = await departments();
  await loadInto(main, () => call("work_orders.get", { number }), (order) => {
    drawOrder(main, order, deps);
  });
}

function actionForms(order, deps) {
  return {
    dispatch: {
      hints: { department_code: deps.length ? { kind: "select", emptyLabel: "按问题类别自动派往对口部门",
        options: deps.map((d) => ({ value: d.code, label: d.name })) } : {} },
    },
    complete: {
      hints: {
        quantities: { initialRows: 1, omit: ["unit"], help: "按实际完成的工程量填写,可添加多行。" },
        photos: { kind: "photos", label: "办结照片(可拍照)", help: "至少 1 张办结照片:拍照上传,或在下方填写照片网址。" },
        evidence_urls: { placeholder: "https://…(每行一个照片网址)" },
      },
      labels: { kind: "工程类型" },
    },
    follow_up: { scope: "work_order", labels: { result: "回访结果" } },
    request_extension: { labels: { reason: "延期原因" } },
    mark_duplicate: { note: "标记后本工单不再办理,以原工单为准。" },
    reject: { labels: { reason: "不予受理的理由" } },
    cancel: { labels: { reason: "撤销原因" } },
    reopen: { labels: { reason: "重办原因" } },
  };
}

function drawOrder(main, order, deps) {
  const redraw = (updated) => drawOrder(main, updated, deps);
  const reporter = order.reporter || {};
  const contactBox = h("span", {}, reporter.phone_masked || "");
  const revealButton = may("work_orders.reveal_contact") && reporter.phone_masked
    ? h("button", { type: "button", class: "link", onclick: () => revealContact(order, contactBox) },
      "查看完整号码") : null;
  const quantities = (order.quantities || []).map((q) => `${q.name} ${formatNumber(q.amount, 2)} ${q.unit}`);
  const extension = order.extension;
  const follow = order.follow_up;

  const duplicatesBox = h("div", {});
  mount(main,
    h("div", { class: "page-head" },
      h("h1", {}, `工单 ${order.number}`),
      h("div", { class: "toolbar" }, h("span", { class: "state" }, stateBadge(order)),
        order.department && may("work_orders.dispatch_slip")
          ? h("a", { class: "button", id: "dispatch-slip", target: "_blank", rel: "noopener",
            href: `/api/work-orders/${encodeURIComponent(order.number)}/dispatch-slip` }, "打印派单单")
          : null)),
    section("办理", actionBar({
      record: order,
      params: { number: order.number },
      opFor: (action) => `work_orders.${action}`,
      forms: actionForms(order, deps),
      onDone: (updated) => redraw(updated),
    })),
    h("div", { class: "grid2" },
      section("问题", kv([
        ["类别", order.category_name],
        ["社区", order.community],
        ["巷道", order.alley],
        ["地址", order.address],
        ["位置", order.location ? `${order.location.lat}, ${order.location.long}` : ""],
        ["描述", order.description],
        ["现场照片", [photoThumbnails(order, "report"), links(order.media_urls)].filter(Boolean)],
        ["来源", order.channel_name],
        ["外部编号", order.external_ref],
        ["上报人", reporter.name],
        ["联系电话", reporter.phone_masked ? [contactBox, " ", revealButton] : ""],
        ["上报时间", formatDateTime(order.reported_at)],
      ])),
      section("办理情况", kv([
        ["状态", order.state_name],
        ["承办部门", order.department?.name],
        ["办理期限", formatDateTime(order.due_at)],
        ["是否超期", order.overdue ? "是" : ""],
        ["督办次数", order.escalations || ""],
        ["延期申请", extension ? `申请延至 ${formatDateTime(extension.requested_due_at)}:${extension.reason}` : ""],
        ["办理结果", order.result_note],
        ["工程量", quantities.length ? h("div", {}, quantities.map((q) => h("div", {}, q))) : ""],
        ["办结照片", [photoThumbnails(order, "completion"), links(order.evidence_urls)].filter(Boolean)],
        ["办结时间", formatDateTime(order.completed_at)],
        ["回访结果", follow ? `${follow.result_name}${follow.note ? `(${follow.note})` : ""}` : ""],
        ["居民评价", order.rating ? `${order.rating.result_name}${order.rating.note ? `(${order.rating.note})` : ""}` : ""],
        ["重复于", order.duplicate_of ? h("a", { href: href(`/work-orders/${order.duplicate_of}`) }, order.duplicate_of) : ""],
        ["重办次数", order.reopen_count || ""],
        ["结案时间", formatDateTime(order.closed_at)],
      ]))),
    (order.previous_completions || []).length
      ? section("重办前的办结记录", previousCompletions(order.previous_completions)) : null,
    may("work_orders.duplicates") && ["reported", "accepted"].includes(order.state)
      ? section("疑似重复工单", duplicatesBox) : null,
    section("办理记录", timeline(order.history)),
    h("p", {}, h("a", { href: href("/work-orders") }, "← 返回工单列表")));

  if (duplicatesBox.isConnected) {
    loadInto(duplicatesBox, () => call("work_orders.duplicates", { number: order.number }), (result) => {
      const items = result.items || [];
      mount(duplicatesBox, items.length
        ? h("ul", {}, items.map((d) => h("li", {},
          h("a", { href: href(`/work-orders/${d.number}`) }, d.number), ` ${d.state_name} · ${d.address} · `,
          (d.reasons || []).join(";"))))
        : h("p", { class: "empty" }, "未发现疑似重复的工单。"));
    });
  }
}

/** Completions a 重办 superseded: kept for the record, counted in no figure. */
function previousCompletions(completions) {
  return h("ol", { class: "timeline" }, completions.map((c, i) => h("li", {},
    h("div", {}, h("strong", {}, `第 ${i + 1} 次办结`), ` ${formatDateTime(c.completed_at)}`,
      c.on_time ? "(按期)" : "(超期)"),
    c.result_note ? h("div", {}, c.result_note) : null,
    (c.quantities || []).length ? h("div", {}, (c.quantities || []).map((q) =>
      `${q.name} ${formatNumber(q.amount, 2)} ${q.unit}`).join(";")) : null,
    links(c.evidence_urls),
    c.follow_up ? h("div", {}, `回访:${c.follow_up.result_name}${c.follow_up.note ? `(${c.follow_up.note})` : ""}`) : null,
    h("div", { class: "when" }, `${formatDateTime(c.reopened_at)} 重办:${c.reopen_reason || ""}`))));
}

async function revealContact(order, box) {
  const result = await openAction({ params: { number: order.number } }, "work_orders.reveal_contact",
    "查看上报人联系方式", { labels: { purpose: "查看用途(将记入审计)" }, submitLabel: "查看" });
  if (result) {
    mount(box, [result.name, result.phone, result.email].filter(Boolean).join(" · "));
  }
}

// --- reporting a problem ------------------------------------------------------------------

async function reportWorkOrder(main) {
  const op = operation("work_orders.report");
  if (!op || !may("work_orders.report")) {
    mount(main, h("h1", {}, "上报问题"), h("div", { class: "alert" }, "您的账号不能上报问题。"));
    return;
  }
  const me = account();
  const fixed = limitedCommunity(me);
  const register = await places();
  // Community and alley are chosen from the register of places; with a community chosen the
  // alleys are its own.
  const hints = placeHints(register, { community: fixed, names: {
    community: { emptyLabel: "请选择社区" }, alley: { emptyLabel: "不在登记的巷道(填写地址)" } } });
  const specs = fieldsFromSchema(op.body, {
    only: ["category", "community", "alley", "address", "description", "photos", "media_urls", "channel",
      "reporter", "location", "external_ref"],
    labels: { description: "问题描述" },
    hints: {
      community: fixed ? { kind: "skip" } : (hints.community || {}),
      alley: hints.alley || {},
      description: { kind: "textarea", placeholder: "例:新宇巷49号院门口路灯晚上不亮" },
      photos: { kind: "photos", label: "现场照片(可拍照)" },
      media_urls: { label: "照片网址(可选)", placeholder: "https://…(每行一个照片网址)" },
      channel: { value: me.role === "grid_worker" ? "grid_worker" : "resident" },
      reporter: { label: "上报人(居民)", labels: { name: "姓名", phone: "手机号" } },
      location: { label: "位置坐标(可选,可在下方地图上点选)" },
    },
  });
  const form = buildForm(specs, {
    submitLabel: "提交上报",
    onCancel: () => navigate("/work-orders"),
    onSubmit: async (data) => {
      const order = await call("work_orders.report", {}, data);
      toast(`已上报,工单号 ${order.number}`, "ok");
      if ((order.possible_duplicates || []).length) {
        toast(`发现 ${order.possible_duplicates.length} 件疑似重复工单,请受理时核对`, "info");
      }
      navigate(`/work-orders/${order.number}`);
    },
  });
  if (!fixed) narrowAlleysToCommunity(form.element, register);
  mount(main, h("h1", {}, "上报问题"),
    fixed ? h("p", { class: "help" }, `将上报到:${fixed}`) : null,
    h("div", { class: "card" }, form.element));
  if (may("places.map")) await locationPicker(form.element, { fixedCommunity: fixed });
}

/** Once a community is chosen, the alley list holds only its alleys. */
function narrowAlleysToCommunity(formElement, register) {
  const community = formElement.querySelector('select[name="community"]');
  const alley = formElement.querySelector('select[name="alley"]');
  if (!community || !alley) return;
  const empty = alley.options[0]?.value === "" ? alley.options[0].textContent : null;
  community.addEventListener("change", () => {
    const kept = alley.value;
    const options = alleyOptions(register, community.value || null);
    mount(alley, empty !== null ? h("option", { value: "" }, empty) : null,
      options.map((o) => h("option", { value: o.value }, o.label)));
    alley.value = options.some((o) => o.value === kept) ? kept : "";
  });
}

