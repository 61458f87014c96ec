"""Things printed on paper, answered by the gateway itself: the 派单单 of a dispatched work
order (PDF) and the QR code of a certificate's public check (SVG, for the console; the printable
certificate carries the same code, public.py)."""
from __future__ import annotations

from urllib.parse import quote

from werkzeug.wrappers import Response

from services.gateway.access import READERS
from services.gateway.public import certificate_check_url
from services.gateway.routes.base import Route
from services.gateway.routes.repair import ON_ORDER
from services.gateway.routes.volunteer import ON_CERTIFICATE, SELF
from services.gateway.wire import Settings

PDF = "application/pdf"
SVG = "image/svg+xml"


def dispatch_slip(api, principal, params, data, request):
    from services.gateway.reporting import dispatch_slip as slip  # reportlab only when asked
    order = api.worker.repair.get_work_order(number=params["number"])
    body = slip.render(order)
    name = f"派单单-{order['number']}.pdf"
    return Response(body, content_type=PDF, headers={
        "Content-Disposition": f"inline; filename=\"dispatch-slip-{order['number']}.pdf\"; "
                               f"filename*=UTF-8''{quote(name)}"})


def certificate_qr(api, principal, params, data, request):
    from services.volunteer.certificate import qr_svg
    number = params["number"].strip().upper()
    url = certificate_check_url(request, Settings.of(api.worker.config), number)
    return Response(qr_svg(url, scale=4, standalone=True), content_type=f"{SVG}; charset=utf-8")


ROUTES = [
    Route("work_orders.dispatch_slip", "GET", "/api/work-orders/<number>/dispatch-slip",
          "派单单(可打印 PDF;仅限已派单的工单)", "工单", READERS | {"department"}, ON_ORDER,
          files=(PDF,)),
    Route("certificates.qr", "GET", "/api/certificates/<number>/qr",
          "证明核验二维码(SVG,扫码打开公开核验页)", "证明", READERS | SELF, ON_CERTIFICATE,
          files=(SVG,)),
]

HANDLERS = {"work_orders.dispatch_slip": dispatch_slip, "certificates.qr": certificate_qr}
