// 居民端: reading needs no sign-in; acting needs a phone number and a one-time code.
import { call, el, local, readFile, show, toast } from "./common.js";
import { activities, jobs, volunteering } from "./life.js";
import { notificationSettings } from "./settings.js";
const CATEGORIES = { road_surface: "路面破损", manhole_cover: "井盖破损", street_light: "路灯故障",
  waterlogging: "道路积水", parking: "车辆乱停", greenery: "绿化养护", other: "其他问题" };
const RATINGS = { satisfied: "满意", basically_satisfied: "基本满意", dissatisfied: "不满意" };
let me = null;

async function whoAmI() {
  try { me = (await call("GET", "/session")).resident; } catch { me = null; }
  document.getElementById("who").textContent = me ? me.phone_masked : "";
}

function home() {
  const number = el("input", { name: "number", placeholder: "如 WO202611280001" });
  show(
    el("section", { class: "links" }, el("h2", {}, "上报问题"), el("p", {}, "路灯不亮、井盖破损、路面坑洼……拍照上报,社区及时处理。"),
      el("button", { id: "go-report", onclick: () => { location.hash = me ? "#/report" : "#/sign-in"; } }, "我要上报"),
      el("a", { class: "button", href: "#/mine", id: "go-mine" }, "我的报修")),
    el("section", { class: "links" }, el("h2", {}, "社区生活"),
      el("a", { class: "button", href: "#/activities", id: "go-activities" }, "附近活动 · 报名签到"),
      el("a", { class: "button", href: "#/volunteer", id: "go-volunteer" }, "志愿服务 · 时长证明"),
      el("a", { class: "button", href: "#/jobs", id: "go-jobs" }, "家门口就业 · 岗位匹配"),
      el("a", { class: "button", href: "#/notifications", id: "go-notifications" }, "消息设置 · 免打扰")),
    el("section", {}, el("h2", {}, "查询办理进度"), el("label", {}, "工单号"), number,
      el("button", { class: "secondary", onclick: () => { if (number.value.trim()) location.hash = "#/order/" + number.value.trim(); } }, "查询")));
}

function signIn() {
  const phone = el("input", { name: "phone", type: "tel", inputmode: "numeric", maxlength: 11, placeholder: "11 位手机号" });
  const code = el("input", { name: "code", inputmode: "numeric", maxlength: 6, placeholder: "6 位验证码" });
  const send = el("button", { type: "button", class: "secondary", id: "send-code", onclick: async () => {
    try { await call("POST", "/sign-in/code", { phone: phone.value.trim() }); toast("验证码已发送"); }
    catch (error) { toast(error.message); }
  } }, "获取验证码");
  const form = el("form", { onsubmit: async (event) => {
    event.preventDefault();
    try {
      await call("POST", "/sign-in", { phone: phone.value.trim(), code: code.value.trim() });
      await whoAmI();
      location.hash = "#" + (sessionStorage.getItem("xiuhua.after") || "/report");
      sessionStorage.removeItem("xiuhua.after");
    } catch (error) { toast(error.message); }
  } }, el("label", {}, "手机号"), phone, send, el("label", {}, "验证码"), code,
    el("button", { type: "submit" }, "登录"));
  show(el("section", {}, el("h2", {}, "手机号登录"), el("p", {}, "无需密码。您的手机号只用于通知您办理进度。"), form));
}

async function report() {
  if (!me) { location.hash = "#/sign-in"; return; }
  const places = await call("GET", "/places");
  const category = el("select", { name: "category" }, Object.entries(CATEGORIES).map(([v, t]) => el("option", { value: v }, t)));
  const community = el("select", { name: "community" }, places.communities.map((c) => el("option", { value: c.name }, c.name)));
  const alley = el("select", { name: "alley" });
  const fillAlleys = () => alley.replaceChildren(el("option", { value: "" }, "(不选)"),
    ...places.alleys.filter((a) => a.community === community.value).map((a) => el("option", { value: a.name }, a.name)));
  community.addEventListener("change", fillAlleys); fillAlleys();
  const address = el("input", { name: "address", placeholder: "如 3 号楼东侧" });
  const description = el("textarea", { name: "description", rows: 3, placeholder: "请描述问题" });
  const photo = el("input", { name: "photo", type: "file", accept: "image/jpeg,image/png,image/webp", capture: "environment", multiple: true });
  let location_ = null;
  const where = el("span", {}, "");
  const locate = el("button", { type: "button", class: "secondary", onclick: () => {
    navigator.geolocation?.getCurrentPosition((p) => {
      location_ = { lat: +p.coords.latitude.toFixed(6), long: +p.coords.longitude.toFixed(6) };
      where.textContent = `已定位 ${location_.lat}, ${location_.long}`;
    }, () => toast("无法获取位置,请选择社区和巷道"));
  } }, "使用当前位置");
  const form = el("form", { onsubmit: async (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const photos = [];
      for (const file of photo.files) photos.push((await call("POST", "/photos", { content: await readFile(file), filename: file.name })).id);
      const order = await call("POST", "/work-orders", { category: category.value, community: community.value,
        alley: alley.value || null, address: address.value || null, description: description.value,
        location: location_, photos });
      location.hash = "#/order/" + order.number;
    } catch (error) { toast(error.message); submit.disabled = false; }
  } }, el("label", {}, "问题类别"), category, el("label", {}, "社区"), community, el("label", {}, "巷道"), alley,
    el("label", {}, "具体位置"), address, locate, where, el("label", {}, "问题描述"), description,
    el("label", {}, "照片(可拍照)"), photo, el("button", { type: "submit" }, "提交上报"));
  show(el("section", {}, el("h2", {}, "上报问题"), form),
    el("section", { class: "links" }, el("a", { class: "button", href: "#/mine" }, "我的报修")));
}

// 我的报修: from the server, so a new phone or a cleared browser shows them all the same.
async function mine() {
  localStorage.removeItem("xiuhua.orders");  // the list this device used to keep
  const list = el("ul", { class: "cards", id: "my-orders" });
  const more = el("button", { type: "button", class: "secondary", id: "more-orders", hidden: true }, "加载更多");
  const section = el("section", {}, el("h2", {}, "我的报修"), list, more);
  let cursor = null;
  async function load() {
    more.disabled = true;
    try {
      const page = await call("GET", "/my/work-orders" + (cursor ? "?cursor=" + encodeURIComponent(cursor) : ""));
      list.append(...page.items.map(myOrder));
      if (!list.children.length) section.replaceChildren(el("h2", {}, "我的报修"), el("p", {}, "您还没有上报过问题"));
      cursor = page.next_cursor;
      more.hidden = !page.has_more;
    } catch (error) { toast(error.message); }
    more.disabled = false;
  }
  more.addEventListener("click", load);
  show(section);
  await load();
}

function myOrder(o) {
  return el("li", { "data-number": o.number },
    el("p", {}, el("a", { href: "#/order/" + o.number }, o.number), " ", el("strong", {}, o.state_name)),
    el("p", {}, `${o.category_name} · ${o.community}${o.alley ? " · " + o.alley : ""}`),
    el("p", {}, o.description.length > 60 ? o.description.slice(0, 60) + "…" : o.description),
    el("p", {}, `${local(o.reported_at)} 上报`),
    o.rating_name ? el("p", {}, "您的评价:" + o.rating_name) : "",
    o.can_rate ? el("p", {}, el("a", { href: "#/order/" + o.number }, "去评价")) : "");
}

async function order(number) {
  let data;
  try { data = me ? await call("GET", "/my/work-orders/" + encodeURIComponent(number)) : null; } catch { data = null; }
  try { data = data || await call("GET", "/work-orders/" + encodeURIComponent(number)); }
  catch (error) { show(el("section", {}, el("p", { class: "error" }, error.message))); return; }
  const parts = [el("h2", {}, "工单 ", el("span", { id: "order-number" }, data.number)),
    el("p", { class: "state", id: "order-state" }, data.state_name),
    el("p", {}, `${data.category_name} · ${data.community}${data.alley ? " · " + data.alley : ""}`)];
  if (data.department_name) parts.push(el("p", {}, "承办部门:" + data.department_name));
  if (data.result_note) parts.push(el("p", {}, "办理结果:" + data.result_note));
  if (data.photos?.length) parts.push(el("div", { class: "photos" }, data.photos.map((p) =>
    el("a", { href: p.url, target: "_blank" }, el("img", { src: p.thumbnail_url, alt: p.stage_name })))));
  parts.push(el("ul", { class: "steps" }, data.steps.map((s) => el("li", {}, `${local(s.at)} ${s.action_name}`))));
  const sections = [el("section", {}, parts)];
  if (data.rating) sections.push(el("section", { id: "rating" }, el("p", {}, "您的评价:" + data.rating.result_name)));
  if (data.can_rate) sections.push(rateForm(number));
  show(...sections);
}

function rateForm(number) {
  const result = el("select", { name: "result" }, Object.entries(RATINGS).map(([v, t]) => el("option", { value: v }, t)));
  const note = el("textarea", { name: "note", rows: 2, placeholder: "说说您的看法(选填)" });
  return el("section", {}, el("h2", {}, "评价办理结果"), el("form", { id: "rate", onsubmit: async (event) => {
    event.preventDefault();
    try { await call("POST", `/my/work-orders/${encodeURIComponent(number)}/rating`, { result: result.value, note: note.value || null });
      toast("感谢您的评价"); order(number); } catch (error) { toast(error.message); }
  } }, result, note, el("button", { type: "submit" }, "提交评价")));
}

async function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  if (hash === "/sign-in") return signIn();
  if (hash === "/report") return report();
  if (hash.startsWith("/order/")) return order(decodeURIComponent(hash.slice(7)));
  const pages = { "/mine": mine, "/activities": activities, "/volunteer": volunteering, "/jobs": jobs,
    "/notifications": notificationSettings };
  if (pages[hash]) {
    if (!me) { sessionStorage.setItem("xiuhua.after", hash); location.hash = "#/sign-in"; return; }
    return pages[hash]();
  }
  return home();
}

window.addEventListener("hashchange", route);
whoAmI().then(route);
