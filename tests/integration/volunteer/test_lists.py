"""The volunteer service's lists over RPC, followed by cursor to their end: every record once,
in the list's order, filters combined, totals from the counters, a forged cursor refused."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.volunteer import domain, shifts as rules
from services.volunteer.repositories.ledger import _certificate_document, _entry_document
from services.volunteer.service import VolunteerService
from services.volunteer.unit_of_work import VolunteerUnitOfWork
from shared import clock
from shared.errors import ValidationFailed
from tests.integration.volunteer.conftest import ADMIN, JUNHE_STAFF, as_volunteer, iso_in

LISTS = ("list_volunteers", "list_shifts", "list_corrections", "list_ledger_entries",
         "list_certificates")


def walk(method, page_size: int, **query) -> tuple[list[dict], list[dict]]:
    """Every item of a list, page after page; and the pages' envelopes."""
    pages, cursor = [], None
    while True:
        page = method(page_size=page_size, cursor=cursor, **query)
        pages.append(page)
        assert len(page["items"]) <= page_size
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return [item for p in pages for item in p["items"]], pages
        assert len(page["items"]) == page_size
        cursor = page["next_cursor"]


def ids(items: list[dict], key: str = "id") -> list[str]:
    return [item[key] for item in items]


def test_volunteers_by_cursor_with_filters_search_and_totals(volunteer_service, rpc, enrol):
    made = [enrol(name, community=community, skills=skills,
                  availability=[{"weekday": 6, "slot": "morning"}] if i % 2 else [])
            for i, (name, community, skills) in enumerate([
                ("陈晓", "浚河社区", ["medical"]), ("王秀英", "浚河社区", ["legal"]),
                ("李桂兰", "天宝社区", ["medical", "first_aid"]), ("张建国", "浚河社区", []),
                ("王建军", "天宝社区", ["medical"]), ("刘芳", "浚河社区", ["first_aid"]),
                ("赵敏", "浚河社区", ["medical"])])]
    pending = enrol("孙丽", approve=False)

    everyone, pages = walk(rpc.volunteer.list_volunteers, 3)
    # Newest registration first, each once; the total from the counters on every page.
    assert ids(everyone) == [pending["id"], *reversed(ids(made))]
    assert {p["total"] for p in pages} == {8}
    oldest, _ = walk(rpc.volunteer.list_volunteers, 2, sort="registered_at")
    assert ids(oldest) == list(reversed(ids(everyone)))

    active, pages = walk(rpc.volunteer.list_volunteers, 2, community="浚河社区",
                         state=["active"])
    assert ids(active) == [ids(made)[i] for i in (6, 5, 3, 1, 0)]
    assert pages[0]["total"] == 5
    assert walk(rpc.volunteer.list_volunteers, 2, state=["pending"])[1][0]["total"] == 1
    # Filters combine; those the counters do not keep answer no total.
    medics, pages = walk(rpc.volunteer.list_volunteers, 2, skills=["medical"],
                         community="天宝社区")
    assert ids(medics) == [made[4]["id"], made[2]["id"]] and pages[0]["total"] is None
    assert ids(walk(rpc.volunteer.list_volunteers, 2, skills=["medical", "first_aid"])[0]) \
        == [made[2]["id"]]
    assert ids(walk(rpc.volunteer.list_volunteers, 2, available={"weekday": 6,
                                                                  "slot": "morning"})[0]) == \
        [made[i]["id"] for i in (5, 3, 1)]
    # Two consecutive characters of a name, or the number.
    assert ids(walk(rpc.volunteer.list_volunteers, 2, q="王秀")[0]) == [made[1]["id"]]
    assert ids(walk(rpc.volunteer.list_volunteers, 2, q=made[3]["id"])[0]) == [made[3]["id"]]
    with pytest.raises(ValidationFailed) as refused:
        rpc.volunteer.list_volunteers(q="王")  # one character finds too much to mean anything
    assert "q" in refused.value.fields

    # A change moves the volunteer between the counted states, in the same transaction.
    rpc.volunteer.suspend_volunteer(made[0]["id"], ADMIN, reason="长期外出务工")
    assert rpc.volunteer.list_volunteers(community="浚河社区", state=["active"])["total"] == 4
    assert rpc.volunteer.list_volunteers(state=["suspended"])["total"] == 1
    changed = rpc.volunteer.list_volunteers(sort="-updated_at", page_size=1)["items"]
    assert ids(changed) == [made[0]["id"]]


def test_shifts_by_cursor_and_a_volunteers_own(volunteer_service, rpc, enrol):
    chen = enrol("陈晓", skills=["medical"])
    opened = [rpc.volunteer.open_shift(JUNHE_STAFF, title=f"第{i}场 爱心义诊",
                                       community="浚河社区", place="浚河社区综合文化服务中心",
                                       starts_at=iso_in(days=1, hours=3 * min(i, 4)),
                                       ends_at=iso_in(days=1, hours=3 * min(i, 4) + 2),
                                       needed=2, skills=["medical"] if i % 2 else [])
              for i in range(6)]  # two start at the same time
    tianbao = rpc.volunteer.open_shift(ADMIN, title="法律咨询", community="天宝社区",
                                       place="天宝社区服务中心", starts_at=iso_in(days=2),
                                       ends_at=iso_in(days=2, hours=2), needed=1)
    soonest, pages = walk(rpc.volunteer.list_shifts, 2)
    keys = [(s["starts_at"], s["id"]) for s in soonest]
    assert keys == sorted(keys) and len(set(ids(soonest))) == len(soonest) == 7
    assert {p["total"] for p in pages} == {7}
    latest, _ = walk(rpc.volunteer.list_shifts, 3, sort="-starts_at")
    assert ids(latest) == list(reversed(ids(soonest)))

    for shift in (opened[1], opened[3], tianbao):
        rpc.volunteer.sign_up(shift["id"], ADMIN, volunteer_id=chen["id"])
    rpc.volunteer.withdraw_sign_up(opened[3]["id"], as_volunteer(chen),
                                   volunteer_id=chen["id"])
    mine, pages = walk(rpc.volunteer.list_shifts, 1, volunteer_id=chen["id"])
    assert ids(mine) == [opened[1]["id"], tianbao["id"]]  # not the one they withdrew from
    assert pages[0]["total"] is None
    in_junhe, pages = walk(rpc.volunteer.list_shifts, 2, volunteer_id=chen["id"],
                           community="浚河社区")
    assert ids(in_junhe) == [opened[1]["id"]]
    rpc.volunteer.cancel_shift(opened[0]["id"], JUNHE_STAFF, reason="场地临时占用")
    still_open, pages = walk(rpc.volunteer.list_shifts, 2, community="浚河社区",
                             state=["open"])
    assert ids(still_open) == ids(opened[1:]) and pages[0]["total"] == 5
    assert ids(walk(rpc.volunteer.list_shifts, 2, skill="medical")[0]) == \
        [opened[i]["id"] for i in (1, 3, 5)]
    recent, _ = walk(rpc.volunteer.list_shifts, 4, sort="-created_at")
    assert ids(recent) == list(reversed([*ids(opened), tianbao["id"]]))


def test_ledger_corrections_and_certificates_by_cursor(volunteer_service, rpc, enrol):
    chen, liu = enrol("陈晓"), enrol("刘芳", community="天宝社区")
    today = clock.local_date(clock.now())
    entries = [rpc.volunteer.record_hours(ADMIN, volunteer_id=person["id"],
                                          date=(today - timedelta(days=days)).isoformat(),
                                          content="敬老院陪伴", hours=2,
                                          organiser=person["community"])
               for person, days in [(chen, 3), (chen, 1), (liu, 3), (chen, 10), (liu, 0)]]
    listed, pages = walk(rpc.volunteer.list_ledger_entries, 2)
    # Latest day of service first; on one day, the later recorded first.
    assert ids(listed) == [entries[i]["id"] for i in (4, 1, 2, 0, 3)]
    assert {p["total"] for p in pages} == {5}
    theirs, pages = walk(rpc.volunteer.list_ledger_entries, 2, volunteer_id=chen["id"])
    assert ids(theirs) == [entries[i]["id"] for i in (1, 0, 3)]
    ranged, pages = walk(rpc.volunteer.list_ledger_entries, 1, community="浚河社区",
                         from_date=(today - timedelta(days=3)).isoformat(),
                         to_date=(today - timedelta(days=1)).isoformat())
    assert ids(ranged) == [entries[i]["id"] for i in (1, 0)] and pages[0]["total"] is None
    assert walk(rpc.volunteer.list_ledger_entries, 3, community="天宝社区",
                source_kind="manual")[1][0]["total"] == 2

    asked = [rpc.volunteer.request_correction(as_volunteer(chen), volunteer_id=chen["id"],
                                              entry_id=entries[i]["id"], hours=1,
                                              reason="实际只服务了一小时") for i in (0, 1, 3)]
    rpc.volunteer.approve_correction(asked[1]["id"], JUNHE_STAFF)
    requests, pages = walk(rpc.volunteer.list_corrections, 2)
    assert ids(requests) == list(reversed(ids(asked))) and pages[0]["total"] == 3
    waiting, pages = walk(rpc.volunteer.list_corrections, 1, community="浚河社区",
                          state="requested")
    assert ids(waiting) == [asked[2]["id"], asked[0]["id"]] and pages[0]["total"] == 2
    # The approval wrote a correction entry: in the ledger's list and its counters at once.
    assert rpc.volunteer.list_ledger_entries(source_kind="correction")["total"] == 1

    period = {"from_date": (today - timedelta(days=30)).isoformat(),
              "to_date": today.isoformat()}
    issued = [rpc.volunteer.issue_certificate(ADMIN, volunteer_id=person["id"],
                                              issuer=person["community"], **period)
              for person in (chen, liu, chen)]
    rpc.volunteer.revoke_certificate(issued[0]["number"], ADMIN, reason="信息有误重新出具")
    certificates, pages = walk(rpc.volunteer.list_certificates, 2)
    assert ids(certificates, "number") == list(reversed(ids(issued, "number")))
    assert pages[0]["total"] == 3
    revoked, pages = walk(rpc.volunteer.list_certificates, 2, state="revoked")
    assert ids(revoked, "number") == [issued[0]["number"]] and pages[0]["total"] == 1
    assert walk(rpc.volunteer.list_certificates, 2, issuer="浚河社区", state="valid")[1][0][
        "total"] == 1
    assert ids(walk(rpc.volunteer.list_certificates, 1, volunteer_id=chen["id"])[0],
               "number") == [issued[2]["number"], issued[0]["number"]]


@pytest.mark.parametrize("method", LISTS)
def test_a_forged_cursor_is_refused_with_a_field_error_even_on_an_empty_list(
        volunteer_service, rpc, method):
    for forged in ("not-a-cursor", "eyJ2IjoxfQ", "x" * 401):
        with pytest.raises(ValidationFailed) as refused:
            getattr(rpc.volunteer, method)(cursor=forged)
        assert refused.value.code == "VALIDATION_FAILED" and "cursor" in refused.value.fields
    empty = getattr(rpc.volunteer, method)()
    assert empty == {"items": [], "next_cursor": None, "has_more": False, "page_size": 20,
                     "total": 0}


def test_records_stored_before_get_their_counters_and_list_fields_at_first_start(
        service_db, start_service, rpc):
    """Records of a version without these lists' fields and counters: the first start adds
    them once, and every list finds the records by each filter."""
    db = service_db("volunteer")
    uow = VolunteerUnitOfWork(db, source="volunteer")
    now = clock.now().replace(microsecond=0)
    volunteer = uow.volunteers.to_document(domain.Volunteer(
        id="V202501010001", name="周桂芳", community="浚河社区", registered_at=now,
        id_number={"sealed": "x", "masked": "3411**********0012", "fingerprint": "id-1"},
        availability=[{"weekday": 2, "slot": "evening"}], state="active", updated_at=now))
    shift = uow.shifts.to_document(rules.Shift(
        id="S202501010001", kind="manual", title="敬老院陪伴", community="浚河社区",
        place="新宇巷1号", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3) +
        timedelta(hours=2), needed=2, organiser="浚河社区", created_at=now - timedelta(days=5),
        created_by=ADMIN, state="completed",
        assignments=[{"volunteer_id": "V202501010001", "name": "周桂芳", "status": "attended"}]))
    entry = _entry_document({
        "id": "E1", "key": "manual:E1", "volunteer_id": "V202501010001",
        "volunteer_name": "周桂芳", "community": "浚河社区", "team": None, "date": "2025-06-01",
        "month": "2025-06", "content": "敬老院陪伴", "hours": 2.0, "organiser": "浚河社区",
        "recorder": ADMIN, "recorded_at": now, "source": {"kind": "manual"}, "skills": [],
        "corrects": None, "note": None})
    for document, derived in ((volunteer, ("slots", "terms")), (shift, ("volunteers",)),
                              (entry, ("served_on",))):
        for name in derived:
            del document[name]
    db.volunteers.insert_one(volunteer)
    db.shifts.insert_one(shift)
    db.hours_ledger.insert_one(entry)
    db.certificates.insert_one(_certificate_document({
        "number": "ZYFW-2025-000001-ABCD", "volunteer_id": "V202501010001",
        "volunteer_name": "周桂芳", "id_number_masked": "3411**********0012",
        "community": "浚河社区", "issuer": "浚河社区", "from_date": "2025-01-01",
        "to_date": "2025-12-31", "total_hours": 2.0, "services": 1, "lines": [],
        "issued_by": ADMIN, "issued_at": now, "state": "valid", "revoked_at": None,
        "revoked_by": None, "revoke_reason": None}))

    start_service(VolunteerService)
    found = rpc.volunteer.list_volunteers(available={"weekday": 2, "slot": "evening"})
    assert ids(found["items"]) == ["V202501010001"]
    assert ids(rpc.volunteer.list_volunteers(q="桂芳")["items"]) == ["V202501010001"]
    assert rpc.volunteer.list_volunteers(community="浚河社区", state=["active"])["total"] == 1
    theirs = rpc.volunteer.list_shifts(volunteer_id="V202501010001")
    assert ids(theirs["items"]) == ["S202501010001"]
    assert rpc.volunteer.list_shifts(state=["completed"])["total"] == 1
    entries = rpc.volunteer.list_ledger_entries(from_date="2025-06-01", to_date="2025-06-01")
    assert ids(entries["items"]) == ["E1"]
    assert rpc.volunteer.list_ledger_entries(community="浚河社区")["total"] == 1
    assert rpc.volunteer.list_certificates(state="valid")["total"] == 1
    # Once: a second start finds the counters and counts nothing again.
    start_service(VolunteerService)
    assert rpc.volunteer.list_volunteers()["total"] == 1
    assert rpc.volunteer.list_certificates()["total"] == 1
