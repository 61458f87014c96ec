"""The gateway's own routes: sessions, accounts, Open311 keys, the audit log, health."""
from services.gateway import schemas as gw
from services.gateway.access import ADMIN, EVERYONE, NOT_SCOPED, OWN, REFERENCE
from services.gateway.routes.base import Route

ROUTES = [
    Route("session.login", "POST", "/api/session", "登录", "账号", EVERYONE, OWN,
          input=gw.Login, output=gw.SessionInfo, public=True),
    Route("session.me", "GET", "/api/session", "当前登录账号", "账号", EVERYONE, OWN,
          output=gw.SessionInfo),
    Route("session.logout", "DELETE", "/api/session", "退出登录", "账号", EVERYONE, OWN,
          status=204),
    Route("session.password", "PUT", "/api/session/password", "修改本人密码", "账号",
          EVERYONE, OWN, input=gw.ChangeOwnPassword, status=204),
    Route("accounts.list", "GET", "/api/accounts", "账号列表", "账号", ADMIN, NOT_SCOPED,
          output=gw.Account, listed=True,
          export=(("username", "用户名"), ("name", "姓名"), ("role", "角色"),
                  ("community", "社区"), ("active", "启用"), ("last_login_at", "最近登录"))),
    Route("accounts.create", "POST", "/api/accounts", "新建账号", "账号", ADMIN, NOT_SCOPED,
          input=gw.CreateAccount, output=gw.Account, status=201),
    Route("accounts.update", "PATCH", "/api/accounts/<account_id>", "修改账号(含停用、重置密码)",
          "账号", ADMIN, NOT_SCOPED, input=gw.UpdateAccount, output=gw.Account),
    Route("api_keys.list", "GET", "/api/open311-keys", "Open311 接口密钥列表", "账号", ADMIN,
          NOT_SCOPED, output=gw.ApiKey, listed=True),
    Route("api_keys.create", "POST", "/api/open311-keys", "新建 Open311 接口密钥(密钥只显示一次)",
          "账号", ADMIN, NOT_SCOPED, input=gw.CreateApiKey, output=gw.ApiKey, status=201),
    Route("api_keys.revoke", "DELETE", "/api/open311-keys/<key_id>", "吊销 Open311 接口密钥",
          "账号", ADMIN, NOT_SCOPED, output=gw.ApiKey),
    Route("audit.list", "GET", "/api/audit", "审计日志(变更与明文个人信息读取)", "账号", ADMIN,
          NOT_SCOPED, input=gw.AuditQuery, output=gw.AuditEntry, paged=True,
          export=(("at", "时间"), ("actor.name", "操作人"), ("actor.role", "角色"),
                  ("action_name", "操作"), ("method", "方法"), ("path", "路径"),
                  ("status", "结果状态"), ("outcome", "结果"), ("address", "来源地址"))),
    Route("system.health", "GET", "/api/health", "各服务健康状况", "系统", ADMIN, NOT_SCOPED),
    Route("places.get", "GET", "/api/places",
          "地名登记:社区、背街小巷(随部署更新)与承办部门,供表单选择", "地名", EVERYONE,
          REFERENCE, output=gw.Places),

]
