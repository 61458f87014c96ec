// 社区生活 on the resident site: activities near them, volunteering, jobs matched to them.
// Everything here is the signed-in resident's own; others appear masked or not at all.
import { call, el, local, show, toast } from "./common.js";

const SKILLS = { elderly_care: "为老服务", child_care: "关爱少儿", first_aid: "应急救护",
  teaching: "教育辅导", repair: "维修服务", publicity: "文明宣传", environment: "环境整治",
  digital: "信息技术", arts: "文体艺术", visiting: "走访回访" };
const HOURS = { school_hours: "孩子上学时段(工作日 8:30–16:00)", mornings: "上午",
  afternoons: "下午", weekdays_daytime: "工作日白天", weekends: "周末" };

async function communities() {
  return (await call("GET", "/places")).communities.map((c) => c.name);
}

function select(name, options, chosen) {
  return el("select", { name }, Object.entries(options).map(([v, t]) =>
    el("option", { value: v, selected: v === chosen ? "selected" : null }, t)));
}

function attempt(action) {
  return async (event) => {
    event?.preventDefault();
    try { await action(); } catch (error) { toast(error.message); }
  };
}

// --- activities ---------------------------------------------------------------------------

export async function activities() {
  const names = await communities();
  const chosen = localStorage.getItem("xiuhua.community") || "";
  const community = select("community", { "": "全部社区", ...Object.fromEntries(names.map((n) => [n, n])) }, chosen);
  community.addEventListener("change", () => { localStorage.setItem("xiuhua.community", community.value); activities(); });
  const [near, mine] = await Promise.all([
    call("GET", "/activities" + (chosen ? "?community=" + encodeURIComponent(chosen) : "")),
    call("GET", "/my/registrations")]);
  const held = new Set(mine.items.filter((r) => r.can_cancel).map((r) => r.activity.activity_id));
  const list = near.items.length ? el("ul", { class: "cards", id: "activity-list" }, near.items.map((a) => el("li", { "data-id": a.activity_id },
    el("strong", {}, a.title), el("p", {}, `${local(a.starts_at)} · ${a.community}${a.place ? " · " + a.place : ""}`),
    el("p", {}, a.capacity === null ? "不限名额" : `剩余名额 ${a.places_left}/${a.capacity}`),
    held.has(a.activity_id) ? el("p", { class: "state" }, "已报名")
      : el("button", { class: "register", onclick: attempt(async () => {
        const made = await call("POST", `/activities/${a.activity_id}/registrations`, {});
        toast(made.status === "waitlisted" ? "名额已满,已为您候补" : "报名成功");
        activities();
      }) }, "报名")))) : el("p", {}, "近期暂无可报名的活动");
  show(el("section", {}, el("h2", {}, "附近活动"), el("label", {}, "社区"), community, list),
    el("section", { id: "my-registrations" }, el("h2", {}, "我的报名"), mine.items.length
      ? el("ul", { class: "cards" }, mine.items.map(registration)) : el("p", {}, "暂无报名")));
}

function registration(r) {
  const parts = [el("strong", {}, r.activity?.title || ""), el("p", {}, `${local(r.activity?.starts_at)} · ${r.status_name}` +
    (r.waitlist_position ? `(候补第 ${r.waitlist_position} 位)` : ""))];
  if (r.status === "registered" && !r.checked_in_at) {
    parts.push(el("p", {}, "签到码(到场出示):"), el("p", { class: "code" }, r.code));
  }
  if (r.checked_in_at) parts.push(el("p", {}, "已签到 " + local(r.checked_in_at)));
  if (r.can_cancel) {
    parts.push(el("button", { class: "secondary", onclick: attempt(async () => {
      if (!confirm("确定取消报名?")) return;
      await call("POST", `/my/registrations/${r.registration_id}/cancel`, {});
      toast("已取消报名"); activities();
    }) }, "取消报名"));
  }
  return el("li", { "data-registration": r.registration_id }, parts);
}

// --- volunteering -------------------------------------------------------------------------

export async function volunteering() {
  const mine = await call("GET", "/my/volunteering");
  if (!mine.volunteer) return show(await volunteerForm());
  const v = mine.volunteer;
  const parts = [el("h2", {}, "我的志愿服务"), el("p", { class: "state", id: "volunteer-state" }, v.state_name),
    el("p", {}, `${v.name} · ${v.community}${v.team_name ? " · " + v.team_name : ""}`),
    el("p", {}, `累计服务时长 `, el("strong", { id: "volunteer-hours" }, String(mine.hours?.total_hours ?? v.total_hours)), " 小时 · ",
      `${v.services} 次 · ${v.star_name}`)];
  if (mine.hours?.next_star) parts.push(el("p", {}, `再服务 ${mine.hours.next_star.remaining} 小时可评为${mine.hours.next_star.name}`));
  const certificates = mine.certificates.length ? el("ul", { class: "cards", id: "certificates" }, mine.certificates.map((c) =>
    el("li", {}, el("strong", {}, c.number), el("p", {}, `${c.issuer} · ${c.from_date} 至 ${c.to_date} · ${c.total_hours} 小时 · ${c.state_name}`),
      el("a", { href: c.url, target: "_blank" }, "查看证明")))) : el("p", {}, "暂无证明。服务时长由组织单位记录,可向其申请出具。");
  show(el("section", {}, parts), el("section", {}, el("h2", {}, "志愿服务记录证明"), certificates));
}

async function volunteerForm() {
  const names = await communities();
  const name = el("input", { name: "name", maxlength: 30 });
  const community = el("select", { name: "community" }, names.map((n) => el("option", { value: n }, n)));
  const idNumber = el("input", { name: "id_number", maxlength: 18, autocomplete: "off" });
  const skills = Object.entries(SKILLS).map(([v, t]) => el("label", { class: "check" }, el("input", { type: "checkbox", value: v }), t));
  const introduction = el("textarea", { name: "introduction", rows: 2, placeholder: "想参加哪些服务(选填)" });
  return el("section", {}, el("h2", {}, "申请成为志愿者"),
    el("p", {}, "身份证号加密保存,仅显示部分号码;社区审核通过后即可报名志愿服务。"),
    el("form", { id: "volunteer-form", onsubmit: attempt(async () => {
      await call("POST", "/my/volunteering", { name: name.value.trim(), community: community.value,
        id_number: idNumber.value.trim(), introduction: introduction.value || null,
        skills: skills.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value) });
      toast("申请已提交,等待社区审核"); volunteering();
    }) }, el("label", {}, "姓名"), name, el("label", {}, "所在社区"), community, el("label", {}, "身份证号"), idNumber,
      el("label", {}, "特长"), el("div", { class: "checks" }, skills), el("label", {}, "自我介绍"), introduction,
      el("button", { type: "submit" }, "提交申请")));
}

// --- jobs ---------------------------------------------------------------------------------

export async function jobs() {
  const [found, applied] = await Promise.all([call("GET", "/my/job-matches"), call("GET", "/my/job-applications")]);
  const profile = await seekerForm(found.seeker);
  if (!found.seeker) return show(profile);
  const done = new Set(applied.items.map((a) => a.posting_id));
  const matches = found.items.length ? el("ul", { class: "cards", id: "job-matches" }, found.items.map((m) => el("li", { "data-id": m.posting.posting_id },
    el("strong", {}, m.posting.title), el("span", { class: "score" }, ` 匹配度 ${Math.round(m.score)}`),
    el("p", {}, `${m.posting.employer_name} · ${m.posting.salary_text || "薪资面议"}` +
      (m.distance_km === null ? "" : ` · 距家 ${m.distance_km} 公里`)),
    el("p", {}, m.posting.hours_flexible ? "弹性工时" : m.posting.work_schedule_text || ""),
    el("ul", { class: "reasons" }, m.reasons.map((r) => el("li", {}, r))),
    done.has(m.posting.posting_id) ? el("p", { class: "state" }, "已申请")
      : el("button", { class: "apply", onclick: attempt(async () => {
        await call("POST", "/my/job-applications", { posting_id: m.posting.posting_id });
        toast("已申请,社区就业服务站会与您联系"); jobs();
      }) }, "申请")))) : el("p", {}, "暂无合适的岗位,可调整求职登记");
  show(el("section", {}, el("h2", {}, "为您匹配的岗位"), el("p", {}, "按工作时间、离家距离、技能和薪资匹配。"), matches),
    el("section", { id: "my-applications" }, el("h2", {}, "我的申请"), applied.items.length
      ? el("ul", { class: "cards" }, applied.items.map((a) => el("li", {}, el("strong", {}, a.title),
        el("p", {}, `${a.employer_name} · ${a.state_name} · ${local(a.applied_at)}`)))) : el("p", {}, "暂无申请")),
    el("details", {}, el("summary", {}, "修改求职登记"), profile));
}

async function seekerForm(seeker) {
  const names = await communities();
  const name = el("input", { name: "name", maxlength: 30, value: seeker?.name || "" });
  const community = el("select", { name: "community" }, names.map((n) =>
    el("option", { value: n, selected: n === seeker?.community ? "selected" : null }, n)));
  const hours = select("hours_preset", HOURS, "school_hours");
  const distance = el("input", { name: "max_distance_km", type: "number", min: 0.5, step: 0.5, value: seeker?.max_distance_km ?? 3 });
  const pay = el("input", { name: "expected_monthly_pay", type: "number", min: 0, step: 100, value: seeker?.expected_monthly_pay ?? "" });
  let home = seeker?.home_location || null;
  const where = el("span", {}, home ? "已记录家的位置" : "");
  const locate = el("button", { type: "button", class: "secondary", onclick: () => {
    navigator.geolocation?.getCurrentPosition((p) => {
      home = { lat: +p.coords.latitude.toFixed(5), long: +p.coords.longitude.toFixed(5) };
      where.textContent = "已记录家的位置";
    }, () => toast("无法获取位置,将按所在社区匹配"));
  } }, "在家时点此记录位置");
  const consent = el("input", { type: "checkbox", name: "consent", checked: seeker ? "checked" : null });
  return el("section", {}, el("h2", {}, seeker ? "求职登记" : "家门口就业:先做求职登记"),
    el("form", { id: "seeker-form", onsubmit: attempt(async () => {
      await call("PUT", "/my/job-seeker", { name: name.value.trim(), community: community.value,
        hours_preset: hours.value, max_distance_km: Number(distance.value) || null,
        expected_monthly_pay: pay.value === "" ? null : Number(pay.value), home_location: home,
        consent: consent.checked });
      toast("求职登记已保存"); jobs();
    }) }, el("label", {}, "姓名"), name, el("label", {}, "所在社区"), community,
      el("label", {}, "能工作的时间"), hours, el("label", {}, "最远离家(公里)"), distance,
      el("label", {}, "期望月收入(元)"), pay, locate, where,
      el("label", { class: "check" }, consent, "我同意社区就业服务站使用以上信息为我匹配岗位"),
      el("button", { type: "submit" }, "保存并匹配")));
}
