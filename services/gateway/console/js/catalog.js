// What the API offers, read from its own OpenAPI document (generated from the gateway's route
// table): /console/catalog.json is the part of /openapi.json the console needs — operations,
// their query and body schemas — without the answers' schemas. The console builds its menus, filters and action forms from it, so
// a route that is added, removed or given a new field shows up here without a console change,
// and a page whose routes do not exist yet is simply not offered.

import { fillPath, request } from "./api.js";

let documentRoot = null;
const operations = new Map();

export async function loadCatalog() {
  const response = await fetch("/console/catalog.json", { credentials: "same-origin" });
  if (!response.ok) throw new Error(`catalog.json: ${response.status}`);
  documentRoot = await response.json();
  operations.clear();
  for (const [path, methods] of Object.entries(documentRoot.paths || {})) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op.operationId) continue;
      const parameters = op.parameters || [];
      const body = op.requestBody?.content?.["application/json"]?.schema;
      operations.set(op.operationId, {
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary || op.operationId,
        // A short Chinese name of what it does (the audit log's 操作).
        name: op["x-action-name"] || op.summary || op.operationId,
        tag: (op.tags || [])[0] || "",
        query: parameters.filter((p) => p.in === "query" && p.name !== "format"),
        body: body ? resolve(body) : null,
        exports: parameters.some((p) => p.in === "query" && p.name === "format"),
        // Who may call it, when the document says so (see roles.js for the fallback).
        roles: op["x-roles"] || null,
      });
    }
  }
}

export function operation(id) {
  return operations.get(id) || null;
}

/** Every operation, for a list to choose one from (the audit log's filter). */
export function allOperations() {
  return [...operations.values()];
}

export function has(id) {
  return operations.has(id);
}

/** Follow "$ref"s (and a nullable anyOf around one) to the schema itself. */
export function resolve(schema, seen = new Set()) {
  if (!schema || typeof schema !== "object") return schema;
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return {};
    const name = schema.$ref.split("/").pop();
    const target = documentRoot?.components?.schemas?.[name] || {};
    return resolve(target, new Set([...seen, schema.$ref]));
  }
  if (schema.anyOf) {
    const real = schema.anyOf.find((s) => s.$ref || (s.properties && Object.keys(s.properties).length));
    if (real) return { ...resolve(real, seen), nullable: true };
  }
  return schema;
}

/** The query parameters of a list operation as one object schema (for the filter form). */
export function querySchema(op) {
  const properties = {};
  for (const parameter of op.query) {
    properties[parameter.name] = parameter.schema || { type: "string" };
  }
  return { type: "object", properties, required: [] };
}

/** Call an operation by id: path parameters fill the path; the rest is query or body. */
export function call(id, params = {}, data = undefined) {
  const op = operation(id);
  if (!op) throw new Error(`no such operation: ${id}`);
  const path = fillPath(op.path, params);
  if (op.method === "GET") return request("GET", path, { query: data });
  if (op.method === "DELETE") return request("DELETE", path);
  return request(op.method, path, { body: data ?? {} });
}

/** The address of an export of a list with its current filters. */
export function exportHref(id, params, query, format) {
  const op = operation(id);
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    if (name === "page" || name === "page_size") continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== "") search.append(name, String(v));
    }
  }
  search.set("format", format);
  return fillPath(op.path, params) + "?" + search.toString();
}
