"""Routes for the activity service: activities and series, registration and check-in,
exemplars, venues and rooms, their statistics and reference data."""
from services.activity import schemas as activity, views as activity_views
from services.gateway.access import ADMIN, EVERYONE, FIELD, READERS, REFERENCE, STAFF, Scope
from services.gateway.routes.base import Route

COMMUNITY = {"community": "community"}


def _on(method: str, fields=None) -> Scope:
    """An action on one record, found by `method` and checked by its community."""
    return Scope(fields or COMMUNITY, lookup=("activity", method))


ON_ACTIVITY = _on("get_activity")
ON_SERIES = _on("get_series")
ON_EXEMPLAR = _on("get_exemplar")
ON_VENUE = _on("get_venue")
REGISTRATION = {"community": "activity.community"}
ON_REGISTRATION = _on("get_registration", REGISTRATION)


def _activity_action(name: str, path: str, summary: str, schema=None, roles=STAFF, **extra):
    return Route(f"activities.{name}", "POST", f"/api/activities/<activity_id>/{path}", summary,
                 "活动", roles, ON_ACTIVITY, rpc=("activity", _ACTIVITY_RPC[name]),
                 input=schema, output=activity_views.ActivityView, actor=True, **extra)


_ACTIVITY_RPC = {"publish": "publish_activity", "cancel": "cancel_activity",
                 "finish": "finish_activity", "minutes": "record_minutes",
                 "feature_exemplar": "feature_exemplar"}


def _exemplar_action(name: str, path: str, summary: str, schema=None, roles=ADMIN):
    return Route(f"exemplars.{name}", "POST", f"/api/exemplars/<exemplar_id>/{path}", summary,
                 "先进典型", roles, ON_EXEMPLAR, rpc=("activity", f"{name}_exemplar"),
                 input=schema, output=activity_views.ExemplarView, actor=True)


ACTIVITY_EXPORT = (
    ("activity_id", "活动编号"), ("title", "活动名称"), ("theme_name", "主题"),
    ("festival_name", "节日"), ("community", "社区"), ("organiser", "组织单位"),
    ("place", "活动地点"), ("starts_at", "开始时间"), ("ends_at", "结束时间"),
    ("capacity", "名额"), ("registration.registered", "已报名"),
    ("registration.waitlisted", "候补"), ("check_in.checked_in", "已签到"),
    ("attendance", "参与人次"), ("hours", "活动时长(小时)"), ("state_name", "状态"))
REGISTRATION_EXPORT = (
    ("registration_id", "报名编号"), ("activity.title", "活动"), ("name", "姓名"),
    ("phone_masked", "联系电话(脱敏)"), ("role_name", "身份"), ("status_name", "状态"),
    ("waitlist_position", "候补顺位"), ("walk_in", "现场报名"), ("registered_at", "报名时间"),
    ("checked_in_at", "签到时间"), ("note", "备注"))
EXEMPLAR_EXPORT = (
    ("exemplar_id", "编号"), ("name", "姓名或家庭"), ("category_name", "类别"),
    ("community", "社区"), ("title", "称号"), ("year", "年度"), ("state_name", "状态"),
    ("nominated_at", "推荐时间"), ("published_at", "发布时间"))
VENUE_EXPORT = (
    ("id", "场地编号"), ("name", "场地名称"), ("kind_name", "类型"), ("community", "所属社区"),
    ("address", "地址"), ("capacity", "容纳人数"), ("active", "启用"))
BOOKING_EXPORT = (
    ("place", "场地"), ("starts_at", "开始时间"), ("ends_at", "结束时间"),
    ("title", "活动"), ("community", "社区"), ("activity_id", "活动编号"))

ROUTES = [
    # --- activities -------------------------------------------------------------------------
    Route("activities.list", "GET", "/api/activities", "活动列表", "活动", READERS,
          Scope(COMMUNITY), rpc=("activity", "list_activities"), input=activity.ListActivities,
          output=activity_views.ActivityView, paged=True, export=ACTIVITY_EXPORT),
    Route("activities.create", "POST", "/api/activities", "新建活动(草稿;有场地和时间即预订场地)",
          "活动", STAFF, Scope(COMMUNITY), rpc=("activity", "create_activity"),
          input=activity.CreateActivity, output=activity_views.ActivityView, actor=True,
          status=201),
    Route("activities.record_held", "POST", "/api/activities/held",
          "补录已举办的活动(签到表人数、服务志愿者、活动纪要)", "活动", STAFF, Scope(COMMUNITY),
          rpc=("activity", "record_held_activity"), input=activity.RecordHeldActivity,
          output=activity_views.ActivityView, actor=True, status=201),
    Route("activities.get", "GET", "/api/activities/<activity_id>", "活动详情", "活动", READERS,
          Scope(COMMUNITY, record=True), rpc=("activity", "get_activity"),
          output=activity_views.ActivityView),
    Route("activities.update", "PATCH", "/api/activities/<activity_id>",
          "修改活动(草稿或已发布;只改所填字段)", "活动", STAFF, ON_ACTIVITY,
          rpc=("activity", "update_activity"), input=activity.UpdateActivity,
          output=activity_views.ActivityView, actor=True),
    _activity_action("publish", "publish", "发布活动"),
    _activity_action("cancel", "cancel", "取消活动(释放场地,报名随之取消)", activity.Reason),
    _activity_action("finish", "finish", "结束活动(活动纪要;到场人数按签到统计)", activity.Finish),
    _activity_action("minutes", "minutes", "补充活动纪要和照片", activity.Minutes),
    _activity_action("feature_exemplar", "featured-exemplars", "在活动中展示先进典型",
                     activity.Feature),
    Route("activities.unfeature_exemplar", "DELETE",
          "/api/activities/<activity_id>/featured-exemplars/<exemplar_id>", "撤下活动中展示的先进典型",
          "活动", STAFF, ON_ACTIVITY, rpc=("activity", "unfeature_exemplar"),
          input=activity.Unfeature, output=activity_views.ActivityView, actor=True),

    # --- registration and check-in ----------------------------------------------------------
    Route("activities.registrations", "GET", "/api/activities/<activity_id>/registrations",
          "活动的报名名单(含签到码,电话脱敏)", "报名签到", READERS, ON_ACTIVITY,
          rpc=("activity", "list_registrations"), input=activity.ListRegistrations,
          output=activity_views.RegistrationView, paged=True, export=REGISTRATION_EXPORT),
    Route("activities.register", "POST", "/api/activities/<activity_id>/registrations",
          "为居民报名(名额满则候补)", "报名签到", FIELD, ON_ACTIVITY,
          rpc=("activity", "register"), input=activity.Register,
          output=activity_views.RegistrationView, actor=True, status=201),
    Route("activities.check_in", "POST", "/api/activities/<activity_id>/check-in",
          "现场签到(凭签到码;无码则现场报名;服务志愿者凭志愿者编号)", "报名签到", FIELD,
          ON_ACTIVITY, rpc=("activity", "check_in"), input=activity.CheckIn,
          output=activity_views.RegistrationView, actor=True),
    Route("registrations.get", "GET", "/api/registrations/<registration_id>", "报名详情",
          "报名签到", READERS, Scope(REGISTRATION, record=True),
          rpc=("activity", "get_registration"), output=activity_views.RegistrationView),
    Route("registrations.cancel", "POST", "/api/registrations/<registration_id>/cancel",
          "取消报名(空出的名额依次递补候补)", "报名签到", FIELD, ON_REGISTRATION,
          rpc=("activity", "cancel_registration"), input=activity.CancelRegistration,
          output=activity_views.RegistrationView, actor=True),
    Route("registrations.reveal_contact", "POST",
          "/api/registrations/<registration_id>/reveal-contact", "查看报名人电话(明文,记入审计)",
          "报名签到", STAFF, ON_REGISTRATION, rpc=("activity", "reveal_registrant_contact"),
          input=activity.Reveal, output=activity_views.ContactView, actor=True, reveals=True),

    # --- recurring series -------------------------------------------------------------------
    Route("activity_series.create", "POST", "/api/activity-series",
          "新建系列活动(按规则生成每次活动的草稿;任一日期冲突则全部不建)", "活动", STAFF,
          Scope(COMMUNITY), rpc=("activity", "create_activity_series"),
          input=activity.CreateSeries, output=activity_views.SeriesView, actor=True, status=201),
    Route("activity_series.get", "GET", "/api/activity-series/<series_id>", "系列活动详情",
          "活动", READERS, Scope(COMMUNITY, record=True), rpc=("activity", "get_series"),
          output=activity_views.SeriesView),
    Route("activity_series.publish", "POST", "/api/activity-series/<series_id>/publish",
          "发布系列中尚未开始的草稿", "活动", STAFF, ON_SERIES, rpc=("activity", "publish_series"),
          output=activity_views.SeriesView, actor=True),
    Route("activity_series.cancel", "POST", "/api/activity-series/<series_id>/cancel",
          "取消系列中尚未开始的活动", "活动", STAFF, ON_SERIES, rpc=("activity", "cancel_series"),
          input=activity.Reason, output=activity_views.SeriesView, actor=True),

    # --- exemplars --------------------------------------------------------------------------
    Route("exemplars.list", "GET", "/api/exemplars", "先进典型列表", "先进典型", READERS,
          Scope(COMMUNITY), rpc=("activity", "list_exemplars"), input=activity.ListExemplars,
          output=activity_views.ExemplarView, paged=True, export=EXEMPLAR_EXPORT),
    Route("exemplars.nominate", "POST", "/api/exemplars", "推荐先进典型", "先进典型", STAFF,
          Scope(COMMUNITY), rpc=("activity", "nominate_exemplar"), input=activity.Nominate,
          output=activity_views.ExemplarView, actor=True, status=201),
    Route("exemplars.get", "GET", "/api/exemplars/<exemplar_id>", "先进典型详情(含展示过的活动)",
          "先进典型", READERS, Scope(COMMUNITY, record=True), rpc=("activity", "get_exemplar"),
          output=activity_views.ExemplarDetailView),
    Route("exemplars.update", "PATCH", "/api/exemplars/<exemplar_id>",
          "修改推荐材料(被退回的修改后重新提交审核)", "先进典型", STAFF, ON_EXEMPLAR,
          rpc=("activity", "update_exemplar"), input=activity.UpdateExemplar,
          output=activity_views.ExemplarView, actor=True),
    _exemplar_action("review", "review", "审核先进典型(通过或退回)", activity.Review),
    _exemplar_action("publish", "publish", "发布先进典型"),
    _exemplar_action("withdraw", "withdraw", "撤回先进典型(从未结束的活动中撤下)",
                     activity.Reason),

    # --- venues and rooms: a catalogue every staff role reads; changes stay in the community
    Route("venues.list", "GET", "/api/venues", "场地及功能室(社区的与街道级的)", "场地", READERS,
          REFERENCE, rpc=("activity", "list_venues"), input=activity.VenueQuery,
          output=activity_views.VenueView, listed=True, export=VENUE_EXPORT),
    Route("venues.create", "POST", "/api/venues", "登记场地", "场地", STAFF, Scope(COMMUNITY),
          rpc=("activity", "save_venue"), input=activity.Venue, output=activity_views.VenueView,
          actor=True, status=201, omit=("venue_id",)),
    Route("venues.get", "GET", "/api/venues/<venue_id>", "场地详情(含功能室)", "场地", READERS,
          REFERENCE, rpc=("activity", "get_venue"), output=activity_views.VenueView),
    Route("venues.update", "PUT", "/api/venues/<venue_id>", "修改场地(整体替换)", "场地", STAFF,
          Scope(COMMUNITY, lookup=("activity", "get_venue"), inputs=COMMUNITY),
          rpc=("activity", "save_venue"), input=activity.Venue, output=activity_views.VenueView,
          actor=True),
    Route("venues.add_room", "POST", "/api/venues/<venue_id>/rooms", "登记功能室", "场地", STAFF,
          ON_VENUE, rpc=("activity", "save_room"), input=activity.Room,
          output=activity_views.VenueView, actor=True, status=201, omit=("room_id",)),
    Route("venues.update_room", "PUT", "/api/venues/<venue_id>/rooms/<room_id>",
          "修改功能室(整体替换)", "场地", STAFF, ON_VENUE, rpc=("activity", "save_room"),
          input=activity.Room, output=activity_views.VenueView, actor=True),
    Route("venues.bookings", "GET", "/api/venue-bookings",
          "场地预订日历(最长 92 天;草稿也占用场地)", "场地", READERS, REFERENCE,
          rpc=("activity", "list_bookings"), input=activity.BookingQuery,
          output=activity_views.BookingView, listed=True, export=BOOKING_EXPORT),

    # --- figures and reference data ---------------------------------------------------------
    Route("activities.statistics", "GET", "/api/statistics/activities",
          "活动统计:发布、开展、参与人次、到场率、服务志愿者人次", "统计", READERS, Scope(COMMUNITY),
          rpc=("activity", "activity_statistics"), input=activity.Statistics,
          output=activity_views.StatisticsView),
    Route("activity.reference_data", "GET", "/api/activity/reference-data",
          "活动主题、节日、对象、场地类型等代码", "活动设置", EVERYONE, REFERENCE,
          rpc=("activity", "list_reference_data"), output=activity_views.ReferenceDataView),
]
