"""Checks that what the API answered has exactly the shape its route documents (the route's
output schema, which the OpenAPI document is made from), so the document is tested against
real answers of the real services."""
from services.gateway.routes import BY_ID


def conforms(route_id: str, response, status: int | None = None) -> dict:
    """The response's JSON, after checking its status and that it has the route's shape."""
    route = BY_ID[route_id]
    expected = status or route.status
    assert response.status_code == expected, (route_id, response.status_code, response.text)
    body = response.json()
    output = route.output()
    if route.by_cursor:
        assert set(body) == {"items", "next_cursor", "has_more", "page_size", "total"}, \
            body.keys()
        assert isinstance(body["has_more"], bool)
        assert (body["next_cursor"] is not None) == body["has_more"], body["next_cursor"]
        assert body["total"] is None or isinstance(body["total"], int)
        items = body["items"]
    elif route.paged:
        assert set(body) == {"items", "total", "page", "page_size"}, body.keys()
        items = body["items"]
    elif route.listed and "items" not in output.fields:
        assert set(body) == {"items"}, body.keys()
        items = body["items"]
    else:
        items = [body]
    for item in items:
        errors = output.validate(item)
        assert errors == {}, (route_id, errors)
    return body
