"""The assembled route table of the admin API (see base.py for what a route is)."""
from services.gateway.routes import activity, job, own, repair, volunteer
from services.gateway.routes import console, imports, notify, printing, reports, resident
from services.gateway.routes.base import Route

ROUTES: list[Route] = [*own.ROUTES, *repair.ROUTES, *activity.ROUTES, *volunteer.ROUTES,
                       *job.ROUTES, *imports.ROUTES, *reports.ROUTES, *printing.ROUTES,
                       *console.ROUTES, *resident.ROUTES, *resident.STAFF_ROUTES,
                       *notify.ROUTES]
# Routes answered by the gateway itself from modules other than own_routes (rpc is None).
HANDLERS = {**imports.HANDLERS, **reports.HANDLERS, **printing.HANDLERS,
            **console.HANDLERS, **resident.HANDLERS, **notify.HANDLERS}

BY_ID = {route.id: route for route in ROUTES}
assert len(BY_ID) == len(ROUTES), "route ids must be unique"
# What the audit log calls each action: the routes', and Open311's own submissions.
ACTION_NAMES = {route.id: route.action_name for route in ROUTES}
ACTION_NAMES["open311.requests.create"] = "Open311 · 提交问题"

__all__ = ["Route", "ROUTES", "BY_ID", "HANDLERS", "ACTION_NAMES"]
