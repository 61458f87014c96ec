"""补录: work orders handled before they were in the system (paper ledgers, another
platform), recorded with the real time of each step: the rules their dates must keep."""
from __future__ import annotations

from datetime import datetime

IMPORT_STEPS = ("reported_at", "accepted_at", "dispatched_at", "signed_for_at", "completed_at")


def check_import_times(record: dict, now: datetime) -> dict:
    """The field errors of an imported order's dates: each step no earlier than the one before
    it, none in the future, and no step without the one before it."""
    errors: dict = {}
    times = [(name, record.get(name)) for name in IMPORT_STEPS]
    follow_up = record.get("follow_up")
    if follow_up:
        times.append(("follow_up", follow_up["at"]))
    last, gap = None, False
    for name, moment in times:
        if moment is None:
            gap = True
            continue
        if moment > now:
            errors[name] = ["补录的时间不能晚于现在。"]
        elif gap:
            errors[name] = ["缺少前一步骤的时间。"]
        elif last is not None and moment < last:
            errors[name] = ["不能早于前一步骤的时间。"]
        last = moment
    rating = record.get("rating")
    if rating:
        if not record.get("completed_at"):
            errors["rating"] = ["居民评价须在办结之后。"]
        elif rating["at"] < record["completed_at"] or rating["at"] > now:
            errors["rating"] = ["评价时间应在办结之后、现在之前。"]
        elif not (record.get("reporter") or {}).get("phone"):
            errors["rating"] = ["居民评价须有上报人的手机号。"]
    if (record.get("completed_at") and not record.get("evidence_urls")
            and not record.get("completion_photos")):
        errors["evidence_urls"] = ["办结须有至少 1 张照片或台账扫描件。"]
    if record.get("completion_photos") and not record.get("completed_at"):
        errors["completion_photos"] = ["办结照片须有办结时间。"]
    if record.get("completed_at") and not record.get("result_note"):
        errors["result_note"] = ["办结须填写办理结果。"]
    return errors


def rater(order) -> dict:
    """The reporter as the one who rates: a resident, known by their phone's fingerprint."""
    fingerprint = order.reporter["phone"]["fingerprint"]
    return {"id": f"resident:{fingerprint[:24]}", "name": order.reporter.get("name") or "居民",
            "role": "resident", "resident": fingerprint}


def only_final_event(order) -> None:
    """An imported order tells subscribers where it stands, not its history: of the events its
    replayed steps caused, only the last is kept (a closed order asks nobody for a visit; one
    imported as completed still gets its follow-up visit)."""
    order.events = order.events[-1:]
