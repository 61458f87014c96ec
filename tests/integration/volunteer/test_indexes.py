"""The volunteer service's lists read about a page, however long the history: for each filter a
list offers, page 1 and a page five cursors deep examine a small multiple of the page (asked of
the server by explain), at 1,500 records of each kind and again at 6,000. Records are written
straight into the service's database in the shape its repositories store."""
from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest

from services.volunteer import domain, schemas, shifts as rules
from services.volunteer.corrections import Correction
from services.volunteer.repositories import INDEXES
from services.volunteer.repositories.ledger import (CERTIFICATE_TALLIES, CERTIFICATES, LEDGER,
                                                    LEDGER_TALLIES, _certificate_document,
                                                    _entry_document)
from services.volunteer.repositories.registry import TALLIES, VOLUNTEERS
from services.volunteer.repositories.shifts import (CORRECTION_TALLIES, CORRECTIONS, SHIFTS,
                                                    SHIFT_TALLIES)
from services.volunteer.unit_of_work import VolunteerUnitOfWork, seed
from shared import clock
from shared.paging import EXTENTS
from shared.schemas import load
from shared.storage import ensure_indexes
from tests.integration.explaining import explaining, measure_lists, page_costs

PAGE = 20
BOUND = 6 * (PAGE + 1)
DEEP = 5  # pages followed by cursor before measuring
SIZES = (1500, 6000)
COMMUNITIES = ("浚河社区", "天宝社区", "永福社区", "新宇社区", "广陵社区")
TEAMS = ("junhe_medical", "tianbao_legal", "street_youth", None)
SKILLS = ("medical", "first_aid", "legal", "elderly_care", "tutoring")
NAMES = ("陈晓", "王秀英", "李桂兰", "张建国")
ORGANISERS = ("浚河社区", "天宝社区", "街道文明实践所")
BUSY = "V20250101BUSY"  # the volunteer on a fifth of the shifts, entries and certificates
STAFF = {"id": "u-staff", "name": "张永明", "role": "community_staff"}
LIST_COLLECTIONS = (VOLUNTEERS, SHIFTS, CORRECTIONS, LEDGER, CERTIFICATES)
UPCOMING = 300


class Fingerprints:
    """Stands in for the service's cipher: a phone's fingerprint as the seeder stores it."""

    @staticmethod
    def fingerprint(value: str) -> str:
        return f"fp-{value}"


class Seeder:
    """Grows the service's collections to a number of records of each kind."""

    def __init__(self, db):
        self.db, self.rng, self.now = db, random.Random(16), clock.now()
        self.uow = VolunteerUnitOfWork(db, source="volunteer")
        self.count = 0

    def grow_to(self, n: int) -> None:
        if n <= self.count:
            return
        made: dict[str, list] = {name: [] for name in LIST_COLLECTIONS}
        for i in range(self.count, n):
            made[VOLUNTEERS].append(self.uow.volunteers.to_document(self.volunteer(i)))
            made[SHIFTS].append(self.uow.shifts.to_document(self.shift(i)))
            made[CORRECTIONS].append(self.uow.corrections.to_document(self.correction(i)))
            made[LEDGER].append(_entry_document(self.entry(i)))
            made[CERTIFICATES].append(_certificate_document(self.certificate(i)))
        for name, documents in made.items():
            self.db[name].insert_many(documents)
        self.count = n
        # Totals and extents measured again over everything, as a first start would.
        for tallies in (TALLIES, SHIFT_TALLIES, CORRECTION_TALLIES, LEDGER_TALLIES,
                        CERTIFICATE_TALLIES):
            self.db[tallies.collection].drop()
        self.db[EXTENTS].drop()
        seed(VolunteerUnitOfWork(self.db, source="volunteer"))

    def moment(self, back_days: int, ahead_days: int = 0):
        minutes = self.rng.randrange(-back_days * 1440, ahead_days * 1440)
        return (self.now + timedelta(minutes=minutes)).replace(microsecond=0)

    def volunteer(self, i: int) -> domain.Volunteer:
        rng = self.rng
        registered = self.moment(3 * 365)
        return domain.Volunteer(
            id=f"V{i:09d}", name=rng.choice(NAMES), community=rng.choice(COMMUNITIES),
            id_number={"sealed": "x", "masked": "3411**********0012", "fingerprint": f"id-{i}"},
            registered_at=registered,
            phone={"sealed": "x", "masked": "139****0001", "fingerprint": f"fp-139{i:08d}"},
            team=rng.choice(TEAMS), skills=rng.sample(SKILLS, 2),
            availability=[{"weekday": rng.randrange(1, 8),
                           "slot": rng.choice(list(domain.SLOTS))}],
            state=rng.choice(domain.VOLUNTEER_STATES), star_level=rng.randrange(6),
            updated_at=registered + timedelta(minutes=rng.randrange(0, 200 * 1440)))

    def shift(self, i: int) -> rules.Shift:
        rng = self.rng
        kind = list(rules.SHIFT_KINDS)[i % 4]
        # What is planned ahead does not grow with the years behind: the first UPCOMING
        # shifts are in the next two months, every later one is history.
        starts = self.moment(0, 60) if i < UPCOMING else self.moment(3 * 365)
        flexible = kind in rules.FLEXIBLE_KINDS
        if starts > self.now:
            state = rng.choice([rules.OPEN] * 9 + [rules.CANCELLED])
        elif flexible:  # a visit never done stays open
            state = rng.choice([rules.COMPLETED] * 45 + [rules.CANCELLED] * 4 + [rules.OPEN])
        else:  # the clock completes every shift that ended
            state = rng.choice([rules.COMPLETED] * 5 + [rules.CANCELLED])
        who = BUSY if i % 5 == 0 else f"V{i:09d}"
        source = ({"activity_id": f"AC{i:08d}"} if kind == rules.ACTIVITY else
                  {"work_order_number": f"12345-{i:08d}"} if kind == rules.FOLLOW_UP_VISIT
                  else None)
        return rules.Shift(
            id=f"S{i:09d}", kind=kind, title="敬老院陪伴", community=rng.choice(COMMUNITIES),
            place="新宇巷1号", starts_at=starts,
            ends_at=starts + (rules.FOLLOW_UP_WINDOW if flexible else timedelta(hours=2)),
            needed=3, organiser=rng.choice(ORGANISERS),
            created_at=min(starts, self.now) - timedelta(minutes=rng.randrange(60, 30 * 1440)),
            created_by=STAFF, skills=[rng.choice(SKILLS)], source=source, state=state,
            assignments=[{"volunteer_id": who, "name": "陈晓", "status": rng.choice(
                [rules.SIGNED_UP, rules.CHECKED_OUT, rules.ATTENDED, rules.WITHDRAWN_SIGN_UP])}])

    def correction(self, i: int) -> Correction:
        rng = self.rng
        return Correction(
            id=f"C{i:09d}", volunteer_id=BUSY if i % 5 == 0 else f"V{i:09d}",
            volunteer_name="陈晓", community=rng.choice(COMMUNITIES), organiser="浚河社区",
            target={"kind": "shift", "shift_id": f"S{i:09d}"}, old={"hours": 2.0},
            new={"hours": 3.0}, reason="忘记签退", requested_by=STAFF,
            requested_at=self.moment(3 * 365),
            state=rng.choice(["requested", "approved", "rejected"]))

    def entry(self, i: int) -> dict:
        rng = self.rng
        day = clock.local_date(self.moment(3 * 365)).isoformat()
        kind = rng.choice(["shift", "activity", "manual", "correction"])
        return {"id": f"E{i:024d}", "key": f"manual:E{i}",
                "volunteer_id": BUSY if i % 5 == 0 else f"V{i:09d}", "volunteer_name": "陈晓",
                "community": rng.choice(COMMUNITIES), "team": None, "date": day,
                "month": day[:7], "content": "敬老院陪伴", "hours": 2.0,
                "organiser": rng.choice(ORGANISERS), "recorder": STAFF,
                "recorded_at": self.now, "source": {"kind": kind}, "skills": [],
                "corrects": None, "note": None}

    def certificate(self, i: int) -> dict:
        rng = self.rng
        return {"number": f"ZYFW{i:010d}", "volunteer_id": BUSY if i % 5 == 0 else f"V{i:09d}",
                "volunteer_name": "陈晓", "id_number_masked": "3411**********0012",
                "community": rng.choice(COMMUNITIES), "issuer": rng.choice(ORGANISERS),
                "from_date": "2025-01-01", "to_date": "2025-12-31", "total_hours": 2.0,
                "services": 1, "lines": [], "issued_by": STAFF,
                "issued_at": self.moment(3 * 365), "state": rng.choice(["valid", "revoked"]),
                "revoked_at": None, "revoked_by": None, "revoke_reason": None}


@pytest.fixture(scope="module")
def seeded(mongo_client):
    db = mongo_client[f"volunteer_indexes_{uuid.uuid4().hex[:8]}"]
    ensure_indexes(db, INDEXES)
    yield Seeder(db)
    mongo_client.drop_database(db.name)


def measure(seeder, schema, list_page, query: dict) -> tuple[int, int]:
    """(documents examined for page 1, for the page DEEP cursors further)."""
    uow = explaining(VolunteerUnitOfWork, *LIST_COLLECTIONS)(
        seeder.db, source="volunteer", cipher=Fingerprints())
    return page_costs(uow, schema, list_page, query, PAGE, DEEP)


# A combination with no index of its own is read through the best index that covers part of
# it and checked here: the server examines about a page divided by the share of the index's
# records that also match the rest (a quarter here: a volunteer has two of five skills), so
# its bound is that much wider; it still must not grow with the records.
UNCOVERED = {"skills": ["medical", "first_aid"]}
UNCOVERED_SHARE = 0.25
# Open shifts soonest first start years back, among the few visits never done, and come to
# the shifts planned ahead, dense: the window that crosses over is sized by the sparse years
# and reads what is planned ahead at once. That is bounded by what is planned (UPCOMING), not
# by the history, and must not grow with it either.
SPARSE_THEN_DENSE = ({"state": ["open"]}, {"open_for_sign_up": True})
AGO = clock.iso(clock.now() - timedelta(days=400))
LATER = clock.iso(clock.now() - timedelta(days=100))

LISTS = {
    "volunteers": (schemas.ListVolunteers, lambda uow, q: uow.volunteers.page(q), [
        {}, {"community": "浚河社区"}, {"state": ["active"]},
        {"community": "浚河社区", "state": ["active"]}, {"state": ["active", "suspended"]},
        {"team": "junhe_medical"}, {"team": "street_youth", "state": ["active"]},
        {"skills": ["medical"]}, UNCOVERED, {"community": "天宝社区", "skills": ["legal"]},
        {"min_star_level": 3}, {"available": {"weekday": 6, "slot": "morning"}},
        {"phone": "13900000042"}, {"q": "王秀英"}, {"q": "V000000100"},
        {"sort": "registered_at"}, {"sort": "-updated_at"},
        {"community": "永福社区", "sort": "-updated_at"}]),
    "shifts": (schemas.ListShifts, lambda uow, q: uow.shifts.page(q, clock.now()), [
        {}, {"sort": "-starts_at"}, {"state": ["open"]}, {"community": "浚河社区"},
        {"community": "浚河社区", "state": ["completed"]}, {"state": ["open", "cancelled"]},
        {"kind": "follow_up_visit"}, {"kind": "manual", "state": ["completed"]},
        {"skill": "medical"}, {"volunteer_id": BUSY},
        {"volunteer_id": BUSY, "state": ["completed"]}, {"activity_id": "AC00000101"},
        {"open_for_sign_up": True}, {"starts_from": AGO, "starts_to": LATER},
        {"sort": "-created_at"}, {"community": "天宝社区", "sort": "-created_at"},
        {"volunteer_id": BUSY, "sort": "-created_at"}]),
    "corrections": (schemas.ListCorrections, lambda uow, q: uow.corrections.page(q), [
        {}, {"state": "requested"}, {"community": "浚河社区"},
        {"community": "浚河社区", "state": "approved"}, {"volunteer_id": BUSY}]),
    "ledger": (schemas.ListEntries, lambda uow, q: uow.ledger.page(q), [
        {}, {"volunteer_id": BUSY}, {"organiser": "街道文明实践所"}, {"community": "浚河社区"},
        {"source_kind": "manual"}, {"community": "天宝社区", "source_kind": "shift"},
        {"from_date": AGO[:10], "to_date": LATER[:10]},
        {"community": "浚河社区", "from_date": AGO[:10]}]),
    "certificates": (schemas.ListCertificates, lambda uow, q: uow.certificates.page(q), [
        {}, {"volunteer_id": BUSY}, {"issuer": "浚河社区"}, {"state": "revoked"},
        {"issuer": "天宝社区", "state": "valid"}]),
}


@pytest.fixture(scope="module")
def figures(seeded):
    """{list: {query: {size: (page 1, deep page)}}}, every list measured at each size."""
    return measure_lists(seeded, LISTS, SIZES, measure, DEEP)


@pytest.mark.parametrize("kind", list(LISTS))
def test_a_page_examines_a_small_multiple_of_itself_however_many_records(figures, kind):
    for query, by_size in figures[kind].items():
        bound = BOUND / UNCOVERED_SHARE if query == repr(UNCOVERED) else \
            UPCOMING if query in map(repr, SPARSE_THEN_DENSE) else BOUND
        for first, deep in by_size.values():
            assert first <= bound and deep <= bound, (kind, query, by_size)
        # Four times the records: about the same work (a page's worth more at most).
        small, large = by_size[SIZES[0]], by_size[SIZES[-1]]
        assert max(large) <= 2 * max(small) + PAGE, (kind, query, by_size)


def test_totals_come_from_the_counters_and_agree_with_the_records(figures, seeded):
    db = seeded.db
    uow = VolunteerUnitOfWork(db, source="volunteer", cipher=Fingerprints())

    def total(schema, page, **query):
        return page(load(schema(), query))["total"]

    volunteers = uow.volunteers.page
    assert total(schemas.ListVolunteers, volunteers) == db[VOLUNTEERS].count_documents({})
    assert total(schemas.ListVolunteers, volunteers, community="浚河社区", team="junhe_medical",
                 state=["active", "suspended"]) == db[VOLUNTEERS].count_documents(
        {"community": "浚河社区", "team": "junhe_medical",
         "state": {"$in": ["active", "suspended"]}})
    shifts = lambda q: uow.shifts.page(q, clock.now())  # noqa: E731
    assert total(schemas.ListShifts, shifts, kind="manual", state=["open"]) == \
        db[SHIFTS].count_documents({"kind": "manual", "state": "open"})
    assert total(schemas.ListCorrections, uow.corrections.page, community="浚河社区",
                 state="requested") == db[CORRECTIONS].count_documents(
        {"community": "浚河社区", "state": "requested"})
    assert total(schemas.ListEntries, uow.ledger.page, source_kind="manual") == \
        db[LEDGER].count_documents({"source.kind": "manual"})
    assert total(schemas.ListCertificates, uow.certificates.page, issuer="浚河社区") == \
        db[CERTIFICATES].count_documents({"issuer": "浚河社区"})
    # A filter the counters do not keep, or a search: no total rather than a count.
    assert total(schemas.ListVolunteers, volunteers, q="王秀英") is None
    assert total(schemas.ListVolunteers, volunteers, skills=["medical"]) is None
    assert total(schemas.ListShifts, shifts, volunteer_id=BUSY) is None
    assert total(schemas.ListEntries, uow.ledger.page, volunteer_id=BUSY) is None
    assert total(schemas.ListCertificates, uow.certificates.page, volunteer_id=BUSY) is None
