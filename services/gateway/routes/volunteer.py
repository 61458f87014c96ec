"""Routes for the volunteer service: the registry, shifts and attendance, the hours ledger,
corrections, certificates, teams, recognition and statistics.

A volunteer's own account (role `volunteer`, limited to its volunteer id) reads its record,
hours, shifts, ledger, corrections and certificates, signs up for shifts and withdraws, checks
in and out, records its visits and asks for corrections — only ever as itself.
"""
from services.gateway.access import ADMIN, EVERYONE, READERS, REFERENCE, STAFF, Scope
from services.gateway.routes.base import Route
from services.volunteer import schemas as volunteer, views as volunteer_views

COMMUNITY = {"community": "community"}
SELF = frozenset({"volunteer"})
# A volunteer's record: its community, and it is the volunteer themselves.
PERSON = {"community": "community", "volunteer": "id"}
ON_PERSON = Scope(PERSON, lookup=("volunteer", "get_volunteer"))
# Records about one volunteer (ledger entries, corrections, certificates, lists of them).
ABOUT = {"community": "community", "volunteer": "volunteer_id"}
# A shift belongs to its community; a volunteer acting on it names themselves in the input.
ON_SHIFT = Scope(COMMUNITY, lookup=("volunteer", "get_shift"))
ON_SHIFT_AS_SELF = Scope(COMMUNITY, lookup=("volunteer", "get_shift"),
                         inputs={"volunteer": "volunteer_id"})
ON_CORRECTION = Scope(COMMUNITY, lookup=("volunteer", "get_correction"))
# A certificate read beside its record (its QR code): of its community, about its volunteer.
ON_CERTIFICATE = Scope(ABOUT, lookup=("volunteer", "get_certificate"))


def _person_action(name: str, path: str, summary: str, schema, roles=STAFF, **extra):
    return Route(f"volunteers.{name}", "POST", f"/api/volunteers/<volunteer_id>/{path}", summary,
                 "志愿者", roles, ON_PERSON, rpc=("volunteer", f"{name}_volunteer"),
                 input=schema, output=volunteer_views.VolunteerView, actor=True, **extra)


def _shift_action(name: str, path: str, summary: str, schema, rpc=None, roles=STAFF,
                  scope=ON_SHIFT):
    return Route(f"shifts.{name}", "POST", f"/api/shifts/<shift_id>/{path}", summary,
                 "志愿服务岗位", roles, scope, rpc=("volunteer", rpc or name), input=schema,
                 output=volunteer_views.ShiftView, actor=True)


VOLUNTEER_EXPORT = (
    ("id", "志愿者编号"), ("name", "姓名"), ("community", "社区"), ("team_name", "志愿服务队"),
    ("phone_masked", "联系电话(脱敏)"), ("id_number_masked", "身份证号(脱敏)"),
    ("skills", "技能"), ("state_name", "状态"), ("total_hours", "累计时长(小时)"),
    ("services", "服务次数"), ("star_name", "星级"), ("registered_at", "注册时间"),
    ("last_served_on", "最近服务日期"))
SHIFT_EXPORT = (
    ("id", "岗位编号"), ("kind_name", "类型"), ("title", "岗位名称"), ("community", "社区"),
    ("place", "地点"), ("organiser", "组织单位"), ("starts_at", "开始时间"),
    ("ends_at", "结束时间"), ("needed", "需要人数"), ("signed_up", "已报名"),
    ("places_left", "剩余名额"), ("state_name", "状态"))
LEDGER_EXPORT = (
    ("id", "记录编号"), ("date", "服务日期"), ("volunteer_id", "志愿者编号"),
    ("volunteer_name", "姓名"), ("community", "社区"), ("content", "服务内容"),
    ("hours", "时长(小时)"), ("organiser", "组织单位"), ("recorder.name", "记录人"),
    ("source_name", "来源"), ("corrects", "更正的记录"), ("note", "备注"))
CORRECTION_EXPORT = (
    ("id", "更正编号"), ("volunteer_id", "志愿者编号"), ("volunteer_name", "姓名"),
    ("community", "社区"), ("organiser", "组织单位"), ("old.hours", "原时长"),
    ("new.hours", "更正后时长"), ("reason", "理由"), ("state_name", "状态"),
    ("requested_at", "申请时间"), ("decided_at", "处理时间"))
CERTIFICATE_EXPORT = (
    ("number", "证明编号"), ("volunteer_name", "姓名"), ("id_number_masked", "身份证号(脱敏)"),
    ("community", "社区"), ("issuer", "出具单位"), ("from_date", "起始日期"),
    ("to_date", "截止日期"), ("total_hours", "时长合计(小时)"), ("services", "服务次数"),
    ("issued_at", "出具时间"), ("state_name", "状态"))
TEAM_EXPORT = (("code", "队伍编码"), ("name", "队伍名称"), ("community", "社区"),
               ("leader", "队长"), ("active", "启用"))
SUGGESTION_EXPORT = (("id", "志愿者编号"), ("name", "姓名"), ("community", "社区"),
                     ("skills", "技能"), ("usually_available", "通常有空"),
                     ("total_hours", "累计时长(小时)"), ("star_name", "星级"))

ROUTES = [
    # --- the registry -----------------------------------------------------------------------
    Route("volunteers.list", "GET", "/api/volunteers", "志愿者名册", "志愿者", READERS,
          Scope(COMMUNITY), rpc=("volunteer", "list_volunteers"),
          input=volunteer.ListVolunteers, output=volunteer_views.VolunteerView, paged=True,
          export=VOLUNTEER_EXPORT, omit=("available",)),
    Route("volunteers.register", "POST", "/api/volunteers", "登记志愿者(待审核)", "志愿者",
          STAFF, Scope(COMMUNITY), rpc=("volunteer", "register_volunteer"),
          input=volunteer.RegisterVolunteer, output=volunteer_views.VolunteerView, actor=True,
          status=201),
    Route("volunteers.get", "GET", "/api/volunteers/<volunteer_id>",
          "志愿者详情(志愿者本人可查看自己的)", "志愿者", READERS | SELF,
          Scope(PERSON, record=True), rpc=("volunteer", "get_volunteer"),
          output=volunteer_views.VolunteerView),
    Route("volunteers.update", "PATCH", "/api/volunteers/<volunteer_id>",
          "修改志愿者资料(本人或工作人员;只改所填字段)", "志愿者", STAFF | SELF,
          Scope(PERSON, lookup=("volunteer", "get_volunteer"), inputs=COMMUNITY),
          rpc=("volunteer", "update_volunteer"), input=volunteer.UpdateVolunteer,
          output=volunteer_views.VolunteerView, actor=True),
    _person_action("approve", "approve", "审核通过", volunteer.Note),
    _person_action("reject", "reject", "审核不通过", volunteer.Reason),
    _person_action("suspend", "suspend", "暂停服务(释放未开始岗位的名额)", volunteer.Reason),
    _person_action("reinstate", "reinstate", "恢复服务", volunteer.Note),
    _person_action("withdraw", "withdraw", "退出(本人或工作人员;释放未开始岗位的名额)",
                   volunteer.OptionalReason, roles=STAFF | SELF),
    _person_action("commend", "commend", "表扬志愿者", volunteer.Commend),
    Route("volunteers.reveal", "POST", "/api/volunteers/<volunteer_id>/reveal-personal-data",
          "查看志愿者电话和身份证号(明文,记入审计)", "志愿者", STAFF | SELF, ON_PERSON,
          rpc=("volunteer", "reveal_volunteer_personal_data"), input=volunteer.Reveal,
          output=volunteer_views.RevealedView, actor=True, reveals=True),
    Route("volunteers.hours", "GET", "/api/volunteers/<volunteer_id>/hours",
          "志愿者的服务时长(累计、期间、按月)和下一星级", "志愿者", READERS | SELF, ON_PERSON,
          rpc=("volunteer", "volunteer_hours"), input=volunteer.VolunteerHours,
          output=volunteer_views.VolunteerHoursView),
    Route("volunteers.record_hours", "POST", "/api/volunteers/<volunteer_id>/ledger-entries",
          "补录志愿服务时长(如纸质签到表)", "服务时长", STAFF, ON_PERSON,
          rpc=("volunteer", "record_hours"), input=volunteer.RecordHours,
          output=volunteer_views.LedgerEntryView, actor=True, status=201),
    Route("volunteers.certificates", "GET", "/api/volunteers/<volunteer_id>/certificates",
          "志愿者的志愿服务记录证明", "证明", READERS | SELF, ON_PERSON,
          rpc=("volunteer", "list_certificates"), input=volunteer.ListCertificates,
          output=volunteer_views.CertificateView, paged=True, export=CERTIFICATE_EXPORT),
    Route("volunteers.issue_certificate", "POST",
          "/api/volunteers/<volunteer_id>/certificates",
          "出具志愿服务记录证明(只计出具单位记录的时长)", "证明", STAFF, ON_PERSON,
          rpc=("volunteer", "issue_certificate"), input=volunteer.IssueCertificate,
          output=volunteer_views.CertificateView, actor=True, status=201),

    # --- shifts -----------------------------------------------------------------------------
    Route("shifts.list", "GET", "/api/shifts", "志愿服务岗位(志愿者看到自己报名的)",
          "志愿服务岗位", READERS | SELF, Scope(ABOUT), rpc=("volunteer", "list_shifts"),
          input=volunteer.ListShifts, output=volunteer_views.ShiftView, paged=True,
          export=SHIFT_EXPORT),
    Route("shifts.open", "GET", "/api/shifts/open", "正在招募、可以报名的岗位(各社区)",
          "志愿服务岗位", ADMIN | SELF, REFERENCE, rpc=("volunteer", "list_shifts"),
          input=volunteer.ListShifts, output=volunteer_views.ShiftView, paged=True,
          export=SHIFT_EXPORT, fixed={"open_for_sign_up": True}, omit=("volunteer_id",)),
    Route("shifts.create", "POST", "/api/shifts", "发布志愿服务岗位", "志愿服务岗位", STAFF,
          Scope(COMMUNITY), rpc=("volunteer", "open_shift"), input=volunteer.OpenShift,
          output=volunteer_views.ShiftView, actor=True, status=201),
    Route("shifts.get", "GET", "/api/shifts/<shift_id>", "岗位详情(报名、签到签退、时长)",
          "志愿服务岗位", READERS, Scope(COMMUNITY, record=True), rpc=("volunteer", "get_shift"),
          output=volunteer_views.ShiftView),
    _shift_action("cancel", "cancel", "取消岗位", volunteer.Reason, rpc="cancel_shift"),
    _shift_action("sign_up", "sign-up", "报名(志愿者本人,或工作人员代为报名)",
                  volunteer.VolunteerRef, roles=STAFF | SELF, scope=ON_SHIFT_AS_SELF),
    _shift_action("withdraw_sign_up", "withdraw-sign-up", "取消报名", volunteer.Withdraw,
                  roles=STAFF | SELF, scope=ON_SHIFT_AS_SELF),
    _shift_action("check_in", "check-in", "签到(工作人员可按纸质签到表补录时间)",
                  volunteer.Attendance, roles=STAFF | SELF, scope=ON_SHIFT_AS_SELF),
    _shift_action("check_out", "check-out", "签退(计算时长)", volunteer.Attendance,
                  roles=STAFF | SELF, scope=ON_SHIFT_AS_SELF),
    _shift_action("mark_attended", "mark-attended", "批量确认出勤(未报名的作为现场补登)",
                  volunteer.MarkAttended),
    _shift_action("complete", "complete", "完成岗位并记入服务时长", volunteer.Note,
                  rpc="complete_shift"),
    _shift_action("record_follow_up_visit", "follow-up-visit", "登记工单回访结果",
                  volunteer.RecordVisit, roles=STAFF | SELF, scope=ON_SHIFT_AS_SELF),
    _shift_action("record_placement_visit", "placement-visit", "登记就业回访结果",
                  volunteer.RecordPlacementVisit, roles=STAFF | SELF, scope=ON_SHIFT_AS_SELF),
    Route("shifts.suggestions", "GET", "/api/shifts/<shift_id>/suggested-volunteers",
          "推荐可以参加的志愿者(技能相符、时间不冲突,通常有空的在前)", "志愿服务岗位", STAFF,
          ON_SHIFT, rpc=("volunteer", "suggest_volunteers"), input=volunteer.Suggest,
          output=volunteer_views.SuggestedVolunteerView, listed=True, export=SUGGESTION_EXPORT),

    # --- the hours ledger and corrections -----------------------------------------------------
    Route("ledger.list", "GET", "/api/ledger-entries", "志愿服务记录(时长台账)", "服务时长",
          READERS | SELF, Scope(ABOUT), rpc=("volunteer", "list_ledger_entries"),
          input=volunteer.ListEntries, output=volunteer_views.LedgerEntryView, paged=True,
          export=LEDGER_EXPORT),
    Route("ledger.get", "GET", "/api/ledger-entries/<entry_id>", "服务记录详情", "服务时长",
          READERS | SELF, Scope(ABOUT, record=True), rpc=("volunteer", "get_ledger_entry"),
          output=volunteer_views.LedgerEntryView),
    Route("corrections.list", "GET", "/api/corrections", "时长更正申请", "服务时长",
          READERS | SELF, Scope(ABOUT), rpc=("volunteer", "list_corrections"),
          input=volunteer.ListCorrections, output=volunteer_views.CorrectionView, paged=True,
          export=CORRECTION_EXPORT),
    Route("corrections.request", "POST", "/api/corrections",
          "申请更正签到签退时间或时长(志愿者本人)", "服务时长", ADMIN | SELF,
          Scope({"volunteer": "volunteer_id"}), rpc=("volunteer", "request_correction"),
          input=volunteer.RequestCorrection, output=volunteer_views.CorrectionView, actor=True,
          status=201),
    Route("corrections.get", "GET", "/api/corrections/<correction_id>", "更正申请详情",
          "服务时长", READERS | SELF, Scope(ABOUT, record=True),
          rpc=("volunteer", "get_correction"), output=volunteer_views.CorrectionView),
    Route("corrections.approve", "POST", "/api/corrections/<correction_id>/approve",
          "批准更正(已记入的时长以更正记录补差)", "服务时长", STAFF, ON_CORRECTION,
          rpc=("volunteer", "approve_correction"), input=volunteer.Note,
          output=volunteer_views.CorrectionView, actor=True),
    Route("corrections.reject", "POST", "/api/corrections/<correction_id>/reject", "驳回更正",
          "服务时长", STAFF, ON_CORRECTION, rpc=("volunteer", "reject_correction"),
          input=volunteer.Reason, output=volunteer_views.CorrectionView, actor=True),

    # --- certificates -----------------------------------------------------------------------
    Route("certificates.list", "GET", "/api/certificates",
          "志愿服务记录证明(社区工作人员看本社区的,志愿者看自己的)", "证明", READERS | SELF,
          Scope(ABOUT), rpc=("volunteer", "list_certificates"), input=volunteer.ListCertificates,
          output=volunteer_views.CertificateView, paged=True, export=CERTIFICATE_EXPORT),
    Route("certificates.get", "GET", "/api/certificates/<number>", "证明详情(含每条服务记录)",
          "证明", READERS | SELF, Scope(ABOUT, record=True),
          rpc=("volunteer", "get_certificate"), output=volunteer_views.CertificateView),
    Route("certificates.revoke", "POST", "/api/certificates/<number>/revoke",
          "作废证明(此后核验显示无效)", "证明", STAFF,
          Scope(COMMUNITY, lookup=("volunteer", "get_certificate")),
          rpc=("volunteer", "revoke_certificate"), input=volunteer.Reason,
          output=volunteer_views.CertificateView, actor=True),

    # --- teams, skills, recognition, figures ----------------------------------------------
    Route("volunteer_teams.list", "GET", "/api/volunteer-teams", "志愿服务队", "志愿者设置",
          EVERYONE, REFERENCE, rpc=("volunteer", "list_teams"), input=volunteer.ListTeams,
          output=volunteer_views.TeamView, listed=True, export=TEAM_EXPORT),
    Route("volunteer_teams.save", "PUT", "/api/volunteer-teams/<code>",
          "新建或修改志愿服务队(不填社区为街道级,仅街道管理员)", "志愿者设置", STAFF,
          Scope(COMMUNITY), rpc=("volunteer", "save_team"), input=volunteer.Team,
          output=volunteer_views.TeamView, actor=True),
    Route("volunteer.skills", "GET", "/api/volunteer/skills", "志愿服务技能代码", "志愿者设置",
          EVERYONE, REFERENCE, rpc=("volunteer", "list_skills"), output=volunteer_views.SkillView,
          listed=True),
    Route("volunteer.recognition_rules", "GET", "/api/volunteer/recognition-rules",
          "星级志愿者门槛与先进典型推荐规则", "志愿者设置", EVERYONE, REFERENCE,
          rpc=("volunteer", "get_recognition_rules"), output=volunteer_views.RecognitionRulesView),
    Route("volunteer.set_recognition_rules", "PUT", "/api/volunteer/recognition-rules",
          "设置星级门槛与先进典型推荐规则", "志愿者设置", ADMIN, REFERENCE,
          rpc=("volunteer", "set_recognition_rules"), input=volunteer.RecognitionRules,
          output=volunteer_views.RecognitionRulesView, actor=True),
    Route("volunteers.statistics", "GET", "/api/statistics/volunteers",
          "志愿服务统计:在册人数、星级、新注册、服务时长与人次", "统计", READERS, Scope(COMMUNITY),
          rpc=("volunteer", "volunteer_statistics"), input=volunteer.Statistics,
          output=volunteer_views.StatisticsView),
]
