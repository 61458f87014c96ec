"""nameko's HTTP entrypoint, with two changes the gateway's contract needs:

- `<everything:path>` matches any path, newlines and all, so every request under /api/ reaches
  the gateway's own router (werkzeug's `path` stops at a newline);
- what matches no entrypoint is answered in the API's JSON error shape, not werkzeug's HTML.
"""
from __future__ import annotations

import json

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, PathConverter
from werkzeug.wrappers import Request, Response

MESSAGES = {404: ("NOT_FOUND", "页面或接口不存在"), 405: ("METHOD_NOT_ALLOWED", "不支持此请求方法")}


class EverythingConverter(PathConverter):
    regex = r"(?s:.+)"
    part_isolating = False  # spans slashes; werkzeug infers otherwise from the regex


class JsonErrorsApp(WsgiApp):
    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            response = provider.handle_request(request)
        except HTTPException as error:
            code, message = MESSAGES.get(error.code, ("HTTP_ERROR", error.description or ""))
            response = Response(
                json.dumps({"code": code, "message": message, "fields": {}}, ensure_ascii=False),
                status=error.code, content_type="application/json; charset=utf-8")
        return response(environ, start_response)


class GatewayWebServer(WebServer):
    def make_url_map(self):
        url_map = Map(converters={"everything": EverythingConverter})
        for provider in self._providers:
            rule = provider.get_url_rule()
            rule.endpoint = provider
            url_map.add(rule)
        return url_map

    def get_wsgi_app(self):
        return JsonErrorsApp(self)


class GatewayHttp(HttpRequestHandler):
    server = GatewayWebServer()


http = GatewayHttp.decorator
