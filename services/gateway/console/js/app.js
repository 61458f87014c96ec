// The console's entry point: read what the API offers, find out who is signed in, draw the
// menu for their role and hand the page to the router.

import { onSignedOut } from "./api.js";
import { loadCatalog } from "./catalog.js";
import { h, mount } from "./dom.js";
import { href, navigate, renderCurrent, route, start, beforeRender } from "./router.js";
import { may, roleName } from "./roles.js";
import { account, forget, restore, signOut } from "./session.js";
import { toast } from "./ui.js";
import { loginPage, passwordPage } from "./pages/login.js";
import { dashboardPage } from "./pages/dashboard.js";
import { registerWorkOrderPages } from "./pages/work-orders.js";
import { registerAdminPages } from "./pages/admin.js";
import { registerActivityPages } from "./pages/activities.js";
import { registerVolunteerPages } from "./pages/volunteers.js";
import { registerJobPages } from "./pages/jobs.js";
import { registerReportPages } from "./pages/reports.js";
import { importableKinds, registerImportPages } from "./pages/imports.js";
import { registerMapPages } from "./pages/map.js";
import { registerTodoPages } from "./pages/todo.js";
import { registerNotificationPages } from "./pages/notifications.js";

// The menu: an entry shows only when its route exists and the signed-in role may use it.
const MENU = [
  { group: "工作台", items: [
    { path: "/dashboard", label: "数据看板", visible: () => DASHBOARD_OPS.some(may) },
    { path: "/todo", label: "我的待办", op: "todo.get" },
  ] },
  { group: "背街小巷", items: [
    { path: "/work-orders", label: "工单", op: "work_orders.list" },
    { path: "/work-orders/new", label: "上报问题", op: "work_orders.report" },
    { path: "/map", label: "工单地图", op: "places.map", visible: () => may("work_orders.list") && may("places.map") },
  ] },
  { group: "文明实践", items: [
    { path: "/activities", label: "主题活动", op: "activities.list" },
    { path: "/check-in", label: "报名与签到", op: "activities.check_in" },
    { path: "/exemplars", label: "先进典型", op: "exemplars.list" },
    { path: "/venues", label: "场地与功能室", op: "venues.list" },
  ] },
  { group: "志愿服务", items: [
    { path: "/me", label: "我的志愿者档案", visible: () => account()?.role === "volunteer" && Boolean(account().volunteer) },
    { path: "/open-shifts", label: "可报名岗位", op: "shifts.open" },
    { path: "/volunteers", label: "志愿者", op: "volunteers.list" },
    { path: "/shifts", label: "服务岗位", op: "shifts.list" },
    { path: "/hours", label: "服务时长", op: "ledger.list" },
    { path: "/corrections", label: "时长更正", op: "corrections.list" },
    { path: "/certificates", label: "服务证明", op: "certificates.list" },
  ] },
  { group: "一走四送", items: [
    { path: "/employers", label: "用工单位", op: "employers.list" },
    { path: "/visits", label: "走访记录", op: "visits.list" },
    { path: "/postings", label: "用工信息", op: "job_postings.list" },
    { path: "/seekers", label: "求职人员与匹配", op: "job_seekers.list" },
    { path: "/applications", label: "求职报名", op: "applications.list" },
    { path: "/placements", label: "就业安置", op: "placements.list" },
    { path: "/employer-notifications", label: "待告知单位", op: "employer_notifications.list" },
  ] },
  { group: "统计报表", items: [
    { path: "/reports", label: "工作报表", op: "reports.office" },
  ] },
  { group: "数据导入", items: [
    { path: "/imports", label: "批量导入", visible: () => importableKinds().length > 0 },
  ] },
  { group: "系统管理", items: [
    { path: "/admin/accounts", label: "账号管理", op: "accounts.list" },
    { path: "/admin/keys", label: "Open311 接口密钥", op: "api_keys.list" },
    { path: "/admin/audit", label: "审计日志", op: "audit.list" },
    { path: "/admin/settings", label: "工单设置", op: "repair.save_department" },
    { path: "/admin/health", label: "系统状态", op: "system.health" },
  ] },
  { group: "通知", items: [
    { path: "/notifications/messages", label: "通知发送记录", op: "notifications.messages" },
    { path: "/notifications/callbacks", label: "12345 回传", op: "notifications.hotline_callbacks" },
    { path: "/notifications/mailbox", label: "消息记录", op: "notifications.dev_messages" },
  ] },
  { group: "我的", items: [
    { path: "/password", label: "修改密码", op: "session.password" },
  ] },
];

export const DASHBOARD_OPS = ["work_orders.statistics", "activities.statistics",
  "volunteers.statistics", "jobs.statistics"];

function visible(item) {
  return item.visible ? item.visible() : may(item.op);
}

/** The first page this person may open: the dashboard, else their first menu entry. */
export function landing() {
  for (const group of MENU) {
    for (const item of group.items) if (item.path && visible(item)) return item.path;
  }
  return "/password";
}

function drawChrome() {
  const me = account();
  const nav = document.getElementById("nav");
  const toggle = document.getElementById("menu-toggle");
  const who = document.getElementById("who");
  if (!me) {
    nav.hidden = true;
    toggle.hidden = true;
    mount(who);
    return;
  }
  nav.hidden = false;
  toggle.hidden = false;
  mount(nav, MENU.map((group) => {
    const items = group.items.filter(visible);
    if (!items.length) return null;
    return [h("h4", {}, group.group), items.map((item) =>
      h("a", { href: href(item.path), dataset: { path: item.path } }, item.label))];
  }));
  mount(who,
    h("span", { class: "name" }, me.name),
    h("span", { class: "role" }, roleName(me.role) + (me.community ? ` · ${me.community}` : "")),
    h("button", { type: "button", id: "logout", onclick: logout }, "退出"));
}

async function logout() {
  try {
    await signOut();
  } catch (error) {
    // Signing out of a session that already ended is still signing out.
  }
  drawChrome();
  navigate("/login");
}

function highlight(path) {
  const nav = document.getElementById("nav");
  nav.classList.remove("open");
  document.getElementById("menu-toggle").setAttribute("aria-expanded", "false");
  let best = null;
  for (const link of nav.querySelectorAll("a[data-path]")) {
    link.classList.remove("active");
    const p = link.dataset.path;
    if ((path === p || path.startsWith(p + "/")) && (!best || p.length > best.dataset.path.length)) best = link;
  }
  if (best) best.classList.add("active");
}

/** Pages that need a session send anyone without one to the sign-in page. */
export function guarded(render) {
  return async (main, ctx) => {
    if (!account()) {
      sessionStorage.setItem("xiuhua.after-login", location.hash);
      navigate("/login");
      return;
    }
    await render(main, ctx);
  };
}

async function boot() {
  const main = document.getElementById("main");
  try {
    await loadCatalog();
    await restore();
  } catch (error) {
    mount(main, h("div", { class: "form-error" }, `系统暂时无法访问:${error.message}`));
    return;
  }
  onSignedOut(() => {
    if (!account()) return;
    forget();
    document.querySelectorAll("dialog").forEach((d) => d.remove());
    toast("登录已过期,请重新登录", "error");
    drawChrome();
    sessionStorage.setItem("xiuhua.after-login", location.hash);
    navigate("/login");
  });
  document.getElementById("menu-toggle").addEventListener("click", (event) => {
    const nav = document.getElementById("nav");
    const open = nav.classList.toggle("open");
    event.currentTarget.setAttribute("aria-expanded", String(open));
  });

  route("/login", (el) => loginPage(el, {
    onSignedIn() {
      drawChrome();
      const back = sessionStorage.getItem("xiuhua.after-login");
      sessionStorage.removeItem("xiuhua.after-login");
      const target = back && !back.startsWith("#/login") ? back.slice(1) : landing();
      navigate(...splitTarget(target));
    },
  }));
  route("/password", guarded((el) => passwordPage(el, {
    onChanged() {
      // A new password ends every session of the account, this one included.
      forget();
      drawChrome();
      navigate("/login");
    },
  })));
  route("/dashboard", guarded(dashboardPage));
  registerWorkOrderPages(route, guarded);
  registerAdminPages(route, guarded);
  registerActivityPages(route, guarded);
  registerVolunteerPages(route, guarded);
  registerJobPages(route, guarded);
  registerReportPages(route, guarded);
  registerImportPages(route, guarded);
  registerMapPages(route, guarded);
  registerNotificationPages(route, guarded);
  registerTodoPages(route, guarded);
  route("/", guarded(() => navigate(landing())));
  route("*", guarded((el) => mount(el, h("h1", {}, "页面不存在"),
    h("p", {}, h("a", { href: href(landing()) }, "返回首页")))));

  beforeRender(highlight);
  drawChrome();
  await start();
}

function splitTarget(target) {
  const [path, search = ""] = target.split("?");
  return [path, new URLSearchParams(search)];
}

export { renderCurrent };

boot();
