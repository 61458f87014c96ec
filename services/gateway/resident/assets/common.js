// What every page of the resident site shares: the API, building elements, messages.
const main = document.getElementById("main");

export async function call(method, path, body) {
  const response = await fetch("/m/api" + path, { method, credentials: "same-origin",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined });
  if (response.status === 204) return null;
  const data = await response.json();
  if (!response.ok) {
    const fields = Object.values(data.fields || {}).flat().join(" ");
    throw new Error(fields || data.message || "请求失败");
  }
  return data;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

export function toast(text) {
  const box = document.getElementById("toast");
  box.textContent = text;
  setTimeout(() => { if (box.textContent === text) box.textContent = ""; }, 4000);
}

export function show(...sections) { main.replaceChildren(...sections); }
export const local = (iso) => iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "";

export function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1]);
    reader.onerror = () => reject(new Error("无法读取照片"));
    reader.readAsDataURL(file);
  });
}

