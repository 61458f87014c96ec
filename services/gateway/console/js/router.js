// Hash routes (#/work-orders/WO1?state=closed): the gateway serves the console only at "/",
// so the page address lives after the "#", and reload, back and shared links all work.
// Filters and paging are kept in the query part, so an export link or a reload keeps them.

const routes = [];
let cleanup = [];
let renderHook = () => {};
let lastPath = null;

/** route("/work-orders/:number", render): render(main, {params, query}) */
export function route(pattern, render) {
  if (pattern === "*") {                 // what no other route matches
    routes.push({ pattern, regex: /^$^/, names: [], render });
    return;
  }
  const names = [];
  const regex = new RegExp("^" + pattern.replace(/:([a-z_]+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  }) + "/?$");
  routes.push({ pattern, regex, names, render });
}

export function current() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path: path || "/", query: new URLSearchParams(search) };
}

/** Go to a page; `query` may be an object (lists repeat) or URLSearchParams. */
export function navigate(path, query) {
  const search = query instanceof URLSearchParams ? query : toSearch(query || {});
  const text = search.toString();
  const target = "#" + path + (text ? "?" + text : "");
  if (location.hash === target) {
    renderCurrent();
  } else {
    location.hash = target;
  }
}

export function href(path, query) {
  const text = toSearch(query || {}).toString();
  return "#" + path + (text ? "?" + text : "");
}

function toSearch(query) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== "") search.append(name, String(v));
    }
  }
  return search;
}

/** Something to undo when the page is left (a chart, a resize listener). */
export function onLeave(fn) {
  cleanup.push(fn);
}

/** Called before every render, e.g. to highlight the menu entry and close the drawer. */
export function beforeRender(hook) {
  renderHook = hook;
}

export async function renderCurrent() {
  for (const fn of cleanup.splice(0)) {
    try { fn(); } catch (error) { console.error(error); }
  }
  const { path, query } = current();
  const main = document.getElementById("main");
  renderHook(path);
  if (path !== lastPath) window.scrollTo(0, 0);   // a new page starts at its top
  lastPath = path;
  for (const r of routes) {
    const match = r.regex.exec(path);
    if (!match) continue;
    const params = {};
    r.names.forEach((name, i) => { params[name] = decodeURIComponent(match[i + 1]); });
    await r.render(main, { params, query, path });
    return;
  }
  const fallback = routes.find((r) => r.pattern === "*");
  if (fallback) await fallback.render(main, { params: {}, query, path });
}

export function start() {
  window.addEventListener("hashchange", () => renderCurrent());
  return renderCurrent();
}
