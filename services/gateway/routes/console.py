"""The console's own pages that no single service answers: the map's base layers and the
register drawn on it (GET /api/places/map), and the Monday to-do list (GET /api/todo).

The to-do list counts what waits for the signed-in person on the very lists its entries open:
each entry names a list route of the table, and is counted through that route's roles and
scope (access.limit_input) — so a community's staff count their community's orders, a
department its own, and an entry whose list the role may not open is not shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from services.gateway import access
from services.gateway.access import EVERYONE, READERS, REFERENCE, Scope
from services.gateway.routes import repair, volunteer
from services.gateway.routes.base import Route
from marshmallow import fields

from shared import clock, places
from shared.errors import Forbidden
from shared.schemas import NAME, Schema, load

# Counting pages through a list when its counters cannot total it: at most this many.
COUNT_LIMIT = 500
PAGE = 200
DUE_SOON = timedelta(days=2)
UNDER_WAY = ["accepted", "dispatched", "returned", "in_progress", "extension_requested"]


def map_settings(api, principal, params, data, request):
    """The base map's tile layers (MAP_TILE_URL: none by default) and the register of places
    as GeoJSON, drawn whether tiles are set or not."""
    config = api.worker.config
    urls = str(config.get("MAP_TILE_URL") or "").split()
    return {"tiles": {"urls": urls,
                      "subdomains": str(config.get("MAP_TILE_SUBDOMAINS") or ""),
                      "attribution": str(config.get("MAP_TILE_ATTRIBUTION") or "")},
            "places": places.geojson()}


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    route: str                      # the list route it counts and opens
    path: str                       # the console page
    query: dict = field(default_factory=dict)
    roles: frozenset | None = None  # narrower than the list route's own
    due_soon: bool = False          # only those due within DUE_SOON


ENTRIES = (
    Entry("to_accept", "待受理工单", "work_orders.list", "/work-orders",
          {"state": ["reported"]}, roles=frozenset({"street_admin", "community_staff"})),
    Entry("to_sign_for", "待签收工单", "work_orders.list", "/work-orders",
          {"state": ["dispatched"]}, roles=frozenset({"department"})),
    Entry("due_soon", "即将超期(两天内到期)", "work_orders.list", "/work-orders",
          {"state": UNDER_WAY, "overdue": False, "sort": "due_at"}, due_soon=True),
    Entry("overdue", "已超期工单", "work_orders.list", "/work-orders", {"overdue": True}),
    Entry("to_follow_up", "待回访工单", "work_orders.list", "/work-orders",
          {"state": ["completed"]}, roles=frozenset({"street_admin", "community_staff",
                                                     "grid_worker"})),
    Entry("extension_requests", "延期申请待审批", "work_orders.list", "/work-orders",
          {"state": ["extension_requested"]}, roles=frozenset({"street_admin",
                                                               "community_staff"})),
    Entry("corrections", "时长更正待审批", "corrections.list", "/corrections",
          {"state": "requested"}, roles=frozenset({"street_admin", "community_staff"})),
    Entry("registrations", "志愿者注册待审核", "volunteers.list", "/volunteers",
          {"state": ["pending"]}, roles=frozenset({"street_admin", "community_staff"})),
)


LISTS = {r.id: r for r in (*repair.ROUTES, *volunteer.ROUTES)
         if r.id in {e.route for e in ENTRIES}}


class TodoQuery(Schema):
    """One community's or department's to-do list (street admins and whole-street viewers
    choose; everyone else's is their own)."""
    community = fields.String(load_default=None, validate=NAME)
    department = fields.String(load_default=None, validate=NAME)


def todo(api, principal, params, data, request):
    """Each entry the principal may open, with how many wait there (`more`: at least)."""
    chosen = load(TodoQuery(), data)
    items = []
    for entry in ENTRIES:
        route = LISTS[entry.route]
        if principal.role not in route.roles or (entry.roles and principal.role not in entry.roles):
            continue
        query = {name: (list(value) if isinstance(value, list) else value)
                 for name, value in entry.query.items()}
        if any(chosen[kind] and kind not in route.scope.fields
               for kind in ("community", "department")):
            continue     # a list that cannot be limited to what was chosen
        for kind in ("community", "department"):
            if chosen[kind]:
                query[route.scope.fields[kind]] = chosen[kind]
        try:
            access.limit_input(route.scope, principal, query)
        except Forbidden:
            continue
        count, more = _count(api, route, query, entry)
        items.append({"key": entry.key, "label": entry.label, "count": count, "more": more,
                      "path": entry.path, "query": _shown(query)})
    return {"items": items, "limits": principal.limits}


def _count(api, route, query: dict, entry: Entry) -> tuple[int, bool]:
    service, method = route.rpc
    rpc = getattr(getattr(api.worker, service), method)
    if not entry.due_soon:
        first = rpc(**query, page_size=1)
        if first.get("total") is not None:
            return first["total"], False
    horizon = clock.now() + DUE_SOON
    counted, cursor = 0, None
    while counted < COUNT_LIMIT:
        page = rpc(**query, page_size=PAGE, cursor=cursor)
        for item in page["items"]:
            if entry.due_soon and clock.parse_iso(item["due_at"]) > horizon:
                return counted, False
            if counted == COUNT_LIMIT:
                return counted, True
            counted += 1
        if not page["has_more"]:
            return counted, False
        cursor = page["next_cursor"]
    return counted, True


def _shown(query: dict) -> dict:
    """The list page's filters: booleans as the address carries them."""
    return {name: ("true" if value is True else "false" if value is False else value)
            for name, value in query.items() if value is not None}


TODO_SCOPE = Scope({"community": "community", "department": "department"})

ROUTES = [
    Route("places.map", "GET", "/api/places/map",
          "地图:底图图层设置(未设置时无底图)与地名登记的 GeoJSON(街道范围、社区、背街小巷)",
          "地名", EVERYONE, REFERENCE),
    Route("todo.get", "GET", "/api/todo",
          "我的待办:待受理、即将超期、已超期、待回访、延期申请、更正与注册待审核(限本人范围)",
          "工作台", READERS | {"department"}, TODO_SCOPE, input=TodoQuery),
]

HANDLERS = {"places.map": map_settings, "todo.get": todo}
