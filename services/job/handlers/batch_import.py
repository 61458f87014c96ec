"""批量导入 of employers and job postings from an office's spreadsheets: every row is checked
before anything is stored, then all are created in one transaction, or none."""
from __future__ import annotations

from services.job import domain, exceptions, schemas
from services.job.domain import Employer, JobPosting
from services.job.handlers.common import protected_contact
from shared.errors import ValidationFailed
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command


@command
def employers(uow, actor: dict, command: dict) -> dict:
    """Every row is checked (the registration rules; no second employer of the same name in
    a community, in the registry or in the file) before anything is stored. Bad rows refuse
    the whole file (`IMPORT_REJECTED`, errors by row)."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.ImportRows(), command)
    errors, loaded, seen = {}, [], {}
    for index, row in enumerate(command["rows"]):
        try:
            details = load(schemas.Employer(), row)
        except ValidationFailed as error:
            errors[str(index)] = error.fields
            continue
        problems = _outside(actor, details["community"])
        key = (details["community"], domain.name_key(details["name"]))
        if uow.employers.named(details["name"], details["community"]):
            problems["name"] = ["该社区已有同名用工单位。"]
        elif key in seen:
            problems["name"] = [f"与第 {seen[key] + 1} 条记录重复。"]
        seen.setdefault(key, index)
        if problems:
            errors[str(index)] = problems
        details["contact"] = protected_contact(uow.cipher, details["contact"])
        loaded.append(details)

    def register(details):
        employer = Employer.register(uow.employers.next_id(uow.now), details, actor, uow.now)
        uow.employers.add(employer)
        return employer.employer_id
    return _all_or_none(command, loaded, errors, register)


@command
def job_postings(uow, actor: dict, command: dict) -> dict:
    """Postings (用工信息), each naming its employer (and community where the name is not
    unique): every row is checked as a posting would be before anything is stored."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.ImportRows(), command)
    errors, loaded = {}, []
    for index, row in enumerate(command["rows"]):
        try:
            details = load(schemas.ImportPosting(), row)
        except ValidationFailed as error:
            errors[str(index)] = error.fields
            continue
        problems = {}
        found = uow.employers.named(details.pop("employer_name"), details.get("community"))
        if not found:
            problems["employer_name"] = ["没有这家用工单位,请先登记或导入用工单位。"]
        elif len(found) > 1:
            problems["community"] = ["多个社区有同名用工单位,请填写社区。"]
        elif not found[0].active:
            problems["employer_name"] = ["该用工单位已停用。"]
        else:
            problems.update(_outside(actor, found[0].community))
        if details["valid_through"] <= uow.now:
            problems["valid_through"] = ["截止时间应晚于现在。"]
        if problems:
            errors[str(index)] = problems
        elif found:
            loaded.append((found[0].employer_id, details))

    def publish(item):
        employer_id, details = item
        posting = JobPosting.publish(uow.postings.next_id(uow.now),
                                     uow.employers.get(employer_id), details, actor, uow.now)
        uow.postings.add(posting)
        return posting.posting_id
    return _all_or_none(command, loaded, errors, publish)


def _all_or_none(command: dict, loaded: list, errors: dict, create) -> dict:
    """Refused with the errors by row, or all created (here, in this one transaction)."""
    total = len(command["rows"])
    if errors:
        raise exceptions.import_rejected(len(errors), total, errors)
    if command["dry_run"]:
        return {"rows": total, "valid": total, "created": 0, "ids": [], "dry_run": True}
    ids = [create(item) for item in loaded]
    return {"rows": total, "valid": total, "created": len(ids), "ids": ids, "dry_run": False}


def _outside(actor: dict, community: str) -> dict:
    """Community staff import only their own community's records."""
    if actor.get("role") == "community_staff" and actor.get("community") != community:
        return {"community": [f"只能导入本社区({actor.get('community')})的记录。"]}
    return {}
