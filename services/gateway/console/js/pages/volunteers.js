export function registerVolunteerPages(route, guarded) {}
