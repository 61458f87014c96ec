// Maps: Leaflet, shipped with the console (vendor/leaflet, version 1.9.4) because no CDN may
// be used, loaded only when a map opens. The base map's tiles are a setting (MAP_TILE_URL:
// 天地图 with the office's key in production, none by default); whether tiles are set, reach
// the browser or not, the street's own outline, its communities and alleys are drawn from the
// register of places (GET /api/places/map), so a map always shows where things are.

import { api } from "../api.js";
import { h } from "../dom.js";

const SCRIPT = "/console/vendor/leaflet/leaflet.js";
const STYLE = "/console/vendor/leaflet/leaflet.css";
let loading = null;
let settings = null;

export function loadLeaflet() {
  if (window.L) return Promise.resolve(window.L);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      if (!document.querySelector(`link[href="${STYLE}"]`)) {
        document.head.append(h("link", { rel: "stylesheet", href: STYLE }));
      }
      const script = document.createElement("script");
      script.src = SCRIPT;
      script.onload = () => resolve(window.L);
      script.onerror = () => { loading = null; reject(new Error("地图组件加载失败")); };
      document.head.append(script);
    });
  }
  return loading;
}

function mapSettings() {
  if (!settings) settings = api.get("/api/places/map").catch((error) => { settings = null; throw error; });
  return settings;
}

const STYLES = {
  street: { color: "#1d4f91", weight: 3, fill: false },
  community: { color: "#2e8b57", weight: 1.5, fillColor: "#2e8b57", fillOpacity: 0.06, dashArray: "4 4" },
  alley: { color: "#8c6d1f", weight: 4, opacity: 0.8 },
};

/**
 * A map of the street in `el`: {map, L, places, note(text)}. The register is drawn first and the
 * view fitted to the street; tiles, if set, go under it.
 */
export async function streetMap(el, { height = "480px" } = {}) {
  const [L, found] = await Promise.all([loadLeaflet(), mapSettings()]);
  el.classList.add("street-map");
  el.style.height = height;
  const map = L.map(el, { attributionControl: true, zoomSnap: 0.5 });
  const noteBox = h("div", { class: "map-note", hidden: true });
  el.after(noteBox);
  const note = (text) => { noteBox.textContent = text; noteBox.hidden = !text; };
  const tiles = found.tiles || {};
  if ((tiles.urls || []).length) {
    let failed = 0;
    for (const url of tiles.urls) {
      const layer = L.tileLayer(url, { subdomains: tiles.subdomains || "abc", maxZoom: 18,
        attribution: tiles.attribution || "" });
      layer.on("tileerror", () => {
        failed += 1;
        if (failed === 1) note("底图暂时无法加载,地图只显示街道范围、社区和背街小巷。");
      });
      layer.addTo(map);
    }
  } else {
    note("未设置底图,地图显示地名登记中的街道范围、社区和背街小巷。");
  }
  const register = L.geoJSON(found.places, {
    style: (feature) => STYLES[feature.properties.kind] || {},
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      if (p.kind === "community") layer.bindTooltip(p.name, { permanent: true, direction: "center", className: "community-label" });
      else if (p.kind === "alley") layer.bindTooltip(`${p.name}(${p.community})`);
    },
  }).addTo(map);
  map.fitBounds(register.getBounds(), { padding: [8, 8] });
  return { map, L, places: found.places, note };
}

/** Whether a point lies in a polygon feature's area (GeoJSON rings, [long, lat]). */
export function communityAt(places, lat, long) {
  for (const feature of places.features) {
    if (feature.properties.kind !== "community") continue;
    const polygons = feature.geometry.type === "Polygon" ? [feature.geometry.coordinates]
      : feature.geometry.coordinates;
    if (polygons.some((rings) => inRing(long, lat, rings[0]) && !rings.slice(1).some((hole) => inRing(long, lat, hole)))) {
      return feature.properties.name;
    }
  }
  return null;
}

function inRing(x, y, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** A round marker (no image needed) in one of the map's colours. */
export function dot(L, lat, long, colour, title) {
  return L.circleMarker([lat, long], { radius: 7, color: "#fff", weight: 2, fillColor: colour,
    fillOpacity: 0.9, title });
}
