"""Routes of the resident site (居民端, /m/): public reading, sign-in with a one-time code, and
what a signed-in resident may do — only as and for themselves (role `resident`, limited to
their phone's fingerprint: an order is theirs when its reporter's phone is theirs)."""
from services.gateway import resident_services as services, residents
from services.gateway.access import FIELD, READERS, REFERENCE, RESIDENT, OWN, Scope
from services.gateway.routes.base import Route
from services.repair import schemas as repair, views as repair_views

ANYONE = frozenset()  # public routes name no role
THEIR_ORDER = Scope({"resident": "reporter.resident"}, lookup=("repair", "get_work_order"))
# Their own records, found by their phone: the input may name no one else.
THEMSELVES = Scope(inputs={"resident": "resident"})
THEIR_REGISTRATION = Scope({"resident": "resident"}, lookup=("activity", "get_registration"))
PHOTO_FILES = residents.PHOTO_TYPES


def _resident(id_, method, path, summary, roles=RESIDENT, scope=REFERENCE, **extra):
    return Route(f"resident.{id_}", method, f"/m/api{path}", summary, "居民端", roles, scope,
                 **extra)


ROUTES = [
    _resident("places", "GET", "/places", "地名登记:社区与背街小巷(居民端,无需登录)", ANYONE,
              public=True),
    _resident("code", "POST", "/sign-in/code", "发送登录验证码到手机(限频)", ANYONE,
              input=residents.CodeRequest, public=True),
    _resident("sign_in", "POST", "/sign-in", "手机号和验证码登录居民端", ANYONE,
              input=residents.SignIn, public=True),
    _resident("me", "GET", "/session", "当前登录的居民(脱敏)", scope=OWN),
    _resident("sign_out", "DELETE", "/session", "退出居民端", scope=OWN, status=204),
    _resident("progress", "GET", "/work-orders/<number>",
              "按工单号查询办理进度(无需登录;不含任何人的姓名和电话)", ANYONE, public=True),
    _resident("upload_photo", "POST", "/photos", "上传照片(JPEG/PNG/WebP,拍照或相册)",
              rpc=("repair", "upload_photo"), input=repair.UploadPhoto, actor=True,
              large_body=True, status=200),
    _resident("report", "POST", "/work-orders", "居民上报问题(本人名义,可附照片和位置)",
              scope=Scope(inputs={"resident": "resident"}), input=residents.ResidentReport,
              status=201),
    _resident("orders", "GET", "/my/work-orders",
              "我的报修:本人上报的工单(新的在前,按游标翻页;含工作人员代为登记的)",
              scope=THEMSELVES, input=residents.MyOrders,
              output=repair_views.ReporterWorkOrderView, paged=True),
    _resident("order", "GET", "/my/work-orders/<number>", "本人上报的工单(含照片和评价)",
              scope=THEIR_ORDER),
    _resident("photo", "GET", "/my/work-orders/<number>/photos/<photo_id>",
              "本人工单的照片(size=thumbnail 为缩略图)", scope=THEIR_ORDER,
              input=residents.PhotoQuery, files=PHOTO_FILES),
    _resident("rate", "POST", "/my/work-orders/<number>/rating",
              "评价本人工单的办理结果(满意/基本满意/不满意,每次办结一次)", scope=THEIR_ORDER,
              input=repair.Rate),

    # --- activities near them, volunteering, jobs (resident_services.py) ------------------
    _resident("activities", "GET", "/activities",
              "附近可报名的活动(已发布、未开始;可按社区)", input=services.NearActivities),
    _resident("register", "POST", "/activities/<activity_id>/registrations",
              "本人报名活动(名额满则候补;凭报名码签到)", scope=THEMSELVES,
              input=services.Register, status=201),
    _resident("registrations", "GET", "/my/registrations", "本人的活动报名(含签到码)",
              scope=THEMSELVES, input=services.Mine),
    _resident("cancel_registration", "POST", "/my/registrations/<registration_id>/cancel",
              "取消本人的报名", scope=THEIR_REGISTRATION, input=services.CancelRegistration),
    _resident("volunteering", "GET", "/my/volunteering", "本人的志愿者登记、服务时长和证书",
              scope=THEMSELVES, input=services.Mine),
    _resident("volunteer_apply", "POST", "/my/volunteering", "申请成为志愿者(本人手机号)",
              scope=THEMSELVES, input=services.VolunteerApplication, status=201),
    _resident("seeker", "GET", "/my/job-seeker", "本人的求职登记", scope=THEMSELVES,
              input=services.Mine),
    _resident("save_seeker", "PUT", "/my/job-seeker",
              "填写或修改本人的求职登记(工作时间、离家距离、期望薪资)", scope=THEMSELVES,
              input=services.SeekerProfile),
    _resident("job_matches", "GET", "/my/job-matches",
              "按本人求职登记匹配的岗位(弹性工时、离家距离、薪资,附理由)", scope=THEMSELVES,
              input=services.Mine),
    _resident("job_apply", "POST", "/my/job-applications", "本人申请岗位", scope=THEMSELVES,
              input=services.JobApplication, status=201),
    _resident("job_applications", "GET", "/my/job-applications", "本人的岗位申请",
              scope=THEMSELVES, input=services.Mine),
]

# Staff: photos uploaded for 上报 and 办结, and an order's photos with the order's access.
STAFF_ROUTES = [
    Route("photos.upload", "POST", "/api/photos", "上传工单照片(上报或办结用)", "工单",
          FIELD | {"department"}, REFERENCE, rpc=("repair", "upload_photo"),
          input=repair.UploadPhoto, actor=True, large_body=True),
    Route("work_orders.photo", "GET", "/api/work-orders/<number>/photos/<photo_id>",
          "工单照片(size=thumbnail 为缩略图)", "工单", READERS | {"department"},
          Scope({"community": "community", "department": "department.code"},
                lookup=("repair", "get_work_order")),
          input=residents.PhotoQuery, files=PHOTO_FILES),
]

HANDLERS = {**residents.HANDLERS, **services.HANDLERS}
