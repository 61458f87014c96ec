"""The gateway: the admin HTTP API, the public Open311 and screen endpoints, and the web
console, over RPC to the services. It owns no business data — only accounts, sessions, Open311
keys and the audit log — and only translates: authenticate, authorise, validate, call, answer.
"""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from services.gateway import openapi, public
from services.gateway.api import Api, json_response
from services.gateway.auth import INDEXES, Auth
from services.gateway.open311_http import Open311
from services.gateway.web import http
from shared.health import health_report
from shared.messaging import rpc
from shared.rpc import ServiceRpc
from shared.storage import MongoStore

log = logging.getLogger(__name__)
CONSOLE = Path(__file__).resolve().parent / "console"


class FirstAdmin(DependencyProvider):
    """On a system with no accounts, creates the first street admin from
    `BOOTSTRAP_ADMIN_USERNAME` / `BOOTSTRAP_ADMIN_PASSWORD` (nothing happens when unset)."""

    def start(self):
        config = self.container.config
        password = config.get("BOOTSTRAP_ADMIN_PASSWORD")
        if not password:
            return
        store = next(d for d in self.container.dependencies if isinstance(d, MongoStore))
        username = config.get("BOOTSTRAP_ADMIN_USERNAME") or "admin"
        if Auth(store.db).ensure_admin(username, password):
            log.info("created the first street admin account %s", username)


class GatewayService:
    name = "gateway"

    store = MongoStore(INDEXES)
    config = Config()
    first_admin = FirstAdmin()
    repair = ServiceRpc("repair")
    activity = ServiceRpc("activity")
    volunteer = ServiceRpc("volunteer")
    job = ServiceRpc("job")

    @http("GET,POST,PUT,PATCH,DELETE", "/api/<everything:path>")
    def api(self, request, path):
        return Api(self).handle(request)

    @http("GET,POST", "/open311/v2/<everything:path>")
    def open311(self, request, path):
        return Open311(self).handle(request, path)

    @http("GET", "/public/screens/<name>")
    def public_screen(self, request, name):
        """A community's electronic screen: the page, or its feed as `<community>.json`."""
        return public.screen(self, request, name)

    @http("GET", "/public/certificates/<name>")
    def public_certificate(self, request, name):
        """Verify a 志愿服务记录证明 by number: the printable page, or `<number>.json`."""
        return public.certificate(self, request, name)

    @http("GET", "/openapi.json")
    def openapi_document(self, request):
        return json_response(openapi.build())

    @http("GET", "/healthz")
    def healthz(self, request):
        """For load balancers and probes: the gateway and its own database."""
        try:
            self.store.db.command("ping")
        except Exception as error:
            return json_response({"status": "unavailable", "error": str(error)[:200]}, 503)
        return json_response({"status": "ok"})

    @rpc
    def health(self):
        """What `make run` and the probes ask every service."""
        return health_report(self.name, self.store, self.config)

    @http("GET", "/")
    def console_index(self, request):
        return self._console_file("index.html")

    @http("GET", "/console/<path:path>")
    def console_asset(self, request, path):
        return self._console_file(path)

    def _console_file(self, path: str) -> Response:
        target = (CONSOLE / path).resolve()
        if CONSOLE not in target.parents or not target.is_file():
            return json_response({"code": "NOT_FOUND", "message": "文件不存在", "fields": {}},
                                 404)
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        return Response(target.read_bytes(), content_type=content_type,
                        headers={"Cache-Control": "no-cache"})
