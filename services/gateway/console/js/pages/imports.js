// 批量导入: volunteers, employers and job postings from the office's spreadsheets
// (POST /api/imports/{kind}). The file is read here and sent as base64; the service checks
// every row and stores all or none. A refused file comes back as 422 IMPORT_REJECTED with
// fields.rows ({"3": {"手机号码": ["…"]}}), shown row by row. A progress bar follows the
// stages: reading the file, uploading it, checking and importing, done.

import { fillPath, isSignedOut, postWithProgress } from "../api.js";
import { operation } from "../catalog.js";
import { flattenErrors } from "../components/form.js";
import { table } from "../components/list.js";
import { h, mount } from "../dom.js";
import { href, navigate } from "../router.js";
import { may } from "../roles.js";
import { describeError } from "../ui.js";

// What may be imported; a kind is offered when the role may also add such records one by one.
const KINDS = [
  { kind: "volunteers", name: "志愿者", adds: "volunteers.register", list: "/volunteers", listOp: "volunteers.list" },
  { kind: "employers", name: "用工单位", adds: "employers.create", list: "/employers", listOp: "employers.list" },
  { kind: "postings", name: "岗位信息", adds: "employers.publish_posting", list: "/postings", listOp: "job_postings.list" },
];

const STAGES = [
  { key: "read", label: "读取文件" },
  { key: "upload", label: "上传" },
  { key: "check", label: "校验与导入" },
  { key: "done", label: "完成" },
];
// Where each stage starts and ends on the progress bar (percent).
const SPAN = { read: [0, 15], upload: [15, 70], check: [70, 95], done: [100, 100] };

export function registerImportPages(route, guarded) {
  route("/imports", guarded(importsPage));
}

export function importableKinds() {
  return may("imports.run") ? KINDS.filter((k) => !operation(k.adds) || may(k.adds)) : [];
}

/** The file's bytes as base64, reporting how much has been read. */
function readAsBase64(file, onProgress) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    reader.addEventListener("load", () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));     // "data:…;base64,XXXX" → "XXXX"
    });
    reader.addEventListener("error", () => reject(reader.error));
    reader.readAsDataURL(file);
  });
}

/** fields.rows → [{row, column, message}], by spreadsheet row ("文件" — the whole file — first). */
export function rowLines(rows = {}) {
  const order = (key) => (/^\d+$/.test(key) ? Number(key) : -1);
  const lines = [];
  for (const row of Object.keys(rows).sort((a, b) => order(a) - order(b))) {
    for (const [column, messages] of flattenErrors(rows[row])) {
      for (const message of messages) lines.push({ row, column: column || "—", message });
    }
  }
  return lines;
}

function progressBox() {
  const bar = h("progress", { id: "import-progress", max: "100", value: "0" });
  const stages = STAGES.map((s) => h("li", { dataset: { stage: s.key } }, s.label));
  const status = h("p", { class: "import-status", "aria-live": "polite" });
  const box = h("div", { class: "import-progress", hidden: true },
    h("ol", { class: "stages" }, stages), bar, status);
  let current = null;
  const show = (key, fraction = 0, text = "") => {
    const index = STAGES.findIndex((s) => s.key === key);
    current = key;
    box.hidden = false;
    box.dataset.stage = key;
    box.classList.remove("failed");
    stages.forEach((li, i) => {
      li.className = i < index || key === "done" ? "done" : i === index ? "current" : "";
    });
    const [from, to] = SPAN[key];
    bar.value = Math.round(from + (to - from) * Math.min(1, Math.max(0, fraction)));
    mount(status, text || STAGES[index].label + "…");
  };
  const fail = (text) => {
    box.classList.add("failed");
    box.dataset.stage = "failed";
    stages.forEach((li) => { if (li.dataset.stage === current) li.className = "failed"; });
    mount(status, text);
  };
  return { box, show, fail, reset: () => { box.hidden = true; } };
}

function refusedReport(error) {
  const lines = rowLines(error.fields.rows);
  const bad = new Set(lines.map((l) => l.row)).size;
  return h("div", { class: "import-report", dataset: { code: error.code } },
    h("div", { class: "form-error", role: "alert" },
      h("strong", {}, "整批未导入:"), "文件中有错误,没有导入任何记录。", error.message),
    h("h2", {}, `逐行说明(${bad} 行有误)`),
    table(lines, { idOf: (l) => l.row, columns: [
      { key: "row", label: "行号", render: (l) => (/^\d+$/.test(l.row) ? `第 ${l.row} 行` : l.row) },
      { key: "column", label: "列" },
      { key: "message", label: "问题" },
    ] }),
    h("p", { class: "help" }, "请按说明修改文件后重新检查或导入;行号是表格中的行号(第 1 行是列标题)。"));
}

function otherError(error) {
  const details = flattenErrors(error.fields).filter(([, messages]) => messages.length);
  return h("div", { class: "form-error", role: "alert", dataset: { code: error.code || "" } },
    error.status === 422 ? [h("strong", {}, "未导入:"), describeError(error)] : describeError(error),
    details.length ? h("ul", {}, details.map(([name, messages]) =>
      h("li", {}, `${name === "file" ? "文件" : name}:${messages.join(" ")}`))) : null);
}

function successReport(result, kind) {
  const list = operation(kind.listOp) && may(kind.listOp) ? kind.list : null;
  if (result.dry_run) {
    return h("div", { class: "alert ok import-result", role: "status", dataset: { created: "0" } },
      h("strong", {}, result.message), h("div", {}, "这只是检查,尚未导入。确认无误后请点「导入」。"));
  }
  return h("div", { class: "alert ok import-result", role: "status", dataset: { created: String(result.created) } },
    h("strong", {}, result.message),
    h("div", {}, `共 ${result.rows} 行,新建 ${result.created} 条${result.kind_name || kind.name}记录。`),
    list ? h("div", {}, h("a", { href: href(list) }, `查看${kind.name}列表`)) : null);
}

async function importsPage(main, ctx) {
  const kinds = importableKinds();
  if (!operation("imports.run") || !kinds.length) {
    mount(main, h("h1", {}, "批量导入"), h("div", { class: "alert info" },
      operation("imports.run") ? "您的账号无权批量导入。" : "此功能的接口尚未开放。"));
    return;
  }
  const kind = kinds.find((k) => k.kind === ctx.query.get("kind")) || kinds[0];
  const runPath = fillPath(operation("imports.run").path, { kind: kind.kind });
  const template = operation("imports.template");
  const templateLink = (format, label) => (template && may("imports.template")
    ? h("a", { class: `button template-${format}`, download: "",
      href: `${fillPath(template.path, { kind: kind.kind })}?format=${format}` }, label) : null);

  const kindSelect = h("select", { id: "import-kind", name: "kind" },
    kinds.map((k) => h("option", { value: k.kind }, k.name)));
  kindSelect.value = kind.kind;
  kindSelect.addEventListener("change", () => navigate("/imports", { kind: kindSelect.value }));

  const fileInput = h("input", { id: "import-file", name: "file", type: "file",
    accept: ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" });
  const check = h("button", { type: "button", id: "import-check" }, "检查");
  const run = h("button", { type: "button", class: "primary", id: "import-run" }, "导入");
  const progress = progressBox();
  const result = h("div", { class: "import-outcome" });

  const start = async (dryRun) => {
    const file = fileInput.files[0];
    if (!file) {
      mount(result, h("div", { class: "form-error", role: "alert" }, "请先选择要导入的 .xlsx 或 .csv 文件。"));
      return;
    }
    check.disabled = true;
    run.disabled = true;
    fileInput.disabled = true;
    mount(result);
    try {
      progress.show("read", 0);
      const content = await readAsBase64(file, (f) => progress.show("read", f));
      progress.show("upload", 0);
      const answer = await postWithProgress(runPath,
        { filename: file.name, content, dry_run: dryRun },
        (stage, fraction) => {
          if (stage === "upload") progress.show("upload", fraction, `上传 ${Math.round(fraction * 100)}%`);
          else progress.show("check", 0, dryRun ? "正在逐行校验…" : "正在逐行校验并导入…");
        });
      progress.show("done", 1, dryRun ? "检查完成" : "导入完成");
      mount(result, successReport(answer, kind));
    } catch (error) {
      if (isSignedOut(error)) return;          // the sign-in page takes over
      if (error instanceof DOMException || error?.name === "NotReadableError") {
        progress.fail("无法读取该文件");
        mount(result, h("div", { class: "form-error", role: "alert" }, "无法读取该文件,请重新选择。"));
      } else if (error.code === "IMPORT_REJECTED") {
        progress.fail("校验未通过,整批未导入");
        mount(result, refusedReport(error));
      } else {
        progress.fail(dryRun ? "检查未完成" : "未导入");
        mount(result, otherError(error));
      }
    } finally {
      check.disabled = false;
      run.disabled = false;
      fileInput.disabled = false;
    }
  };
  check.addEventListener("click", () => start(true));
  run.addEventListener("click", () => start(false));
  fileInput.addEventListener("change", () => { progress.reset(); mount(result); });

  mount(main,
    h("div", { class: "page-head" }, h("h1", {}, "批量导入")),
    h("div", { class: "card import-form" },
      h("div", { class: "field" }, h("label", { for: "import-kind" }, "导入内容"), kindSelect),
      h("div", { class: "field" }, h("label", {}, "导入模板"),
        h("div", { class: "toolbar" }, templateLink("xlsx", "下载模板(Excel)"), templateLink("csv", "下载模板(CSV)")),
        h("div", { class: "help" }, "请按模板的列标题填写,带 * 的列必填;模板第 2 行是示例,导入前请删除。")),
      h("div", { class: "field" }, h("label", { for: "import-file" }, "选择文件(.xlsx 或 .csv)"), fileInput),
      h("div", { class: "form-actions" }, check, run),
      h("p", { class: "help" }, "「检查」只校验不保存;「导入」时如有任何一行有误,整批都不导入。")),
    progress.box,
    result);
}
