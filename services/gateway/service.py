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
from services.gateway.api import Api
from services.gateway.wire import json_response
from services.gateway.auth import Auth
from services.gateway.open311_http import Open311
from services.gateway.web import http
from shared import names
from shared.health import health_report
from shared.messaging import rpc
from shared.rpc import CommandContext, ServiceRpc
from services.gateway.unit_of_work import GatewayUnitOfWork
from shared.storage import MongoStore

log = logging.getLogger(__name__)
CONSOLE = Path(__file__).resolve().parent / "console"
RESIDENT_SITE = Path(__file__).resolve().parent / "resident"


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
        if Auth(store.db, config=config).ensure_admin(username, password):
            log.info("created the first street admin account %s", username)


class GatewayService:
    name = "gateway"

    store = MongoStore(GatewayUnitOfWork)
    config = Config()
    first_admin = FirstAdmin()
    repair = ServiceRpc("repair")
    activity = ServiceRpc("activity")
    volunteer = ServiceRpc("volunteer")
    job = ServiceRpc("job")
    notify = ServiceRpc("notify")  # the resident site's sign-in codes
    command = CommandContext()

    # Every method reaches the route table, which answers 405 with the route's own `Allow`.
    @http("GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS,TRACE,CONNECT", "/api/<everything:path>")
    def api(self, request, path):
        return Api(self).handle(request)

    @http("GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS,TRACE,CONNECT", "/m/api/<everything:path>")
    def resident_api(self, request, path):
        """The resident site's API: the same route table, its routes under /m/api/."""
        return Api(self).handle(request)

    @http("GET", "/m/")
    def resident_index(self, request):
        return self._site_file(RESIDENT_SITE, "index.html")

    @http("GET", "/m/assets/<path:path>")
    def resident_asset(self, request, path):
        return self._site_file(RESIDENT_SITE / "assets", path)

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

    @http("GET", "/console/catalog.json")
    def console_catalog(self, request):
        """What the console reads of the OpenAPI document: each operation's path, query and
        body, not the answers' schemas nor the texts for people who read the document."""
        return json_response(openapi.for_console(), headers={"Cache-Control": "no-cache"})

    @http("GET", "/console/names.json")
    def console_names(self, request):
        """The Chinese name of every code (shared/names.py), for the console's lists."""
        return json_response(names.for_console(), headers={"Cache-Control": "no-cache"})

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
        return self._site_file(CONSOLE, path)

    @staticmethod
    def _site_file(root: Path, path: str) -> Response:
        target = (root / path).resolve()
        if root not in target.parents or not target.is_file():
            return json_response({"code": "NOT_FOUND", "message": "文件不存在", "fields": {}},
                                 404)
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        return Response(target.read_bytes(), content_type=content_type,
                        headers={"Cache-Control": "no-cache"})
