"""Photos of work orders: uploaded first (and prepared: services/repair/photos.py), then named
by a report or a completion, and read back with the order's access."""
from __future__ import annotations

import base64
import binascii

from services.repair import photos, schemas
from services.repair.exceptions import invalid
from services.repair.photo_store import photo_not_found
from services.repair.views import PhotoContentView, PhotoRecordView
from shared.schemas import ActorSchema, load
from shared.unit_of_work import query


@query  # the image is written outside a transaction (GridFS); it is no one's until named
def upload(uow, actor: dict, request: dict) -> dict:
    actor = load(ActorSchema(), actor)
    request = load(schemas.UploadPhoto(), request)
    settings = photos.limits(uow.config)
    if len(request["content"]) > settings["max_bytes"] * 4 // 3 + 4:
        raise invalid("content", f"照片不能超过 {settings['max_bytes'] // (1024 * 1024)} MB。")
    try:
        data = base64.b64decode(request["content"], validate=True)
    except (binascii.Error, ValueError):
        raise invalid("content", "照片内容应为 base64 编码。") from None
    stored = uow.photos.store(photos.prepare(data, settings), actor, uow.now)
    return PhotoRecordView().dump(stored)


@query
def content(uow, number: str, photo_id: str, request: dict) -> dict:
    """A photo of the order (its thumbnail with size=thumbnail), as base64."""
    request = load(schemas.PhotoQuery(), request)
    order = uow.work_orders.get(number)
    found = next((p for p in order.photos if p["id"] == photo_id), None)
    if found is None:
        raise photo_not_found(photo_id)
    data = uow.photos.content(photo_id, thumbnail=request["size"] == "thumbnail")
    return PhotoContentView().dump({"content_type": found["content_type"],
                                    "content": base64.b64encode(data).decode("ascii")})
