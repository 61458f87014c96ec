// Pieces of a detail page: label/value lists, the history of a record, links to photos.

import { formatDateTime, h } from "../dom.js";
import { roleName } from "../roles.js";

/** kv([["状态", "办理中"], …]) — pairs with an empty value are left out. */
export function kv(pairs) {
  return h("dl", { class: "kv" }, pairs
    .filter(([, value]) => value !== undefined && value !== null && value !== "" &&
      !(Array.isArray(value) && !value.length))
    .map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
}

export function section(title, ...children) {
  return h("section", { class: "card" }, title ? h("h2", {}, title) : null, children);
}

/** The record's history, newest last, as the services keep it. */
export function timeline(history = []) {
  if (!history.length) return h("p", { class: "empty" }, "暂无记录。");
  return h("ol", { class: "timeline" }, history.map((entry) => h("li", {},
    h("div", {}, h("strong", {}, entry.action_name || entry.action),
      entry.to_state && entry.from_state !== entry.to_state && entry.to_state_name
        ? ` → ${entry.to_state_name}` : ""),
    h("div", { class: "when" }, formatDateTime(entry.at), " · ",
      entry.actor?.name || "", entry.actor?.role ? `(${roleName(entry.actor.role)})` : ""),
    entry.note ? h("div", {}, entry.note) : null)));
}

/** Photo and evidence addresses as links (opened in a new tab, never embedded). */
export function links(urls = []) {
  if (!urls.length) return "";
  return h("div", { class: "thumbs" }, urls.map((url, i) =>
    h("a", { href: safeUrl(url), target: "_blank", rel: "noopener noreferrer" }, `照片 ${i + 1}`)));
}

// Only web addresses become links: a javascript: URL typed into a report must not run here.
export function safeUrl(url) {
  return /^https?:\/\//i.test(url || "") ? url : "#";
}
