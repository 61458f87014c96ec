// Apache ECharts, shipped with the console (vendor/echarts, version 6.1.0) because no CDN may
// be used at run time. It is 1 MB, so it is loaded only when a page draws a chart.

import { h } from "../dom.js";
import { onLeave } from "../router.js";

const SCRIPT = "/console/vendor/echarts/echarts.min.js";
let loading = null;

export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = SCRIPT;
      script.onload = () => resolve(window.echarts);
      script.onerror = () => { loading = null; reject(new Error("图表组件加载失败")); };
      document.head.append(script);
    });
  }
  return loading;
}

const PALETTE = ["#1d4f91", "#c0392b", "#2e8b57", "#d48806", "#6f42c1", "#13a8a8", "#8c6d1f", "#eb2f96"];

/** A card with a title and a chart drawn from `option` once ECharts is there. */
export function chartCard(title, option, { id } = {}) {
  const el = h("div", { class: "chart", role: "img", "aria-label": title });
  const card = h("div", { class: "chart-card", dataset: { chart: id || title } }, h("h3", {}, title), el);
  draw(el, option).catch((error) => {
    el.replaceWith(h("div", { class: "alert" }, error.message));
  });
  return card;
}

async function draw(el, option) {
  const echarts = await loadECharts();
  // Wait until the card is in the page so the chart knows its width.
  await new Promise((resolve) => requestAnimationFrame(resolve));
  const chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
  chart.setOption({ color: PALETTE, animation: false, ...option });
  el.dataset.rendered = "true";
  const resize = () => chart.resize();
  window.addEventListener("resize", resize);
  onLeave(() => {
    window.removeEventListener("resize", resize);
    chart.dispose();
  });
  return chart;
}

// --- option builders for the shapes the statistics come in -----------------------------------

const grid = { left: 8, right: 16, top: 64, bottom: 8, containLabel: true };
const legend = { top: 0, type: "scroll" };

/** Bars per category (communities, months) for several series: [{name, values}]. */
export function barOption(categories, series, { unit = "", stacked = false, percent = false } = {}) {
  return {
    tooltip: { trigger: "axis", valueFormatter: (v) => formatValue(v, unit, percent) },
    legend, grid,
    xAxis: { type: "category", data: categories, axisLabel: { interval: 0, hideOverlap: true } },
    yAxis: { type: "value", name: unit, max: percent ? 100 : undefined,
      axisLabel: { formatter: percent ? "{value}%" : "{value}" } },
    series: series.map((s) => ({ name: s.name, type: "bar", data: s.values,
      stack: stacked ? "total" : undefined, barMaxWidth: 36 })),
  };
}

export function lineOption(categories, series, { unit = "" } = {}) {
  return {
    tooltip: { trigger: "axis", valueFormatter: (v) => formatValue(v, unit) },
    legend, grid,
    xAxis: { type: "category", data: categories, boundaryGap: false },
    yAxis: { type: "value", name: unit },
    // Straight segments: a smoothed curve would dip below zero between quiet months.
    series: series.map((s) => ({ name: s.name, type: "line", data: s.values, symbolSize: 6 })),
  };
}

export function pieOption(items) {
  return {
    tooltip: { trigger: "item", formatter: "{b}:{c}({d}%)" },
    legend: { bottom: 0, type: "scroll" },
    series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: items,
      label: { formatter: "{b}\n{c}" } }],
  };
}

function formatValue(value, unit, percent) {
  if (value === null || value === undefined || value === "-") return "—";
  return percent ? `${value}%` : `${value}${unit ? " " + unit : ""}`;
}
