"""Sample requests for the per-route role test, one module per service.

Each module names its SERVICE and provides:
- `records(admin, community) -> dict`: creates what its routes act on in that community and
  returns the placeholders (`{"number": …, "community": …}`) its samples use;
- `snapshot(admin, placeholders)`: something that changes whenever those records change;
- `stored(database, placeholders)` (optional): what no route makes, written straight to
  `database(service)` (a 12345 callback that failed);
- `SAMPLES`: route id -> (path parameters, query or body), with `{placeholder}` strings.
"""
import importlib
import pkgutil

MODULES = {}
for _info in pkgutil.iter_modules(__path__):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    MODULES[_module.SERVICE] = _module
