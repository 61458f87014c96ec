"""The assembled route table of the admin API (see base.py for what a route is)."""
from services.gateway.routes import activity, job, own, repair, volunteer
from services.gateway.routes import imports, reports
from services.gateway.routes.base import Route

ROUTES: list[Route] = [*own.ROUTES, *repair.ROUTES, *activity.ROUTES, *volunteer.ROUTES,
                       *job.ROUTES, *imports.ROUTES, *reports.ROUTES]
# Routes answered by the gateway itself from modules other than own_routes (rpc is None).
HANDLERS = {**imports.HANDLERS, **reports.HANDLERS}

BY_ID = {route.id: route for route in ROUTES}
assert len(BY_ID) == len(ROUTES), "route ids must be unique"

__all__ = ["Route", "ROUTES", "BY_ID", "HANDLERS"]
