"""Routes for the repair service: work orders, their statistics and settings."""
from services.gateway.access import (ADMIN, EVERYONE, FIELD, READERS, REFERENCE, STAFF,
                                    Assignment, Scope)
from services.gateway.routes.base import Route
from services.repair import schemas as repair, views as repair_views

ORDER_SCOPE = {"community": "community", "department": "department_code"}
ORDER_RECORD = {"community": "community", "department": "department.code"}
# One order a route acts on or reads beside it, looked up first.
ON_ORDER = Scope(ORDER_RECORD, lookup=("repair", "get_work_order"))


def _order_action(action: str, path: str, summary: str, schema, roles=STAFF, **extra):
    return Route(f"work_orders.{action}", "POST", f"/api/work-orders/<number>/{path}", summary,
                 "工单", roles, Scope(ORDER_RECORD, lookup=("repair", "get_work_order")),
                 rpc=("repair", _ORDER_RPC.get(action, f"{action}_work_order")), input=schema,
                 output=repair_views.WorkOrderView, actor=True, **extra)


_ORDER_RPC = {"request_extension": "request_extension", "approve_extension": "approve_extension",
              "reject_extension": "reject_extension", "follow_up": "record_follow_up",
              "mark_duplicate": "mark_duplicate"}
DEPARTMENT_WORK = STAFF | {"department"}
# A volunteer doing a 回访 of an order calls its reporter: while the visit shift is open and
# they are on it (not withdrawn).
ON_VISIT = Assignment("volunteer", "list_shifts", "work_order_number",
                      (("kind", "follow_up_visit"), ("state", ("open",))))

WORK_ORDER_EXPORT = (
    ("number", "工单号"), ("category_name", "问题类别"), ("community", "社区"), ("alley", "巷道"),
    ("address", "地址"), ("description", "问题描述"), ("channel_name", "来源"),
    ("state_name", "状态"), ("department.name", "承办部门"), ("reported_at", "上报时间"),
    ("due_at", "办理期限"), ("completed_at", "办结时间"), ("overdue", "是否超期"),
    ("escalations", "督办次数"), ("follow_up.result_name", "回访结果"),
    ("reporter.name", "上报人"), ("reporter.phone_masked", "联系电话(脱敏)"))

ROUTES = [
    # --- repair: work orders ---------------------------------------------------------------
    Route("work_orders.list", "GET", "/api/work-orders", "工单列表", "工单", READERS | {"department"},
          Scope(ORDER_SCOPE), rpc=("repair", "list_work_orders"), input=repair.ListWorkOrders,
          output=repair_views.WorkOrderView, paged=True, export=WORK_ORDER_EXPORT),
    Route("work_orders.report", "POST", "/api/work-orders", "上报问题(新建工单)", "工单", FIELD,
          Scope({"community": "community"}), rpc=("repair", "report_work_order"),
          input=repair.ReportWorkOrder, output=repair_views.ReportedWorkOrderView, actor=True,
          status=201),
    Route("work_orders.get", "GET", "/api/work-orders/<number>", "工单详情", "工单",
          READERS | {"department"}, Scope(ORDER_RECORD, record=True),
          rpc=("repair", "get_work_order"), output=repair_views.WorkOrderView),
    Route("work_orders.duplicates", "GET", "/api/work-orders/<number>/duplicates",
          "疑似重复工单", "工单", STAFF, Scope(ORDER_RECORD, lookup=("repair", "get_work_order")),
          rpc=("repair", "suggest_duplicates"), output=repair_views.DuplicateList, listed=True),
    Route("work_orders.reveal_contact", "POST", "/api/work-orders/<number>/reveal-contact",
          "查看上报人联系方式(明文,记入审计;志愿者仅限本人正在进行的回访)", "工单",
          FIELD | {"volunteer"},
          Scope(ORDER_RECORD, lookup=("repair", "get_work_order"), assigned=ON_VISIT),
          rpc=("repair", "reveal_reporter_contact"), input=repair.Reveal,
          output=repair_views.ContactView, actor=True, reveals=True),
    _order_action("accept", "accept", "受理", repair.Note),
    _order_action("answer", "answer", "直接答复", repair.Answer),
    _order_action("dispatch", "dispatch", "派单", repair.Dispatch),
    _order_action("return", "return", "退单(须说明理由)", repair.Return, roles=DEPARTMENT_WORK),
    _order_action("sign_for", "sign-for", "签收", repair.Note, roles=DEPARTMENT_WORK),
    _order_action("request_extension", "extension-request", "申请延期", repair.RequestExtension,
                  roles=DEPARTMENT_WORK),
    _order_action("approve_extension", "extension-approve", "批准延期", repair.Note),
    _order_action("reject_extension", "extension-reject", "驳回延期", repair.Note),
    _order_action("escalate", "escalate", "督办", repair.Note),
    _order_action("complete", "complete", "办结(工程量和照片)", repair.Complete,
                  roles=DEPARTMENT_WORK),
    _order_action("follow_up", "follow-up", "回访", repair.FollowUp, roles=FIELD),
    _order_action("reopen", "reopen", "重办", repair.Reason),
    _order_action("mark_duplicate", "mark-duplicate", "标记为重复件", repair.MarkDuplicate),
    _order_action("reject", "reject", "不予受理", repair.Reason),
    _order_action("cancel", "cancel", "撤销", repair.Reason),
    Route("work_orders.statistics", "GET", "/api/statistics/work-orders",
          "工单统计:工程量、按期办结率、满意率、解决率(承办部门仅限本部门)", "统计",
          READERS | {"department"}, Scope({"community": "community", "department": "department"}),
          rpc=("repair", "work_order_statistics"),
          input=repair.Statistics, output=repair_views.StatisticsView),

    # --- repair: reference data ------------------------------------------------------------
    Route("repair.categories", "GET", "/api/repair/categories", "问题类别与办理时限", "工单设置",
          EVERYONE, REFERENCE, rpc=("repair", "list_categories"), output=repair_views.CategoryView,
          listed=True),
    Route("repair.set_deadline", "PUT", "/api/repair/categories/deadline", "设置类别办理时限",
          "工单设置", ADMIN, REFERENCE, rpc=("repair", "set_category_deadline"),
          input=repair.CategoryDeadline, output=repair_views.CategoryView, listed=True, actor=True),
    Route("repair.departments", "GET", "/api/repair/departments", "承办部门", "工单设置",
          EVERYONE, REFERENCE, rpc=("repair", "list_departments"),
          output=repair_views.DepartmentView, listed=True),
    Route("repair.save_department", "PUT", "/api/repair/departments", "新建或修改承办部门",
          "工单设置", ADMIN, REFERENCE, rpc=("repair", "save_department"),
          input=repair.Department, output=repair_views.DepartmentView, actor=True),
    Route("repair.communities", "GET", "/api/repair/communities",
          "社区、中心位置及巷道(地名登记,随部署更新)", "工单设置",
          EVERYONE, REFERENCE, rpc=("repair", "list_communities"),
          output=repair_views.CommunityView, listed=True),
    Route("repair.calendar", "GET", "/api/repair/calendar", "工作日历(节假日与调休)", "工单设置",
          EVERYONE, REFERENCE, rpc=("repair", "get_calendar"), output=repair_views.CalendarView),
    Route("repair.set_calendar", "PUT", "/api/repair/calendar", "设置工作日历", "工单设置",
          ADMIN, REFERENCE, rpc=("repair", "set_calendar"), input=repair.Calendar,
          output=repair_views.CalendarView, actor=True),
]
