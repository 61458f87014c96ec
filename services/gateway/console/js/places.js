// The register of places (GET /api/places): the street's communities and back alleys —
// shipped data, changed by deployment — and repair's active departments. Forms offer them as
// lists instead of free text; read once per page load.

import { api } from "./api.js";
import { learnCodes } from "./labels.js";
import { may } from "./roles.js";

const NONE = { communities: [], alleys: [], departments: [] };
let loading = null;

export function places() {
  if (!loading) {
    loading = (may("places.get") ? api.get("/api/places") : Promise.resolve(NONE))
      .then((found) => {
        const register = { ...NONE, ...found, departments: found.departments || [] };
        learnCodes("department_code", Object.fromEntries(
          register.departments.map((d) => [d.code, d.name])));
        return register;
      })
      .catch(() => { loading = null; return NONE; });
  }
  return loading;
}

export function communityOptions(register) {
  return register.communities.map((c) => ({ value: c.name, label: c.name }));
}

/** A community's alleys, or every alley with its community named. */
export function alleyOptions(register, community) {
  return register.alleys.filter((a) => !community || a.community === community)
    .map((a) => ({ value: a.name, label: community ? a.name : `${a.name}(${a.community})` }));
}

export function departmentOptions(register, withCode = false) {
  return register.departments.map((d) => ({
    value: d.code, label: withCode ? `${d.name}(${d.code})` : d.name }));
}

/** Hints that turn community, alley and department fields into lists of the register's. */
export function placeHints(register, { community = null, names = {} } = {}) {
  const hints = {};
  if (register.communities.length) {
    hints.community = { kind: "select", options: communityOptions(register), ...(names.community || {}) };
  }
  if (register.alleys.length) {
    hints.alley = { kind: "select", options: alleyOptions(register, community), ...(names.alley || {}) };
  }
  if (register.departments.length) {
    hints.department_code = { kind: "select", options: departmentOptions(register),
      ...(names.department_code || {}) };
  }
  return hints;
}
