export function registerJobPages(route, guarded) {}
