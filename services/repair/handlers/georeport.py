"""Open311 GeoReport v2: the service list, new requests and what became of them (the
representation itself is in services/repair/open311.py)."""
from __future__ import annotations

import uuid
from datetime import timedelta

from services.repair import domain, exceptions, open311, schemas
from services.repair.handlers.intake import file_report
from shared import places
from shared.schemas import (ActorSchema, load, mismatch_message, outside_street_message,
                            validation_failed)
from shared.unit_of_work import command, query

MAX_REQUESTS = 1000


@query
def service_list(uow) -> list[dict]:
    return open311.services()


@query
def service_definition(uow, service_code: str) -> dict:
    if service_code not in domain.CATEGORIES:
        raise exceptions.service_not_found(service_code)
    return open311.service_definition(service_code)


@command
def create_request(uow, actor: dict, request: dict) -> list[dict]:
    actor = load(ActorSchema(), actor)
    request = load(schemas.Open311Request(), request)
    attributes, errors = open311.check_attributes(request["service_code"], request["attribute"])
    location = ({"lat": request["lat"], "long": request["long"]}
                if request["lat"] is not None and request["long"] is not None else None)
    # The register of places decides: a point outside the street is refused; inside it, the
    # point's community is the report's, and a community named otherwise is refused.
    community = attributes.pop("community", None)
    if location is not None:
        found = places.community_at(location["lat"], location["long"])
        if not places.inside_street(location["lat"], location["long"]):
            errors["lat"] = [outside_street_message()]
        elif community and found and community != found:
            errors["attribute[community]"] = [mismatch_message(found, community)]
        community = community or found
    if not request["description"]:
        errors["description"] = ["请描述问题。"]
    if not community and "attribute[community]" not in errors and "lat" not in errors:
        errors["attribute[community]"] = ["无法按位置判断所在社区,请选择社区。"]
    if errors:
        raise validation_failed(errors)
    name = "".join(filter(None, (request["last_name"], request["first_name"]))) or None
    view = file_report(uow, {
        "category": request["service_code"], "community": community,
        "address": request["address_string"] or request["address_id"],
        "location": location, "description": request["description"],
        "media_urls": [request["media_url"]] if request["media_url"] else [],
        "attributes": attributes, "channel": "open311",
        "external_ref": request["external_ref"],
        "reporter": {"name": name, "phone": request["phone"], "email": request["email"]},
    }, actor, token=uuid.uuid4().hex)
    order = uow.work_orders.get(view["number"])
    days = uow.reference.deadline_days(request["service_code"])
    return [{"service_request_id": order.number, "token": order.token,
             "service_notice": f"处理时限 {days} 个工作日",
             "account_id": request["account_id"]}]


@query
def requests(uow, query: dict) -> list[dict]:
    query = load(schemas.Open311Query(), query)
    if query["service_request_id"]:
        numbers = [n.strip() for n in query["service_request_id"].split(",") if n.strip()]
        orders = uow.work_orders.open311_requests(numbers[:MAX_REQUESTS], None, None, None,
                                                  None, MAX_REQUESTS)
    else:
        start, end = query["start_date"], query["end_date"]
        if start and end and (end - start).days > 90:
            raise exceptions.invalid("end_date", "start_date 与 end_date 相隔不能超过 90 天。")
        if not start:
            start = (end or uow.now) - timedelta(days=90)
        orders = uow.work_orders.open311_requests(
            None, query["service_code"].split(",") if query["service_code"] else None,
            set(query["status"].split(",")) if query["status"] else None, start, end,
            MAX_REQUESTS)
    days = uow.reference.all_deadline_days()
    return [open311.to_request(o, days[o.category]) for o in orders]


@query
def request(uow, service_request_id: str) -> list[dict]:
    order = uow.work_orders.get(service_request_id)
    return [open311.to_request(order, uow.reference.deadline_days(order.category))]


@query
def token(uow, token: str) -> list[dict]:
    order = uow.work_orders.by_token(token)
    if order is None:
        raise exceptions.token_not_found(token)
    return [{"token": token, "service_request_id": order.number}]
