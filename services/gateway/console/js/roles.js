// Which operations the signed-in role may use, so the console hides what would only be
// refused. The API decides anyway (and says so with a 403, which pages show as it is).
//
// The OpenAPI document does not yet say who may call an operation; when it carries
// "x-roles", that wins. Until then the console keeps this copy of the route table's roles
// (services/gateway/routes/*.py); an operation missing here is offered to everyone and left
// to the API.

import { operation } from "./catalog.js";
import { role } from "./session.js";

export const ROLE_NAMES = {
  street_admin: "街道管理员",
  community_staff: "社区工作人员",
  grid_worker: "网格员",
  department: "承办部门",
  volunteer: "志愿者",
  viewer: "只读查看",
};

const ADMIN = ["street_admin"];
const STAFF = ["street_admin", "community_staff"];
const FIELD = [...STAFF, "grid_worker"];
const READERS = [...FIELD, "viewer"];
const EVERYONE = Object.keys(ROLE_NAMES);
const DEPARTMENT_WORK = [...STAFF, "department"];

const FALLBACK = {
  "session.login": EVERYONE, "session.me": EVERYONE, "session.logout": EVERYONE,
  "session.password": EVERYONE,
  "accounts.list": ADMIN, "accounts.create": ADMIN, "accounts.update": ADMIN,
  "api_keys.list": ADMIN, "api_keys.create": ADMIN, "api_keys.revoke": ADMIN,
  "audit.list": ADMIN, "system.health": ADMIN,

  "work_orders.list": [...READERS, "department"], "work_orders.get": [...READERS, "department"],
  "work_orders.report": FIELD, "work_orders.duplicates": STAFF,
  "work_orders.reveal_contact": FIELD, "work_orders.follow_up": FIELD,
  "work_orders.accept": STAFF, "work_orders.answer": STAFF, "work_orders.dispatch": STAFF,
  "work_orders.approve_extension": STAFF, "work_orders.reject_extension": STAFF,
  "work_orders.escalate": STAFF, "work_orders.reopen": STAFF,
  "work_orders.mark_duplicate": STAFF, "work_orders.reject": STAFF, "work_orders.cancel": STAFF,
  "work_orders.return": DEPARTMENT_WORK, "work_orders.sign_for": DEPARTMENT_WORK,
  "work_orders.request_extension": DEPARTMENT_WORK, "work_orders.complete": DEPARTMENT_WORK,
  "work_orders.statistics": READERS,
  "repair.categories": EVERYONE, "repair.departments": EVERYONE,
  "repair.communities": EVERYONE, "repair.calendar": EVERYONE,
  "repair.set_deadline": ADMIN, "repair.save_department": ADMIN,
  "repair.save_community": ADMIN, "repair.set_calendar": ADMIN,
};

/** May the signed-in person use this operation (and does it exist at all)? */
export function may(id) {
  const op = operation(id);
  if (!op) return false;
  const who = role();
  if (!who) return false;
  const roles = op.roles || FALLBACK[id];
  return roles ? roles.includes(who) : true;
}

export function roleName(code) {
  return ROLE_NAMES[code] || code || "";
}

/** Roles limited to one community see and file everything there (access.py LIMITS). */
export function limitedCommunity(account) {
  if (!account) return null;
  if (["community_staff", "grid_worker", "viewer"].includes(account.role)) {
    return account.community || null;
  }
  return null;
}
