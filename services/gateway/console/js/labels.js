// Chinese words for what the API names in English: field names (form labels) and codes
// (select options). The API's own answers carry *_name fields for display; these are only
// for the inputs the console builds from the OpenAPI document. A field missing here shows
// its English name, which is a bug to fix here, not a failure.

const FIELDS = {
  // common
  note: "备注", reason: "原因", purpose: "查看用途(将记入审计)", q: "关键词", sort: "排序",
  state: "状态", community: "社区", name: "姓名", phone: "手机号", email: "电子邮箱",
  description: "说明", address: "地址", alley: "巷道", location: "位置坐标", lat: "纬度",
  long: "经度", period: "统计期间", from_month: "起始月份", to_month: "截止月份",
  group_by: "分组", page: "页码", page_size: "每页条数", active: "启用", title: "标题",
  kind: "类型", skills: "技能", skill: "技能", team: "志愿服务队", organiser: "组织方",
  starts_at: "开始时间", ends_at: "结束时间", capacity: "容量(人)", photo_urls: "照片网址(每行一个)",
  status: "状态", include_inactive: "含已停用", kind_filter: "类型",
  // work orders
  category: "问题类别", channel: "来源渠道", media_urls: "现场照片网址(每行一个)",
  reporter: "上报人", external_ref: "外部编号(如 12345 工单号)", source_ref: "来源记录",
  answer: "答复内容", department_code: "承办部门", grounds: "退单理由",
  requested_due_at: "申请延期至", result_note: "办理结果", quantities: "工程量", amount: "数量",
  unit: "单位", evidence_urls: "办结照片网址(每行一个)", result: "结果",
  duplicate_of: "重复于(工单号)", escalated: "已督办", overdue: "已超期",
  reported_from: "上报时间起", reported_to: "上报时间止", working_days: "办理时限(工作日)",
  code: "编码", categories: "负责的问题类别", centre: "中心位置", holidays: "节假日",
  extra_workdays: "调休上班日",
  // accounts, keys, audit
  username: "用户名", password: "密码", role: "角色", department: "承办部门编码",
  volunteer: "志愿者编号", whole_street: "全街道", current_password: "当前密码", new_password: "新密码",
  actor_id: "操作人账号 ID", action: "操作", method: "请求方法", since: "时间起", until: "时间止",
  // activities
  activity_id: "活动编号", theme: "主题", festival: "节日", target_groups: "面向人群",
  target_group: "面向人群", venue_id: "场地", room_id: "功能室", series_id: "系列编号",
  exemplar_id: "先进典型", starts_from: "开始时间起", starts_to: "开始时间止",
  registration_open: "可报名", volunteer_slots: "志愿者岗位", count: "人数", minutes: "活动纪要",
  registration_id: "报名编号", checked_in: "已签到", walk_in: "现场报名", volunteer_id: "志愿者编号",
  form: "展示形式", decision: "审核结论", comment: "审核意见", story: "事迹", year: "年份",
  // volunteers
  id_number: "身份证号", availability: "可服务时间", introduction: "个人简介",
  weekday: "星期", slot: "时段", min_star_level: "最低星级", needed: "需要人数",
  skill_match: "技能要求", community_only: "仅限本社区", place: "地点", shift_id: "岗位编号",
  volunteer_ids: "志愿者编号", hours: "时长(小时)", at: "时间", date: "服务日期", content: "服务内容",
  open_for_sign_up: "可报名", work_order_number: "工单号", from_date: "起始日期", to_date: "截止日期",
  issuer: "出具单位", source_kind: "来源", limit: "条数", entry_id: "服务记录编号",
  check_in_at: "签到时间", check_out_at: "签退时间",
  // jobs
  employer_id: "用工单位编号", sector: "行业", size: "规模", contact: "联系人", credit_code: "统一社会信用代码",
  employees: "员工人数", visited_on: "走访日期", visitor_name: "走访人", findings: "走访情况",
  deliveries: "四送内容", problems: "发现的问题", follow_up_actions: "跟进事项",
  visited_from: "走访日期起", visited_to: "走访日期止", delivery_kind: "四送类别", problem_state: "问题状态",
  employment_type: "用工形式", openings: "招聘人数", valid_through: "截止日期",
  work_schedule: "工作时间", hours_flexible: "时间灵活", work_hours: "工作时间说明", salary: "薪资",
  requirements: "任职要求", public_contact: "对外联系方式", visit_id: "走访编号",
  posting_id: "用工信息编号", seeker_id: "求职人员编号", consent: "本人已同意使用其信息",
  home_location: "住址坐标", available_hours: "可工作时间", hours_preset: "可工作时段",
  max_distance_km: "可接受距离(公里)", expected_monthly_pay: "期望月收入(元)",
  employment_types: "可接受用工形式", resident_id: "居民编号", birth_year: "出生年份",
  application_id: "报名编号", scheduled_at: "面试时间", started_on: "入职日期", monthly_pay: "月收入(元)",
  month: "回访月份", left_on: "离职日期", follow_up_due: "待回访", unread: "未读",
  // notifications
  topic: "通知类别", outcome: "结果", message_key: "通知编号", ticket: "12345 工单编号",
  created_from: "生成时间起", created_to: "生成时间止",
};

// The Chinese names of codes come from the one table the services use too (shared/names.py,
// served as /console/names.json), read once when the console starts.
const CODES = await fetch("/console/names.json", { credentials: "same-origin" })
  .then((response) => (response.ok ? response.json() : {}))
  .catch(() => ({}));

/** The Chinese label of a field; `scope` (e.g. "work_order") and `overrides` refine it. */
export function fieldLabel(name, overrides = {}) {
  return overrides[name] || FIELDS[name] || name;
}

/** The Chinese name of a code: looked up as "scope.field", then "field". */
export function codeName(field, value, scope) {
  if (value === null || value === undefined) return "";
  const table = (scope && CODES[`${scope}.${field}`]) || CODES[field];
  return (table && table[value]) || String(value);
}

/** Let a page register names it learned from the API (e.g. department names). */
export function learnCodes(key, names) {
  CODES[key] = { ...(CODES[key] || {}), ...names };
}
