"""Work-order photos in the repair service's own database, in GridFS (bucket `photos`): the
kept image under the photo's id, its thumbnail under `<id>.thumb`, and in the image's file
record (`photos.files`, metadata) who uploaded it, when, its size, the camera's place and —
once a report or a completion names it — the work order and stage it belongs to.

The images are written outside any transaction (GridFS writes chunk by chunk); a photo
becomes part of an order only when the order's transaction marks its record, so an upload
never named stays unattached and is no one's."""
from __future__ import annotations

import uuid

import gridfs
from pymongo import ASCENDING, IndexModel

from services.repair import photos
from services.repair.exceptions import invalid
from shared.errors import NotFound
from shared.unit_of_work import Repository

BUCKET = "photos"
FILES = f"{BUCKET}.files"
INDEXES = {FILES: [IndexModel([("metadata.work_order_number", ASCENDING)],
                              name="photo_work_order")]}
STAGES = {"report": "上报照片", "completion": "办结照片"}


def photo_not_found(photo_id: str) -> NotFound:
    return NotFound(f"照片 {photo_id} 不存在", code="PHOTO_NOT_FOUND")


class Photos(Repository):
    def _bucket(self) -> gridfs.GridFSBucket:
        return gridfs.GridFSBucket(self.uow.db, bucket_name=BUCKET)

    def store(self, prepared: photos.Prepared, actor: dict, at) -> dict:
        photo_id = uuid.uuid4().hex
        metadata = {"content_type": prepared.content_type, "width": prepared.width,
                    "height": prepared.height, "location": prepared.location,
                    "uploaded_by": {"id": actor["id"], "name": actor["name"],
                                    "role": actor["role"]},
                    "uploaded_at": at, "work_order_number": None, "stage": None}
        bucket = self._bucket()
        bucket.upload_from_stream_with_id(f"{photo_id}.thumb", f"{photo_id}.thumb",
                                          prepared.thumbnail,
                                          metadata={"thumbnail_of": photo_id,
                                                    "content_type": prepared.content_type})
        bucket.upload_from_stream_with_id(photo_id, photo_id, prepared.image,
                                          metadata=metadata)
        return {"id": photo_id, "size": len(prepared.image), **metadata}

    def record(self, photo_id: str) -> dict:
        found = self.collection(FILES).find_one({"_id": photo_id})
        if found is None or "thumbnail_of" in (found.get("metadata") or {}):
            raise photo_not_found(photo_id)
        return {"id": found["_id"], "size": found["length"], **found["metadata"]}

    def attach(self, photo_ids: list[str], actor: dict, number: str, stage: str, at) -> list:
        """Mark the photos as the order's (in the order's transaction) and answer what the
        order keeps of them. Only the uploader's own photos not yet on an order may be named."""
        entries = []
        for photo_id in dict.fromkeys(photo_ids):
            try:
                found = self.record(photo_id)
            except NotFound:
                raise invalid("photos", f"照片 {photo_id} 不存在,请重新上传。") from None
            if found["uploaded_by"]["id"] != actor["id"] or found["work_order_number"]:
                raise invalid("photos", f"照片 {photo_id} 不能用于此工单。")
            self.collection(FILES).update_one(
                {"_id": photo_id}, {"$set": {"metadata.work_order_number": number,
                                             "metadata.stage": stage}})
            entries.append({"id": photo_id, "stage": stage, "at": at,
                            "content_type": found["content_type"],
                            "location": found["location"]})
        return entries

    def content(self, photo_id: str, thumbnail: bool) -> bytes:
        try:
            return self._bucket().open_download_stream(
                f"{photo_id}.thumb" if thumbnail else photo_id).read()
        except gridfs.errors.NoFile:
            raise photo_not_found(photo_id) from None
