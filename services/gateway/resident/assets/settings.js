// 消息设置: which notices a signed-in resident is sent (by topic, or none at all) for the phone
// they signed in with, and the street's quiet hours. A sign-in code is always sent.
import { call, el, show, toast } from "./common.js";

export async function notificationSettings() {
  let prefs;
  try { prefs = await call("GET", "/me/notifications"); }
  catch (error) { show(el("section", {}, el("p", { class: "error" }, error.message))); return; }
  const all = el("input", { type: "checkbox", name: "opted_out", id: "opted-out" });
  all.checked = prefs.opted_out;
  const boxes = prefs.topics.map((topic) => {
    const box = el("input", { type: "checkbox", name: "topic", value: topic.code });
    box.checked = !prefs.topics_off.includes(topic.code);
    return box;
  });
  const toggle = () => boxes.forEach((box) => { box.disabled = all.checked; });
  all.addEventListener("change", toggle);
  toggle();
  const form = el("form", { id: "notification-settings", onsubmit: async (event) => {
    event.preventDefault();
    try {
      const topicsOff = boxes.filter((box) => !box.checked).map((box) => box.value);
      await call("PUT", "/me/notifications", { opted_out: all.checked, topics_off: topicsOff });
      toast("消息设置已保存");
      notificationSettings();
    } catch (error) { toast(error.message); }
  } },
    el("p", {}, "接收通知的手机号:" + prefs.address_masked),
    el("fieldset", {}, el("legend", {}, "接收以下通知"),
      prefs.topics.map((topic, i) => el("label", { class: "check" }, boxes[i], " " + topic.name))),
    el("label", { class: "check" }, all, " 不接收任何通知(登录验证码除外)"),
    el("button", { type: "submit" }, "保存设置"));
  const quiet = prefs.quiet_hours
    ? `每天 ${prefs.quiet_hours.start} 至 ${prefs.quiet_hours.end} 为免打扰时段:这段时间的通知会推迟到结束后发送,登录验证码不受影响。`
    : "本街道未设免打扰时段,通知随时发送。";
  show(el("section", {}, el("h2", {}, "消息设置"), form),
    el("section", {}, el("h2", {}, "免打扰时段"), el("p", { id: "quiet-hours" }, quiet)));
}
