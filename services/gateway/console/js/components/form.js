// Forms from a field spec, and field specs from the API's own schemas.
//
// An action's form is built from the JSON schema of its request body in /openapi.json (which
// the gateway generates from the service's marshmallow schema), so the console asks for
// exactly what the API accepts: required marks, choices, lists of photos, rows of work
// quantities. Pages only add labels and hints. Checking is left to the API: its field errors
// ({fields: {quantities: {0: {amount: ["…"]}}}}) are shown next to the fields they name.

import { isSignedOut } from "../api.js";
import { resolve } from "../catalog.js";
import { fromLocalInput, h, mount, toLocalInput } from "../dom.js";
import { codeName, fieldLabel } from "../labels.js";
import { describeError } from "../ui.js";
import { photoPicker } from "./photos.js";

let nextId = 0;
const uid = () => `f${++nextId}`;

// --- field specs from a JSON schema -----------------------------------------------------------

/**
 * options: only (names, in order), omit (names), labels ({name: label}), scope (for code
 * names, e.g. "work_order"), hints ({name: partial spec: kind, label, help, options, hints,
 * only, omit, initialRows, placeholder, shownWhen, follows, optionsFor}); a hint {kind: "skip"}
 * leaves a field out. Between fields of one form, group or row: shownWhen {field, values} shows
 * a field (and sends it) only while its sibling `field` has one of `values` (the fields of one
 * kind of 送 in a visit's row); follows "venue_id" with optionsFor(value) → options makes a
 * list's choices those of the sibling's value (a venue's rooms).
 */
export function fieldsFromSchema(schema, options = {}) {
  const resolved = resolve(schema) || {};
  const properties = resolved.properties || {};
  const required = new Set(resolved.required || []);
  let names = options.only
    ? options.only.filter((n) => n in properties || options.hints?.[n]?.kind)
    : Object.keys(properties);
  if (options.omit) names = names.filter((n) => !options.omit.includes(n));
  return names
    .map((name) => fieldFromProperty(name, properties[name] || {}, required.has(name), options))
    .filter(Boolean);
}

function fieldFromProperty(name, property, required, options) {
  const hint = options.hints?.[name] || {};
  if (hint.kind === "skip") return null;
  const p = resolve(property) || {};
  const kind = hint.kind || kindOf(p, name);
  if (!kind) return null;                  // free-form dictionaries are not asked for
  const spec = {
    name, kind, required: hint.required ?? required,
    label: hint.label || fieldLabel(name, options.labels),
    help: hint.help, placeholder: hint.placeholder,
    min: p.minimum, max: p.maximum, maxLength: p.maxLength,
    initialRows: hint.initialRows, emptyLabel: hint.emptyLabel, value: hint.value,
    suggestions: hint.suggestions, search: hint.search, nameOf: hint.nameOf,
    shownWhen: hint.shownWhen, follows: hint.follows, optionsFor: hint.optionsFor,
  };
  const values = p.enum || resolve(p.items)?.enum;
  if (values) {
    spec.options = values.filter((v) => v !== null)
      .map((v) => ({ value: v, label: codeName(name, v, options.scope) }));
  }
  if (hint.options) spec.options = hint.options;
  if (kind === "group" || kind === "rows") {
    const inner = kind === "rows" ? resolve(p.items) : p;
    spec.fields = fieldsFromSchema(inner, {
      ...options, only: hint.only, omit: hint.omit, hints: hint.hints || {},
      scope: hint.scope || name, labels: { ...(options.labels || {}), ...(hint.labels || {}) },
    });
  }
  if (kind === "lines") {
    const items = resolve(p.items) || {};
    spec.numeric = items.type === "integer" || items.type === "number";
  }
  return spec;
}

function kindOf(p, name) {
  const type = Array.isArray(p.type) ? p.type[0] : p.type;
  if (type === "array") {
    const items = resolve(p.items) || {};
    if (items.enum) return "checks";
    if (items.type === "object" || items.properties) return "rows";
    return "lines";
  }
  if (type === "object" || p.properties) {
    return p.properties && Object.keys(p.properties).length ? "group" : null;
  }
  if (p.enum) return "select";
  if (type === "boolean") return "boolean";
  if (type === "integer") return "integer";
  if (type === "number") return "number";
  if (p.format === "date-time") return "datetime";
  if (p.format === "date") return "date";
  if (p.format === "email") return "email";
  if (p.format === "url") return "url";
  if (name.includes("password")) return "password";
  if ((p.maxLength || 0) > 200) return "textarea";
  return "text";
}

// --- fields -----------------------------------------------------------------------------------

function wrap(spec, control, id) {
  const error = h("div", { class: "field-error", hidden: true });
  const el = h("div", { class: "field", dataset: { field: spec.name } },
    h("label", { for: id, class: spec.required ? "req" : "" }, spec.label),
    control,
    spec.help ? h("div", { class: "help" }, spec.help) : null,
    error);
  return { el, error };
}

function withErrors(field, box) {
  field.showError = (messages) => {
    box.el.classList.add("invalid");
    box.error.hidden = false;
    box.error.textContent = messages.join(" ");
  };
  field.clearError = () => {
    box.el.classList.remove("invalid");
    box.error.hidden = true;
    box.error.textContent = "";
  };
  return field;
}

function optionList(spec, value, emptyLabel) {
  const select = h("select", { id: spec.id, name: spec.path });
  const stringValue = value === undefined || value === null ? "" : String(value);
  if (emptyLabel !== null) select.append(h("option", { value: "" }, emptyLabel));
  for (const option of spec.options || []) {
    select.append(h("option", { value: String(option.value) }, option.label));
  }
  select.value = stringValue;
  return select;
}

function typedOption(spec, raw) {
  if (raw === "") return undefined;
  const found = (spec.options || []).find((o) => String(o.value) === raw);
  return found ? found.value : raw;
}

const blank = (v) => v === undefined || v === null || v === "";

function makeField(spec, value, path) {
  spec = { ...spec, id: uid(), path };
  if (value === undefined && spec.value !== undefined) value = spec.value;
  const kind = spec.kind;

  if (kind === "group") return makeGroup(spec, value, path);
  if (kind === "rows") return makeRows(spec, value, path);

  let control;
  let read;
  let list = null;
  if (kind === "select") {
    control = optionList(spec, value, spec.emptyLabel ?? (spec.required ? "请选择" : "—"));
    read = () => typedOption(spec, control.value);
  } else if (kind === "boolean" && spec.required) {
    control = h("input", { type: "checkbox", id: spec.id, name: path, checked: value === true });
    read = () => control.checked;
  } else if (kind === "boolean") {
    const options = [{ value: "true", label: "是" }, { value: "false", label: "否" }];
    control = optionList({ ...spec, options }, value === undefined ? "" : String(value),
      spec.emptyLabel ?? "—");
    read = () => (control.value === "" ? undefined : control.value === "true");
  } else if (kind === "checks") {
    const chosen = new Set((value || []).map(String));
    const boxes = (spec.options || []).map((o) => h("input", {
      type: "checkbox", name: path, value: String(o.value), checked: chosen.has(String(o.value)) }));
    control = h("div", { class: "checks", id: spec.id, role: "group" },
      boxes.map((box, i) => h("label", {}, box, spec.options[i].label)));
    read = () => {
      const picked = boxes.filter((b) => b.checked).map((b) => typedOption(spec, b.value));
      return picked.length || spec.required ? picked : undefined;
    };
  } else if (kind === "lines") {
    control = h("textarea", { id: spec.id, name: path, rows: 3, placeholder: spec.placeholder,
      value: (value || []).join("\n") });
    read = () => {
      const lines = control.value.split(/[\n,,]+/).map((s) => s.trim()).filter(Boolean)
        .map((s) => (spec.numeric && !Number.isNaN(Number(s)) ? Number(s) : s));
      return lines.length || spec.required ? lines : undefined;
    };
  } else if (kind === "lookup") {
    // A search box of names for a field that takes an id (a volunteer, an employer): typing
    // asks spec.search(text) for [{value, label}]; a label chosen gives its id.
    const known = new Map((spec.options || []).map((o) => [o.label, o.value]));
    const listId = `${spec.id}-list`;
    list = h("datalist", { id: listId });
    control = h("input", { id: spec.id, name: path, type: "search", list: listId, autocomplete: "off",
      placeholder: spec.placeholder || "输入姓名或名称查找" });
    // An id given in the address is shown by its name once known.
    control.value = value ?? "";
    if (value) known.set(String(value), value);
    Promise.resolve(value && spec.nameOf ? spec.nameOf(value) : null).then((label) => {
      if (label && control.value === String(value)) { known.set(label, value); control.value = label; }
    });
    let asked = 0;
    control.addEventListener("input", async () => {
      const text = control.value.trim();
      if (!text || known.has(text)) return;
      const mine = ++asked;
      const found = await spec.search(text).catch(() => []);
      if (mine !== asked) return;
      for (const o of found) known.set(o.label, o.value);
      mount(list, found.map((o) => h("option", { value: o.label })));
    });
    read = () => {
      const text = control.value.trim();
      if (!text) return undefined;
      return known.has(text) ? known.get(text) : text;
    };
  } else if (kind === "photos") {          // uploaded as chosen; the field holds their ids
    ({ control, read } = photoPicker(spec, path));
  } else if (kind === "textarea") {
    control = h("textarea", { id: spec.id, name: path, rows: 4, maxlength: spec.maxLength,
      placeholder: spec.placeholder, value: value ?? "" });
    read = () => (control.value.trim() === "" ? undefined : control.value.trim());
  } else {
    const types = { integer: "number", number: "number", datetime: "datetime-local", date: "date",
      email: "email", url: "url", password: "password", text: "text", time: "time" };
    const attrs = { id: spec.id, name: path, type: types[kind] || "text",
      placeholder: spec.placeholder, maxlength: spec.maxLength,
      autocomplete: kind === "password" ? "new-password" : "off" };
    if (kind === "integer" || kind === "number") {
      attrs.inputmode = kind === "integer" ? "numeric" : "decimal";
      attrs.step = kind === "integer" ? "1" : "any";
      if (spec.min !== undefined) attrs.min = spec.min;
      if (spec.max !== undefined) attrs.max = spec.max;
    }
    if (kind === "url") attrs.inputmode = "url";
    if (spec.suggestions?.length) {        // known values offered, anything else still allowed
      attrs.list = `${spec.id}-list`;
      list = h("datalist", { id: attrs.list }, spec.suggestions.map((v) => h("option", { value: v })));
    }
    control = h("input", attrs);
    control.value = kind === "datetime" ? toLocalInput(value) : (value ?? "");
    read = () => {
      const raw = control.value.trim();
      if (raw === "") return undefined;
      if (kind === "integer") return Number.isInteger(Number(raw)) ? Number(raw) : raw;
      if (kind === "number") return Number.isNaN(Number(raw)) ? raw : Number(raw);
      if (kind === "datetime") return fromLocalInput(raw);
      return raw;
    };
  }
  const box = wrap(spec, list ? [control, list] : control, spec.id);
  return withErrors({ spec, el: box.el, control, read, initial: value,
    register(p, map) { map.set(p, this); } }, box);
}

function makeGroup(spec, value, path) {
  const children = spec.fields.map((f) => makeField(f, (value || {})[f.name], `${path}.${f.name}`));
  linkSiblings(children);
  const error = h("div", { class: "field-error", hidden: true });
  const el = h("fieldset", { class: "field", dataset: { field: spec.name } },
    h("legend", { class: spec.required ? "req" : "" }, spec.label),
    children.map((c) => c.el), spec.help ? h("div", { class: "help" }, spec.help) : null, error);
  const field = {
    spec, el,
    read() {
      const out = {};
      for (const child of children) {
        const v = child.read();
        if (v !== undefined) out[child.spec.name] = v;
      }
      return Object.keys(out).length || spec.required ? out : undefined;
    },
    register(p, map) {
      map.set(p, this);
      children.forEach((c) => c.register(`${p}.${c.spec.name}`, map));
    },
  };
  return withErrors(field, { el, error });
}

function makeRows(spec, value, path) {
  const list = h("div", { class: "rows-list" });
  const rows = [];
  const error = h("div", { class: "field-error", hidden: true });
  const addRow = (rowValue) => {
    const children = spec.fields.map((f) => makeField(f, (rowValue || {})[f.name], `${path}.${f.name}`));
    linkSiblings(children);
    const row = { children, el: null };
    const remove = h("button", { type: "button", class: "danger remove-row", "aria-label": "删除此行",
      onclick: () => { rows.splice(rows.indexOf(row), 1); row.el.remove(); } }, "删除");
    row.el = h("div", { class: "row" }, children.map((c) => c.el), remove);
    rows.push(row);
    list.append(row.el);
  };
  const initial = Array.isArray(value) && value.length ? value
    : Array.from({ length: spec.initialRows ?? 0 }, () => ({}));
  initial.forEach(addRow);
  const el = h("fieldset", { class: "field rows", dataset: { field: spec.name } },
    h("legend", { class: spec.required ? "req" : "" }, spec.label),
    list,
    h("button", { type: "button", class: "add-row", onclick: () => addRow({}) }, "＋ 添加一行"),
    spec.help ? h("div", { class: "help" }, spec.help) : null, error);
  const field = {
    spec, el,
    read() {
      const out = [];
      for (const row of rows) {
        const item = {};
        for (const child of row.children) {
          const v = child.read();
          if (v !== undefined) item[child.spec.name] = v;
        }
        if (Object.keys(item).length) out.push(item);
      }
      return out.length || spec.required ? out : undefined;
    },
    register(p, map) {
      map.set(p, this);
      // Only rows that are sent are numbered by the API: skip the empty ones here too.
      let index = 0;
      for (const row of rows) {
        if (!row.children.some((c) => c.read() !== undefined)) continue;
        row.children.forEach((c) => c.register(`${p}.${index}.${c.spec.name}`, map));
        index += 1;
      }
    },
  };
  return withErrors(field, { el, error });
}

/**
 * Fields that depend on a sibling: shown only for some of its values (shownWhen), or offering
 * the choices of its value (follows). A hidden field is not sent.
 */
function linkSiblings(fields) {
  const byName = new Map(fields.map((f) => [f.spec.name, f]));
  for (const field of fields) {
    const { shownWhen, follows, optionsFor } = field.spec;
    if (shownWhen) {
      const leader = byName.get(shownWhen.field);
      if (!leader?.control) continue;
      const read = field.read;
      field.read = () => (field.el.hidden ? undefined : read());
      const show = () => { field.el.hidden = !shownWhen.values.includes(leader.read()); };
      leader.control.addEventListener("change", show);
      show();
    }
    if (follows && optionsFor && field.control?.tagName === "SELECT") {
      const leader = byName.get(follows);
      if (!leader?.control) continue;
      const select = field.control;
      const empty = select.options[0]?.value === "" ? select.options[0].textContent : null;
      // The value given (修改活动's room) has its option only once the leader's are known.
      let given = field.initial === undefined || field.initial === null ? "" : String(field.initial);
      const refill = () => {
        const kept = select.value || given;
        given = "";
        const options = optionsFor(leader.read());
        field.spec.options = options;
        mount(select, empty !== null ? h("option", { value: "" }, empty) : null,
          options.map((o) => h("option", { value: String(o.value) }, o.label)));
        select.value = options.some((o) => String(o.value) === kept) ? kept : "";
      };
      leader.control.addEventListener("change", refill);
      refill();
    }
  }
}

// --- the form -----------------------------------------------------------------------------------

/** marshmallow's nested errors → [["quantities.0.amount", ["…"]], …] */
export function flattenErrors(errors, prefix = "") {
  const out = [];
  if (Array.isArray(errors)) {
    const messages = errors.filter((e) => typeof e === "string");
    if (messages.length) out.push([prefix, messages]);
    errors.filter((e) => e && typeof e === "object").forEach((e) => out.push(...flattenErrors(e, prefix)));
  } else if (errors && typeof errors === "object") {
    for (const [key, value] of Object.entries(errors)) {
      out.push(...flattenErrors(value, prefix ? `${prefix}.${key}` : key));
    }
  } else if (typeof errors === "string") {
    out.push([prefix, [errors]]);
  }
  return out;
}

/**
 * buildForm(fields, {values, submitLabel, onSubmit(data), onCancel, filters, extra})
 * → {element, showError(error), collect()}. onSubmit may throw an ApiError: its field errors go
 * next to their fields, its message above the form.
 */
export function buildForm(specs, options = {}) {
  const values = options.values || {};
  const fields = specs.map((spec) => makeField(spec, values[spec.name], spec.name));
  linkSiblings(fields);
  const top = h("div", { class: "form-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary" }, options.submitLabel || "提交");
  const actions = h("div", { class: "form-actions" },
    options.onCancel ? h("button", { type: "button", onclick: options.onCancel },
      options.cancelLabel || "取消") : null,
    options.extraActions || null,
    submit);
  const form = h("form", { class: options.filters ? "filters" : "", novalidate: true },
    top, fields.map((f) => f.el), options.extra || null, actions);

  const collect = () => {
    const data = {};
    for (const field of fields) {
      const v = field.read();
      if (v !== undefined) data[field.spec.name] = v;
    }
    return data;
  };

  const clearErrors = () => {
    top.hidden = true;
    mount(top);
    const map = new Map();
    fields.forEach((f) => f.register(f.spec.name, map));
    map.forEach((f) => f.clearError());
  };

  const showError = (error) => {
    clearErrors();
    const map = new Map();
    fields.forEach((f) => f.register(f.spec.name, map));
    const unplaced = [];
    for (const [path, messages] of flattenErrors(error.fields || {})) {
      let target = path;
      while (target && !map.has(target)) target = target.includes(".") ? target.replace(/\.[^.]*$/, "") : "";
      if (target) {
        const field = map.get(target);
        const note = target === path ? messages
          : messages.map((m) => `${describePath(path.slice(target.length + 1))}${m}`);
        field.showError(note);
      } else {
        const name = path === "_schema" || path === "" ? "" : `${fieldLabel(path.split(".")[0])}:`;
        unplaced.push(`${name}${messages.join(" ")}`);
      }
    }
    top.hidden = false;
    mount(top, h("div", {}, describeError(error)), unplaced.map((m) => h("div", {}, m)));
    const first = form.querySelector(".invalid input, .invalid select, .invalid textarea");
    (first || top).scrollIntoView?.({ block: "center" });
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!options.onSubmit) return;
    clearErrors();
    submit.disabled = true;
    const label = submit.textContent;
    submit.textContent = "提交中…";
    try {
      await options.onSubmit(collect());
    } catch (error) {
      if (isSignedOut(error)) return;      // the sign-in page takes over
      showError(error);
    } finally {
      submit.disabled = false;
      submit.textContent = label;
    }
  });
  return { element: form, showError, collect, clearErrors };
}

function describePath(rest) {
  // "0" → "第 1 项:"; "0.amount" → "第 1 项 数量:"
  const parts = rest.split(".");
  const index = /^\d+$/.test(parts[0]) ? `第 ${Number(parts.shift()) + 1} 项` : "";
  const names = parts.map((p) => fieldLabel(p)).join(" ");
  return [index, names].filter(Boolean).join(" ") + ":";
}
