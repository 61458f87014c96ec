"""The hours ledger (志愿服务记录) and the certificates drawn from it, as plain Python.

志愿服务记录与证明出具办法: whoever organises a service records it (谁组织谁记录) and only the
body that recorded hours certifies them (谁记录谁证明). Every entry names the volunteer, the
date, the content, the hours, the organiser and who recorded it. An entry is written once and
never changed: a correction is a new entry, positive or negative, naming the entry it corrects.
"""
from __future__ import annotations

from datetime import date, datetime

from services.volunteer import exceptions as errors
from services.volunteer.domain import STAFF_ROLES, Volunteer
from shared.domain import actor_ref
from shared.events import volunteer as events

SOURCE_KINDS = {"shift": "志愿服务岗位", "activity": "主题活动签到", "manual": "组织方补录",
                "correction": "时长更正"}
MAX_ENTRY_HOURS = 24.0


def ledger_entry(entry_id: str, key: str, volunteer: Volunteer, served_on: str, content: str,
                 hours: float, organiser: str, recorder: dict, at: datetime, source: dict,
                 skills=(), corrects: str | None = None, note: str | None = None) -> dict:
    """One line of the 志愿服务记录. Written once; a correction is another entry."""
    if not hours:
        raise errors.invalid("hours", "时长不能为 0。")
    if corrects is None and not 0 < hours <= MAX_ENTRY_HOURS:
        raise errors.invalid("hours", f"一条记录的时长应在 0 到 {MAX_ENTRY_HOURS:g} 小时之间。")
    return {"id": entry_id, "key": key, "volunteer_id": volunteer.id,
            "volunteer_name": volunteer.name, "community": volunteer.community,
            "team": volunteer.team, "date": served_on, "month": served_on[:7],
            "content": content, "hours": round(hours, 2), "organiser": organiser,
            "recorder": actor_ref(recorder), "recorded_at": at, "source": source,
            "skills": list(skills), "corrects": corrects, "note": note}


def credited_event(entry: dict, total_hours: float) -> tuple:
    return (events.VOLUNTEER_HOURS_CREDITED, {
        "entry_id": entry["id"], "volunteer_id": entry["volunteer_id"],
        "name": entry["volunteer_name"], "community": entry["community"],
        "team": entry["team"], "date": entry["date"], "content": entry["content"],
        "hours": entry["hours"], "organiser": entry["organiser"],
        "recorder_name": entry["recorder"]["name"], "source_kind": entry["source"]["kind"],
        "shift_id": entry["source"].get("shift_id"),
        "activity_id": entry["source"].get("activity_id"), "corrects": entry["corrects"],
        "total_hours": total_hours})


def entry_stat_changes(entry: dict) -> dict:
    """What an entry adds to its month's figures."""
    hours = entry["hours"]
    service = 0 if entry["corrects"] else 1
    changes = {"hours": hours, "services": service}
    for skill in entry["skills"]:
        changes[f"skill_hours.{skill}"] = hours
        changes[f"skill_services.{skill}"] = service
    return changes


def period_keys(month: str) -> list[str]:
    """The periods a month belongs to, for counting distinct volunteers who served."""
    quarter = (int(month[5:7]) - 1) // 3 + 1
    return [month, f"{month[:4]}-Q{quarter}", month[:4], "all"]


def net_lines(entries: list[dict]) -> list[dict]:
    """Entries with their corrections folded in: one line per service, in date order."""
    lines: dict[str, dict] = {}
    for entry in sorted(entries, key=lambda e: (e["date"], e["recorded_at"])):
        root = entry["corrects"] or entry["id"]
        line = lines.get(root)
        if line is None:
            line = lines[root] = {"entry_id": root, "date": entry["date"],
                                  "content": entry["content"], "hours": 0.0,
                                  "organiser": entry["organiser"]}
        line["hours"] = round(line["hours"] + entry["hours"], 2)
    return [line for line in lines.values() if line["hours"] > 0]


# --- certificates -------------------------------------------------------------------------

VALID = "valid"
REVOKED = "revoked"
CERTIFICATE_STATE_NAMES = {VALID: "有效", REVOKED: "已作废"}


def certificate(number: str, volunteer: Volunteer, issuer: str, from_date: date,
                to_date: date, entries: list[dict], actor: dict, at: datetime) -> dict:
    """A 志愿服务记录证明 over a period, by the body that organised and recorded the service
    (谁记录谁证明): only the issuer's own entries count."""
    if actor.get("role") not in STAFF_ROLES:
        raise errors.forbidden("只有组织方的工作人员可以出具志愿服务证明")
    if to_date < from_date:
        raise errors.invalid("to_date", "结束日期不能早于开始日期。")
    lines = net_lines([e for e in entries if e["organiser"] == issuer
                       and from_date.isoformat() <= e["date"] <= to_date.isoformat()])
    total = round(sum(line["hours"] for line in lines), 2)
    if total <= 0:
        raise errors.nothing_to_certify(issuer)
    return {"number": number, "volunteer_id": volunteer.id, "volunteer_name": volunteer.name,
            "id_number_masked": volunteer.id_number["masked"],
            "community": volunteer.community, "issuer": issuer,
            "from_date": from_date.isoformat(), "to_date": to_date.isoformat(),
            "total_hours": total, "services": len(lines), "lines": lines,
            "issued_by": actor_ref(actor), "issued_at": at, "state": VALID,
            "revoked_at": None, "revoked_by": None, "revoke_reason": None}


def certificate_issued_event(cert: dict, actor: dict) -> tuple:
    return (events.VOLUNTEER_CERTIFICATE_ISSUED, {
        "number": cert["number"], "volunteer_id": cert["volunteer_id"],
        "name": cert["volunteer_name"], "issuer": cert["issuer"],
        "from_date": cert["from_date"], "to_date": cert["to_date"],
        "total_hours": cert["total_hours"], "actor_name": actor["name"]})


def revoke_certificate(cert: dict, actor: dict, at: datetime, reason: str) -> tuple:
    if actor.get("role") not in STAFF_ROLES:
        raise errors.forbidden("只有工作人员可以作废志愿服务证明")
    if cert["state"] != VALID:
        raise errors.illegal_transition(f"证明 {cert['number']}",
                                        CERTIFICATE_STATE_NAMES[cert["state"]], "作废")
    cert.update(state=REVOKED, revoked_at=at, revoked_by=actor_ref(actor),
                revoke_reason=reason)
    return (events.VOLUNTEER_CERTIFICATE_REVOKED, {
        "number": cert["number"], "volunteer_id": cert["volunteer_id"],
        "issuer": cert["issuer"], "reason": reason, "actor_name": actor["name"]})


CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def certificate_number(year: int, sequence: int, check: str) -> str:
    """ZYFW-2026-000123-K7QF: the year, a running number and four random characters, so
    numbers cannot be guessed to look up other people's certificates."""
    return f"ZYFW-{year}-{sequence:06d}-{check}"


# --- figures ------------------------------------------------------------------------------
