// For street admins: accounts, Open311 API keys (a key is shown once), the audit log, the
// work-order settings (deadlines, departments, communities, calendar) and system health.

import { api } from "../api.js";
import { allOperations, call } from "../catalog.js";
import { openAction } from "../components/actions.js";
import { kv, section } from "../components/detail.js";
import { listPage, table } from "../components/list.js";
import { formatDateTime, h, mount } from "../dom.js";
import { codeName, learnCodes } from "../labels.js";
import { communityOptions, departmentOptions, places } from "../places.js";
import { renderCurrent } from "../router.js";
import { may, roleName, ROLE_NAMES } from "../roles.js";
import { badge, confirmSheet, loadInto, openSheet, toast } from "../ui.js";

export function registerAdminPages(route, guarded) {
  route("/admin/accounts", guarded(accountsPage));
  route("/admin/keys", guarded(keysPage));
  route("/admin/audit", guarded(auditPage));
  route("/admin/settings", guarded(settingsPage));
  route("/admin/health", guarded(healthPage));
}


function accountHints(departments, communities) {
  return {
    role: { options: Object.entries(ROLE_NAMES).map(([value, label]) => ({ value, label })) },
    community: communities.length
      ? { kind: "select", options: communities, emptyLabel: "—(街道管理员、承办部门、志愿者、全街道只读账号)",
        help: "社区工作人员、网格员须选择社区;只读账号选择社区或勾选“全街道”。" }
      : { help: "社区工作人员、网格员须填写所在社区;只读账号填写社区或勾选“全街道”。" },
    whole_street: { help: "仅只读查看账号:查看全街道各社区(不填社区时须勾选)。" },
    department: departments.length
      ? { kind: "select", options: departments, emptyLabel: "—", help: "承办部门账号须选择部门。" } : {},
    volunteer: { help: "志愿者账号填写其志愿者编号(须为已登记的志愿者)。" },
    password: { help: "至少 8 位,且须同时包含字母和数字。" },
  };
}

// --- accounts -------------------------------------------------------------------------------

async function accountsPage(main, ctx) {
  // Communities and departments from the register (GET /api/places): the API refuses others.
  const register = await places();
  const hints = accountHints(departmentOptions(register), communityOptions(register));
  const refresh = () => renderCurrent();
  await listPage(main, ctx, {
    title: "账号管理",
    op: "accounts.list",
    toolbar: may("accounts.create") ? [h("button", { type: "button", class: "primary", id: "new-account",
      onclick: async () => {
        const created = await openAction({ params: {} }, "accounts.create", "新建账号",
          { hints, submitLabel: "创建账号" });
        if (created) refresh();
      } }, "＋ 新建账号")] : [],
    idOf: (a) => a.username,
    columns: [
      { key: "username", label: "用户名" },
      { key: "name", label: "姓名" },
      { key: "role", label: "角色", render: (a) => roleName(a.role) },
      { key: "community", label: "社区" },
      { key: "department", label: "部门", render: (a) => codeName("department_code", a.department) },
      { key: "active", label: "状态", render: (a) => (a.active ? badge("启用", "ok") : badge("已停用", "bad")) },
      { key: "last_login_at", label: "最近登录", render: (a) => formatDateTime(a.last_login_at) },
      { key: "id", label: "操作", render: (a) => h("div", { class: "actions" },
        h("button", { type: "button", onclick: async () => {
          const updated = await openAction({ params: { account_id: a.id } }, "accounts.update",
            `修改账号 ${a.username}`, {
              hints: { ...hints, password: { label: "重置密码(不改请留空)", help: hints.password.help } },
              values: { name: a.name, role: a.role, community: a.community, department: a.department,
                volunteer: a.volunteer, whole_street: a.whole_street, active: a.active },
              submitLabel: "保存",
            });
          if (updated) refresh();
        } }, "修改"),
        h("button", { type: "button", class: a.active ? "danger" : "", onclick: async () => {
          const ok = await confirmSheet(a.active ? "停用账号" : "启用账号",
            a.active ? `停用后 ${a.name}(${a.username})将无法登录,已登录的会话立即失效。` : `恢复 ${a.name} 的登录。`);
          if (!ok) return;
          try {
            await call("accounts.update", { account_id: a.id }, { active: !a.active });
            toast(a.active ? "已停用" : "已启用", "ok");
            refresh();
          } catch (error) {
            toast(error.message, "error");
          }
        } }, a.active ? "停用" : "启用")) },
    ],
  });
}

// --- Open311 keys ---------------------------------------------------------------------------

async function keysPage(main, ctx) {
  const refresh = () => renderCurrent();
  await listPage(main, ctx, {
    title: "Open311 接口密钥",
    intro: h("p", { class: "help" }, "外部系统(12345 热线、城市平台、Open311 客户端)用接口密钥提交问题。",
      "密钥只在创建时显示一次,系统只保存其摘要;遗失请吊销后重新创建。"),
    op: "api_keys.list",
    toolbar: may("api_keys.create") ? [h("button", { type: "button", class: "primary", id: "new-key",
      onclick: async () => {
        const created = await openAction({ params: {} }, "api_keys.create", "新建接口密钥",
          { labels: { name: "使用方名称" }, submitLabel: "创建" });
        if (!created) return;
        await showKeyOnce(created);
        refresh();
      } }, "＋ 新建密钥")] : [],
    idOf: (k) => k.id,
    columns: [
      { key: "name", label: "使用方" },
      { key: "prefix", label: "密钥前缀", render: (k) => `${k.prefix}…` },
      { key: "created_at", label: "创建时间", render: (k) => formatDateTime(k.created_at) },
      { key: "created_by.name", label: "创建人", render: (k) => k.created_by?.name || "" },
      { key: "revoked_at", label: "状态", render: (k) => (k.revoked_at
        ? badge(`已吊销 ${formatDateTime(k.revoked_at)}`, "bad") : badge("有效", "ok")) },
      { key: "id", label: "操作", render: (k) => (k.revoked_at || !may("api_keys.revoke") ? "" :
        h("button", { type: "button", class: "danger", onclick: async () => {
          const ok = await confirmSheet("吊销密钥", `吊销后“${k.name}”将无法再用此密钥提交问题。`, "吊销");
          if (!ok) return;
          try {
            await call("api_keys.revoke", { key_id: k.id });
            toast("已吊销", "ok");
            refresh();
          } catch (error) {
            toast(error.message, "error");
          }
        } }, "吊销")) },
    ],
  });
}

function showKeyOnce(created) {
  return openSheet("密钥已创建", (close) => {
    const copy = h("button", { type: "button", onclick: async () => {
      try {
        await navigator.clipboard.writeText(created.key);
        toast("已复制", "ok");
      } catch (error) {
        toast("请长按或选中密钥手动复制", "info");
      }
    } }, "复制");
    return [
      h("div", { class: "alert info" }, "这是唯一一次显示完整密钥,请立即复制并交给使用方。关闭后无法再次查看。"),
      kv([["使用方", created.name]]),
      h("p", { class: "secret", id: "new-key-value" }, created.key),
      h("div", { class: "form-actions" }, copy,
        h("button", { type: "button", class: "primary", onclick: () => close(true) }, "我已保存,关闭")),
    ];
  });
}

// --- audit log ------------------------------------------------------------------------------

/** The audit log's filters choose an action and a person by name, not by id. */
async function auditHints() {
  const actions = allOperations().filter((op) => op.method !== "GET" || /reveal|contact|phone/.test(op.id))
    .map((op) => ({ value: op.id, label: op.name }))
    .sort((a, b) => a.label.localeCompare(b.label, "zh-CN"));
  actions.push({ value: "open311.requests.create", label: "Open311 · 提交问题" });
  const hints = { action: { kind: "select", options: actions, emptyLabel: "全部操作" } };
  try {
    const accounts = await call("accounts.list", {}, {});
    const people = (Array.isArray(accounts) ? accounts : accounts.items || [])
      .map((a) => ({ value: a.id, label: `${a.name}(${a.username})` }));
    hints.actor_id = { kind: "select", options: people, emptyLabel: "全部人员" };
  } catch (error) {
    // Without the list of accounts the filter stays a box for an account's id.
  }
  return hints;
}

async function auditPage(main, ctx) {
  const hints = await auditHints();
  await listPage(main, ctx, {
    title: "审计日志",
    intro: h("p", { class: "help" }, "记录所有变更操作(含被拒绝的尝试和登录失败)、Open311 提交和明文个人信息的查看:谁、何时、从何处、做了什么、结果如何。"),
    op: "audit.list",
    filters: { only: ["action", "actor_id", "method", "refused", "outcome", "status", "since", "until"],
      hints, labels: { actor_id: "操作人", refused: "只看被拒绝或失败的",
        outcome: "结果代码(如 FORBIDDEN)", status: "HTTP 状态" } },
    columns: [
      { key: "at", label: "时间", render: (e) => formatDateTime(e.at) },
      { key: "actor.name", label: "操作人",
        render: (e) => e.actor?.name || (e.username ? `(登录:${e.username})` : "(未登录)") },
      { key: "actor.role", label: "角色", render: (e) => roleName(e.actor?.role) },
      { key: "action_name", label: "操作" },
      { key: "path", label: "路径" },
      { key: "status", label: "结果", render: (e) => badge(`${e.status ?? ""} ${e.outcome ?? ""}`.trim(),
        e.status && e.status < 300 ? "ok" : "bad") },
      { key: "address", label: "来源地址" },
    ],
  });
}

// --- work-order settings --------------------------------------------------------------------

async function settingsPage(main) {
  mount(main, h("h1", {}, "工单设置"));
  // Departments by name, inactive ones too, for the categories' default departments.
  await api.get("/api/repair/departments").then((found) => learnCodes("department_code",
    Object.fromEntries((found.items || []).map((d) => [d.code, d.name])))).catch(() => null);
  const categories = h("div", {});
  const departments = h("div", {});
  const communities = h("div", {});
  const calendar = h("div", {});
  main.append(section("问题类别与办理时限", categories), section("承办部门", departments),
    section("社区", communities), section("工作日历", calendar));

  await loadInto(categories, () => api.get("/api/repair/categories"), (result) => {
    mount(categories, table(result.items, { columns: [
      { key: "name", label: "类别" }, { key: "description", label: "说明" },
      { key: "deadline_days", label: "办理时限(工作日)" },
      { key: "default_department", label: "默认部门", render: (c) => codeName("department_code", c.default_department) },
    ] }), may("repair.set_deadline") ? h("div", { class: "toolbar" }, h("button", { type: "button",
      onclick: async () => { if (await openAction({ params: {} }, "repair.set_deadline", "设置办理时限", {})) settingsPage(main); },
    }, "设置办理时限")) : null);
  });
  await loadInto(departments, () => api.get("/api/repair/departments"), (result) => {
    mount(departments, table(result.items, { columns: [
      { key: "name", label: "名称" }, { key: "code", label: "编码" },
      { key: "categories", label: "负责类别",
        render: (d) => (d.categories || []).map((c) => codeName("category", c)).join("、") },
      { key: "phone", label: "电话" }, { key: "active", label: "启用" },
    ] }), may("repair.save_department") ? h("div", { class: "toolbar" }, h("button", { type: "button",
      onclick: async () => { if (await openAction({ params: {} }, "repair.save_department", "新建或修改承办部门", {
        note: "编码相同即修改该部门。" })) settingsPage(main); },
    }, "新建或修改部门")) : null);
  });
  await loadInto(communities, () => api.get("/api/repair/communities"), (result) => {
    mount(communities, table(result.items, { columns: [
      { key: "name", label: "社区" },
      { key: "centre", label: "中心位置", render: (c) => (c.centre ? `${c.centre.lat}, ${c.centre.long}` : "") },
      { key: "alleys", label: "背街小巷", render: (c) => (c.alleys || []).join("、") },
    ], empty: "地名登记中没有社区。" }),
    h("p", { class: "help" }, "社区、巷道和街道范围由部署时的地名登记文件决定,不在此修改。"));
  });
  await loadInto(calendar, () => api.get("/api/repair/calendar"), (whole) => {
    // This year's and next year's dates; the other years keep the statutory calendar.
    const year = new Date().getFullYear();
    const near = (dates) => (dates || []).filter((d) => [year, year + 1].includes(Number(d.slice(0, 4))));
    const result = { holidays: near(whole.holidays), extra_workdays: near(whole.extra_workdays) };
    mount(calendar, kv([["节假日", result.holidays.join("、") || "未设置"],
      ["调休上班日", result.extra_workdays.join("、") || "未设置"]]),
    h("p", { class: "help" }, `默认为国家法定节假日和调休安排;修改后以本街道设置的日期为准(按年份),其他年份仍按国家安排。`),
    may("repair.set_calendar") ? h("div", { class: "toolbar" }, h("button", { type: "button",
      onclick: async () => { if (await openAction({ params: {} }, "repair.set_calendar", "设置工作日历", {
        values: result, hints: { holidays: { placeholder: "每行一个日期,如 2026-10-01" },
          extra_workdays: { placeholder: "每行一个日期,如 2026-10-11" } } })) settingsPage(main); },
    }, "设置工作日历")) : null);
  });
}

// --- health -----------------------------------------------------------------------------------

const SERVICE_NAMES = { repair: "工单服务", activity: "活动服务", volunteer: "志愿服务", job: "就业服务" };

async function healthPage(main) {
  mount(main, h("h1", {}, "系统状态"));
  const box = h("div", {});
  main.append(box);
  await loadInto(box, () => api.get("/api/health"), (result) => {
    mount(box,
      h("p", {}, "总体:", result.status === "ok" ? badge("正常", "ok") : badge("部分服务异常", "bad")),
      table(Object.entries(result.services || {}).map(([name, r]) => ({ name, ...r })), { columns: [
        { key: "name", label: "服务", render: (r) => SERVICE_NAMES[r.name] || r.name },
        { key: "status", label: "状态", render: (r) => (r.status === "ok" ? badge("正常", "ok") : badge(r.status, "bad")) },
        { key: "database", label: "数据库", render: (r) => (r.database ? (r.database.ok ? "正常" : "异常") : "") },
        { key: "outbox", label: "待发布事件", render: (r) => r.database?.outbox_backlog ?? "" },
        { key: "transactions", label: "事务(重试)", render: (r) => (r.database?.transactions ? `${r.database.transactions.run}(${r.database.transactions.retried})` : "") },
        { key: "broker", label: "消息队列", render: (r) => (r.broker ? (r.broker.ok ? "正常" : "异常") : "") },
        { key: "dead", label: "死信", render: (r) => r.broker?.dead_letters ?? "" },
        { key: "error", label: "说明", render: (r) => r.error || "" },
      ] }));
  });
}

