// Messages and dialogs. Errors are shown as the API wrote them: a 403 says who may, a 409
// names the state; nothing is reworded or hidden behind a generic "failed".

import { isSignedOut } from "./api.js";
import { clear, h, mount } from "./dom.js";

export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  const el = h("div", { class: `toast ${kind}` }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === "error" ? 7000 : 3500);
}

/** A plain message for an ApiError (or anything thrown). */
export function describeError(error) {
  if (!error) return "";
  if (error.status === 403) return `无权操作:${error.message}`;
  if (error.status === 409) return `无法完成:${error.message}`;
  if (error.status === 503) return `服务暂时不可用,请稍后再试。${error.message || ""}`;
  return error.message || String(error);
}

export function errorBox(error) {
  return h("div", { class: "form-error", role: "alert", dataset: { code: error?.code || "" } },
    describeError(error));
}

/** Render into `el` while loading; on failure show the error there instead. */
export async function loadInto(el, load, render) {
  mount(el, h("p", { class: "loading" }, "正在加载…"));
  let data;
  try {
    data = await load();
  } catch (error) {
    if (isSignedOut(error)) return;        // the sign-in page takes over
    mount(el, errorBox(error));
    return;
  }
  clear(el);
  await render(data);
}

/**
 * A modal sheet (full screen on a phone). `body(close)` returns its contents.
 * Resolves when it is closed.
 */
export function openSheet(title, body) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "sheet", "aria-label": title });
    const close = (value) => {
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(value);
    };
    const content = h("div", { class: "sheet-body" });
    mount(dialog,
      h("div", { class: "sheet-head" },
        h("h2", {}, title),
        h("button", { type: "button", class: "link close", "aria-label": "关闭",
          onclick: () => close(undefined) }, "✕")),
      content);
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); close(undefined); });
    document.body.append(dialog);
    mount(content, body(close));
    dialog.showModal();
    const first = content.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });
}

export function confirmSheet(title, message, confirmLabel = "确定") {
  return openSheet(title, (close) => [
    h("p", {}, message),
    h("div", { class: "form-actions" },
      h("button", { type: "button", onclick: () => close(false) }, "取消"),
      h("button", { type: "button", class: "primary", onclick: () => close(true) }, confirmLabel)),
  ]);
}

export function badge(text, kind = "") {
  return text ? h("span", { class: `badge ${kind}` }, text) : "";
}
