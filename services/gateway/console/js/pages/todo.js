// 我的待办: what waits for the signed-in person this week, each with its count and a link to
// the list that holds exactly those records (GET /api/todo, limited to their community or
// department as the lists are).

import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { href } from "../router.js";
import { account } from "../session.js";
import { loadInto } from "../ui.js";

export function registerTodoPages(route, guarded) {
  route("/todo", guarded(todoPage));
}

async function todoPage(main) {
  const me = account();
  const where = me.department ? `承办部门:${me.department}` : me.community ? me.community : "全街道";
  const box = h("div", { class: "todo" });
  mount(main, h("h1", {}, "我的待办"), h("p", { class: "help" }, `范围:${where}`), box);
  await loadInto(box, () => api.get("/api/todo"), (result) => {
    const items = result.items || [];
    mount(box, items.length ? h("ul", { class: "todo-list" }, items.map((item) =>
      h("li", { class: item.count ? "waiting" : "", dataset: { key: item.key } },
        h("a", { href: href(item.path, item.query) },
          h("span", { class: "count" }, `${item.count}${item.more ? "+" : ""}`),
          h("span", { class: "label" }, item.label)))))
      : h("p", { class: "empty" }, "您的账号没有待办事项。"));
  });
}
