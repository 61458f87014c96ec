// The dashboard: the figures the office reports, by community and period, from the
// statistics routes of each service (work quantities and rates; activities and attendance;
// volunteer hours; postings and placements). A service whose route is missing or down shows
// its own message; the rest of the page still draws.

import { call, operation } from "../catalog.js";
import { barOption, chartCard, lineOption } from "../components/charts.js";
import { formatNumber, formatRate, h, mount, officeToday } from "../dom.js";
import { navigate } from "../router.js";
import { places } from "../places.js";
import { limitedCommunity, may } from "../roles.js";
import { account } from "../session.js";
import { errorBox } from "../ui.js";

// Which operation answers each section: the first of these ids that exists.
const SECTIONS = [
  { title: "背街小巷整治", ops: ["work_orders.statistics"], draw: drawRepair },
  { title: "主题活动", ops: ["activities.statistics", "activity.statistics"], draw: drawActivities },
  { title: "志愿服务", ops: ["volunteers.statistics", "volunteer.statistics"], draw: drawVolunteers },
  { title: "就业服务(一走四送)", ops: ["jobs.statistics", "job.statistics"], draw: drawJobs },
];

export function statisticsOps() {
  return SECTIONS.map((s) => s.ops.find((id) => operation(id))).filter(Boolean);
}

/** Periods people ask about: this and last year, this year's quarters, the last 12 months. */
export function periodChoices(today = officeToday()) {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const choices = [{ value: String(year), label: `${year} 年全年` },
    { value: String(year - 1), label: `${year - 1} 年全年` }];
  for (let q = Math.ceil(month / 3); q >= 1; q -= 1) {
    choices.push({ value: `${year}-Q${q}`, label: `${year} 年第${"一二三四"[q - 1]}季度` });
  }
  for (let i = 0; i < 12; i += 1) {
    const d = new Date(Date.UTC(year, month - 1 - i, 1));
    const value = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    choices.push({ value, label: `${d.getUTCFullYear()} 年 ${d.getUTCMonth() + 1} 月` });
  }
  return choices;
}

// A department account sees its own department's work orders only (the API limits it too).
const REPAIR = "work_orders.statistics";

export async function dashboardPage(main, ctx) {
  const me = account();
  const fixedCommunity = limitedCommunity(me);
  const fixedDepartment = me?.role === "department" ? me.department || "" : null;
  const period = ctx.query.get("period") || officeToday().slice(0, 4);
  const community = fixedCommunity || ctx.query.get("community") || "";
  const department = fixedDepartment ?? (ctx.query.get("department") || "");

  const periodSelect = h("select", { name: "period", "aria-label": "统计期间" },
    periodChoices().map((c) => h("option", { value: c.value }, c.label)));
  if (![...periodSelect.options].some((o) => o.value === period)) {
    periodSelect.append(h("option", { value: period }, period));
  }
  periodSelect.value = period;
  const communitySelect = h("select", { name: "community", "aria-label": "社区",
    disabled: Boolean(fixedCommunity) }, h("option", { value: "" }, "全部社区"));
  // 承办部门: the work orders' figures of one department (the other sections have none).
  const departmentSelect = h("select", { name: "department", "aria-label": "承办部门",
    hidden: fixedDepartment !== null || !may(REPAIR) }, h("option", { value: "" }, "全部承办部门"));
  const apply = () => navigate("/dashboard", { period: periodSelect.value,
    community: fixedCommunity ? "" : communitySelect.value,
    department: fixedDepartment !== null ? "" : departmentSelect.value });
  periodSelect.addEventListener("change", apply);
  communitySelect.addEventListener("change", apply);
  departmentSelect.addEventListener("change", apply);

  const sections = h("div", { class: "dashboard" });
  mount(main,
    h("div", { class: "page-head" }, h("h1", {}, fixedDepartment !== null ? "本部门数据看板" : "数据看板"),
      h("div", { class: "toolbar" }, periodSelect, communitySelect, departmentSelect)),
    sections);

  // The columns of every by-community chart: the register of places' communities, in its
  // order, each shown even when it has nothing yet (only they can be written anywhere).
  const register = fixedCommunity ? [fixedCommunity] : await registeredCommunities();
  const columns = community ? [community] : register;
  const query = { period, community: community || undefined };
  const shown = SECTIONS.map((section) => ({ ...section, op: section.ops.find((id) => operation(id)) }))
    .filter((section) => section.op && may(section.op));
  if (!shown.length) {
    sections.append(h("div", { class: "alert info" }, "您的账号没有可查看的统计数据。"));
    return;
  }
  const boxes = shown.map((section) => {
    const box = h("section", { class: "dash-section", dataset: { section: section.op } },
      h("h2", {}, section.title), h("p", { class: "loading" }, "正在加载…"));
    sections.append(box);
    return box;
  });
  await Promise.all(shown.map(async (section, i) => {
    const box = boxes[i];
    const repair = section.op === REPAIR;
    const asked = repair && department ? { ...query, department } : query;
    let byCommunity;
    let byMonth;
    let byDepartment = null;
    try {
      [byCommunity, byMonth, byDepartment] = await Promise.all([
        call(section.op, {}, { ...asked, group_by: ["community"] }),
        call(section.op, {}, { ...asked, group_by: ["month"] }),
        // The street's figures by department, beside the others (not for one department).
        repair && fixedDepartment === null && !department
          ? call(section.op, {}, { ...asked, group_by: ["department"] }) : null,
      ]);
    } catch (error) {
      mount(box, h("h2", {}, section.title), errorBox(error));
      return;
    }
    const title = repair && fixedDepartment !== null ? `${section.title}(本部门承办)` : section.title;
    mount(box, h("h2", {}, title),
      section.draw(inColumns(byCommunity, columns), byMonth, byDepartment));
  }));
  for (const name of register) {
    communitySelect.append(h("option", { value: name }, name));
  }
  communitySelect.value = community;
  if (fixedDepartment === null && may(REPAIR)) {
    for (const d of await departmentChoices()) {
      departmentSelect.append(h("option", { value: d.code }, d.name));
    }
    departmentSelect.value = department;
  }
}

async function departmentChoices() {
  try {
    const found = await call("repair.departments");
    return Array.isArray(found) ? found : found.items || [];
  } catch {
    return []; // without the list, the figures by department still show
  }
}

async function registeredCommunities() {
  // Without the register (it could not be read) the charts show the communities the figures name.
  return (await places()).communities.map((c) => c.name);
}

/** The figures by community, one group per column in the columns' order (an empty group
 * where a community has none); without columns, as they came. */
function inColumns(result, columns) {
  if (!columns.length) return result;
  const found = new Map((result.groups || []).map((g) => [g.community, g]));
  return { ...result, groups: columns.map((name) => found.get(name) || { community: name }) };
}

// --- helpers ------------------------------------------------------------------------------

function kpi(label, value, unit = "") {
  return h("div", { class: "kpi" }, h("div", { class: "value" }, value, unit ? h("small", {}, unit) : null),
    h("div", { class: "label" }, label));
}

function groupNames(result, key) {
  return (result.groups || []).map((g) => g[key] ?? "未填写");
}

/** Every month of the period, so a quiet month shows as zero instead of vanishing. */
function monthsOf(result) {
  const from = result.period?.from_month;
  const to = result.period?.to_month;
  const present = (result.groups || []).map((g) => g.month).filter(Boolean).sort();
  const first = from || present[0];
  const last = to || present[present.length - 1];
  if (!first || !last) return present;
  const months = [];
  let [y, m] = first.split("-").map(Number);
  const [ly, lm] = last.split("-").map(Number);
  while ((y < ly || (y === ly && m <= lm)) && months.length < 120) {
    months.push(`${y}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return months;
}

function byMonth(result, pick) {
  const months = monthsOf(result);
  const index = new Map((result.groups || []).map((g) => [g.month, g]));
  return { months, values: months.map((m) => (index.has(m) ? pick(index.get(m)) : 0)) };
}

const percent = (rate) => (rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10);

// --- sections -------------------------------------------------------------------------------

const AREA_KINDS = ["road_surface", "sidewalk_tiles", "hedge_trimming", "replanting", "hardening"];

function drawRepair(result, monthly, byDepartment) {
  const t = result.totals;
  const q = t.quantities || {};
  const amount = (kind) => formatNumber(q[kind]?.amount ?? 0);
  const communities = groupNames(result, "community");
  const groups = result.groups || [];
  const trend = byMonth(monthly, (g) => g.reported);
  const done = byMonth(monthly, (g) => g.completed);
  return [
    h("div", { class: "kpis" },
      kpi("新装或维修路灯", amount("street_lamp"), "盏"),
      kpi("修复路面", amount("road_surface"), "m²"),
      kpi("人行道地砖", amount("sidewalk_tiles"), "m²"),
      kpi("修剪绿篱草坪", amount("hedge_trimming"), "m²"),
      kpi("绿化补植", amount("replanting"), "m²"),
      kpi("硬化背街小巷", amount("hardening"), "m²"),
      kpi("上报工单", formatNumber(t.reported, 0), "件"),
      kpi("办结工单", formatNumber(t.completed, 0), "件"),
      kpi("按期办结率", formatRate(t.on_time_rate)),
      kpi("超期办结", formatNumber((t.completed ?? 0) - (t.completed_on_time ?? 0), 0), "件"),
      kpi("督办", formatNumber(t.escalated ?? 0, 0), "次"),
      kpi("满意率", formatRate(t.satisfaction_rate)),
      kpi("解决率", formatRate(t.resolution_rate))),
    h("div", { class: "charts" },
      chartCard("各社区工程量(m²)", barOption(communities,
        AREA_KINDS.map((kind) => ({ name: q[kind]?.name || kind,
          values: groups.map((g) => g.quantities?.[kind]?.amount ?? 0) })), { unit: "m²", stacked: true }),
        { id: "repair-area" }),
      chartCard("各社区新装或维修路灯(盏)", barOption(communities,
        [{ name: "路灯", values: groups.map((g) => g.quantities?.street_lamp?.amount ?? 0) }], { unit: "盏" }),
        { id: "repair-lamps" }),
      chartCard("各社区按期办结率与满意率", barOption(communities, [
        { name: "按期办结率", values: groups.map((g) => percent(g.on_time_rate)) },
        { name: "满意率", values: groups.map((g) => percent(g.satisfaction_rate)) },
        { name: "解决率", values: groups.map((g) => percent(g.resolution_rate)) },
      ], { percent: true }), { id: "repair-rates" }),
      chartCard("每月上报与办结工单", lineOption(trend.months, [
        { name: "上报", values: trend.values }, { name: "办结", values: done.values },
      ], { unit: "件" }), { id: "repair-trend" }),
      ...(byDepartment ? departmentCharts(byDepartment) : [])),
  ];
}

/** The street's work orders by the department each is with now (未派单: none yet). */
function departmentCharts(result) {
  const groups = result.groups || [];
  const names = groups.map((g) => g.department_name || g.department || "未派单");
  return [
    chartCard("各承办部门工单", barOption(names, [
      { name: "承办", values: groups.map((g) => g.reported ?? 0) },
      { name: "办结", values: groups.map((g) => g.completed ?? 0) },
      { name: "超期办结", values: groups.map((g) => (g.completed ?? 0) - (g.completed_on_time ?? 0)) },
    ], { unit: "件" }), { id: "repair-departments" }),
    chartCard("各承办部门按期办结率与满意率", barOption(names, [
      { name: "按期办结率", values: groups.map((g) => percent(g.on_time_rate)) },
      { name: "满意率", values: groups.map((g) => percent(g.satisfaction_rate)) },
    ], { percent: true }), { id: "repair-department-rates" }),
  ];
}

function drawActivities(result, monthly) {
  const t = result.totals;
  const communities = groupNames(result, "community");
  const groups = result.groups || [];
  const held = byMonth(monthly, (g) => g.held);
  const attendance = byMonth(monthly, (g) => g.attendance);
  return [
    h("div", { class: "kpis" },
      kpi("开展活动", formatNumber(t.held, 0), "场"),
      kpi("参与人次", formatNumber(t.attendance, 0), "人次"),
      kpi("发布活动", formatNumber(t.published, 0), "场"),
      kpi("服务志愿者", formatNumber(t.volunteers, 0), "人次"),
      kpi("到场率", formatRate(t.show_up_rate))),
    h("div", { class: "charts" },
      chartCard("各社区开展活动与参与人次", {
        ...barOption(communities, [
          { name: "开展活动(场)", values: groups.map((g) => g.held ?? 0) },
          { name: "参与人次", values: groups.map((g) => g.attendance ?? 0) }]),
      }, { id: "activity-communities" }),
      chartCard("每月开展活动与参与人次", lineOption(held.months, [
        { name: "开展活动(场)", values: held.values }, { name: "参与人次", values: attendance.values }]),
      { id: "activity-trend" })),
  ];
}

function drawVolunteers(result, monthly) {
  const t = result.totals;
  const communities = groupNames(result, "community");
  const groups = result.groups || [];
  const hours = byMonth(monthly, (g) => g.hours);
  return [
    h("div", { class: "kpis" },
      kpi("在册志愿者", formatNumber(t.volunteers?.active ?? 0, 0), "人"),
      kpi("新注册", formatNumber(t.new_registrations, 0), "人"),
      kpi("志愿服务时长", formatNumber(t.hours), "小时"),
      kpi("服务人次", formatNumber(t.services, 0), "次"),
      kpi("参与服务志愿者", formatNumber(t.serving_volunteers, 0), "人")),
    h("div", { class: "charts" },
      chartCard("各社区志愿服务时长", barOption(communities,
        [{ name: "服务时长", values: groups.map((g) => g.hours ?? 0) }], { unit: "小时" }),
      { id: "volunteer-communities" }),
      chartCard("每月志愿服务时长", lineOption(hours.months, [{ name: "服务时长", values: hours.values }],
        { unit: "小时" }), { id: "volunteer-trend" })),
  ];
}

function drawJobs(result, monthly) {
  const t = result.totals;
  const communities = groupNames(result, "community");
  const groups = result.groups || [];
  const postings = byMonth(monthly, (g) => g.postings_provided);
  const placements = byMonth(monthly, (g) => g.placements);
  return [
    h("div", { class: "kpis" },
      kpi("走访企业", formatNumber(t.visits, 0), "次"),
      kpi("四送服务", formatNumber(t.deliveries_total, 0), "次"),
      kpi("岗位招聘信息", formatNumber(t.postings_provided, 0), "条"),
      kpi("实现就业", formatNumber(t.placements, 0), "人"),
      kpi("稳定就业", formatNumber(t.stable_placements, 0), "人"),
      kpi("稳定就业率", formatRate(t.stable_rate))),
    h("div", { class: "charts" },
      chartCard("各社区招聘信息与就业", barOption(communities, [
        { name: "招聘信息(条)", values: groups.map((g) => g.postings_provided ?? 0) },
        { name: "实现就业(人)", values: groups.map((g) => g.placements ?? 0) },
        { name: "稳定就业(人)", values: groups.map((g) => g.stable_placements ?? 0) }]),
      { id: "job-communities" }),
      chartCard("每月招聘信息与就业", lineOption(postings.months, [
        { name: "招聘信息(条)", values: postings.values },
        { name: "实现就业(人)", values: placements.values }]), { id: "job-trend" })),
  ];
}
