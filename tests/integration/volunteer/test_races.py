"""The same request twice at once: the unique indexes decide, and the loser is told so with the
service's typed error (never a database error), changing nothing."""
import pytest

from services.volunteer import corrections, domain
from services.volunteer.service import VolunteerService
from services.volunteer.unit_of_work import VolunteerUnitOfWork
from shared import clock
from shared.errors import Conflict
from shared.personal_data import Cipher, mask_id_number
from shared.storage import ensure_indexes
from tests.conftest import TEST_PII_KEY
from tests.integration.volunteer.conftest import JUNHE_STAFF, id_number

RESIDENT = {"id": "r-1", "name": "陈晓", "role": "resident"}


@pytest.fixture
def volunteer_db(service_db):
    db = service_db("volunteer")
    ensure_indexes(db, VolunteerUnitOfWork.indexes)
    return db


def in_transaction(mongo_client, db, work):
    """`work(uow)` in one transaction, as the service runs a command."""
    with mongo_client.start_session() as session:
        return session.with_transaction(lambda s: work(VolunteerUnitOfWork(
            db, s, source="volunteer", cipher=Cipher(TEST_PII_KEY))))


def test_a_registration_that_loses_the_race_is_told_who_won(volunteer_db, mongo_client):
    cipher = Cipher(TEST_PII_KEY)

    def registration(volunteer_id):
        return domain.Volunteer.register(volunteer_id, {
            "name": "陈晓", "community": "浚河社区", "phone": None,
            "id_number": cipher.protect(id_number(7), mask_id_number)}, RESIDENT, clock.now())

    # The winner committed after the loser had looked for the ID number and found nothing.
    in_transaction(mongo_client, volunteer_db, lambda uow: uow.volunteers.add(registration("V1")))
    with pytest.raises(Conflict) as lost:
        in_transaction(mongo_client, volunteer_db,
                       lambda uow: uow.volunteers.add(registration("V2")))
    assert lost.value.code == "VOLUNTEER_ALREADY_REGISTERED" and "V1" in lost.value.message
    assert [d["_id"] for d in volunteer_db.volunteers.find()] == ["V1"]
    # The loser moved no figures (the counters of a community are spread over shards).
    counts = [d["counts"] for d in volunteer_db.volunteer_counts.find({"community": "浚河社区"})]
    assert counts == [{"state": {"pending": 1}}]


def test_a_second_pending_correction_that_loses_the_race_is_refused(volunteer_db,
                                                                     mongo_client):
    def request(correction_id):
        return corrections.Correction.request(correction_id, {
            "volunteer_id": "V1", "volunteer_name": "陈晓", "community": "浚河社区",
            "organiser": "浚河社区", "target": {"kind": "entry", "entry_id": "E1"},
            "old": {"hours": 3.0}, "new": {"hours": 2.0}, "reason": "实际只服务了两小时"},
            JUNHE_STAFF, clock.now())

    in_transaction(mongo_client, volunteer_db, lambda uow: uow.corrections.add(request("C1")))
    with pytest.raises(Conflict) as lost:
        in_transaction(mongo_client, volunteer_db,
                       lambda uow: uow.corrections.add(request("C2")))
    assert lost.value.code == "CORRECTION_PENDING" and "C1" in lost.value.message
    assert volunteer_db.corrections.count_documents({}) == 1


def test_one_id_number_sent_twice_at_once_registers_once(start_service, rpc, service_db):
    # Two transactions of the process at once: both may pass the look-up before either commits.
    start_service(VolunteerService, TRANSACTION_CONCURRENCY=2)
    for serial in range(1, 6):
        replies = [rpc.volunteer.register_volunteer.call_async(
            actor=RESIDENT, name=f"陈晓{n}", community="浚河社区", phone=f"1390000000{n}",
            id_number=id_number(serial)) for n in (1, 2)]
        outcomes = []
        for reply in replies:
            try:
                outcomes.append(reply.result()["state"])
            except Conflict as refused:
                outcomes.append(refused.code)
        assert sorted(outcomes) == ["VOLUNTEER_ALREADY_REGISTERED", "pending"]
    people = list(service_db("volunteer").volunteers.find())
    assert len(people) == 5 and len({p["registration_key"] for p in people}) == 5
    assert sum(d["counts"].get("registered", 0)
               for d in service_db("volunteer").hours_stats.find()) == 5

