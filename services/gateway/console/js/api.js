// The one place the console talks to the gateway. Every answer that is not 2xx becomes an
// ApiError carrying the API's {code, message, fields}, so pages show the Chinese message
// (and forms the field errors) exactly as the services wrote them.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `服务器返回错误(${status})`);
    this.status = status;
    this.code = (body && body.code) || "HTTP_" + status;
    this.fields = (body && body.fields) || {};
  }
}

let signedOutHandler = () => {};

/** The session is missing or expired (as opposed to a wrong password, also a 401). */
export function isSignedOut(error) {
  return error?.status === 401 && error.code === "NOT_SIGNED_IN";
}

/** Called when any request answers 401: the session expired or was ended elsewhere. */
export function onSignedOut(handler) {
  signedOutHandler = handler;
}

/** "/api/work-orders/{number}" + {number: "WO1"} → "/api/work-orders/WO1". */
export function fillPath(path, params = {}) {
  return path.replace(/\{([^}]+)\}/g, (_, name) => {
    if (params[name] === undefined || params[name] === null) {
      throw new Error(`missing path parameter ${name} for ${path}`);
    }
    return encodeURIComponent(params[name]);
  });
}

/** A query string; lists repeat their name (state=a&state=b), empty values are left out. */
export function queryString(query = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined || v === null || v === "") continue;
      search.append(name, String(v));
    }
  }
  const text = search.toString();
  return text ? "?" + text : "";
}

// A change is sent with an Idempotency-Key, the same one until it has an answer: a double
// click, or a retry after a dropped connection or a timeout, is carried out once and answered
// with the first answer (see docs/api/gateway.md). A new submission after an answer gets a
// new key.
const unanswered = new Map();

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs https
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function changeKey(method, path, body) {
  const id = `${method} ${path} ${body ?? ""}`;
  if (!unanswered.has(id)) unanswered.set(id, newKey());
  return { id, key: unanswered.get(id) };
}

/** Whether an answer settles the change (a 5xx or no answer may be retried with its key). */
function settles(status) {
  return status > 0 && status < 500;
}

export async function request(method, path, { query, body } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const change = method === "GET" ? null : changeKey(method, path + queryString(query), init.body);
  if (change) init.headers["Idempotency-Key"] = change.key;
  let response;
  try {
    response = await fetch(path + queryString(query), init);
  } catch (error) {
    throw new ApiError(0, { code: "NETWORK", message: "无法连接服务器,请检查网络后重试" });
  }
  if (change && settles(response.status)) unanswered.delete(change.id);
  if (response.status === 204) return null;
  return answer(response.status, await response.text());
}

/** The data of an answer, or (not 2xx) the ApiError it carries. */
function answer(status, text) {
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (error) {
    data = null;
  }
  if (status < 200 || status > 299) {
    const error = new ApiError(status,
      data && typeof data === "object" && !Array.isArray(data) ? data : null);
    // A wrong password (BAD_CREDENTIALS) is a 401 too, but it is answered on the form that
    // asked for it; only a missing or expired session signs the console out.
    if (isSignedOut(error)) signedOutHandler(error);
    throw error;
  }
  return data;
}

/**
 * A JSON POST that reports its progress (fetch cannot tell how much of a body has been
 * sent): onProgress("upload", fraction) while the body goes out, then onProgress("waiting")
 * once it is sent and the server is working. Answers and errors as request() does.
 */
export function postWithProgress(path, body, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Content-Type", "application/json");
    const sent = JSON.stringify(body ?? {});
    const change = changeKey("POST", path, sent);
    xhr.setRequestHeader("Idempotency-Key", change.key);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress("upload", event.loaded / event.total);
    });
    xhr.upload.addEventListener("load", () => onProgress("waiting"));
    xhr.addEventListener("load", () => {
      if (settles(xhr.status)) unanswered.delete(change.id);
      try {
        resolve(xhr.status === 204 ? null : answer(xhr.status, xhr.responseText));
      } catch (error) {
        reject(error);
      }
    });
    const offline = () => reject(new ApiError(0, { code: "NETWORK",
      message: "无法连接服务器,请检查网络后重试" }));
    xhr.addEventListener("error", offline);
    xhr.addEventListener("timeout", offline);
    xhr.send(sent);
  });
}

export const api = {
  get: (path, query) => request("GET", path, { query }),
  post: (path, body) => request("POST", path, { body: body ?? {} }),
  put: (path, body) => request("PUT", path, { body: body ?? {} }),
  patch: (path, body) => request("PATCH", path, { body: body ?? {} }),
  delete: (path) => request("DELETE", path),
};
