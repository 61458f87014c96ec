// Sign in, and change one's own password.

import { api } from "../api.js";
import { buildForm } from "../components/form.js";
import { h, mount } from "../dom.js";
import { signIn } from "../session.js";
import { toast } from "../ui.js";

export function loginPage(main, { onSignedIn }) {
  const form = buildForm([
    { name: "username", label: "用户名", kind: "text", required: true },
    { name: "password", label: "密码", kind: "password", required: true },
  ], {
    submitLabel: "登录",
    onSubmit: async (data) => {
      await signIn(data.username ?? "", data.password ?? "");
      onSignedIn();
    },
  });
  form.element.querySelector("[name=username]").setAttribute("autocomplete", "username");
  form.element.querySelector("[name=password]").setAttribute("autocomplete", "current-password");
  mount(main, h("div", { class: "login card" },
    h("h1", {}, "绣花"),
    h("p", { class: "sub" }, "街道社区精细化管理系统"),
    form.element));
}

export function passwordPage(main, { onChanged }) {
  const form = buildForm([
    { name: "current_password", label: "当前密码", kind: "password", required: true },
    { name: "new_password", label: "新密码", kind: "password", required: true,
      help: "至少 8 位,且须同时包含字母和数字。修改后需用新密码重新登录。" },
    { name: "repeat_password", label: "再次输入新密码", kind: "password", required: true },
  ], {
    submitLabel: "修改密码",
    onSubmit: async (data) => {
      if ((data.new_password || "") !== (data.repeat_password || "")) {
        const error = new Error("两次输入的新密码不一致");
        error.fields = { repeat_password: ["两次输入的新密码不一致。"] };
        throw error;
      }
      await api.put("/api/session/password", {
        current_password: data.current_password ?? "", new_password: data.new_password ?? "",
      });
      toast("密码已修改,请用新密码重新登录", "ok");
      onChanged();
    },
  });
  mount(main, h("h1", {}, "修改密码"), h("div", { class: "card", style: "max-width: 480px" }, form.element));
}
