// 工作报表: the office's periodic report (GET /api/reports/office) for a year, quarter or
// month, for the whole street or one community, as an Excel workbook with charts or a
// printable PDF. The download is a plain link to the API (the session cookie signs it), kept
// up to date as the choices change.

import { queryString } from "../api.js";
import { operation } from "../catalog.js";
import { h, mount, officeToday } from "../dom.js";
import { places } from "../places.js";
import { limitedCommunity, may } from "../roles.js";
import { account } from "../session.js";

const KINDS = [
  { value: "year", label: "年度" },
  { value: "quarter", label: "季度" },
  { value: "month", label: "月度" },
];
const FORMATS = [
  { value: "xlsx", label: "Excel(含图表)" },
  { value: "pdf", label: "可打印 PDF" },
];
const YEARS_BACK = 9;

export function registerReportPages(route, guarded) {
  route("/reports", guarded(reportsPage));
}

/** "2026" | "2026-Q3" | "2026-07" → {kind, year, quarter, month}; anything else → this year. */
export function parsePeriod(text, today = officeToday()) {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const fallback = { kind: "year", year, quarter: Math.ceil(month / 3), month };
  const match = /^((?:19|20)\d{2})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/.exec(text || "");
  if (!match) return fallback;
  const chosen = { ...fallback, year: Number(match[1]) };
  if (match[2]) return { ...chosen, kind: "quarter", quarter: Number(match[2]) };
  if (match[3]) return { ...chosen, kind: "month", month: Number(match[3]) };
  return chosen;
}

export function periodValue({ kind, year, quarter, month }) {
  if (kind === "quarter") return `${year}-Q${quarter}`;
  if (kind === "month") return `${year}-${String(month).padStart(2, "0")}`;
  return String(year);
}

export function periodLabel({ kind, year, quarter, month }) {
  if (kind === "quarter") return `${year} 年第${"一二三四"[quarter - 1]}季度`;
  if (kind === "month") return `${year} 年 ${month} 月`;
  return `${year} 年度`;
}

function select(name, label, options, value) {
  const id = `report-${name}`;
  const control = h("select", { id, name },
    options.map((o) => h("option", { value: String(o.value) }, o.label)));
  control.value = String(value);
  return { control, field: h("div", { class: "field" }, h("label", { for: id }, label), control) };
}

async function communityNames() {
  // The register's communities, in its order; without them the whole street is still reported.
  return (await places()).communities.map((c) => c.name);
}

async function reportsPage(main, ctx) {
  const op = operation("reports.office");
  if (!op || !may("reports.office")) {
    mount(main, h("h1", {}, "工作报表"), h("div", { class: "alert info" },
      op ? "您的账号无权下载工作报表。" : "此功能的接口尚未开放。"));
    return;
  }
  const fixed = limitedCommunity(account());
  const today = officeToday();
  const thisYear = Number(today.slice(0, 4));
  const chosen = parsePeriod(ctx.query.get("period"), today);
  const years = [];
  for (let y = Math.max(thisYear, chosen.year); y >= Math.min(thisYear - YEARS_BACK, chosen.year); y -= 1) {
    years.push({ value: y, label: `${y} 年` });
  }

  const kind = select("kind", "报表周期", KINDS, chosen.kind);
  const year = select("year", "年份", years, chosen.year);
  const quarter = select("quarter", "季度", [1, 2, 3, 4].map((q) => ({
    value: q, label: `第${"一二三四"[q - 1]}季度(${3 * q - 2}–${3 * q} 月)` })), chosen.quarter);
  const month = select("month", "月份", Array.from({ length: 12 }, (_, i) => ({
    value: i + 1, label: `${i + 1} 月` })), chosen.month);
  const format = select("format", "文件格式", FORMATS,
    FORMATS.some((f) => f.value === ctx.query.get("format")) ? ctx.query.get("format") : "xlsx");

  let community;
  let communityField;
  if (fixed) {
    // Community staff and community-bound viewers only ever get their own community.
    community = h("input", { id: "report-community", name: "community", value: fixed, readonly: true,
      "aria-readonly": "true" });
    communityField = h("div", { class: "field" }, h("label", { for: "report-community" }, "社区"),
      community, h("div", { class: "help" }, "您的账号只能查看本社区的报表。"));
  } else {
    const names = await communityNames();
    const wanted = ctx.query.get("community") || "";
    if (wanted && !names.includes(wanted)) names.push(wanted);
    const built = select("community", "社区", [{ value: "", label: "全街道" },
      ...names.map((n) => ({ value: n, label: n }))], wanted);
    community = built.control;
    communityField = built.field;
  }

  const summary = h("p", { class: "report-summary", "aria-live": "polite" });
  const link = h("a", { class: "button primary", id: "report-download", download: "" }, "下载报表");

  const update = () => {
    const period = { kind: kind.control.value, year: Number(year.control.value),
      quarter: Number(quarter.control.value), month: Number(month.control.value) };
    quarter.field.hidden = period.kind !== "quarter";
    month.field.hidden = period.kind !== "month";
    const query = { period: periodValue(period), community: fixed || community.value || undefined,
      format: format.control.value };
    link.href = op.path + queryString(query);
    const formatName = FORMATS.find((f) => f.value === query.format).label;
    mount(summary, `将下载:${periodLabel(period)} · ${fixed || community.value || "全街道"} · ${formatName}`);
  };
  for (const control of [kind.control, year.control, quarter.control, month.control,
    format.control, community]) {
    control.addEventListener("change", update);
  }
  update();

  mount(main,
    h("div", { class: "page-head" }, h("h1", {}, "工作报表")),
    h("div", { class: "card" },
      h("p", { class: "help" }, "街道工作报表:背街小巷整治工程量与办结率、主题活动、志愿服务、"
        + "一走四送就业服务的汇总数据。Excel 含图表,PDF 可直接打印。"),
      h("div", { class: "filters report-form" },
        kind.field, year.field, quarter.field, month.field, communityField, format.field),
      summary,
      h("div", { class: "toolbar" }, link)));
}
