// Photos for a work order: taken with the camera (or chosen) and uploaded at once through
// POST /api/photos; a form field answers with the uploaded photos' ids. And the thumbnails of
// an order's photos, each opening the full image.

import { call } from "../catalog.js";
import { h } from "../dom.js";

const TYPES = "image/jpeg,image/png,image/webp";

function asBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1]);
    reader.onerror = () => reject(new Error("无法读取照片"));
    reader.readAsDataURL(file);
  });
}

/** A file input that opens the camera on a phone; → {control, read() → ids or undefined}. */
export function photoPicker(spec, path) {
  const ids = [];
  const thumbs = h("div", { class: "photo-thumbs" });
  const status = h("div", { class: "help", role: "status" }, spec.help || "可拍照或从相册选择,JPEG/PNG/WebP。");
  const input = h("input", { type: "file", id: spec.id, name: path, accept: TYPES,
    capture: "environment", multiple: true });
  input.addEventListener("change", async () => {
    for (const file of [...input.files]) {
      status.textContent = `正在上传 ${file.name}…`;
      try {
        const photo = await call("photos.upload", {}, { content: await asBase64(file), filename: file.name });
        ids.push(photo.id);
        thumbs.append(h("img", { src: URL.createObjectURL(file), alt: file.name, dataset: { photo: photo.id } }));
        status.textContent = `已上传 ${ids.length} 张照片`;
      } catch (error) {
        status.textContent = `${file.name}:${error.message}`;
      }
    }
    input.value = "";
  });
  return { control: h("div", { class: "photo-picker" }, input, thumbs, status),
    read: () => (ids.length ? [...ids] : undefined) };
}

/** The thumbnails of an order's photos of one stage (report, completion). */
export function photoThumbnails(order, stage) {
  const photos = (order.photos || []).filter((p) => p.stage === stage);
  if (!photos.length) return null;
  const url = (p) => `/api/work-orders/${encodeURIComponent(order.number)}/photos/${encodeURIComponent(p.id)}`;
  return h("div", { class: "photo-thumbs" }, photos.map((p) =>
    h("a", { href: url(p), target: "_blank", rel: "noopener" },
      h("img", { src: `${url(p)}?size=thumbnail`, alt: p.stage_name, loading: "lazy", dataset: { photo: p.id } }))));
}
