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
  volunteer: "志愿者编号", current_password: "当前密码", new_password: "新密码",
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
};

const CODES = {
  category: {
    road_surface: "路面破损", manhole_cover: "井盖破损", street_light: "路灯故障",
    waterlogging: "道路积水", parking: "车辆乱停", greenery: "绿化养护", other: "其他问题",
  },
  channel: {
    resident: "居民上报", grid_worker: "网格员巡查", hotline_12345: "12345热线",
    employer_visit: "一走四送走访", open311: "Open311 接口",
  },
  "work_order.state": {
    reported: "待受理", accepted: "已受理", dispatched: "已派单", returned: "已退单",
    in_progress: "办理中", extension_requested: "延期申请中", completed: "已办结待回访",
    closed: "已结案", duplicate: "重复件", rejected: "不予受理", cancelled: "已撤销",
  },
  "quantities.kind": {
    street_lamp: "新装或维修路灯(盏)", road_surface: "修复路面(m²)",
    sidewalk_tiles: "人行道地砖(m²)", hedge_trimming: "修剪绿篱草坪(m²)",
    replanting: "绿化补植(m²)", hardening: "硬化背街小巷(m²)", manhole_cover: "修复更换井盖(个)",
  },
  "work_order.result": {
    satisfied: "满意", basically_satisfied: "基本满意", dissatisfied: "不满意",
    unreachable: "联系不上",
  },
  "work_order.sort": {
    "-reported_at": "上报时间(新→旧)", reported_at: "上报时间(旧→新)",
    due_at: "办理期限(近→远)", "-due_at": "办理期限(远→近)",
    "-updated_at": "最近更新", updated_at: "最早更新", number: "工单号(升序)", "-number": "工单号(降序)",
  },
  role: {
    street_admin: "街道管理员", community_staff: "社区工作人员", grid_worker: "网格员",
    department: "承办部门", volunteer: "志愿者", viewer: "只读查看",
  },
  group_by: { month: "按月", community: "按社区", alley: "按巷道", category: "按类别",
    venue: "按场地", theme: "按主题", festival: "按节日", team: "按服务队", skill: "按技能" },
  // activities
  theme: {
    quarter_hour_talk: "一刻钟宣讲", our_festivals: "我们的节日", filial_piety_festival: "孝亲文化节",
    anti_waste: "反对浪费·提倡光盘", civilised_traffic: "文明交通", civilisation_creation: "文明创建",
    first_aid_training: "急救培训", free_clinic: "义诊", exemplar_sharing: "先进典型宣讲",
    skills_training: "技能培训", science_popularisation: "科普活动", culture_and_sports: "文体活动",
    elderly_care: "敬老助老", volunteer_service: "志愿服务", other: "其他",
  },
  festival: {
    spring_festival: "春节", lantern_festival: "元宵节", qingming: "清明节", dragon_boat: "端午节",
    qixi: "七夕节", mid_autumn: "中秋节", double_ninth: "重阳节", laba: "腊八节",
  },
  target_groups: {
    all_residents: "全体居民", elderly: "老年人", youth: "青少年", children: "儿童", families: "家庭",
    women: "妇女", employees: "企业职工", job_seekers: "求职者", volunteers: "志愿者",
    party_members: "党员",
  },
  "activity.state": {
    draft: "草稿", published: "已发布", ongoing: "进行中", finished: "已结束", cancelled: "已取消",
  },
  "registration.status": {
    registered: "已报名", waitlisted: "候补中", cancelled: "已取消", expired: "候补未成功",
    activity_cancelled: "活动已取消",
  },
  form: { display_board: "展板宣传", story_sharing: "事迹分享", scenario_telling: "情景讲述" },
  "activity.sort": { "-starts_at": "开始时间(晚→早)", starts_at: "开始时间(早→晚)",
    "-updated_at": "最近更新", updated_at: "最早更新" },
  "exemplar.category": { filial_family: "孝亲之家", good_in_laws: "好婆婆·好媳妇", good_person: "身边好人",
    civilised_family: "文明家庭", volunteer_model: "志愿服务典型" },
  "exemplar.state": { nominated: "待审核", approved: "审核通过", rejected: "未通过", published: "已发布",
    withdrawn: "已撤回" },
  "venue.kind": { cultural_centre: "综合文化服务中心", party_service_centre: "党群服务中心",
    volunteer_square: "志愿服务广场", civilisation_station: "新时代文明实践站",
    civilisation_institute: "新时代文明实践所", other: "其他" },
  "room.kind": { science: "科普室", calligraphy: "书画室", citizen_school: "市民学校",
    employment_station: "就业服务站", day_care: "日间照料中心", multi_function_hall: "多功能厅",
    party_activity_room: "党群活动室", reading_room: "阅览室", other: "其他" },
  "check_in.role": { participant: "居民", volunteer: "服务志愿者" },
  decision: { approve: "通过", reject: "不通过" },
  // volunteers
  skills: {
    medical: "医疗卫生", first_aid: "应急救护", legal: "法律服务", teaching: "教育辅导",
    arts: "文体艺术", elderly_care: "为老服务", child_care: "关爱少儿", psychological: "心理疏导",
    publicity: "文明宣传", environment: "环境整治", traffic: "文明交通劝导", repair: "维修服务",
    digital: "信息技术", visiting: "走访回访", employment: "就业帮扶",
  },
  slot: { morning: "上午", afternoon: "下午", evening: "晚上" },
  "volunteer.sort": { "-registered_at": "注册时间(新→旧)", registered_at: "注册时间(旧→新)",
    "-total_hours": "累计时长(多→少)", total_hours: "累计时长(少→多)", "-updated_at": "最近更新",
    updated_at: "最早更新", id: "编号(升序)", "-id": "编号(降序)" },
  "shift.sort": { starts_at: "开始时间(早→晚)", "-starts_at": "开始时间(晚→早)",
    created_at: "发布时间(早→晚)", "-created_at": "发布时间(晚→早)" },
  "correction.state": { requested: "待审核", approved: "已批准", rejected: "已驳回" },
  "certificate.state": { valid: "有效", revoked: "已作废" },
  weekday: { 1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日" },
  "volunteer.state": {
    pending: "待审核", active: "在册", suspended: "已暂停", rejected: "未通过", withdrawn: "已退出",
  },
  "shift.state": { open: "招募中", completed: "已完成", cancelled: "已取消" },
  "shift.kind": {
    manual: "志愿服务", activity: "活动志愿服务", follow_up_visit: "工单回访",
    placement_follow_up: "就业回访",
  },
  skill_match: { all: "须具备全部技能", any: "具备其一即可" },
  "shift.result": {
    satisfied: "满意", basically_satisfied: "基本满意", dissatisfied: "不满意", unreachable: "联系不上",
    employed: "仍在岗", changed_job: "已换工作", not_employed: "已离职",
  },
  source_kind: { shift: "志愿服务岗位", activity: "主题活动签到", manual: "组织方补录", correction: "时长更正" },
  // jobs
  sector: {
    manufacturing: "加工制造", handicraft: "来料加工/手工", retail: "批发零售", catering: "餐饮",
    domestic: "家政服务", logistics: "物流快递", construction: "建筑装修", property: "物业保洁",
    care: "养老托育", services: "居民生活服务", other: "其他",
  },
  size: { micro: "微型", small: "小型", medium: "中型", large: "大型" },
  delivery_kind: { policy: "送政策", training: "送培训", job: "送岗位", service: "送服务" },
  problem_state: { reported: "已转工单办理", resolved: "已解决", ended: "未办理" },
  employment_type: {
    FULL_TIME: "全职", PART_TIME: "兼职", TEMPORARY: "临时", CONTRACTOR: "承揽/外包",
    PER_DIEM: "日结", INTERN: "实习", VOLUNTEER: "志愿", OTHER: "其他",
  },
  "posting.state": { open: "招聘中", filled: "已招满", expired: "已过期", withdrawn: "已撤回" },
  "posting.sort": { "-posted_at": "发布时间(新→旧)", posted_at: "发布时间(旧→新)",
    valid_through: "截止时间(近→远)", "-valid_through": "截止时间(远→近)" },
  "seeker.state": { seeking: "求职中", paused: "暂停求职", placed: "已就业" },
  "application.state": {
    applied: "已报名", interview_scheduled: "待面试", interview_passed: "面试通过", hired: "已录用",
    not_hired: "未录用", withdrawn: "已撤回",
  },
  "placement.state": { active: "在岗", stable: "稳定就业", ended: "已离职" },
  "placement.result": {
    employed: "仍在岗", employed_elsewhere: "已换工作,仍在就业", left: "已离职", unreachable: "联系不上",
  },
  "application.result": { passed: "通过", failed: "未通过", no_show: "未到场" },
  "application.channel": { self: "本人报名", staff_referral: "社区推荐", screen: "电子屏看到", visit: "走访对接" },
  channel_application: { self: "本人报名", staff_referral: "社区推荐", screen: "电子屏看到", visit: "走访对接" },
  hours_preset: {
    school_hours: "孩子上学时段", mornings: "上午", afternoons: "下午",
    weekdays_daytime: "工作日白天", weekends: "周末",
  },
  unit: { HOUR: "按小时", DAY: "按天", WEEK: "按周", MONTH: "按月" },
  method: { GET: "读取", POST: "新建或操作", PUT: "设置", PATCH: "修改", DELETE: "删除" },
};

/** The Chinese label of a field; `scope` (e.g. "work_order") and `overrides` refine it. */
export function fieldLabel(name, overrides = {}) {
  return overrides[name] || FIELDS[name] || name;
}

// Codes that mean the same under another field name.
CODES.skill = CODES.skills;
CODES.employment_types = CODES.employment_type;
CODES.target_group = CODES.target_groups;
CODES["delivery.kind"] = CODES.delivery_kind;

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
