// 文明实践: themed activities, their registrations and the door check-in, exemplars and venues.

import { api } from "../api.js";
import { call, operation } from "../catalog.js";
import { kv, links, section } from "../components/detail.js";
import { buildForm, fieldsFromSchema } from "../components/form.js";
import { listPage } from "../components/list.js";
import { registerResource, stateBadge, stepButton } from "../components/resource.js";
import { formatDateTime, h, mount } from "../dom.js";
import { href, renderCurrent } from "../router.js";
import { communityOptions, places } from "../places.js";
import { limitedCommunity, may } from "../roles.js";
import { account } from "../session.js";
import { badge, errorBox, loadInto, toast } from "../ui.js";

const OPENING_HOURS = { label: "开放时间(不填为全天开放)", labels: { weekdays: "星期", opens: "开门(HH:MM)",
  closes: "关门(HH:MM)" }, hints: { weekdays: { kind: "checks",
  options: [1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: "一二三四五六日"[d - 1] })) } } };

const ACTIVITY_TONES = { draft: "", published: "info", ongoing: "warn", finished: "ok", cancelled: "" };

function when(record) {
  if (!record.starts_at) return "时间待定";
  return `${formatDateTime(record.starts_at)} – ${formatDateTime(record.ends_at).slice(11)}`;
}

// Venues and their rooms, as choices for the activity forms: the rooms offered are those of
// the venue chosen (a room of another venue is refused).
async function venueHints() {
  if (!may("venues.list")) return {};
  try {
    const venues = (await api.get("/api/venues")).items || [];
    const roomsOf = (venueId) => (venues.find((v) => v.id === venueId)?.rooms || [])
      .filter((r) => r.active !== false)
      .map((r) => ({ value: r.id, label: `${r.name}(${r.capacity} 人)` }));
    return {
      venue_id: { kind: "select", options: venues.filter((v) => v.active !== false)
        .map((v) => ({ value: v.id, label: `${v.name}${v.community ? "" : "(街道级)"}` })) },
      room_id: { kind: "select", follows: "venue_id", optionsFor: roomsOf, emptyLabel: "不用功能室",
        help: "先选场地,再选其中的功能室。" },
    };
  } catch (error) {
    return {};
  }
}

// The community, chosen from the register of places (a community's own staff: theirs).
async function communityHint() {
  const options = communityOptions(await places());
  if (!options.length) return {};
  return { community: { kind: "select", options, emptyLabel: "请选择社区",
    value: limitedCommunity(account()) || undefined } };
}

const ACTIVITY_FORM = {
  scope: "activity",
  labels: { description: "活动介绍", title: "活动名称", organiser: "组织单位", capacity: "名额(不填则按功能室容量)" },
  hints: {
    description: { kind: "textarea" },
    volunteer_slots: { label: "需要志愿者(发布后自动开设志愿服务岗位)", labels: { count: "人数" } },
  },
};

export function registerActivityPages(route, guarded) {
  route("/activities/:id/registrations", guarded(registrationsPage));
  route("/activities/:id/check-in", guarded(checkInPage));
  route("/check-in", guarded(chooseActivityForCheckIn));
  registerResource(route, guarded, {
    path: "/activities", title: "主题活动", idKey: "activity_id", param: "activity_id",
    list: {
      op: "activities.list",
      filters: { only: ["q", "state", "community", "theme", "festival", "registration_open",
        "starts_from", "starts_to", "sort"], scope: "activity", labels: { q: "编号/名称/介绍" } },
      columns: [
        { key: "activity_id", label: "编号", primary: true },
        { key: "title", label: "活动名称" },
        { key: "theme_name", label: "主题", render: (a) => [a.theme_name, a.festival_name ? ` · ${a.festival_name}` : ""] },
        { key: "community", label: "社区" },
        { key: "place", label: "地点" },
        { key: "starts_at", label: "时间", render: when },
        { key: "registration", label: "报名", render: (a) => (a.registration
          ? `${a.registration.registered}${a.registration.capacity ? "/" + a.registration.capacity : ""}` : "") },
        { key: "state", label: "状态", render: (a) => stateBadge(a, ACTIVITY_TONES) },
      ],
    },
    get: "activities.get",
    heading: (a) => a.title,
    state: (a) => stateBadge(a, ACTIVITY_TONES),
    create: {
      op: "activities.create", label: "新建活动",
      form: async () => ({ ...ACTIVITY_FORM, hints: { ...ACTIVITY_FORM.hints, ...(await venueHints()),
        ...(await communityHint()) } }),
    },
    actions: {
      update: "activities.update", publish: "activities.publish", cancel: "activities.cancel",
      finish: "activities.finish", record_minutes: "activities.minutes",
      feature_exemplar: "activities.feature_exemplar", register: "activities.register",
      check_in: "activities.check_in",
    },
    forms: (a) => ({
      // The venues are fetched when 修改活动 is pressed, so its picker is the create form's.
      update: async () => ({ ...ACTIVITY_FORM, submitLabel: "保存修改",
        hints: { ...ACTIVITY_FORM.hints, ...(await venueHints()) },
        values: { title: a.title, theme: a.theme, festival: a.festival, description: a.description,
          target_groups: (a.target_groups || []).map((t) => t.code), organiser: a.organiser,
          venue_id: a.venue?.id, room_id: a.room?.id, starts_at: a.starts_at, ends_at: a.ends_at,
          capacity: a.capacity, volunteer_slots: a.volunteer_slots } }),
      cancel: { labels: { reason: "取消原因" } },
      finish: { labels: { minutes: "活动纪要" }, hints: { minutes: { kind: "textarea" } },
        note: "到场人数按现场签到统计。" },
      record_minutes: { labels: { minutes: "活动纪要" }, hints: { minutes: { kind: "textarea" } } },
      feature_exemplar: { labels: { note: "说明" } },
      register: { labels: { name: "居民姓名", phone: "手机号", note: "备注" },
        note: "名额已满时自动进入候补。报名后请把签到码告诉居民。" },
      check_in: { go: (record) => `/activities/${record.activity_id}/check-in` },
    }),
    extras: (a) => [
      h("a", { class: "button", href: href(`/activities/${a.activity_id}/registrations`) }, "报名名单"),
    ],
    sections: (a) => [
      h("div", { class: "grid2" },
        section("活动信息", kv([
          ["编号", a.activity_id], ["主题", a.theme_name], ["节日", a.festival_name],
          ["面向人群", (a.target_groups || []).map((t) => t.name).join("、")],
          ["组织单位", a.organiser], ["社区", a.community], ["地点", a.place],
          ["时间", when(a)], ["名额", a.capacity ?? "不限"],
          ["需要志愿者", a.volunteer_slots?.count ? `${a.volunteer_slots.count} 人` : ""],
          ["介绍", a.description],
          ["系列活动", a.series_id],
        ])),
        section("报名与签到", kv([
          ["报名", a.registration ? `已报名 ${a.registration.registered},候补 ${a.registration.waitlisted}` +
            (a.registration.places_left !== null && a.registration.places_left !== undefined
              ? `,剩余 ${a.registration.places_left}` : "") : ""],
          ["报名状态", a.registration?.open ? badge("报名中", "ok") : badge("未开放报名")],
          ["签到", a.check_in ? `已签到 ${a.check_in.checked_in}(现场报名 ${a.check_in.walk_ins},志愿者 ${a.check_in.volunteers})` : ""],
          ["参与人次", a.attendance], ["活动时长", a.hours ? `${a.hours} 小时` : ""],
          ["活动纪要", a.minutes], ["照片", links(a.photo_urls)], ["取消原因", a.cancel_reason],
          ["展示的先进典型", (a.featured_exemplars || []).map((e) => `${e.name}(${e.form_name})`).join("、")],
        ]))),
    ],
  });

  registerResource(route, guarded, {
    path: "/exemplars", title: "先进典型", idKey: "exemplar_id", param: "exemplar_id",
    list: {
      op: "exemplars.list",
      filters: { only: ["q", "state", "community", "category", "year"], scope: "exemplar",
        labels: { category: "类别" } },
      columns: [
        { key: "exemplar_id", label: "编号", primary: true },
        { key: "name", label: "姓名或家庭" }, { key: "category_name", label: "类别" },
        { key: "title", label: "称号" }, { key: "community", label: "社区" }, { key: "year", label: "年度" },
        { key: "state", label: "状态", render: (e) => stateBadge(e) },
      ],
    },
    get: "exemplars.get",
    heading: (e) => `${e.name} · ${e.category_name}`,
    create: { op: "exemplars.nominate", label: "推荐先进典型", form: { scope: "exemplar",
      labels: { name: "姓名或家庭", title: "称号", story: "事迹", category: "类别" }, hints: { story: { kind: "textarea" } } } },
    actions: { update: "exemplars.update", review: "exemplars.review", publish: "exemplars.publish",
      withdraw: "exemplars.withdraw" },
    forms: (e) => ({
      update: { values: e, labels: { story: "事迹" }, hints: { story: { kind: "textarea" } } },
      withdraw: { labels: { reason: "撤回原因" } },
    }),
    sections: (e) => [section("事迹", kv([
      ["称号", e.title], ["社区", e.community], ["年度", e.year], ["事迹", e.story], ["照片", links(e.photo_urls)],
      ["审核", e.review ? `${e.review.decision === "approve" ? "通过" : "退回"}${e.review.comment ? `:${e.review.comment}` : ""}` : ""],
      ["展示过的活动", (e.featured_at || []).map((a) => a.title).join("、")],
    ]))],
  });

  registerResource(route, guarded, {
    path: "/venues", title: "场地与功能室", idKey: "id", param: "venue_id",
    list: {
      op: "venues.list", filters: { only: ["community", "kind", "include_inactive"], scope: "venue" },
      columns: [
        { key: "id", label: "编号", primary: true }, { key: "name", label: "场地" },
        { key: "kind_name", label: "类型" }, { key: "community", label: "社区", render: (v) => v.community || "街道级" },
        { key: "address", label: "地址" },
        { key: "rooms", label: "功能室", render: (v) => (v.rooms || []).map((r) => r.name).join("、") },
        { key: "active", label: "启用" },
      ],
    },
    get: "venues.get",
    heading: (v) => v.name,
    state: (v) => (v.active ? badge("启用", "ok") : badge("已停用")),
    create: { op: "venues.create", label: "登记场地", form: { scope: "venue",
      labels: { name: "场地名称", capacity: "开放空间容纳人数", community: "社区(不填为街道级)" },
      hints: { opening_hours: OPENING_HOURS } } },
    extras: (v, redraw) => [
      stepButton("登记功能室", "venues.add_room", { venue_id: v.id }, { scope: "room",
        labels: { name: "功能室名称" }, hints: { opening_hours: OPENING_HOURS } }, redraw),
      stepButton("修改场地", "venues.update", { venue_id: v.id }, { values: v, scope: "venue",
        hints: { opening_hours: OPENING_HOURS } }, redraw),
    ],
    sections: (v) => [
      section("场地", kv([["类型", v.kind_name], ["社区", v.community || "街道级"], ["地址", v.address],
        ["容纳人数", v.capacity]])),
      section("功能室", (v.rooms || []).length ? h("ul", {}, v.rooms.map((r) =>
        h("li", {}, `${r.name}(${r.kind_name},${r.capacity} 人)${r.active ? "" : " · 已停用"}`)))
        : h("p", { class: "empty" }, "尚未登记功能室。")),
    ],
  });
}

// --- registrations of one activity ----------------------------------------------------------

async function registrationsPage(main, ctx) {
  const id = ctx.params.id;
  let activity = null;
  try {
    activity = await call("activities.get", { activity_id: id });
  } catch (error) {
    mount(main, errorBox(error));
    return;
  }
  const refresh = () => renderCurrent();
  const canRegister = (activity.allowed_actions || []).some((a) => a.action === "register");
  await listPage(main, ctx, {
    title: `报名名单 · ${activity.title}`,
    op: "activities.registrations",
    params: { activity_id: id },
    filters: { only: ["q", "status", "checked_in"], scope: "registration", labels: { q: "姓名或签到码" } },
    toolbar: [
      canRegister ? stepButton("为居民报名", "activities.register", { activity_id: id },
        { labels: { name: "居民姓名", phone: "手机号" } }, refresh) : null,
      (activity.allowed_actions || []).some((a) => a.action === "check_in") && may("activities.check_in")
        ? h("a", { class: "button primary", href: href(`/activities/${id}/check-in`) }, "现场签到") : null,
      h("a", { class: "button", href: href(`/activities/${id}`) }, "活动详情"),
    ],
    idOf: (r) => r.registration_id,
    columns: [
      { key: "name", label: "姓名" },
      { key: "phone_masked", label: "电话" },
      { key: "role_name", label: "身份" },
      { key: "status", label: "状态", render: (r) => [badge(r.status_name, r.status === "registered" ? "ok" : ""),
        r.waitlist_position ? ` 第 ${r.waitlist_position} 位` : ""] },
      { key: "code", label: "签到码" },
      { key: "checked_in_at", label: "签到", render: (r) => (r.checked_in_at ? formatDateTime(r.checked_in_at) : "") },
      { key: "registration_id", label: "操作", render: (r) => h("div", { class: "actions" },
        ["registered", "waitlisted"].includes(r.status) && !r.checked_in_at
          ? stepButton("取消报名", "registrations.cancel", { registration_id: r.registration_id },
            { labels: { reason: "取消原因" } }, refresh) : null,
        stepButton("查看电话", "registrations.reveal_contact", { registration_id: r.registration_id },
          { submitLabel: "查看" }, (c) => toast(`${c.name}:${c.phone}`, "info"))) },
    ],
    empty: "还没有人报名。",
  });
}

// --- door check-in: one big field for the six-digit code, walk-ins below ----------------------

async function chooseActivityForCheckIn(main, ctx) {
  await listPage(main, ctx, {
    title: "报名与签到",
    intro: h("p", { class: "help" }, "选择要签到的活动(开始前 60 分钟开放签到)。"),
    op: "activities.list",
    fixed: { state: ["published", "ongoing"], sort: "starts_at" },
    filters: { only: ["q", "community"] },
    rowHref: (a) => href(`/activities/${a.activity_id}/check-in`),
    idOf: (a) => a.activity_id,
    columns: [
      { key: "title", label: "活动", primary: true },
      { key: "starts_at", label: "时间", render: when },
      { key: "place", label: "地点" },
      { key: "check_in", label: "已签到", render: (a) => a.check_in?.checked_in ?? 0 },
      { key: "registrations", label: "名单", render: (a) => h("a", { href: href(`/activities/${a.activity_id}/registrations`) }, "报名名单") },
    ],
    empty: "没有即将开始或正在进行的活动。",
  });
}

async function checkInPage(main, ctx) {
  const id = ctx.params.id;
  const op = operation("activities.check_in");
  await loadInto(main, () => call("activities.get", { activity_id: id }), (activity) => {
    const result = h("div", { "aria-live": "polite", class: "checkin-result" });
    const counter = h("span", {}, activity.check_in?.checked_in ?? 0);
    const done = async (registration, form) => {
      mount(result, h("div", { class: "alert ok" },
        `${registration.name} 签到成功`, registration.walk_in ? "(现场报名)" : "",
        registration.role === "volunteer" ? "(服务志愿者)" : ""));
      form.element.reset();
      const fresh = await call("activities.get", { activity_id: id });
      counter.textContent = fresh.check_in?.checked_in ?? 0;
      form.element.querySelector("input")?.focus();
    };
    const checkIn = (fields, options = {}) => {
      const form = buildForm(fieldsFromSchema(op.body, { only: fields, labels: options.labels, hints: options.hints }), {
        submitLabel: options.submitLabel || "签到",
        onSubmit: async (data) => {
          mount(result);                   // the last person's "签到成功" must not linger
          done(await call("activities.check_in", { activity_id: id }, { ...data, ...(options.fixed || {}) }), form);
        },
      });
      return form;
    };
    const byCode = checkIn(["code"], { labels: { code: "签到码(6 位)" },
      hints: { code: { placeholder: "000000" } } });
    byCode.element.classList.add("checkin-code");
    byCode.element.querySelector("input").setAttribute("inputmode", "numeric");
    const walkIn = checkIn(["name", "phone"], { labels: { name: "姓名", phone: "手机号(选填)" },
      submitLabel: "现场报名并签到" });
    const volunteer = checkIn(["name", "volunteer_id"], { labels: { name: "志愿者姓名", volunteer_id: "志愿者编号" },
      submitLabel: "志愿者签到", fixed: { role: "volunteer" } });
    const open = (activity.allowed_actions || []).some((a) => a.action === "check_in");
    mount(main,
      h("div", { class: "page-head" }, h("h1", {}, `现场签到 · ${activity.title}`),
        h("div", { class: "toolbar" }, h("a", { class: "button", href: href(`/activities/${id}/registrations`) }, "报名名单"))),
      h("p", {}, `${when(activity)} · ${activity.place || ""} · 已签到 `, counter, " 人"),
      open ? null : h("div", { class: "alert info" }, "签到尚未开放或已结束(开始前 60 分钟开放,结束后关闭)。"),
      result,
      section("凭签到码签到", byCode.element),
      section("现场报名(无签到码)", walkIn.element),
      section("服务志愿者签到", volunteer.element));
    byCode.element.querySelector("input").focus();
  });
}
