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
  "audit.list": ADMIN, "system.health": ADMIN, "places.get": EVERYONE,

  "work_orders.list": [...READERS, "department"], "work_orders.get": [...READERS, "department"],
  "work_orders.report": FIELD, "work_orders.duplicates": STAFF,
  "work_orders.reveal_contact": [...FIELD, "volunteer"], "work_orders.follow_up": FIELD,
  "work_orders.accept": STAFF, "work_orders.answer": STAFF, "work_orders.dispatch": STAFF,
  "work_orders.approve_extension": STAFF, "work_orders.reject_extension": STAFF,
  "work_orders.escalate": STAFF, "work_orders.reopen": STAFF,
  "work_orders.mark_duplicate": STAFF, "work_orders.reject": STAFF, "work_orders.cancel": STAFF,
  "work_orders.return": DEPARTMENT_WORK, "work_orders.sign_for": DEPARTMENT_WORK,
  "work_orders.request_extension": DEPARTMENT_WORK, "work_orders.complete": DEPARTMENT_WORK,
  "work_orders.statistics": [...READERS, "department"],
  "repair.categories": EVERYONE, "repair.departments": EVERYONE,
  "repair.communities": EVERYONE, "repair.calendar": EVERYONE,
  "repair.set_deadline": ADMIN, "repair.save_department": ADMIN,
  "repair.set_calendar": ADMIN,
};

// activity, volunteer and job (routes/activity.py, volunteer.py, job.py)
const SELF = ["volunteer"];
const grant = (roles, ids) => ids.trim().split(/\s+/).forEach((id) => { FALLBACK[id] = roles; });
grant(READERS, `activities.list activities.get activities.registrations registrations.get
  activity_series.get exemplars.list exemplars.get venues.list venues.get venues.bookings
  activities.statistics volunteers.list shifts.get volunteers.statistics
  employers.list employers.get visits.list visits.get job_postings.list job_postings.get
  job_postings.schema_org job_seekers.list job_seekers.get applications.list applications.get
  placements.list placements.get employer_notifications.list jobs.statistics`);
grant(STAFF, `activities.create activities.record_held activities.update activities.publish
  activities.cancel activities.finish activities.minutes activities.feature_exemplar
  activities.unfeature_exemplar registrations.reveal_contact activity_series.create
  activity_series.publish activity_series.cancel exemplars.nominate exemplars.update
  venues.create venues.update venues.add_room venues.update_room
  volunteers.register volunteers.approve volunteers.reject volunteers.suspend
  volunteers.reinstate volunteers.commend volunteers.record_hours volunteers.issue_certificate
  shifts.create shifts.cancel shifts.mark_attended shifts.complete shifts.suggestions
  corrections.approve corrections.reject certificates.revoke volunteer_teams.save
  employers.create employers.update employers.reveal_contact employers.publish_posting
  job_postings.update job_postings.withdraw job_postings.mark_filled job_postings.renew
  job_postings.matches job_seekers.create job_seekers.update job_seekers.pause
  job_seekers.resume job_seekers.reveal_contact job_seekers.matches job_seekers.apply
  applications.schedule_interview applications.record_interview_result applications.hire
  applications.decline applications.withdraw placements.record_follow_up placements.end`);
grant(FIELD, `activities.register activities.check_in registrations.cancel
  employers.record_visit visits.complete_action`);
grant(ADMIN, `exemplars.review exemplars.publish exemplars.withdraw
  volunteer.set_recognition_rules employer_notifications.read`);
grant(EVERYONE, `activity.reference_data volunteer_teams.list volunteer.skills
  volunteer.recognition_rules job.reference_data`);
grant([...READERS, ...SELF], `volunteers.get volunteers.hours volunteers.certificates
  shifts.list ledger.list ledger.get corrections.list corrections.get certificates.list certificates.get`);
grant([...STAFF, ...SELF], `volunteers.update volunteers.withdraw volunteers.reveal
  shifts.sign_up shifts.withdraw_sign_up shifts.check_in shifts.check_out
  shifts.record_follow_up_visit shifts.record_placement_visit`);
grant([...ADMIN, ...SELF], "shifts.open corrections.request");
grant(["street_admin", "community_staff", "viewer"], "reports.office");
grant(STAFF, "imports.template imports.run");
grant(ADMIN, `notifications.messages notifications.message notifications.retry
  notifications.attempts notifications.hotline_callbacks notifications.retry_hotline_callback
  notifications.dev_messages`);

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
