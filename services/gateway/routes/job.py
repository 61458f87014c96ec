"""Routes for the job service: employers and their visits (一走四送), job postings, job seekers,
matching, applications, placements and their follow-ups, notifications to employers, the
figures and reference data. The job service trusts its callers with communities, so these
routes are where a community's staff are kept to their community."""
from services.gateway.access import ADMIN, EVERYONE, FIELD, READERS, REFERENCE, STAFF, Scope
from services.gateway.routes.base import Route
from services.job import schemas as job, summary_views, views as job_views
from services.job.schema_org import SchemaOrgJobPostingView

COMMUNITY = {"community": "community"}


def _on(method: str, **extra) -> Scope:
    """An action on one record, found by `method` and checked by its community."""
    return Scope(COMMUNITY, lookup=("job", method), **extra)


ON_EMPLOYER = _on("get_employer")
ON_VISIT = _on("get_visit")
ON_POSTING = _on("get_job_posting")
ON_SEEKER = _on("get_seeker")
ON_APPLICATION = _on("get_application")
ON_PLACEMENT = _on("get_placement")
READ_ONE = Scope(COMMUNITY, record=True)


def _action(kind: str, tag: str, scope: Scope, output, name: str, path: str, summary: str,
            schema, rpc: str, **extra):
    id_name = {"job-postings": "posting_id", "job-seekers": "seeker_id",
               "applications": "application_id", "placements": "placement_id"}[kind]
    return Route(f"{kind.replace('-', '_')}.{name}", "POST", f"/api/{kind}/<{id_name}>/{path}",
                 summary, tag, extra.pop("roles", STAFF), scope, rpc=("job", rpc),
                 input=schema, output=output, actor=True, **extra)


def _posting(name, path, summary, schema, rpc):
    return _action("job-postings", "用工信息", ON_POSTING, job_views.JobPostingView, name, path,
                   summary, schema, rpc)


def _seeker(name, path, summary, schema, rpc):
    return _action("job-seekers", "求职者", ON_SEEKER, job_views.JobSeekerView, name, path, summary,
                   schema, rpc)


def _application(name, path, summary, schema, rpc, output=job_views.ApplicationView, **extra):
    return _action("applications", "求职报名", ON_APPLICATION, output, name, path, summary,
                   schema, rpc, **extra)


def _placement(name, path, summary, schema, rpc):
    return _action("placements", "就业安置", ON_PLACEMENT, job_views.PlacementView, name, path,
                   summary, schema, rpc)


EMPLOYER_EXPORT = (
    ("employer_id", "单位编号"), ("name", "单位名称"), ("community", "社区"),
    ("address", "地址"), ("sector_name", "行业"), ("size_name", "规模"),
    ("contact.name", "联系人"), ("contact.phone_masked", "联系电话(脱敏)"),
    ("credit_code", "统一社会信用代码"), ("employees", "职工人数"), ("visits", "走访次数"),
    ("last_visited_on", "最近走访"), ("active", "在访"))
VISIT_EXPORT = (
    ("visit_id", "走访编号"), ("visited_on", "走访日期"), ("employer_name", "单位"),
    ("community", "社区"), ("visitor_name", "走访人"), ("findings", "走访情况"),
    ("recorded_at", "登记时间"))
POSTING_EXPORT = (
    ("posting_id", "编号"), ("title", "岗位"), ("employer_name", "用工单位"),
    ("community", "社区"), ("address", "工作地点"), ("employment_type_name", "用工形式"),
    ("work_schedule_text", "工作时间"), ("hours_flexible", "时间灵活"),
    ("salary_text", "薪资"), ("openings", "招聘人数"), ("filled", "已录用"),
    ("valid_through", "截止时间"), ("state_name", "状态"), ("posted_at", "发布时间"))
SEEKER_EXPORT = (
    ("seeker_id", "编号"), ("name", "姓名"), ("community", "社区"),
    ("phone_masked", "联系电话(脱敏)"), ("id_number_masked", "身份证号(脱敏)"),
    ("skills", "技能"), ("available_hours_text", "可工作时间"),
    ("expected_monthly_pay", "期望月收入(元)"), ("state_name", "状态"),
    ("registered_at", "登记时间"))
APPLICATION_EXPORT = (
    ("application_id", "编号"), ("seeker_name", "求职者"), ("community", "社区"),
    ("title", "岗位"), ("employer_name", "用工单位"), ("channel_name", "渠道"),
    ("state_name", "状态"), ("applied_at", "报名时间"), ("outcome_reason", "结果说明"))
PLACEMENT_EXPORT = (
    ("placement_id", "编号"), ("seeker_name", "姓名"), ("community", "社区"),
    ("title", "岗位"), ("employer_name", "用工单位"), ("started_on", "上岗日期"),
    ("monthly_pay", "月收入(元)"), ("state_name", "状态"), ("stable_on", "确认稳定就业"),
    ("ended_on", "离职日期"), ("end_reason", "离职原因"))
NOTIFICATION_EXPORT = (
    ("created_at", "时间"), ("employer_name", "用工单位"), ("community", "社区"),
    ("title", "标题"), ("body", "内容"), ("work_order_number", "工单号"),
    ("read_at", "已告知时间"))
POSTING_MATCH_EXPORT = (
    ("score", "匹配度"), ("posting.title", "岗位"), ("posting.employer_name", "用工单位"),
    ("posting.salary_text", "薪资"), ("posting.work_schedule_text", "工作时间"),
    ("distance_km", "距离(公里)"), ("reasons", "理由"))
SEEKER_MATCH_EXPORT = (
    ("score", "匹配度"), ("seeker.name", "姓名"), ("seeker.community", "社区"),
    ("seeker.phone_masked", "联系电话(脱敏)"), ("seeker.available_hours_text", "可工作时间"),
    ("distance_km", "距离(公里)"), ("reasons", "理由"))

ROUTES = [
    # --- employers --------------------------------------------------------------------------
    Route("employers.list", "GET", "/api/employers", "用工单位", "用工单位", READERS,
          Scope(COMMUNITY), rpc=("job", "list_employers"), input=job.ListEmployers,
          output=job_views.EmployerView, paged=True, export=EMPLOYER_EXPORT),
    Route("employers.create", "POST", "/api/employers", "登记用工单位", "用工单位", STAFF,
          Scope(COMMUNITY), rpc=("job", "register_employer"), input=job.Employer,
          output=job_views.EmployerView, actor=True, status=201),
    Route("employers.get", "GET", "/api/employers/<employer_id>", "用工单位详情", "用工单位",
          READERS, READ_ONE, rpc=("job", "get_employer"), output=job_views.EmployerView),
    Route("employers.update", "PATCH", "/api/employers/<employer_id>",
          "修改用工单位(停用则不再走访和发布用工信息)", "用工单位", STAFF,
          _on("get_employer", inputs=COMMUNITY), rpc=("job", "update_employer"),
          input=job.UpdateEmployer, output=job_views.EmployerView, actor=True, partial=True),
    Route("employers.reveal_contact", "POST", "/api/employers/<employer_id>/reveal-contact",
          "查看单位联系人电话(明文,记入审计)", "用工单位", STAFF, ON_EMPLOYER,
          rpc=("job", "reveal_employer_contact"), input=job.Reveal,
          output=job_views.EmployerContactView, actor=True, reveals=True),
    Route("employers.record_visit", "POST", "/api/employers/<employer_id>/visits",
          "登记走访(一走四送:送政策、送培训、送岗位、送服务;发现的问题转工单)", "走访", FIELD,
          ON_EMPLOYER, rpc=("job", "record_visit"), input=job.RecordVisit,
          output=job_views.VisitView, actor=True, status=201),
    Route("employers.publish_posting", "POST", "/api/employers/<employer_id>/job-postings",
          "发布用工信息", "用工信息", STAFF, _on("get_employer", inputs=COMMUNITY),
          rpc=("job", "publish_job_posting"), input=job.PublishPosting,
          output=job_views.JobPostingView, actor=True, status=201),

    # --- visits -----------------------------------------------------------------------------
    Route("visits.list", "GET", "/api/visits", "走访记录", "走访", READERS, Scope(COMMUNITY),
          rpc=("job", "list_visits"), input=job.ListVisits, output=job_views.VisitView, paged=True,
          export=VISIT_EXPORT),
    Route("visits.get", "GET", "/api/visits/<visit_id>", "走访详情(送达事项、问题及其工单)",
          "走访", READERS, READ_ONE, rpc=("job", "get_visit"), output=job_views.VisitView),
    Route("visits.complete_action", "POST",
          "/api/visits/<visit_id>/follow-up-actions/<action_id>/complete", "完成走访后续事项",
          "走访", FIELD, ON_VISIT, rpc=("job", "complete_visit_action"),
          input=job.CompleteAction, output=job_views.VisitView, actor=True),

    # --- job postings -----------------------------------------------------------------------
    Route("job_postings.list", "GET", "/api/job-postings", "用工信息", "用工信息", READERS,
          Scope(COMMUNITY), rpc=("job", "list_job_postings"), input=job.ListPostings,
          output=job_views.JobPostingView, paged=True, export=POSTING_EXPORT),
    Route("job_postings.get", "GET", "/api/job-postings/<posting_id>", "用工信息详情",
          "用工信息", READERS, READ_ONE, rpc=("job", "get_job_posting"),
          output=job_views.JobPostingView),
    Route("job_postings.update", "PATCH", "/api/job-postings/<posting_id>",
          "修改用工信息(招聘中;只改所填字段)", "用工信息", STAFF, ON_POSTING,
          rpc=("job", "update_job_posting"), input=job.UpdatePosting,
          output=job_views.JobPostingView, actor=True, partial=True),
    _posting("withdraw", "withdraw", "撤回用工信息", job.Withdraw, "withdraw_job_posting"),
    _posting("mark_filled", "mark-filled", "标记已招满", job.Note, "mark_job_posting_filled"),
    _posting("renew", "renew", "续期(可增加招聘人数)", job.Renew, "renew_job_posting"),
    Route("job_postings.schema_org", "GET", "/api/job-postings/<posting_id>/schema-org",
          "用工信息的 schema.org JobPosting(JSON-LD,供招聘平台)", "用工信息", READERS,
          ON_POSTING, rpc=("job", "job_posting_schema_org"),
          output=SchemaOrgJobPostingView),
    Route("job_postings.matches", "GET", "/api/job-postings/<posting_id>/matches",
          "为用工信息匹配求职者(附理由)", "匹配", STAFF, ON_POSTING,
          rpc=("job", "match_seekers_for_posting"), input=job.Match,
          output=summary_views.SeekerMatchView, listed=True, export=SEEKER_MATCH_EXPORT),

    # --- job seekers ------------------------------------------------------------------------
    Route("job_seekers.list", "GET", "/api/job-seekers", "求职者", "求职者", READERS,
          Scope(COMMUNITY), rpc=("job", "list_seekers"), input=job.ListSeekers,
          output=job_views.JobSeekerView, paged=True, export=SEEKER_EXPORT),
    Route("job_seekers.create", "POST", "/api/job-seekers", "登记求职者(须本人同意)", "求职者",
          STAFF, Scope(COMMUNITY), rpc=("job", "register_seeker"), input=job.RegisterSeeker,
          output=job_views.JobSeekerView, actor=True, status=201),
    Route("job_seekers.get", "GET", "/api/job-seekers/<seeker_id>", "求职者详情", "求职者",
          READERS, READ_ONE, rpc=("job", "get_seeker"), output=job_views.JobSeekerView),
    Route("job_seekers.update", "PATCH", "/api/job-seekers/<seeker_id>",
          "修改求职者信息(只改所填字段)", "求职者", STAFF, _on("get_seeker", inputs=COMMUNITY),
          rpc=("job", "update_seeker"), input=job.UpdateSeeker, output=job_views.JobSeekerView,
          actor=True, partial=True),
    _seeker("pause", "pause", "暂停求职", job.Note, "pause_job_seeking"),
    _seeker("resume", "resume", "恢复求职", job.Note, "resume_job_seeking"),
    Route("job_seekers.reveal_contact", "POST", "/api/job-seekers/<seeker_id>/reveal-contact",
          "查看求职者电话和身份证号(明文,记入审计)", "求职者", STAFF, ON_SEEKER,
          rpc=("job", "reveal_seeker_contact"), input=job.Reveal,
          output=job_views.SeekerContactView, actor=True, reveals=True),
    Route("job_seekers.matches", "GET", "/api/job-seekers/<seeker_id>/matches",
          "为求职者匹配用工信息(附理由)", "匹配", STAFF, ON_SEEKER,
          rpc=("job", "match_postings_for_seeker"), input=job.Match,
          output=summary_views.PostingMatchView, listed=True, export=POSTING_MATCH_EXPORT),
    Route("job_seekers.apply", "POST", "/api/job-seekers/<seeker_id>/applications",
          "为求职者报名用工信息", "求职报名", STAFF, ON_SEEKER, rpc=("job", "apply_for_job"),
          input=job.Apply, output=job_views.ApplicationView, actor=True, status=201),

    # --- applications -----------------------------------------------------------------------
    Route("applications.list", "GET", "/api/applications", "求职报名(按求职者所在社区)",
          "求职报名", READERS, Scope(COMMUNITY), rpc=("job", "list_applications"),
          input=job.ListApplications, output=job_views.ApplicationView, paged=True,
          export=APPLICATION_EXPORT),
    Route("applications.get", "GET", "/api/applications/<application_id>", "求职报名详情",
          "求职报名", READERS, READ_ONE, rpc=("job", "get_application"),
          output=job_views.ApplicationView),
    _application("schedule_interview", "interview", "安排面试(再次安排则改期)",
                 job.ScheduleInterview, "schedule_interview"),
    _application("record_interview_result", "interview-result", "登记面试结果",
                 job.InterviewResult, "record_interview_result"),
    _application("hire", "hire", "录用(生成就业安置和 1/3/6 个月回访)", job.Hire,
                 "hire_applicant", output=job_views.PlacementView, status=201),
    _application("decline", "decline", "不予录用", job.Reason, "decline_application"),
    _application("withdraw", "withdraw", "撤回报名", job.Reason, "withdraw_application"),

    # --- placements -------------------------------------------------------------------------
    Route("placements.list", "GET", "/api/placements", "就业安置与回访", "就业安置", READERS,
          Scope(COMMUNITY), rpc=("job", "list_placements"), input=job.ListPlacements,
          output=job_views.PlacementView, paged=True, export=PLACEMENT_EXPORT),
    Route("placements.get", "GET", "/api/placements/<placement_id>", "就业安置详情",
          "就业安置", READERS, READ_ONE, rpc=("job", "get_placement"),
          output=job_views.PlacementView),
    _placement("record_follow_up", "follow-ups", "登记 1/3/6 个月回访(6 个月仍在岗为稳定就业)",
               job.PlacementFollowUp, "record_placement_follow_up"),
    _placement("end", "end", "登记离职", job.EndPlacement, "end_placement"),

    # --- notifications to employers -------------------------------------------------------
    Route("employer_notifications.list", "GET", "/api/employer-notifications",
          "待告知用工单位的问题办理结果", "用工单位", READERS, Scope(COMMUNITY),
          rpc=("job", "list_employer_notifications"), input=job.ListNotifications,
          output=job_views.NotificationView, paged=True, export=NOTIFICATION_EXPORT),
    Route("employer_notifications.read", "POST",
          "/api/employer-notifications/<notification_id>/read", "标记已告知用工单位", "用工单位",
          ADMIN, Scope(), rpc=("job", "mark_notification_read"), output=job_views.NotificationView,
          actor=True),

    # --- figures and reference data ---------------------------------------------------------
    Route("jobs.statistics", "GET", "/api/statistics/jobs",
          "一走四送与就业统计:走访、送达、岗位、安置、稳定就业", "统计", READERS, Scope(COMMUNITY),
          rpc=("job", "job_statistics"), input=job.Statistics, output=summary_views.StatisticsView),
    Route("job.reference_data", "GET", "/api/job/reference-data",
          "行业、规模、用工形式、状态等代码", "就业设置", EVERYONE, REFERENCE,
          rpc=("job", "reference_data"), output=summary_views.ReferenceDataView),
]
