"""nameko's HTTP entrypoint, with the changes the gateway's contract needs:

- `<everything:path>` matches any path, newlines and all, so every request under /api/ reaches
  the gateway's own router (werkzeug's `path` stops at a newline);
- what matches no entrypoint is answered in the API's JSON error shape, not werkzeug's HTML,
  a 405 with the `Allow` header RFC 9110 requires;
- every answer carries the security headers below (and HSTS when served over TLS), and the
  API's answers `Cache-Control: no-store` (they hold residents' data);
- the web server's log (one line per request, and its errors) never holds a query's values:
  a search names people (a phone, an ID number, a name in `q`), and no log may hold them.
  The parameters' names stay, so the line still says what was asked;
- every connection sends at once what is written (`TCP_NODELAY`): an answer larger than the
  server's 16 KB write buffer leaves in more than one write, and on a kept-alive connection
  the kernel held the last one back until the client acknowledged the first, which a client
  may delay by 40 ms (a page of work orders took 40 ms longer to arrive than to make).
"""
from __future__ import annotations

import json
import re
import socket

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, PathConverter
from werkzeug.wrappers import Request, Response

from services.gateway.wire import Settings, served_over_tls

# No inline or foreign scripts, no plugins, not framed by anyone; inline styles are allowed for
# the console's layout attributes and the printable pages' <style>.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"
MESSAGES = {404: ("NOT_FOUND", "页面或接口不存在"), 405: ("METHOD_NOT_ALLOWED", "不支持此请求方法")}


# A query string wherever it is written: from "?" to the end of the request target.
QUERY = re.compile(r"\?([^\s\"]*)")


def redact_queries(text: str) -> str:
    """Every query's values left out: `?phone=139…&page=2` → `?phone=*&page=*`."""
    def names_only(match):
        pairs = [pair.split("=", 1)[0] for pair in match.group(1).split("&") if pair]
        return "?" + "&".join(f"{name}=*" for name in pairs)
    return QUERY.sub(names_only, text)


class RedactedLog:
    """The web server's logger, each message written with its queries' values left out."""

    def __init__(self, logger):
        self.logger = logger

    def _write(self, level: str, message, *args, **kwargs):
        if args:  # formatted here, so that no value comes back through the arguments
            message, args = str(message) % args, ()
        getattr(self.logger, level)(redact_queries(str(message)), **kwargs)

    def debug(self, message, *args, **kwargs):
        self._write("debug", message, *args, **kwargs)

    def info(self, message, *args, **kwargs):
        self._write("info", message, *args, **kwargs)

    def warning(self, message, *args, **kwargs):
        self._write("warning", message, *args, **kwargs)

    def error(self, message, *args, **kwargs):
        self._write("error", message, *args, **kwargs)

    def exception(self, message, *args, **kwargs):
        self._write("exception", message, *args, **kwargs)

    def write(self, message, *args):
        self._write("info", message, *args)


class EverythingConverter(PathConverter):
    regex = r"(?s:.+)"
    part_isolating = False  # spans slashes; werkzeug infers otherwise from the regex


class JsonErrorsApp(WsgiApp):
    def __init__(self, server, settings: Settings):
        super().__init__(server)
        self.settings = settings

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
            if error.code == 405:
                response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None)
                                                      or ())
        self.secure(request, response)
        return response(environ, start_response)

    def secure(self, request, response) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(("/api/", "/m/api/")):
            response.headers.setdefault("Cache-Control", "no-store")
        if served_over_tls(request, self.settings):
            response.headers.setdefault("Strict-Transport-Security", HSTS)


class GatewayWebServer(WebServer):
    def make_url_map(self):
        url_map = Map(converters={"everything": EverythingConverter})
        for provider in self._providers:
            rule = provider.get_url_rule()
            rule.endpoint = provider
            url_map.add(rule)
        return url_map

    def get_wsgi_app(self):
        return JsonErrorsApp(self, Settings.of(self.container.config))

    def process_request(self, sock, address):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not a TCP socket (or already closed): nothing to hold back
            pass
        return super().process_request(sock, address)

    def get_wsgi_server(self, sock, wsgi_app, protocol=HttpOnlyProtocol, debug=False):
        server = super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)
        server.log = RedactedLog(server.log)
        return server


class GatewayHttp(HttpRequestHandler):
    server = GatewayWebServer()


http = GatewayHttp.decorator
