"""The relay's lease is renewed in the database only when half of it has run out: a busy relay
does not pay a write per pass, and it never believes it holds a lease past its expiry."""
from datetime import timedelta

from shared import clock
from shared.outbox import Lease


class Leases:
    """Just enough of a collection for Lease: one document, and a count of writes."""

    def __init__(self):
        self.doc, self.writes = None, 0

    def find_one_and_update(self, query, update, upsert, return_document):
        self.writes += 1
        self.doc = {"_id": query["_id"], **update["$set"]}
        return self.doc

    def delete_one(self, query):
        self.doc = None


def test_a_held_lease_is_renewed_only_after_half_its_time(monkeypatch):
    leases = Leases()
    lease = Lease({"outbox_lease": leases}, "svc-relay", ttl=timedelta(seconds=10))
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    assert lease.hold() and leases.writes == 1
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=4))
    assert lease.hold() and leases.writes == 1
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=6))
    assert lease.hold() and leases.writes == 2
    lease.release()
    assert lease.hold() and leases.writes == 3
