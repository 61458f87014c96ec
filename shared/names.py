"""The Chinese name of every code a person may meet: one table a vocabulary, the one source
of these names for the services (their `*_name` fields, their validation messages), the
exports and reports, and the console (served to it as `/console/names.json`).

A vocabulary is keyed by its field name, or "record.field" where one field name means
different things on different records (`work_order.state`, `shift.kind`). No I/O."""
from __future__ import annotations

from collections.abc import Mapping

CODES: dict[str, dict[str, str]] = {
    "category": {
        "road_surface": "路面破损", "manhole_cover": "井盖破损", "street_light": "路灯故障",
        "waterlogging": "道路积水", "parking": "车辆乱停", "greenery": "绿化养护", "other": "其他问题",
    },
    "channel": {
        "resident": "居民上报", "grid_worker": "网格员巡查", "hotline_12345": "12345热线",
        "employer_visit": "一走四送走访", "open311": "Open311 接口",
    },
    "work_order.state": {
        "reported": "待受理", "accepted": "已受理", "dispatched": "已派单", "returned": "已退单",
        "in_progress": "办理中", "extension_requested": "延期申请中", "completed": "已办结待回访",
        "closed": "已结案", "duplicate": "重复件", "rejected": "不予受理", "cancelled": "已撤销",
    },
    "quantities.kind": {
        "street_lamp": "新装或维修路灯(盏)", "road_surface": "修复路面(m²)", "sidewalk_tiles": "人行道地砖(m²)",
        "hedge_trimming": "修剪绿篱草坪(m²)", "replanting": "绿化补植(m²)", "hardening": "硬化背街小巷(m²)",
        "manhole_cover": "修复更换井盖(个)",
    },
    "work_order.result": {
        "satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意",
        "unreachable": "联系不上",
    },
    "work_order.sort": {
        "-reported_at": "上报时间(新→旧)", "reported_at": "上报时间(旧→新)", "due_at": "办理期限(近→远)",
        "-due_at": "办理期限(远→近)", "-updated_at": "最近更新", "updated_at": "最早更新", "number": "工单号(升序)",
        "-number": "工单号(降序)",
    },
    "role": {
        "street_admin": "街道管理员", "community_staff": "社区工作人员", "grid_worker": "网格员",
        "department": "承办部门", "volunteer": "志愿者", "viewer": "只读查看",
    },
    "group_by": {
        "month": "按月", "community": "按社区", "alley": "按巷道", "category": "按类别", "venue": "按场地",
        "theme": "按主题", "festival": "按节日", "team": "按服务队", "skill": "按技能",
    },
    "theme": {
        "quarter_hour_talk": "一刻钟宣讲", "our_festivals": "我们的节日", "filial_piety_festival": "孝亲文化节",
        "anti_waste": "反对浪费·提倡光盘", "civilised_traffic": "文明交通", "civilisation_creation": "文明创建",
        "first_aid_training": "急救培训", "free_clinic": "义诊", "exemplar_sharing": "先进典型宣讲",
        "skills_training": "技能培训", "science_popularisation": "科普活动", "culture_and_sports": "文体活动",
        "elderly_care": "敬老助老", "volunteer_service": "志愿服务", "other": "其他",
    },
    "festival": {
        "spring_festival": "春节", "lantern_festival": "元宵节", "qingming": "清明节",
        "dragon_boat": "端午节", "qixi": "七夕节", "mid_autumn": "中秋节", "double_ninth": "重阳节",
        "laba": "腊八节",
    },
    "target_groups": {
        "all_residents": "全体居民", "elderly": "老年人", "youth": "青少年", "children": "少年儿童",
        "families": "家庭", "women": "妇女", "employees": "企业职工", "job_seekers": "求职人员",
        "volunteers": "志愿者", "party_members": "党员",
    },
    "activity.state": {
        "draft": "草稿", "published": "已发布", "ongoing": "进行中", "finished": "已结束",
        "cancelled": "已取消",
    },
    "registration.status": {
        "registered": "已报名", "waitlisted": "候补中", "cancelled": "已取消", "expired": "候补未成功",
        "activity_cancelled": "活动已取消",
    },
    "form": {
        "display_board": "展板宣传", "story_sharing": "事迹分享", "scenario_telling": "情景讲述",
    },
    "activity.sort": {
        "-starts_at": "开始时间(晚→早)", "starts_at": "开始时间(早→晚)", "-updated_at": "最近更新",
        "updated_at": "最早更新",
    },
    "exemplar.category": {
        "filial_family": "孝亲之家", "good_in_laws": "好婆婆·好媳妇", "good_person": "身边好人",
        "civilised_family": "文明家庭", "volunteer_model": "志愿服务典型",
    },
    "exemplar.state": {
        "nominated": "待审核", "approved": "审核通过", "rejected": "未通过", "published": "已发布",
        "withdrawn": "已撤回",
    },
    "venue.kind": {
        "cultural_centre": "综合文化服务中心", "party_service_centre": "党群服务中心",
        "volunteer_square": "志愿服务广场", "civilisation_station": "新时代文明实践站",
        "civilisation_institute": "新时代文明实践所", "other": "其他场地",
    },
    "room.kind": {
        "science": "科普室", "calligraphy": "书画室", "citizen_school": "市民学校",
        "employment_station": "就业服务站", "day_care": "日间照料中心", "multi_function_hall": "多功能厅",
        "party_activity_room": "党群活动室", "reading_room": "阅览室", "other": "其他功能室",
    },
    "check_in.role": {
        "participant": "居民", "volunteer": "服务志愿者",
    },
    "decision": {
        "approve": "通过", "reject": "不通过",
    },
    "skills": {
        "medical": "医疗卫生", "first_aid": "应急救护", "legal": "法律服务", "teaching": "教育辅导",
        "arts": "文体艺术", "elderly_care": "为老服务", "child_care": "关爱少儿", "psychological": "心理疏导",
        "publicity": "文明宣传", "environment": "环境整治", "traffic": "文明交通劝导", "repair": "维修服务",
        "digital": "信息技术", "visiting": "走访回访", "employment": "就业帮扶",
    },
    "slot": {
        "morning": "上午", "afternoon": "下午", "evening": "晚上",
    },
    "volunteer.sort": {
        "-registered_at": "注册时间(新→旧)", "registered_at": "注册时间(旧→新)", "-total_hours": "累计时长(多→少)",
        "total_hours": "累计时长(少→多)", "-updated_at": "最近更新", "updated_at": "最早更新", "id": "编号(升序)",
        "-id": "编号(降序)",
    },
    "shift.sort": {
        "starts_at": "开始时间(早→晚)", "-starts_at": "开始时间(晚→早)", "created_at": "发布时间(早→晚)",
        "-created_at": "发布时间(晚→早)",
    },
    "correction.state": {
        "requested": "待审核", "approved": "已批准", "rejected": "已驳回",
    },
    "certificate.state": {
        "valid": "有效", "revoked": "已作废",
    },
    "weekday": {
        "1": "周一", "2": "周二", "3": "周三", "4": "周四", "5": "周五", "6": "周六", "7": "周日",
    },
    "volunteer.state": {
        "pending": "待审核", "active": "在册", "suspended": "已暂停", "rejected": "未通过",
        "withdrawn": "已退出",
    },
    "shift.state": {
        "open": "招募中", "completed": "已完成", "cancelled": "已取消",
    },
    "shift.kind": {
        "manual": "志愿服务", "activity": "活动志愿服务", "follow_up_visit": "工单回访",
        "placement_follow_up": "就业回访",
    },
    "skill_match": {
        "all": "须具备全部技能", "any": "具备其一即可",
    },
    "shift.result": {
        "satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意",
        "unreachable": "联系不上", "employed": "仍在岗", "changed_job": "已换工作", "not_employed": "已离职",
    },
    "source_kind": {
        "shift": "志愿服务岗位", "activity": "主题活动签到", "manual": "组织方补录", "correction": "时长更正",
    },
    "sector": {
        "manufacturing": "加工制造", "handicraft": "来料加工/手工", "retail": "批发零售", "catering": "餐饮",
        "domestic": "家政服务", "logistics": "物流快递", "construction": "建筑装修", "property": "物业保洁",
        "care": "养老托育", "services": "居民生活服务", "other": "其他",
    },
    "size": {
        "micro": "微型", "small": "小型", "medium": "中型", "large": "大型",
    },
    "delivery_kind": {
        "policy": "送政策", "training": "送培训", "job": "送岗位", "service": "送服务",
    },
    "problem_state": {
        "reported": "已转工单办理", "resolved": "已解决", "ended": "未办理",
    },
    "employment_type": {
        "FULL_TIME": "全职", "PART_TIME": "兼职", "TEMPORARY": "临时", "CONTRACTOR": "承揽/外包",
        "PER_DIEM": "日结", "INTERN": "实习", "VOLUNTEER": "志愿", "OTHER": "其他",
    },
    "posting.state": {
        "open": "招聘中", "filled": "已招满", "expired": "已过期", "withdrawn": "已撤回",
    },
    "posting.sort": {
        "-posted_at": "发布时间(新→旧)", "posted_at": "发布时间(旧→新)", "valid_through": "截止时间(近→远)",
        "-valid_through": "截止时间(远→近)",
    },
    "seeker.state": {
        "seeking": "求职中", "paused": "暂停求职", "placed": "已就业",
    },
    "application.state": {
        "applied": "已报名", "interview_scheduled": "待面试", "interview_passed": "面试通过",
        "hired": "已录用", "not_hired": "未录用", "withdrawn": "已撤回",
    },
    "placement.state": {
        "active": "在岗", "stable": "稳定就业", "ended": "已离职",
    },
    "placement.result": {
        "employed": "仍在岗", "employed_elsewhere": "已换工作,仍在就业", "left": "已离职",
        "unreachable": "联系不上",
    },
    "application.result": {
        "passed": "通过", "failed": "未通过", "no_show": "未到场",
    },
    "application.channel": {
        "self": "本人报名", "staff_referral": "社区推荐", "screen": "电子屏看到", "visit": "走访对接",
    },
    "hours_preset": {
        "school_hours": "孩子上学时段", "mornings": "上午", "afternoons": "下午",
        "weekdays_daytime": "工作日白天", "weekends": "周末",
    },
    # notifications (通知发送记录, 消息记录, 12345 回传, 消息设置)
    "notification.kind": {
        "work_order_accepted": "工单已受理", "work_order_completed": "工单已办结",
        "work_order_closed": "工单已结案", "activity_reminder": "活动提醒",
        "registration_promoted": "候补转正式报名", "shift_changed": "志愿服务岗位变更",
        "shift_cancelled": "志愿服务岗位取消", "follow_up_assigned": "回访任务",
        "employer_problem_resolved": "走访问题已解决", "posting_matched": "合适的用工信息",
        "sign_in_code": "登录验证码",
    },
    "notification.topic": {
        "work_orders": "工单办理进度", "activities": "活动报名", "volunteering": "志愿服务",
        "jobs": "就业服务", "sign_in": "登录验证码",
    },
    "notification.state": {
        "pending": "待发送", "sent": "已发送", "failed": "发送失败", "skipped": "未发送",
    },
    "notification.channel": {"sms": "短信", "email": "电子邮件"},
    "notification.outcome": {
        "sent": "已发送", "failed": "失败", "skipped": "未发送", "deferred": "推迟",
        "interrupted": "中断后重发",
    },
    "unit": {
        "HOUR": "时薪", "DAY": "日薪", "WEEK": "周薪", "MONTH": "月薪",
    },
    "method": {
        "GET": "读取", "POST": "新建或操作", "PUT": "设置", "PATCH": "修改", "DELETE": "删除",
    },
}

# Codes that mean the same under another field name.
ALIASES = {"skill": "skills", "employment_types": "employment_type",
           "target_group": "target_groups", "delivery.kind": "delivery_kind",
           "channel_application": "application.channel"}


def table(vocabulary: str) -> dict[str, str]:
    """A vocabulary's codes and names, in their order."""
    return CODES[ALIASES.get(vocabulary, vocabulary)]


def name(vocabulary: str, code) -> str:
    """The Chinese name of a code, or the code itself when the vocabulary has none."""
    if code is None:
        return ""
    known = CODES.get(ALIASES.get(vocabulary, vocabulary), {})
    return known.get(str(code), str(code))


def choice_names(choices) -> list[str]:
    """The names of a list of allowed codes, for a message a person reads ("应为以下之一:…"):
    a mapping's own names, else those of the smallest vocabulary that has every code (a code
    no vocabulary names stays as it is)."""
    if isinstance(choices, Mapping):
        values = list(choices.values())
        if all(isinstance(v, str) for v in values):
            return values
        choices = list(choices)
    codes = [str(c) for c in choices]
    fitting = [t for t in CODES.values() if all(c in t for c in codes)]
    if not fitting:
        return codes
    best = min(fitting, key=len)
    return [best[c] for c in codes]


def for_console() -> dict[str, dict[str, str]]:
    """Every vocabulary and alias, as the console looks them up."""
    return {**CODES, **{alias: table(target) for alias, target in ALIASES.items()}}


PLACE_SEPARATOR = " · "


def place(venue: str | None, room: str | None = None) -> str:
    """Where something happens, as people read it: the venue and its room apart
    ("天宝社区文化服务中心 · 书画室"), never run together; the venue alone without a room."""
    return PLACE_SEPARATOR.join(p for p in (venue, room) if p)
