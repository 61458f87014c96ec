// A list page: filters, a table (cards on a phone), paging, and export to Excel and CSV.
//
// The filters are the list operation's own query parameters from /openapi.json (a page picks
// which, and in what order) and live in the address, so reload, back and the export links
// all use the same filters: the API answers ?format=xlsx|csv on every list route with them.

import { isSignedOut } from "../api.js";
import { call, exportHref, operation, querySchema } from "../catalog.js";
import { h, mount } from "../dom.js";
import { navigate } from "../router.js";
import { limitedCommunity, may } from "../roles.js";
import { account } from "../session.js";
import { places, placeHints } from "../places.js";
import { errorBox } from "../ui.js";
import { buildForm, fieldsFromSchema } from "./form.js";

const PAGE_SIZE = 20;

// Filters that take a volunteer's or an employer's id are search boxes of names.
const LOOKUPS = {
  volunteer_id: { op: "volunteers.list", get: "volunteers.get",
    label: (v) => `${v.name}(${v.community})`, id: (v) => v.id },
  employer_id: { op: "employers.list", get: "employers.get",
    label: (e) => `${e.name}(${e.community})`, id: (e) => e.employer_id },
};

export function lookupHints() {
  const hints = {};
  for (const [name, lookup] of Object.entries(LOOKUPS)) {
    if (!may(lookup.op)) continue;
    hints[name] = {
      kind: "lookup",
      search: async (q) => {
        const found = await call(lookup.op, {}, { q, page_size: 20 });
        return (found.items || []).map((r) => ({ value: lookup.id(r), label: lookup.label(r) }));
      },
      nameOf: async (id) => (may(lookup.get)
        ? lookup.label(await call(lookup.get, { [name]: id })) : null),
    };
  }
  return hints;
}

/** URLSearchParams → the values of the filter fields (lists stay lists). */
export function queryValues(query, specs) {
  const values = {};
  for (const spec of specs) {
    const all = query.getAll(spec.name);
    if (!all.length) continue;
    if (spec.kind === "checks" || spec.kind === "lines") values[spec.name] = all;
    else if (spec.kind === "boolean") values[spec.name] = all[0] === "true";
    else values[spec.name] = all[0];
  }
  return values;
}

/**
 * config: {title, op, params, columns: [{key, label, render(row), primary}], filters: {only,
 * hints, labels, scope}, rowHref(row), toolbar: [nodes], fixed: {query always sent},
 * empty: text, intro: node}
 */
export async function listPage(main, ctx, config) {
  const op = operation(config.op);
  if (!op) {
    mount(main, h("h1", {}, config.title), h("div", { class: "alert info" }, "此功能的接口尚未开放。"));
    return;
  }
  const me = account();
  const community = limitedCommunity(me);
  const filterOptions = config.filters || {};
  const omit = ["page", "page_size", "cursor", ...(filterOptions.omit || []),
    ...Object.keys(config.fixed || {})];
  // Filters the API sets itself for a limited account are not offered: their own community,
  // department or volunteer record.
  if (community) omit.push("community");
  if (me?.role === "department") omit.push("department_code");
  if (me?.role === "volunteer") omit.push("volunteer_id");
  // Communities, alleys and departments are chosen from the register of places.
  const register = placeHints(await places(), { community, names: {
    community: { emptyLabel: "全部社区" }, alley: { emptyLabel: "全部巷道" },
    department_code: { emptyLabel: "全部部门" } } });
  const hints = { ...register, ...lookupHints(), ...(filterOptions.hints || {}) };
  const specs = fieldsFromSchema(querySchema(op), { ...filterOptions, hints, omit })
    .map((s) => ({ ...s, required: false }));
  const values = queryValues(ctx.query, specs);
  const page = Math.max(1, Number(ctx.query.get("page")) || 1);
  const cursor = ctx.query.get("cursor");
  const byCursor = op.query.some((p) => p.name === "cursor");
  const query = { ...values, ...(config.fixed || {}) };

  const head = h("div", { class: "page-head" }, h("h1", {}, config.title),
    h("div", { class: "toolbar" }, config.toolbar || []));
  const exports = op.exports && may(config.op) ? h("div", { class: "toolbar exports" },
    h("a", { class: "button export-xlsx", href: exportHref(config.op, config.params, query, "xlsx"),
      download: "" }, "导出 Excel"),
    h("a", { class: "button export-csv", href: exportHref(config.op, config.params, query, "csv"),
      download: "" }, "导出 CSV")) : null;

  let filterBox = null;
  if (specs.length) {
    const form = buildForm(specs, {
      values, filters: true, submitLabel: "查询",
      extraActions: h("button", { type: "button", onclick: () => navigate(ctx.path) }, "重置"),
      onSubmit: async (data) => navigate(ctx.path, data),
    });
    // Open on a wide screen; on a phone the list comes first and filters fold away.
    const open = window.matchMedia("(min-width: 761px)").matches || Object.keys(values).length > 0;
    filterBox = h("details", { class: "card filter-box", open },
      h("summary", {}, "筛选条件"), form.element);
  }

  const body = h("div", { class: "list-body" }, h("p", { class: "loading" }, "正在加载…"));
  mount(main, head, config.intro || null, filterBox, exports, body);

  let result;
  try {
    let paging = {};
    if (byCursor) paging = { page_size: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
    else if (op.query.some((p) => p.name === "page")) paging = { page, page_size: PAGE_SIZE };
    result = await call(config.op, config.params, { ...query, ...paging });
  } catch (error) {
    if (!isSignedOut(error)) mount(body, errorBox(error));
    return;
  }
  const items = Array.isArray(result) ? result : result.items || [];
  const paging = byCursor ? cursorPager(ctx, result, Boolean(cursor))
    : result.total !== undefined ? pager(ctx, result) : null;
  mount(body, table(items, config), paging);
  return result;
}

export function table(items, config) {
  if (!items.length) return h("p", { class: "empty" }, config.empty || "没有符合条件的记录。");
  const columns = config.columns;
  return h("div", { class: "table-wrap" },
    h("table", { class: "data" },
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
      h("tbody", {}, items.map((row) => h("tr", { dataset: { id: config.idOf ? config.idOf(row) : "" } },
        columns.map((c) => {
          let content = c.render ? c.render(row) : valueAt(row, c.key);
          if (c.primary && config.rowHref) content = h("a", { href: config.rowHref(row) }, content);
          return h("td", { "data-label": c.label, class: c.primary ? "primary-cell" : "" }, content);
        }))))));
}

function pager(ctx, result) {
  const pages = Math.max(1, Math.ceil(result.total / result.page_size));
  const go = (page) => {
    const query = new URLSearchParams(ctx.query);
    query.set("page", page);
    navigate(ctx.path, query);
  };
  return h("div", { class: "pager" },
    h("span", { class: "count" }, `共 ${result.total} 条,第 ${result.page}/${pages} 页`),
    h("button", { type: "button", disabled: result.page <= 1, onclick: () => go(result.page - 1) }, "上一页"),
    h("button", { type: "button", disabled: result.page >= pages, onclick: () => go(result.page + 1) }, "下一页"));
}

/** A list paged by cursor: the next page follows the cursor; the previous one is the page the
 *  browser came from (the cursor lives in the address, so back, reload and links work). */
function cursorPager(ctx, result, deeper) {
  const next = () => {
    const query = new URLSearchParams(ctx.query);
    query.set("cursor", result.next_cursor);
    navigate(ctx.path, query);
  };
  const first = () => {
    const query = new URLSearchParams(ctx.query);
    query.delete("cursor");
    navigate(ctx.path, query);
  };
  const count = result.total === null || result.total === undefined
    ? (result.has_more ? "还有更多" : "已到最后") : `共 ${result.total} 条`;
  return h("div", { class: "pager" },
    h("span", { class: "count" }, count),
    h("button", { type: "button", disabled: !deeper, onclick: first }, "第一页"),
    h("button", { type: "button", disabled: !deeper, onclick: () => history.back() }, "上一页"),
    h("button", { type: "button", disabled: !result.has_more, onclick: next }, "下一页"));
}

export function valueAt(row, key) {
  let value = row;
  for (const part of key.split(".")) value = value == null ? undefined : value[part];
  if (value === true) return "是";
  if (value === false) return "否";
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" ? v.name ?? "" : v)).join("、");
  return value ?? "";
}
