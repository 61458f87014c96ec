// Building DOM without innerHTML: every piece of text a service returns (a resident's
// description, a name) goes in as a text node, so nothing a user typed can run as markup.

/** h("button", {class: "primary", onclick: fn}, "保存") → an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "value" || (key in el && typeof value !== "string")) {
      el[key] = value;                    // properties: value (textareas have no attribute), checked, disabled
    } else {
      el.setAttribute(key, value === true ? "" : value);
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Replace the contents of `el` with `children`. */
export function mount(el, ...children) {
  return append(clear(el), children);
}

// --- formatting: the office works in Beijing time whatever the device's zone is -------------

const OFFICE_ZONE = "Asia/Shanghai";
const dateTimeFormat = new Intl.DateTimeFormat("zh-CN", {
  timeZone: OFFICE_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hour12: false,
});
const dateFormat = new Intl.DateTimeFormat("zh-CN", {
  timeZone: OFFICE_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
});

function parts(format, value) {
  const out = {};
  for (const p of format.formatToParts(value)) out[p.type] = p.value;
  return out;
}

/** "2026-11-28T06:03:00+00:00" → "2026-11-28 14:03" (office time). */
export function formatDateTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = parts(dateTimeFormat, d);
  return `${p.year}-${p.month}-${p.day} ${p.hour === "24" ? "00" : p.hour}:${p.minute}`;
}

export function formatDate(iso) {
  if (!iso) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = parts(dateFormat, d);
  return `${p.year}-${p.month}-${p.day}`;
}

/** ISO instant → the value a datetime-local input shows, in office time. */
export function toLocalInput(iso) {
  return iso ? formatDateTime(iso).replace(" ", "T") : "";
}

/** A datetime-local value is office time: "2026-11-28T14:03" → "2026-11-28T14:03:00+08:00". */
export function fromLocalInput(value) {
  return value ? `${value.length === 16 ? value + ":00" : value}+08:00` : undefined;
}

/** Today in office time, as YYYY-MM-DD, and this office month as YYYY-MM. */
export function officeToday() {
  return formatDate(new Date().toISOString());
}

export function formatNumber(value, digits = 1) {
  if (value === null || value === undefined || value === "") return "";
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return n.toLocaleString("zh-CN", { maximumFractionDigits: digits });
}

export function formatRate(value) {
  if (value === null || value === undefined) return "—";
  return `${(Number(value) * 100).toFixed(1)}%`;
}

export function yesNo(value) {
  return value === true ? "是" : value === false ? "否" : "";
}
