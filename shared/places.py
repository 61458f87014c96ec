"""The register of the street's places: its boundary, its communities and their back alleys.

The register is shipped data, not records: a GeoJSON FeatureCollection that deployment puts
in place (`shared/data/street.geojson`, the 广陵街道 of the demo, unless the environment
variable XIUHUA_PLACES names another file). Every process reads the same file once, when it
first needs it, and checks it whole; changing a community or an alley is a change of that
file and a restart, never an API call. The file holds

- one feature with `"kind": "street"` and a Polygon (or MultiPolygon): the street's boundary;
- one feature per community, `"kind": "community"`, with its `name` and its area;
- one feature per back alley (背街小巷), `"kind": "alley"`, with its `name`, its `community`
  and a LineString (or a Point) inside that community.

Coordinates are GeoJSON's [longitude, latitude] (WGS 84); the functions here take
(lat, long) as every API of the system does. A point on an edge is inside; where two
communities share an edge, the first in the file owns it.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "street.geojson"
ENVIRONMENT = "XIUHUA_PLACES"


class PlacesError(ValueError):
    """The register's file is missing or does not describe a street."""


Ring = tuple[tuple[float, float], ...]          # ((long, lat), …), closed
Area = tuple[tuple[Ring, ...], ...]             # polygons, each an outer ring and its holes


@dataclass(frozen=True)
class Community:
    name: str
    area: Area
    centre: dict  # {"lat", "long"}: the mean of the outer ring's corners, for maps


@dataclass(frozen=True)
class Alley:
    name: str
    community: str
    line: tuple[tuple[float, float], ...]       # ((long, lat), …)

    @property
    def point(self) -> dict:
        """The middle of the alley's line (or its one point)."""
        longs = [p[0] for p in self.line]
        lats = [p[1] for p in self.line]
        return {"lat": round((min(lats) + max(lats)) / 2, 6),
                "long": round((min(longs) + max(longs)) / 2, 6)}


@dataclass(frozen=True)
class Register:
    street: str
    city: str | None
    boundary: Area
    communities: tuple[Community, ...]
    alleys: tuple[Alley, ...]
    digest: str  # of the file, so that processes can be seen to share one register

    def community(self, name: str) -> Community | None:
        return next((c for c in self.communities if c.name == name), None)


# --- geometry ----------------------------------------------------------------------------

def _on_segment(x, y, a, b) -> bool:
    (x1, y1), (x2, y2) = a, b
    cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
    if abs(cross) > 1e-12:
        return False
    return min(x1, x2) - 1e-12 <= x <= max(x1, x2) + 1e-12 and \
        min(y1, y2) - 1e-12 <= y <= max(y1, y2) + 1e-12


def _in_ring(x: float, y: float, ring: Ring) -> bool | None:
    """True inside, False outside, None on the edge (ray casting)."""
    inside = False
    for a, b in zip(ring, ring[1:]):
        if _on_segment(x, y, a, b):
            return None
        (x1, y1), (x2, y2) = a, b
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _in_area(x: float, y: float, area: Area) -> bool:
    for outer, *holes in area:
        where = _in_ring(x, y, outer)
        if where is False:
            continue
        if where is None:
            return True
        if not any(_in_ring(x, y, hole) for hole in holes):  # a hole's edge is inside
            return True
    return False


# --- reading the file --------------------------------------------------------------------

def _ring(points) -> Ring:
    ring = tuple((float(p[0]), float(p[1])) for p in points)
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise PlacesError("多边形的边界应首尾相接且至少有 3 个顶点")
    return ring


def _area(geometry: dict, what: str) -> Area:
    kind = (geometry or {}).get("type")
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise PlacesError(f"{what}的范围应为 Polygon 或 MultiPolygon")
    return tuple(tuple(_ring(r) for r in polygon) for polygon in polygons)


def _line(geometry: dict, what: str) -> tuple[tuple[float, float], ...]:
    kind = (geometry or {}).get("type")
    if kind == "LineString":
        return tuple((float(p[0]), float(p[1])) for p in geometry["coordinates"])
    if kind == "MultiLineString":
        return tuple((float(p[0]), float(p[1])) for line in geometry["coordinates"]
                     for p in line)
    if kind == "Point":
        return ((float(geometry["coordinates"][0]), float(geometry["coordinates"][1])),)
    raise PlacesError(f"{what}应为 LineString、MultiLineString 或 Point")


def _centre(area: Area) -> dict:
    corners = area[0][0][:-1]
    return {"lat": round(sum(p[1] for p in corners) / len(corners), 6),
            "long": round(sum(p[0] for p in corners) / len(corners), 6)}


def parse(text: str) -> Register:
    """A register from the text of a GeoJSON file, checked: one street, at least one
    community, names unique, every community and alley inside the street, every alley inside
    its own community."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise PlacesError(f"不是有效的 GeoJSON:{error}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise PlacesError("地名登记应为 GeoJSON FeatureCollection")
    street, communities, alleys = None, [], []
    for feature in document.get("features") or []:
        properties = feature.get("properties") or {}
        kind, name = properties.get("kind"), properties.get("name")
        if not isinstance(name, str) or not name.strip():
            raise PlacesError(f"有一个 {kind} 要素没有名称")
        if kind == "street":
            if street is not None:
                raise PlacesError("只能有一个街道要素")
            street = (name, properties.get("city"), _area(feature.get("geometry"), name))
        elif kind == "community":
            area = _area(feature.get("geometry"), name)
            communities.append(Community(name, area, _centre(area)))
        elif kind == "alley":
            alleys.append(Alley(name, properties.get("community"),
                                _line(feature.get("geometry"), name)))
        else:
            raise PlacesError(f"要素“{name}”的 kind 应为 street、community 或 alley")
    if street is None:
        raise PlacesError("缺少街道(kind 为 street)要素")
    if not communities:
        raise PlacesError("至少要登记一个社区")
    names = [c.name for c in communities]
    if len(set(names)) != len(names):
        raise PlacesError("社区名称重复")
    boundary = street[2]
    by_name = {c.name: c for c in communities}
    for community in communities:
        for polygon in community.area:
            for x, y in polygon[0]:
                if not _in_area(x, y, boundary):
                    raise PlacesError(f"{community.name}的范围超出了{street[0]}")
    seen = set()
    for alley in alleys:
        home = by_name.get(alley.community)
        if home is None:
            raise PlacesError(f"巷道“{alley.name}”所属的社区“{alley.community}”未登记")
        if (alley.community, alley.name) in seen:
            raise PlacesError(f"{alley.community}的巷道“{alley.name}”重复")
        seen.add((alley.community, alley.name))
        if not all(_in_area(x, y, home.area) for x, y in alley.line):
            raise PlacesError(f"巷道“{alley.name}”不在{alley.community}的范围内")
    return Register(street=street[0], city=street[1], boundary=boundary,
                    communities=tuple(communities), alleys=tuple(alleys),
                    digest=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])


def path() -> Path:
    return Path(os.environ.get(ENVIRONMENT) or DEFAULT_FILE)


@functools.lru_cache(maxsize=1)
def register() -> Register:
    """The register this process uses (read once)."""
    source = path()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise PlacesError(f"读不到地名登记文件 {source}:{error.strerror}") from None
    return parse(text)


def reload() -> Register:
    """Forget the register read so far and read the file again (for tests and tools)."""
    register.cache_clear()
    return register()


# --- what the rest of the system asks ----------------------------------------------------

def street() -> str:
    return register().street


def communities() -> list[str]:
    """The communities' names, in the register's order."""
    return [c.name for c in register().communities]


def is_community(name) -> bool:
    return isinstance(name, str) and register().community(name) is not None


def inside_street(lat: float, long: float) -> bool:
    return _in_area(float(long), float(lat), register().boundary)


def community_at(lat: float, long: float) -> str | None:
    """The community whose area holds the point, or None outside every community."""
    x, y = float(long), float(lat)
    return next((c.name for c in register().communities if _in_area(x, y, c.area)), None)


def alleys(community: str | None = None) -> list[dict]:
    """The back alleys, each {name, community, lat, long} (its middle), of one community or
    of the whole street, in the register's order."""
    return [{"name": a.name, "community": a.community, **a.point}
            for a in register().alleys if community is None or a.community == community]


def is_alley(name, community: str | None = None) -> bool:
    return any(a.name == name and (community is None or a.community == community)
               for a in register().alleys)


def summary() -> dict:
    """What a health report or the API tells about the register in use."""
    found = register()
    return {"street": found.street, "communities": len(found.communities),
            "alleys": len(found.alleys), "digest": found.digest}


def published() -> dict:
    """The register as the API hands it to clients (GET /api/places)."""
    found = register()
    return {
        "street": {"name": found.street, "city": found.city},
        "communities": [{"name": c.name, "centre": c.centre,
                         "alleys": [a.name for a in found.alleys if a.community == c.name]}
                        for c in found.communities],
        "alleys": alleys(),
        "digest": found.digest,
    }


def geojson() -> dict:
    """The register as GeoJSON for a map (GET /api/places/map): the street's boundary, each
    community's area and each alley's line, every feature with its `kind` and `name` (an
    alley also its `community`)."""
    found = register()

    def area(polygons: Area) -> dict:
        return {"type": "MultiPolygon",
                "coordinates": [[[list(p) for p in ring] for ring in polygon]
                                for polygon in polygons]}

    def feature(properties: dict, geometry: dict) -> dict:
        return {"type": "Feature", "properties": properties, "geometry": geometry}
    return {"type": "FeatureCollection", "features": [
        feature({"kind": "street", "name": found.street}, area(found.boundary)),
        *(feature({"kind": "community", "name": c.name}, area(c.area))
          for c in found.communities),
        *(feature({"kind": "alley", "name": a.name, "community": a.community},
                  {"type": "LineString", "coordinates": [list(p) for p in a.line]}
                  if len(a.line) > 1 else {"type": "Point", "coordinates": list(a.line[0])})
          for a in found.alleys)]}
