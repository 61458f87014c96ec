// A kind of record (activities, volunteers, postings…) as three pages: its list, one record
// with its transition buttons, and the form that creates one. Pages for the services are
// written as configurations of this, so they all behave the same: filters in the address,
// exports, cards on a phone, buttons from `allowed_actions`, forms from the API's schemas.

import { call, operation } from "../catalog.js";
import { h, mount } from "../dom.js";
import { href, navigate } from "../router.js";
import { limitedCommunity, may } from "../roles.js";
import { account } from "../session.js";
import { badge, loadInto, toast } from "../ui.js";
import { actionBar, openAction } from "./actions.js";
import { section, timeline } from "./detail.js";
import { buildForm, fieldsFromSchema } from "./form.js";
import { listPage } from "./list.js";

/**
 * config: {
 *   path: "/activities", title, idKey ("activity_id"), param (path parameter of get/actions),
 *   list: {op, columns, filters, fixed, empty, intro},
 *   get: operation id of one record,
 *   heading(record) → text, state(record) → nodes,
 *   create: {op, label, form: {only, hints, labels, scope}, params(ctx), done(result) → path},
 *   actions: {action: operation id | (record) → operation id}, forms: {action: form options},
 *   extras(record, redraw) → [buttons] (steps not in allowed_actions: reveal, matching…),
 *   sections(record, redraw) → [section nodes],
 * }
 */
export function registerResource(route, guarded, config) {
  route(config.path, guarded((main, ctx) => resourceList(main, ctx, config)));
  if (config.create) route(`${config.path}/new`, guarded((main, ctx) => resourceCreate(main, ctx, config)));
  if (config.get) route(`${config.path}/:id`, guarded((main, ctx) => resourceDetail(main, ctx, config)));
}

export function stateBadge(record, tones = {}) {
  return record.state_name ? badge(record.state_name, tones[record.state] ?? "info") : "";
}

function resourceList(main, ctx, config) {
  const list = config.list;
  const create = config.create;
  const toolbar = [...(list.toolbar ? list.toolbar(ctx) : [])];
  if (create && operation(create.op) && may(create.op) && !create.hidden) {
    toolbar.push(h("a", { class: "button primary", href: href(`${config.path}/new`) }, `＋ ${create.label}`));
  }
  return listPage(main, ctx, {
    title: config.title, op: list.op, columns: list.columns, filters: list.filters,
    fixed: list.fixed, empty: list.empty, intro: list.intro, toolbar,
    rowHref: config.get && may(config.get) ? (row) => href(`${config.path}/${encodeURIComponent(row[config.idKey])}`) : null,
    idOf: (row) => row[config.idKey],
  });
}

async function resourceCreate(main, ctx, config) {
  const create = config.create;
  const op = operation(create.op);
  if (!op || !may(create.op)) {
    mount(main, h("h1", {}, create.label), h("div", { class: "alert" }, "您的账号不能进行此操作。"));
    return;
  }
  const me = account();
  const fixed = limitedCommunity(me);
  const formOptions = typeof create.form === "function" ? await create.form(ctx) : (create.form || {});
  const hints = { ...(formOptions.hints || {}) };
  if (fixed && op.body?.properties?.community) hints.community = { kind: "skip" };
  const specs = fieldsFromSchema(op.body, { ...formOptions, hints });
  const params = create.params ? create.params(ctx) : {};
  const form = buildForm(specs, {
    values: formOptions.values,
    submitLabel: `提交`,
    onCancel: () => history.back(),
    onSubmit: async (data) => {
      const result = await call(create.op, params, formOptions.transform ? formOptions.transform(data) : data);
      toast(`${create.label}:已完成`, "ok");
      navigate(create.done ? create.done(result) : `${config.path}/${encodeURIComponent(result[config.idKey])}`);
    },
  });
  mount(main, h("h1", {}, create.label),
    fixed ? h("p", { class: "help" }, `所属社区:${fixed}`) : null,
    create.intro || null,
    h("div", { class: "card" }, form.element));
}

async function resourceDetail(main, ctx, config) {
  const id = ctx.params.id;
  await loadInto(main, () => call(config.get, { [config.param]: id }), (record) => draw(main, record, config, id));
}

function draw(main, record, config, id) {
  const redraw = async (updated) => {
    // Some steps answer with another record (录用 answers the placement): read this one again.
    const fresh = updated && updated[config.idKey] === record[config.idKey]
      ? updated : await call(config.get, { [config.param]: id });
    draw(main, fresh, config, id);
  };
  const params = { [config.param]: id };
  const opFor = (action) => {
    const target = config.actions?.[action];
    const opId = typeof target === "function" ? target(record) : target;
    return opId && operation(opId) ? opId : null;
  };
  const forms = typeof config.forms === "function" ? config.forms(record) : (config.forms || {});
  const extras = (config.extras ? config.extras(record, redraw, params) : []).filter(Boolean);
  const hasActions = (record.allowed_actions || []).some((a) => opFor(a.action) && may(opFor(a.action)));
  mount(main,
    h("div", { class: "page-head" },
      h("h1", {}, config.heading ? config.heading(record) : record[config.idKey]),
      h("div", { class: "toolbar" }, h("span", { class: "state" }, config.state ? config.state(record) : stateBadge(record)))),
    record.allowed_actions || extras.length ? section("操作",
      record.allowed_actions && (hasActions || !extras.length)
        ? actionBar({ record, params, opFor, forms, onDone: redraw }) : null,
      extras.length ? h("div", { class: "actions extras" }, extras) : null) : null,
    (config.sections ? config.sections(record, redraw, params) : []),
    record.history ? section("记录", timeline(record.history)) : null,
    h("p", {}, h("a", { href: href(config.path) }, `← 返回${config.title}`)));
}

/** A button for a step outside `allowed_actions` (reveal, matching, registering…). */
export function stepButton(label, opId, params, options = {}, onDone) {
  if (!operation(opId) || !may(opId)) return null;
  return h("button", { type: "button", dataset: { op: opId }, onclick: async () => {
    const result = await openAction({ params, record: options.record }, opId, label, options);
    if (result !== undefined && onDone) await onDone(result);
  } }, label);
}
