// 一走四送 and employment: employers and their visits, job postings, job seekers with matching,
// applications, placements with their 1/3/6-month follow-ups, and notices owed to employers.

import { call } from "../catalog.js";
import { kv, section } from "../components/detail.js";
import { table } from "../components/list.js";
import { registerResource, stateBadge, stepButton } from "../components/resource.js";
import { formatDate, formatDateTime, h, mount } from "../dom.js";
import { places, placeHints } from "../places.js";
import { href, navigate, renderCurrent } from "../router.js";
import { may } from "../roles.js";
import { badge, loadInto, toast } from "../ui.js";

/** Hints showing fields only in a row of one kind of 送. */
function ofKind(kind, ...names) {
  return Object.fromEntries(names.map((n) => [n, { shownWhen: { field: "kind", values: [kind] } }]));
}

const VISIT_FORM = {
  labels: { findings: "走访情况", visitor_name: "走访人(默认本人)" },
  hints: {
    findings: { kind: "textarea" },
    deliveries: { label: "四送内容(送政策、送培训、送岗位、送服务)", scope: "delivery",
      labels: { kind: "类别", policy_name: "政策名称", topic: "培训主题",
        expected_participants: "预计参训人数", preferred_date: "希望培训日期",
        request_activity: "由市民学校安排培训", openings_collected: "收集岗位数",
        service_name: "服务名称", note: "备注" },
      // Each row asks only what its kind of 送 keeps (job.schemas.Delivery.KEEPS).
      hints: { kind: { options: [{ value: "policy", label: "送政策" }, { value: "training", label: "送培训" },
        { value: "job", label: "送岗位" }, { value: "service", label: "送服务" }] },
      ...ofKind("policy", "policy_name"),
      ...ofKind("training", "topic", "expected_participants", "preferred_date", "request_activity"),
      ...ofKind("job", "openings_collected"), ...ofKind("service", "service_name") } },
    problems: { label: "发现的问题(自动转为背街小巷工单)", labels: { description: "问题描述" },
      hints: { location: { kind: "skip" } } },
    follow_up_actions: { label: "跟进事项", labels: { description: "事项", due_on: "期限", owner: "责任人" } },
  },
};

const POSTING_FORM = {
  labels: { title: "岗位名称", description: "岗位描述", address: "工作地点(默认单位地址)",
    public_contact: "电子屏显示的联系方式(不填则显示单位联系人及电话)", skills: "技能(每行一个)",
    community: "社区(默认单位所在社区)" },
  hints: {
    description: { kind: "textarea" },
    work_schedule: { label: "固定工作时间", labels: { days: "工作日", start: "开始(HH:MM)", end: "结束(HH:MM)" },
      hints: { days: { kind: "checks", options: [1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: "一二三四五六日"[d - 1] })) } } },
    salary: { label: "薪资", labels: { min: "最低(元)", max: "最高(元)", unit: "计薪方式", piece_rate: "计件" } },
    location: { kind: "skip" }, visit_id: { kind: "skip" },
  },
};

export function registerJobPages(route, guarded) {
  registerResource(route, guarded, {
    path: "/employers", title: "用工单位", idKey: "employer_id", param: "employer_id",
    list: {
      op: "employers.list",
      filters: { only: ["q", "community", "sector", "size", "active"], labels: { q: "名称或地址", active: "在访" } },
      columns: [
        { key: "employer_id", label: "编号", primary: true },
        { key: "name", label: "单位名称" }, { key: "community", label: "社区" },
        { key: "sector_name", label: "行业" }, { key: "size_name", label: "规模" },
        { key: "address", label: "地址" }, { key: "visits", label: "走访次数" },
        { key: "last_visited_on", label: "最近走访" },
      ],
    },
    get: "employers.get",
    heading: (e) => e.name,
    state: (e) => (e.active ? badge("在访", "ok") : badge("已停用")),
    create: { op: "employers.create", label: "登记用工单位", form: async () => ({
      labels: { name: "单位名称", employees: "职工人数" },
      hints: { contact: { labels: { name: "联系人", phone: "联系电话" } }, location: { kind: "skip" },
        // The register's back alleys, each named with its community.
        alley: placeHints(await places(), { names: { alley: { emptyLabel: "—" } } }).alley || {} } }) },
    extras: (e, redraw) => [
      stepButton("登记走访", "employers.record_visit", { employer_id: e.employer_id }, VISIT_FORM,
        (visit) => navigate(`/visits/${visit.visit_id}`)),
      stepButton("发布用工信息", "employers.publish_posting", { employer_id: e.employer_id }, POSTING_FORM,
        (posting) => navigate(`/postings/${posting.posting_id}`)),
      stepButton("修改", "employers.update", { employer_id: e.employer_id }, {
        values: { ...e, contact: { name: e.contact?.name } },
        hints: { contact: { labels: { name: "联系人", phone: "联系电话(不改请留空)" } }, location: { kind: "skip" } },
      }, redraw),
      stepButton("查看联系电话", "employers.reveal_contact", { employer_id: e.employer_id }, { submitLabel: "查看" },
        (c) => toast(`${c.name}:${c.phone}`, "info")),
      may("visits.list") ? h("a", { class: "button", href: href("/visits", { employer_id: e.employer_id }) }, "走访记录") : null,
      may("job_postings.list") ? h("a", { class: "button", href: href("/postings", { employer_id: e.employer_id }) }, "用工信息") : null,
    ],
    sections: (e) => [section("单位信息", kv([
      ["社区", e.community], ["地址", e.address], ["巷道", e.alley], ["行业", e.sector_name], ["规模", e.size_name],
      ["联系人", e.contact ? `${e.contact.name || ""} ${e.contact.phone_masked || ""}` : ""],
      ["统一社会信用代码", e.credit_code], ["职工人数", e.employees], ["走访次数", e.visits],
      ["最近走访", e.last_visited_on], ["备注", e.note],
    ]))],
  });

  registerResource(route, guarded, {
    path: "/visits", title: "走访记录", idKey: "visit_id", param: "visit_id",
    list: {
      op: "visits.list",
      intro: h("p", { class: "help" }, "在“用工单位”中打开单位,点“登记走访”记录一走四送。"),
      filters: { only: ["employer_id", "community", "visited_from", "visited_to", "delivery_kind", "problem_state"] },
      columns: [
        { key: "visit_id", label: "编号", primary: true },
        { key: "visited_on", label: "走访日期" }, { key: "employer_name", label: "单位" },
        { key: "community", label: "社区" }, { key: "visitor_name", label: "走访人" },
        { key: "deliveries", label: "四送", render: (v) => (v.deliveries || []).map((d) => d.kind_name).join("、") },
        { key: "problems", label: "问题", render: (v) => (v.problems || []).length || "" },
      ],
    },
    get: "visits.get",
    heading: (v) => `走访 ${v.employer_name} · ${v.visited_on}`,
    state: () => "",
    sections: (v, redraw) => [
      section("走访情况", kv([["单位", h("a", { href: href(`/employers/${v.employer_id}`) }, v.employer_name)],
        ["社区", v.community], ["日期", v.visited_on], ["走访人", v.visitor_name], ["情况", v.findings]])),
      section("四送", table(v.deliveries || [], { columns: [
        { key: "kind_name", label: "类别" },
        { key: "detail", label: "内容", render: (d) => d.policy_name || d.topic || d.service_name ||
          (d.openings_collected ? `收集岗位 ${d.openings_collected} 个` : "") },
        { key: "note", label: "备注" }], empty: "无。" })),
      section("发现的问题", table(v.problems || [], { columns: [
        { key: "category_name", label: "类别" }, { key: "description", label: "描述" },
        { key: "state_name", label: "状态" },
        { key: "work_order_number", label: "工单", render: (p) => (p.work_order_number
          ? h("a", { href: href(`/work-orders/${p.work_order_number}`) }, p.work_order_number) : "转办中") }],
      empty: "无。" })),
      section("跟进事项", table(v.follow_up_actions || [], { columns: [
        { key: "description", label: "事项" }, { key: "due_on", label: "期限" }, { key: "owner", label: "责任人" },
        { key: "done", label: "完成", render: (a) => (a.done ? `已完成 ${formatDate(a.done_at)}`
          : stepButton("完成", "visits.complete_action", { visit_id: v.visit_id, action_id: a.action_id }, {}, redraw)) }],
      empty: "无。" })),
    ],
  });

  registerResource(route, guarded, {
    path: "/postings", title: "用工信息", idKey: "posting_id", param: "posting_id",
    list: {
      op: "job_postings.list",
      intro: h("p", { class: "help" }, "在“用工单位”中打开单位,点“发布用工信息”。招聘中的信息会在社区电子屏滚动播放。"),
      filters: { only: ["q", "community", "employer_id", "state", "hours_flexible", "employment_type", "sort"],
        scope: "posting", labels: { q: "岗位、单位或技能" } },
      columns: [
        { key: "posting_id", label: "编号", primary: true },
        { key: "title", label: "岗位" }, { key: "employer_name", label: "单位" }, { key: "community", label: "社区" },
        { key: "employment_type_name", label: "用工形式" }, { key: "salary_text", label: "薪资" },
        { key: "openings", label: "人数", render: (p) => `${p.filled}/${p.openings}` },
        { key: "state", label: "状态", render: (p) => stateBadge(p) },
      ],
    },
    get: "job_postings.get",
    heading: (p) => `${p.title} · ${p.employer_name}`,
    actions: { update: "job_postings.update", withdraw: "job_postings.withdraw",
      mark_filled: "job_postings.mark_filled", renew: "job_postings.renew" },
    forms: (p) => ({
      update: { ...POSTING_FORM, values: { ...p, salary: p.salary || undefined } },
      withdraw: { labels: { reason: "撤回原因" } },
      renew: { labels: { valid_through: "新的截止时间", openings: "招聘人数(可增加)" } },
    }),
    extras: (p) => [
      may("job_postings.matches") && p.state === "open"
        ? h("a", { class: "button", href: href(`/postings/${p.posting_id}`, { match: 1 }) }, "匹配求职者") : null,
      may("applications.list") ? h("a", { class: "button", href: href("/applications", { posting_id: p.posting_id }) }, "报名情况") : null,
    ],
    sections: (p) => {
      const matches = h("div", {});
      const showMatches = location.hash.includes("match=1") && may("job_postings.matches");
      if (showMatches) {
        loadInto(matches, () => call("job_postings.matches", { posting_id: p.posting_id }, { limit: 20 }), (r) =>
          mount(matches, matchTable(r.items || [], "seeker", (m) => stepButton("为其报名", "job_seekers.apply",
            { seeker_id: m.seeker.seeker_id }, { values: { posting_id: p.posting_id, channel: "staff_referral" },
              scope: "application", labels: { channel: "渠道" },
              hints: { channel: { options: channelOptions() } } }, () => renderCurrent()))));
      }
      return [
        section("岗位信息", kv([
          ["单位", h("a", { href: href(`/employers/${p.employer_id}`) }, p.employer_name)], ["社区", p.community],
          ["工作地点", p.address], ["用工形式", p.employment_type_name], ["工作时间", p.work_schedule_text || p.work_hours],
          ["时间灵活", p.hours_flexible ? "是" : ""], ["薪资", p.salary_text],
          ["月收入估算", p.monthly_pay_estimate ? `${p.monthly_pay_estimate.min}–${p.monthly_pay_estimate.max} 元` : ""],
          ["招聘", `${p.openings} 人,已录用 ${p.filled},尚缺 ${p.openings_left}`],
          ["截止", formatDateTime(p.valid_through)], ["技能", (p.skills || []).join("、")],
          ["要求", p.requirements], ["描述", p.description], ["电子屏内容", p.summary],
        ])),
        showMatches ? section("匹配的求职者", matches) : null,
      ];
    },
  });

  registerResource(route, guarded, {
    path: "/seekers", title: "求职人员", idKey: "seeker_id", param: "seeker_id",
    list: {
      op: "job_seekers.list",
      filters: { only: ["q", "community", "state", "skill", "phone"], scope: "seeker",
        labels: { q: "姓名", phone: "手机号(查是否已登记)" } },
      columns: [
        { key: "seeker_id", label: "编号", primary: true },
        { key: "name", label: "姓名" }, { key: "community", label: "社区" },
        { key: "phone_masked", label: "电话" }, { key: "available_hours_text", label: "可工作时间" },
        { key: "expected_monthly_pay", label: "期望月收入" },
        { key: "state", label: "状态", render: (s) => stateBadge(s) },
      ],
    },
    get: "job_seekers.get",
    heading: (s) => `${s.name}(${s.seeker_id})`,
    create: { op: "job_seekers.create", label: "登记求职人员", form: {
      labels: { skills: "技能(每行一个)", address: "住址", note: "备注" },
      hints: { home_location: { kind: "skip" }, available_hours: { label: "可工作时间(也可选下方常用时段)",
        labels: { days: "星期", start: "开始(HH:MM)", end: "结束(HH:MM)" },
        hints: { days: { kind: "checks", options: [1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: "一二三四五六日"[d - 1] })) } } },
      consent: { help: "须经本人同意后登记其信息。" } } } },
    actions: { pause: "job_seekers.pause", resume: "job_seekers.resume", apply: "job_seekers.apply" },
    forms: () => ({
      apply: { scope: "application", labels: { posting_id: "用工信息编号", channel: "渠道" },
        hints: { channel: { options: channelOptions() } } },
    }),
    extras: (s, redraw) => [
      may("job_seekers.matches") ? h("a", { class: "button", href: href(`/seekers/${s.seeker_id}`, { match: 1 }) }, "匹配岗位") : null,
      stepButton("查看电话和身份证号", "job_seekers.reveal_contact", { seeker_id: s.seeker_id }, { submitLabel: "查看" },
        (c) => toast(`${c.name}:${[c.phone, c.id_number].filter(Boolean).join(" · ")}`, "info")),
      stepButton("修改", "job_seekers.update", { seeker_id: s.seeker_id },
        { values: { ...s, phone: undefined }, omit: ["phone", "id_number", "home_location"] }, redraw),
      may("applications.list") ? h("a", { class: "button", href: href("/applications", { seeker_id: s.seeker_id }) }, "报名记录") : null,
    ],
    sections: (s) => {
      const matches = h("div", {});
      const showMatches = location.hash.includes("match=1") && may("job_seekers.matches");
      if (showMatches) {
        loadInto(matches, () => call("job_seekers.matches", { seeker_id: s.seeker_id }, { limit: 10 }), (r) =>
          mount(matches, matchTable(r.items || [], "posting", (m) => (m.application_id
            ? h("a", { href: href(`/applications/${m.application_id}`) }, "已报名")
            : stepButton("报名", "job_seekers.apply", { seeker_id: s.seeker_id },
              { values: { posting_id: m.posting.posting_id, channel: "staff_referral" },
                hints: { channel: { options: channelOptions() } } }, () => renderCurrent())))));
      }
      return [
        section("求职信息", kv([
          ["社区", s.community], ["电话", s.phone_masked], ["身份证号", s.id_number_masked], ["住址", s.address],
          ["技能", (s.skills || []).join("、")], ["可工作时间", s.available_hours_text],
          ["可接受距离", s.max_distance_km ? `${s.max_distance_km} 公里` : ""],
          ["期望月收入", s.expected_monthly_pay ? `${s.expected_monthly_pay} 元` : ""],
          ["出生年份", s.birth_year], ["备注", s.note], ["登记时间", formatDateTime(s.registered_at)],
        ])),
        showMatches ? section("匹配的岗位(按匹配度)", matches) : null,
      ];
    },
  });

  registerResource(route, guarded, {
    path: "/applications", title: "求职报名", idKey: "application_id", param: "application_id",
    list: {
      op: "applications.list", filters: { only: ["posting_id", "seeker_id", "employer_id", "community", "state"], scope: "application" },
      columns: [
        { key: "application_id", label: "编号", primary: true },
        { key: "seeker_name", label: "求职者" }, { key: "title", label: "岗位" },
        { key: "employer_name", label: "单位" }, { key: "channel_name", label: "渠道" },
        { key: "applied_at", label: "报名时间", render: (a) => formatDateTime(a.applied_at) },
        { key: "state", label: "状态", render: (a) => stateBadge(a) },
      ],
    },
    get: "applications.get",
    heading: (a) => `${a.seeker_name} · ${a.title}`,
    actions: { schedule_interview: "applications.schedule_interview",
      record_interview: "applications.record_interview_result", hire: "applications.hire",
      decline: "applications.decline", withdraw: "applications.withdraw" },
    forms: () => ({
      schedule_interview: { labels: { place: "面试地点" } },
      record_interview: { scope: "application", labels: { result: "面试结果" } },
      hire: { labels: { started_on: "上岗日期", monthly_pay: "月收入(元)" }, note: "录用后生成就业安置,并在 1、3、6 个月时安排回访。" },
      decline: { labels: { reason: "原因" } }, withdraw: { labels: { reason: "原因" } },
    }),
    extras: (a) => [a.placement_id ? h("a", { class: "button", href: href(`/placements/${a.placement_id}`) }, "就业安置") : null],
    sections: (a) => [
      section("报名", kv([
        ["求职者", h("a", { href: href(`/seekers/${a.seeker_id}`) }, a.seeker_name)],
        ["岗位", h("a", { href: href(`/postings/${a.posting_id}`) }, a.title)], ["单位", a.employer_name],
        ["渠道", a.channel_name], ["备注", a.note], ["结果说明", a.outcome_reason],
      ])),
      section("面试", table(a.interviews || [], { columns: [
        { key: "scheduled_at", label: "时间", render: (i) => formatDateTime(i.scheduled_at) },
        { key: "place", label: "地点" }, { key: "result_name", label: "结果" }, { key: "result_note", label: "说明" }],
      empty: "尚未安排面试。" })),
    ],
  });

  registerResource(route, guarded, {
    path: "/placements", title: "就业安置", idKey: "placement_id", param: "placement_id",
    list: {
      op: "placements.list",
      filters: { only: ["community", "employer_id", "seeker_id", "state", "follow_up_due"], scope: "placement",
        labels: { follow_up_due: "有到期未回访" } },
      columns: [
        { key: "placement_id", label: "编号", primary: true },
        { key: "seeker_name", label: "姓名" }, { key: "title", label: "岗位" }, { key: "employer_name", label: "单位" },
        { key: "started_on", label: "上岗日期" }, { key: "monthly_pay", label: "月收入" },
        { key: "state", label: "状态", render: (p) => stateBadge(p, { active: "info", stable: "ok", ended: "" }) },
      ],
    },
    get: "placements.get",
    heading: (p) => `${p.seeker_name} · ${p.title}`,
    state: (p) => stateBadge(p, { active: "info", stable: "ok", ended: "" }),
    actions: { record_follow_up: "placements.record_follow_up", end: "placements.end" },
    forms: () => ({
      record_follow_up: { scope: "placement", labels: { month: "第几个月回访", result: "回访结果" },
        hints: { month: { options: [1, 3, 6].map((m) => ({ value: m, label: `${m} 个月` })) } } },
      end: { labels: { reason: "离职原因" } },
    }),
    sections: (p) => [
      section("安置情况", kv([
        ["求职者", h("a", { href: href(`/seekers/${p.seeker_id}`) }, p.seeker_name)], ["单位", p.employer_name],
        ["地址", p.employer_address], ["上岗日期", p.started_on], ["月收入", p.monthly_pay ? `${p.monthly_pay} 元` : ""],
        ["确认稳定就业", p.stable_on], ["离职日期", p.ended_on], ["离职原因", p.end_reason],
      ])),
      section("回访(1、3、6 个月)", table(p.follow_ups || [], { columns: [
        { key: "month", label: "回访", render: (f) => `${f.month} 个月` }, { key: "due_on", label: "到期日" },
        { key: "state_name", label: "状态" }, { key: "result_name", label: "结果" }, { key: "note", label: "说明" },
        { key: "recorded_at", label: "登记时间", render: (f) => formatDateTime(f.recorded_at) }] })),
    ],
  });

  registerResource(route, guarded, {
    path: "/employer-notifications", title: "待告知单位", idKey: "notification_id", param: "notification_id",
    list: {
      op: "employer_notifications.list", filters: { only: ["employer_id", "community", "unread"] },
      intro: h("p", { class: "help" }, "用工单位走访中反映的问题办结后,请告知单位并标记。"),
      columns: [
        { key: "created_at", label: "时间", render: (n) => formatDateTime(n.created_at) },
        { key: "employer_name", label: "单位" }, { key: "title", label: "标题" }, { key: "body", label: "内容" },
        { key: "work_order_number", label: "工单", render: (n) => (n.work_order_number
          ? h("a", { href: href(`/work-orders/${n.work_order_number}`) }, n.work_order_number) : "") },
        { key: "read_at", label: "告知", render: (n) => (n.read_at ? `已告知 ${formatDateTime(n.read_at)}`
          : stepButton("标记已告知", "employer_notifications.read", { notification_id: n.notification_id },
            {}, () => renderCurrent())) },
      ],
    },
  });
}

function channelOptions() {
  return [{ value: "staff_referral", label: "社区推荐" }, { value: "self", label: "本人报名" },
    { value: "screen", label: "电子屏看到" }, { value: "visit", label: "走访对接" }];
}

/** Matches with their score and the reasons, best first. */
function matchTable(items, kind, action) {
  return table(items, { columns: [
    { key: "score", label: "匹配度", render: (m) => badge(`${Math.round(m.score)} 分`, m.score >= 70 ? "ok" : "info") },
    kind === "seeker"
      ? { key: "seeker", label: "求职者", render: (m) => h("a", { href: href(`/seekers/${m.seeker.seeker_id}`) },
        `${m.seeker.name}(${m.seeker.community})`) }
      : { key: "posting", label: "岗位", render: (m) => h("a", { href: href(`/postings/${m.posting.posting_id}`) },
        `${m.posting.title} · ${m.posting.employer_name}`) },
    { key: "distance_km", label: "距离", render: (m) => (m.distance_km !== null && m.distance_km !== undefined ? `${m.distance_km} 公里` : "") },
    { key: "reasons", label: "理由", render: (m) => h("div", {}, (m.reasons || []).map((r) => h("div", {}, r))) },
    { key: "action", label: "操作", render: action },
  ], empty: "没有匹配的结果。" });
}
