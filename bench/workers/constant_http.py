"""The HTTP baseline of the gateway benchmark: the same stack (nameko's `@http` on eventlet's
WSGI server, Werkzeug) answering a constant JSON body, with nothing behind it.

    nameko run --config deploy/config.yaml bench.workers.constant_http
"""
import json

from nameko.web.handlers import http
from werkzeug.wrappers import Response

BODY = json.dumps({"items": [], "total": 0, "page": 1, "page_size": 20}).encode()


class ConstantService:
    name = "bench_constant"

    @http("GET,POST", "/constant")
    def constant(self, request):
        return Response(BODY, content_type="application/json; charset=utf-8")
