// 地图: work orders where they are (filtered by state, category and overdue), the venues of
// activities and the employers of 一走四送, over the street's own outline, communities and
// alleys; and the location picker of 上报问题.

import { call } from "../catalog.js";
import { communityAt, dot, streetMap } from "../components/map.js";
import { h, mount } from "../dom.js";
import { codeName } from "../labels.js";
import { places } from "../places.js";
import { href } from "../router.js";
import { may } from "../roles.js";
import { errorBox } from "../ui.js";

const STATES = ["reported", "accepted", "dispatched", "returned", "in_progress",
  "extension_requested", "completed", "closed"];
const CATEGORIES = ["road_surface", "manhole_cover", "street_light", "waterlogging", "parking",
  "greenery", "other"];
const COLOURS = { order: "#c0392b", overdue: "#6f1d1b", done: "#2e8b57", venue: "#1d4f91", employer: "#d48806" };
const MOST = 1000;   // markers of work orders at most (five pages of the list)

export function registerMapPages(route, guarded) {
  route("/map", guarded(mapPage));
}

async function pages(op, query) {
  const found = [];
  let cursor = null;
  do {
    const page = await call(op, {}, { ...query, page_size: 200, ...(cursor ? { cursor } : {}) });
    found.push(...(page.items || []));
    cursor = page.has_more ? page.next_cursor : null;
  } while (cursor && found.length < MOST);
  return found;
}

function select(name, label, codes, scope) {
  return h("label", {}, label, h("select", { name },
    h("option", { value: "" }, "全部"),
    codes.map((code) => h("option", { value: code }, codeName(name, code, scope)))));
}

async function mapPage(main, ctx) {
  const form = h("form", { class: "filters map-filters", onsubmit: (e) => { e.preventDefault(); draw(); } },
    select("state", "状态", STATES, "work_order"), select("category", "类别", CATEGORIES),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "overdue" }), "只看已超期"),
    may("venues.list") ? h("label", { class: "check" }, h("input", { type: "checkbox", name: "venues", checked: true }), "场地") : null,
    may("employers.list") ? h("label", { class: "check" }, h("input", { type: "checkbox", name: "employers", checked: true }), "用工单位") : null,
    h("button", { type: "submit", class: "primary" }, "筛选"));
  for (const [name, value] of ctx.query.entries()) {
    const field = form.elements[name];
    if (field && field.type === "checkbox") field.checked = value === "true";
    else if (field) field.value = value;
  }
  const box = h("div", { id: "street-map" });
  const summary = h("p", { class: "help", id: "map-summary" });
  mount(main, h("h1", {}, "工单地图"), form, summary, box,
    h("p", { class: "legend" }, legend("order", "办理中的工单"), legend("overdue", "已超期"),
      legend("done", "已办结或结案"), legend("venue", "活动场地(社区中心附近)"), legend("employer", "用工单位")));
  let drawn;
  try {
    drawn = await streetMap(box, { height: "min(70vh, 560px)" });
  } catch (error) {
    mount(box, errorBox(error));
    return;
  }
  const { map, L } = drawn;
  const layer = L.layerGroup().addTo(map);

  let generation = 0;
  async function draw() {
    const mine = ++generation;
    summary.dataset.state = "loading";
    const query = {};
    if (form.elements.state.value) query.state = [form.elements.state.value];
    if (form.elements.category.value) query.category = form.elements.category.value;
    if (form.elements.overdue.checked) query.overdue = true;
    try {
      const orders = may("work_orders.list") ? await pages("work_orders.list", query) : [];
      const venueList = form.elements.venues?.checked ? await venuesToDraw() : null;
      const employerList = form.elements.employers?.checked ? await pages("employers.list", {}) : null;
      if (mine !== generation) return;      // a newer filter was asked for meanwhile
      layer.clearLayers();
      const placed = orders.filter((o) => o.location);
      for (const order of placed) {
        const colour = order.overdue ? COLOURS.overdue
          : ["completed", "closed"].includes(order.state) ? COLOURS.done : COLOURS.order;
        dot(L, order.location.lat, order.location.long, colour, order.number)
          .bindPopup(h("div", {}, h("a", { href: href(`/work-orders/${order.number}`) }, order.number),
            h("div", {}, `${order.category_name} · ${order.state_name}${order.overdue ? " · 已超期" : ""}`),
            h("div", {}, `${order.community}${order.alley ? ` ${order.alley}` : ""} ${order.address || ""}`)))
          .addTo(layer).getElement()?.setAttribute("data-order", order.number);
      }
      const venues = venueList ? drawVenues(L, layer, venueList) : 0;
      const employers = employerList ? drawEmployers(L, layer, employerList) : 0;
      summary.textContent = `工单 ${placed.length} 件在图上` +
        (orders.length > placed.length ? `(另有 ${orders.length - placed.length} 件无坐标)` : "") +
        (orders.length >= MOST ? `,仅显示最新 ${MOST} 件` : "") +
        (form.elements.venues?.checked ? `;场地 ${venues} 处` : "") +
        (form.elements.employers?.checked ? `;用工单位 ${employers} 家` : "") + "。";
    } catch (error) {
      summary.replaceChildren(errorBox(error));
    }
    if (mine === generation) summary.dataset.state = "done";
  }
  await draw();
}

function legend(kind, label) {
  return h("span", { class: "legend-item" }, h("span", { class: "swatch", style: `background:${COLOURS[kind]}` }), label);
}

async function venuesToDraw() {
  const [found, register] = await Promise.all([call("venues.list", {}, {}), places()]);
  return { venues: found.items || [], register };
}

/** Venues have no coordinates of their own: around their community's centre. */
function drawVenues(L, layer, { venues, register }) {
  const centres = Object.fromEntries(register.communities.map((c) => [c.name, c.centre]));
  const around = {};
  let n = 0;
  for (const venue of venues) {
    const centre = centres[venue.community] || centres[register.communities[0]?.name];
    if (!centre) continue;
    const k = (around[venue.community] = (around[venue.community] || 0) + 1);
    const angle = k * 2.4;
    dot(L, centre.lat + 0.0007 * Math.sin(angle) * Math.sqrt(k), centre.long + 0.0009 * Math.cos(angle) * Math.sqrt(k), COLOURS.venue, venue.name)
      .bindPopup(h("div", {}, h("strong", {}, venue.name), h("div", {}, `${venue.kind_name} · ${venue.community || "街道"}`),
        venue.address ? h("div", {}, venue.address) : null)).addTo(layer);
    n += 1;
  }
  return n;
}

function drawEmployers(L, layer, found) {
  let n = 0;
  for (const employer of found) {
    if (!employer.location) continue;
    dot(L, employer.location.lat, employer.location.long, COLOURS.employer, employer.name)
      .bindPopup(h("div", {}, h("a", { href: href(`/employers/${employer.id}`) }, employer.name),
        h("div", {}, `${employer.community} ${employer.address || ""}`))).addTo(layer);
    n += 1;
  }
  return n;
}

/**
 * The location picker of a form: a map under the `location` fields; a click sets lat/long and
 * the community (when the form has a community list and the point lies in one), and says
 * where the point is. A point outside every community is refused by the API anyway.
 */
export async function locationPicker(formElement, { fixedCommunity = null } = {}) {
  const lat = formElement.querySelector('[name="location.lat"]');
  const long = formElement.querySelector('[name="location.long"]');
  if (!lat || !long) return;
  const box = h("div", { id: "location-picker" });
  const said = h("p", { class: "help", id: "picked-place" }, "在地图上点击问题所在位置,自动填写坐标和社区。");
  (long.closest(".field") || long.parentElement).after(h("div", { class: "picker" }, said, box));
  let drawn;
  try {
    drawn = await streetMap(box, { height: "320px" });
  } catch (error) {
    said.textContent = "地图暂时无法加载,请直接填写坐标。";
    return;
  }
  const { map, L, places: register } = drawn;
  let marker = null;
  const community = formElement.querySelector('select[name="community"]');
  map.on("click", (event) => {
    const point = { lat: Number(event.latlng.lat.toFixed(6)), long: Number(event.latlng.lng.toFixed(6)) };
    const found = communityAt(register, point.lat, point.long);
    if (!found) {
      said.textContent = "这里不在本街道的社区范围内,请点在社区范围内。";
      return;
    }
    if (fixedCommunity && found !== fixedCommunity) {
      said.textContent = `这里属于${found},您只能上报${fixedCommunity}的问题。`;
      return;
    }
    lat.value = point.lat;
    long.value = point.long;
    for (const input of [lat, long]) input.dispatchEvent(new Event("input", { bubbles: true }));
    if (community && community.value !== found) {
      community.value = found;
      community.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (marker) marker.setLatLng([point.lat, point.long]);
    else marker = dot(L, point.lat, point.long, COLOURS.order, "问题位置").addTo(map);
    said.textContent = `已选位置:${found},${point.lat}, ${point.long}`;
  });
}
