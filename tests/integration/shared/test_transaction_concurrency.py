"""A process runs its transactions one at a time by default (TRANSACTION_CONCURRENCY): run
together, transactions that write the same document abort each other with write conflicts and
start again. A transaction opened inside another (same worker) joins it instead of waiting."""
import eventlet

from shared.messaging import rpc
from shared.storage import MongoStore

IN_FLIGHT = {"now": 0, "most": 0}


class Numbers:
    name = "numberstest"
    store = MongoStore()

    @rpc
    def next_number(self):
        def work(tx):
            IN_FLIGHT["now"] += 1
            IN_FLIGHT["most"] = max(IN_FLIGHT["most"], IN_FLIGHT["now"])
            try:
                eventlet.sleep(0.02)  # room for another worker's transaction, were it allowed
                return tx.db.counters.find_one_and_update(
                    {"_id": "day"}, {"$inc": {"seq": 1}}, upsert=True, return_document=True,
                    session=tx.session)["seq"]
            finally:
                IN_FLIGHT["now"] -= 1
        return self.store.transaction(work)

    @rpc
    def nested(self):
        return self.store.transaction(lambda tx: self.store.transaction(lambda inner: "done"))


def concurrent_numbers(start_service, rpc, **config):
    IN_FLIGHT.update(now=0, most=0)
    start_service(Numbers, max_workers=10, **config)
    replies = [rpc.numberstest.next_number.call_async() for _ in range(8)]
    return sorted(reply.result() for reply in replies), IN_FLIGHT["most"]


def test_transactions_of_a_process_run_one_at_a_time(start_service, rpc):
    numbers, most = concurrent_numbers(start_service, rpc)
    assert numbers == list(range(1, 9))
    assert most == 1


def test_the_limit_is_configurable(start_service, rpc):
    numbers, most = concurrent_numbers(start_service, rpc, TRANSACTION_CONCURRENCY=4)
    assert numbers == list(range(1, 9))
    assert 1 < most <= 4


def test_a_transaction_inside_another_does_not_wait_for_itself(start_service, rpc):
    start_service(Numbers)
    assert rpc.numberstest.nested() == "done"
