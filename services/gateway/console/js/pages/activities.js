// 主题活动: placeholder until the activity routes exist.
export function registerActivityPages(route, guarded) {}
