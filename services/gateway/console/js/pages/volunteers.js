// 志愿服务: the volunteer registry, shifts with sign-up and attendance, the hours ledger,
// corrections and certificates. A volunteer's own account sees only itself (the API keeps
// it so); the forms fill in its own volunteer id.

import { call } from "../catalog.js";
import { kv, section } from "../components/detail.js";
import { actionBar, openAction } from "../components/actions.js";
import { listPage, lookupHints, table } from "../components/list.js";
import { registerResource, stateBadge, stepButton } from "../components/resource.js";
import { formatDate, formatDateTime, formatNumber, h, mount } from "../dom.js";
import { href, navigate, renderCurrent } from "../router.js";
import { may } from "../roles.js";
import { account } from "../session.js";
import { badge, loadInto, toast } from "../ui.js";

const VOLUNTEER_TONES = { pending: "warn", active: "ok", suspended: "bad", rejected: "", withdrawn: "" };
const SHIFT_TONES = { open: "info", completed: "ok", cancelled: "" };

/** A volunteer acting for themselves gives their own id; staff choose whom. */
function selfHints() {
  const me = account();
  return me?.role === "volunteer" && me.volunteer
    ? { volunteer_id: { kind: "skip" } }
    : { volunteer_id: { label: "志愿者", ...(lookupHints().volunteer_id || {}) } };
}

function selfValues() {
  const me = account();
  return me?.role === "volunteer" && me.volunteer ? { volunteer_id: me.volunteer } : {};
}

/** For a volunteer the hidden id still has to be sent. */
function withSelf(data) {
  return { ...selfValues(), ...data };
}

function shiftTime(s) {
  if (s.flexible) return `${formatDate(s.starts_at)} 至 ${formatDate(s.ends_at)}(时间灵活)`;
  return `${formatDateTime(s.starts_at)} – ${formatDateTime(s.ends_at).slice(11)}`;
}

// What a volunteer may do on a shift, right in the list (they cannot open a shift's page).
const SHIFT_ACTIONS = {
  sign_up: "shifts.sign_up", withdraw_sign_up: "shifts.withdraw_sign_up",
  check_in: "shifts.check_in", check_out: "shifts.check_out",
  record_visit: (s) => (s.kind === "placement_follow_up" ? "shifts.record_placement_visit" : "shifts.record_follow_up_visit"),
};

// The steps a volunteer may take on a shift for themselves, by where they stand on it: not
// signed up → 报名; signed up → 取消报名, 签到 (or, on a 回访 with no fixed time, its result);
// checked in → 签退; checked out → the 回访's result while none is recorded.
const OWN_STEPS = {
  none: ["sign_up"],
  signed_up: ["withdraw_sign_up", "check_in", "record_visit"],
  checked_in: ["check_out", "record_visit"],
  checked_out: ["record_visit"],
  attended: ["record_visit"],
};

function ownActions(shift, volunteerId) {
  const mine = (shift.assignments || []).find((a) => a.volunteer_id === volunteerId
    && a.status !== "withdrawn");
  const steps = new Set(OWN_STEPS[mine ? mine.status : "none"] || []);
  if (shift.outcome) steps.delete("record_visit");
  if (!shift.flexible) steps.delete("record_visit");
  return (shift.allowed_actions || []).filter((a) => steps.has(a.action));
}

function inlineShiftActions(shift) {
  const me = account();
  if (me?.role === "volunteer" && me.volunteer) {
    shift = { ...shift, allowed_actions: ownActions(shift, me.volunteer) };
  }
  const opFor = (action) => {
    const target = SHIFT_ACTIONS[action];
    return typeof target === "function" ? target(shift) : target || null;
  };
  const self = { hints: selfHints(), transform: withSelf };
  const bar = actionBar({ record: shift, params: { shift_id: shift.id }, opFor,
    forms: { sign_up: self, withdraw_sign_up: self, check_in: self, check_out: self,
      record_visit: { ...self, scope: "shift" } },
    onDone: () => renderCurrent() });
  const number = shift.source?.work_order_number;
  if (shift.kind !== "follow_up_visit" || shift.state !== "open" || !number
      || !may("work_orders.reveal_contact")) return bar;
  // A 回访 means calling the reporter: the volunteer on it may see the number (audited).
  const contact = h("span", { class: "muted" });
  return h("div", {}, bar, h("button", { type: "button", onclick: async () => {
    const result = await openAction({ params: { number } }, "work_orders.reveal_contact",
      "查看上报人联系方式", { labels: { purpose: "查看用途(将记入审计)" },
        values: { purpose: "工单回访需要联系上报人" }, submitLabel: "查看" });
    if (result) mount(contact, [result.name, result.phone, result.email].filter(Boolean).join(" · "));
  } }, "查看上报人电话"), contact);
}

const SHIFT_COLUMNS = [
  { key: "title", label: "岗位" }, { key: "kind_name", label: "类型" }, { key: "community", label: "社区" },
  { key: "place", label: "地点" }, { key: "starts_at", label: "时间", render: shiftTime },
  { key: "signed_up", label: "报名", render: (s) => `${s.signed_up}/${s.needed}` },
];

async function openShiftsPage(main, ctx) {
  await listPage(main, ctx, {
    title: "可报名岗位",
    op: "shifts.open",
    filters: { only: ["community", "kind", "skill", "starts_from", "starts_to"], scope: "shift" },
    idOf: (s) => s.id,
    columns: [...SHIFT_COLUMNS,
      { key: "skills", label: "技能要求", render: (s) => (s.skills || []).map((k) => k.name).join("、") },
      { key: "actions", label: "操作", render: inlineShiftActions }],
    empty: "目前没有可以报名的岗位。",
  });
}

export function registerVolunteerPages(route, guarded) {
  route("/me", guarded(() => navigate(`/volunteers/${encodeURIComponent(account().volunteer)}`)));
  route("/open-shifts", guarded(openShiftsPage));
  registerResource(route, guarded, {
    path: "/volunteers", title: "志愿者", idKey: "id", param: "volunteer_id",
    list: {
      op: "volunteers.list",
      filters: { only: ["q", "state", "community", "team", "skills", "min_star_level", "sort"],
        scope: "volunteer", labels: { q: "姓名或编号" } },
      columns: [
        { key: "id", label: "编号", primary: true },
        { key: "name", label: "姓名" }, { key: "community", label: "社区" },
        { key: "team_name", label: "服务队" },
        { key: "skills", label: "技能", render: (v) => (v.skills || []).map((s) => s.name).join("、") },
        { key: "star_name", label: "星级" },
        { key: "total_hours", label: "累计时长", render: (v) => `${formatNumber(v.total_hours)} 小时` },
        { key: "state", label: "状态", render: (v) => stateBadge(v, VOLUNTEER_TONES) },
      ],
    },
    get: "volunteers.get",
    heading: (v) => `${v.name}(${v.id})`,
    state: (v) => stateBadge(v, VOLUNTEER_TONES),
    create: { op: "volunteers.register", label: "登记志愿者", form: {
      labels: { introduction: "个人简介", team: "志愿服务队编码" },
      hints: { availability: { labels: { weekday: "星期", slot: "时段" } }, introduction: { kind: "textarea" } } } },
    actions: { approve: "volunteers.approve", reject: "volunteers.reject", suspend: "volunteers.suspend",
      reinstate: "volunteers.reinstate", withdraw: "volunteers.withdraw", update: "volunteers.update",
      commend: "volunteers.commend" },
    forms: (v) => ({
      update: { submitLabel: "保存", values: { name: v.name, community: v.community, team: v.team,
        skills: (v.skills || []).map((s) => s.code),
        availability: (v.availability || []).map((a) => ({ weekday: a.weekday, slot: a.slot })),
        introduction: v.introduction },
      // A volunteer's community, skills and team are set by staff (the API refuses them).
      omit: account()?.role === "volunteer" ? ["phone", "community", "team", "skills"] : ["phone"],
      hints: { introduction: { kind: "textarea" } } },
      commend: { labels: { reason: "表扬事由" } },
      // Not the header's 退出 (sign out): leaving the registry, asked to confirm.
      withdraw: { note: `退出后${v.name}不再是在册志愿者,尚未开始的岗位报名将被取消;服务时长和证明仍然保留。`
        + "只想退出登录请点右上角的“退出”。", submitLabel: "确认退出志愿者队伍" },
    }),
    extras: (v, redraw) => [
      stepButton("查看电话和身份证号", "volunteers.reveal", { volunteer_id: v.id }, { submitLabel: "查看" },
        (r) => toast(`${r.name}:${[r.phone, r.id_number].filter(Boolean).join(" · ")}`, "info")),
      stepButton("补录服务时长", "volunteers.record_hours", { volunteer_id: v.id },
        { labels: { content: "服务内容", organiser: "组织单位(谁组织谁记录)" } }, redraw),
      stepButton("出具服务证明", "volunteers.issue_certificate", { volunteer_id: v.id },
        { labels: { issuer: "出具单位(只计其记录的时长)" } },
        (c) => toast(`已出具证明 ${c.number}`, "ok")),
      may("ledger.list") ? h("a", { class: "button", href: href("/hours", { volunteer_id: v.id }) }, "服务记录") : null,
      may("shifts.list") ? h("a", { class: "button", href: href("/shifts", { volunteer_id: v.id }) }, "参加的岗位") : null,
    ],
    sections: (v) => {
      const hours = h("div", {});
      if (may("volunteers.hours")) {
        loadInto(hours, () => call("volunteers.hours", { volunteer_id: v.id }), (r) => mount(hours,
          kv([["累计时长", `${formatNumber(r.total_hours)} 小时(${r.services} 次)`], ["星级", r.star_name],
            ["下一星级", r.next_star ? `${r.next_star.name},还差 ${formatNumber(r.next_star.remaining)} 小时` : "已是最高星级"]]),
          table((r.by_month || []).slice(-12).reverse(), { columns: [
            { key: "month", label: "月份" }, { key: "hours", label: "时长(小时)" }, { key: "services", label: "次数" }],
          empty: "暂无服务记录。" })));
      }
      return [h("div", { class: "grid2" },
        section("基本信息", kv([
          ["社区", v.community], ["服务队", v.team_name], ["电话", v.phone_masked], ["身份证号", v.id_number_masked],
          ["技能", (v.skills || []).map((s) => s.name).join("、")],
          ["可服务时间", (v.availability || []).map((a) => a.label).join("、")],
          ["简介", v.introduction], ["注册时间", formatDateTime(v.registered_at)], ["最近服务", v.last_served_on],
          ["表扬", (v.commendations || []).map((c) => c.reason).join(";")],
        ])),
        section("服务时长", hours))];
    },
  });

  registerResource(route, guarded, {
    path: "/shifts", title: "志愿服务岗位", idKey: "id", param: "shift_id",
    list: {
      op: "shifts.list",
      filters: { only: ["state", "kind", "community", "skill", "volunteer_id", "open_for_sign_up",
        "starts_from", "starts_to", "activity_id", "work_order_number", "sort"], scope: "shift" },
      columns: [
        { key: "id", label: "编号", primary: true },
        { key: "title", label: "岗位" }, { key: "kind_name", label: "类型" }, { key: "community", label: "社区" },
        { key: "place", label: "地点" }, { key: "starts_at", label: "时间", render: shiftTime },
        { key: "signed_up", label: "报名", render: (s) => `${s.signed_up}/${s.needed}` },
        { key: "state", label: "状态", render: (s) => stateBadge(s, SHIFT_TONES) },
        // Without a shift page of their own (volunteers), the steps are in the list.
        ...(may("shifts.get") ? [] : [{ key: "actions", label: "操作", render: inlineShiftActions }]),
      ],
    },
    get: "shifts.get",
    heading: (s) => s.title,
    state: (s) => stateBadge(s, SHIFT_TONES),
    create: { op: "shifts.create", label: "发布岗位", form: { scope: "shift",
      labels: { title: "岗位名称", organiser: "组织单位(记录并证明时长,默认本社区)" },
      hints: { description: { kind: "textarea" } } } },
    actions: {
      sign_up: "shifts.sign_up", withdraw_sign_up: "shifts.withdraw_sign_up",
      check_in: "shifts.check_in", check_out: "shifts.check_out", mark_attended: "shifts.mark_attended",
      complete: "shifts.complete", cancel: "shifts.cancel",
      record_visit: (s) => (s.kind === "placement_follow_up" ? "shifts.record_placement_visit" : "shifts.record_follow_up_visit"),
    },
    forms: (s) => {
      const self = { hints: selfHints(), transform: withSelf };
      return {
        sign_up: self, withdraw_sign_up: { ...self, labels: { reason: "原因" } },
        check_in: { ...self, labels: { at: "签到时间(按纸质签到表补录时填写)" } },
        check_out: { ...self, labels: { at: "签退时间(按纸质签到表补录时填写)" } },
        mark_attended: { labels: { volunteer_ids: "志愿者编号(每行一个)", hours: "每人时长(不填按实际或岗位时长)" } },
        cancel: { labels: { reason: "取消原因" } },
        record_visit: { ...self, scope: "shift", labels: { result: "回访结果" } },
      };
    },
    extras: (s) => [
      may("shifts.suggestions") && s.state === "open"
        ? h("a", { class: "button", href: href(`/shifts/${s.id}`, { suggest: 1 }) }, "推荐志愿者") : null,
    ],
    sections: (s) => {
      const suggestions = h("div", {});
      if (location.hash.includes("suggest=1") && may("shifts.suggestions")) {
        loadInto(suggestions, () => call("shifts.suggestions", { shift_id: s.id }, { limit: 20 }), (r) =>
          mount(suggestions, table(r.items || [], { columns: [
            { key: "name", label: "姓名" }, { key: "community", label: "社区" },
            { key: "skills", label: "技能", render: (v) => (v.skills || []).map((k) => k.name).join("、") },
            { key: "usually_available", label: "通常有空" },
            { key: "total_hours", label: "累计时长" },
            { key: "id", label: "操作", render: (v) => stepButton("代为报名", "shifts.sign_up", { shift_id: s.id },
              { values: { volunteer_id: v.id } }, () => renderCurrent()) },
          ], empty: "没有合适的志愿者。" })));
      }
      return [
        section("岗位信息", kv([
          ["类型", s.kind_name], ["社区", s.community], ["地点", s.place], ["组织单位", s.organiser],
          ["时间", shiftTime(s)], ["时长", `${s.scheduled_hours} 小时`],
          ["人数", `需要 ${s.needed},已报名 ${s.signed_up},剩余 ${s.places_left}`],
          ["技能要求", (s.skills || []).map((k) => k.name).join("、")], ["说明", s.description],
          ["结果", s.outcome ? JSON.stringify(s.outcome) : ""],
        ])),
        location.hash.includes("suggest=1") ? section("推荐志愿者", suggestions) : null,
        section("报名与出勤", table(s.assignments || [], { columns: [
          { key: "name", label: "志愿者" }, { key: "volunteer_id", label: "编号" },
          { key: "status", label: "状态", render: (a) => badge(a.status_name, a.status === "absent" ? "bad" : "info") },
          { key: "check_in_at", label: "签到", render: (a) => formatDateTime(a.check_in_at) },
          { key: "check_out_at", label: "签退", render: (a) => formatDateTime(a.check_out_at) },
          { key: "hours", label: "时长", render: (a) => (a.credited_hours ?? a.hours ?? "") },
        ], empty: "还没有人报名。" })),
      ];
    },
  });

  registerResource(route, guarded, {
    path: "/hours", title: "服务时长台账", idKey: "id", param: "entry_id",
    list: {
      op: "ledger.list",
      intro: h("p", { class: "help" }, "谁组织谁记录、谁记录谁证明:每条记录写明组织单位和记录人,写入后不再修改,更正另记一条。"),
      filters: { only: ["volunteer_id", "organiser", "community", "from_date", "to_date", "source_kind"] },
      columns: [
        { key: "date", label: "服务日期" },
        { key: "volunteer_name", label: "志愿者", render: (e) => h("a", { href: href(`/volunteers/${e.volunteer_id}`) }, e.volunteer_name) },
        { key: "content", label: "服务内容" },
        { key: "hours", label: "时长(小时)" },
        { key: "organiser", label: "组织单位" },
        { key: "source_name", label: "来源" },
        { key: "recorder", label: "记录人", render: (e) => e.recorder?.name || "" },
      ],
    },
  });

  registerResource(route, guarded, {
    path: "/corrections", title: "时长更正申请", idKey: "id", param: "correction_id",
    list: {
      op: "corrections.list", filters: { only: ["state", "volunteer_id", "community"], scope: "correction" },
      columns: [
        { key: "id", label: "编号", primary: true },
        { key: "volunteer_name", label: "志愿者" }, { key: "organiser", label: "组织单位" },
        { key: "old", label: "原时长", render: (c) => c.old?.hours ?? "" },
        { key: "new", label: "更正为", render: (c) => c.new?.hours ?? "" },
        { key: "reason", label: "理由" },
        { key: "state", label: "状态", render: (c) => stateBadge(c) },
      ],
    },
    get: "corrections.get",
    heading: (c) => `时长更正 ${c.id}`,
    create: { op: "corrections.request", label: "申请更正",
      // A function: who is signed in is known only when the form opens.
      form: () => ({ hints: selfHints(), transform: withSelf, labels: { hours: "更正后的时长(小时)",
        entry_id: "服务记录编号(与岗位编号二选一)", check_in_at: "更正后的签到时间",
        check_out_at: "更正后的签退时间" } }) },
    extras: (c, redraw) => (c.state === "requested" ? [
      stepButton("批准", "corrections.approve", { correction_id: c.id }, {}, redraw),
      stepButton("驳回", "corrections.reject", { correction_id: c.id }, { labels: { reason: "驳回理由" } }, redraw),
    ] : []),
    sections: (c) => [section("更正内容", kv([
      ["志愿者", c.volunteer_name], ["组织单位", c.organiser],
      ["原记录", c.old ? `${formatDateTime(c.old.check_in_at)} – ${formatDateTime(c.old.check_out_at)},${c.old.hours ?? ""} 小时` : ""],
      ["更正为", c.new ? `${formatDateTime(c.new.check_in_at)} – ${formatDateTime(c.new.check_out_at)},${c.new.hours ?? ""} 小时` : ""],
      ["理由", c.reason], ["处理意见", c.decision_note],
    ]))],
  });

  registerResource(route, guarded, {
    path: "/certificates", title: "志愿服务记录证明", idKey: "number", param: "number",
    list: {
      // Staff see their community's (street admins every community's), a volunteer their own.
      op: "certificates.list", filters: { only: ["volunteer_id", "community", "issuer", "state"], scope: "certificate" },
      columns: [
        { key: "number", label: "证明编号", primary: true },
        { key: "volunteer_name", label: "志愿者" }, { key: "community", label: "社区" },
        { key: "issuer", label: "出具单位" },
        { key: "from_date", label: "期间", render: (c) => `${c.from_date} 至 ${c.to_date}` },
        { key: "total_hours", label: "时长合计" },
        { key: "state", label: "状态", render: (c) => stateBadge(c) },
      ],
    },
    get: "certificates.get",
    heading: (c) => `证明 ${c.number}`,
    extras: (c, redraw) => [
      // The public page of the certificate: printable, and where anyone checks its number.
      h("a", { class: "button", href: `/public/certificates/${encodeURIComponent(c.number)}`, target: "_blank",
        rel: "noopener" }, "打印证明"),
      c.state !== "revoked" ? stepButton("作废", "certificates.revoke", { number: c.number },
        { labels: { reason: "作废原因" } }, redraw) : null],
    sections: (c) => [
      section("证明", kv([["志愿者", c.volunteer_name], ["身份证号", c.id_number_masked], ["出具单位", c.issuer],
        ["期间", `${c.from_date} 至 ${c.to_date}`], ["合计", `${c.total_hours} 小时,${c.services} 次`],
        ["出具时间", formatDateTime(c.issued_at)], ["作废原因", c.revoke_reason]])),
      section("核验", h("div", { class: "certificate-check" },
        h("img", { src: `/api/certificates/${encodeURIComponent(c.number)}/qr`, alt: `证明 ${c.number} 的核验二维码`,
          width: 148, height: 148, class: "qr" }),
        h("p", {}, "扫码打开公开核验页,可查验证明是否有效。"),
        h("p", {}, h("a", { class: "button", target: "_blank", rel: "noopener",
          href: `/public/certificates/${encodeURIComponent(c.number)}` }, "打印证明(含二维码)")))),
      section("服务记录", table(c.lines || [], { columns: [
        { key: "date", label: "日期" }, { key: "content", label: "内容" }, { key: "hours", label: "时长" },
        { key: "organiser", label: "组织单位" }] })),
    ],
  });
}
