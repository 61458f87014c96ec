"""A process runs at most TRANSACTION_CONCURRENCY transactions at once (4 by default; 1 makes
them wait for each other). Transactions that write the same document abort each other with
write conflicts and start again: the answers stay right, and `health` counts the retries. A
transaction opened inside another (same worker) does not wait for it."""
import eventlet

from shared.messaging import rpc
from shared.statistics import StatBuckets
from shared.storage import MongoStore
from shared.tallies import Tallies
from shared.unit_of_work import UnitOfWork, command

IN_FLIGHT = {"now": 0, "most": 0}


@command(remember=False)
def take_number(uow):
    IN_FLIGHT["now"] += 1
    IN_FLIGHT["most"] = max(IN_FLIGHT["most"], IN_FLIGHT["now"])
    try:
        eventlet.sleep(0.02)  # room for another worker's transaction, were it allowed
        return uow.collection("numbers").find_one_and_update(
            {"_id": "day"}, {"$inc": {"seq": 1}}, upsert=True, return_document=True)["seq"]
    finally:
        IN_FLIGHT["now"] -= 1


class Numbers:
    name = "numberstest"
    store = MongoStore(UnitOfWork)

    @rpc
    def next_number(self):
        return self.store.run(take_number)

    @rpc
    def transactions(self):
        return self.store.transaction_counts()

    @rpc
    def nested(self):
        store = self.store

        @command(remember=False)
        def outer(uow):
            return store.run(inner)

        @command(remember=False)
        def inner(uow):
            return "done"
        return store.run(outer)


def concurrent_numbers(start_service, rpc, **config):
    IN_FLIGHT.update(now=0, most=0)
    start_service(Numbers, max_workers=10, **config)
    replies = [rpc.numberstest.next_number.call_async() for _ in range(8)]
    return sorted(reply.result() for reply in replies), IN_FLIGHT["most"]


def test_at_most_four_transactions_of_a_process_run_at_once_by_default(start_service, rpc):
    numbers, most = concurrent_numbers(start_service, rpc)
    assert numbers == list(range(1, 9))  # the conflicts on the one counter were retried
    assert 1 < most <= 4


def test_one_at_a_time_when_configured(start_service, rpc):
    numbers, most = concurrent_numbers(start_service, rpc, TRANSACTION_CONCURRENCY=1)
    assert numbers == list(range(1, 9))
    assert most == 1


def test_health_counts_transactions_and_their_retries(start_service, rpc):
    numbers, most = concurrent_numbers(start_service, rpc)
    counts = rpc.numberstest.transactions()
    assert counts["run"] == 8
    # All eight wrote the same counter, several at once: those that lost had to start again.
    assert most > 1 and counts["retried"] >= 1


def test_a_transaction_inside_another_does_not_wait_for_itself(start_service, rpc):
    start_service(Numbers)
    assert rpc.numberstest.nested() == "done"


FIGURES = StatBuckets("figures", ("month", "community"), rollups=(("month",),))
COUNTS = Tallies("counts", ("community",))


@command(remember=False)
def count_report(uow):
    """What every report of the same place does: its figures and its tally, the same keys."""
    eventlet.sleep(0.02)  # room for the other writers' transactions
    FIGURES.record(uow, [(("2026-12", "浚河社区"), {"reported": 1})])
    COUNTS.record(uow, None, ("浚河社区",))
    eventlet.sleep(0.02)
    return uow.writer


class Figures:
    name = "figurestest"
    store = MongoStore(UnitOfWork)

    @rpc
    def report(self):
        return self.store.run(count_report)

    @rpc
    def transactions(self):
        return self.store.transaction_counts()

    @rpc
    def total(self):
        return COUNTS.total(self.store.unit_of_work(), {"community": "浚河社区"})


def test_writers_at_once_count_the_same_figures_on_their_own_shards(start_service, rpc):
    """Reports of the same place four at a time: each writer's figures and tallies go to a
    shard of its own, so once each shard's counters exist (a first upsert may conflict with
    another writer's on some servers), no transaction meets another and has to start again."""
    start_service(Figures, max_workers=10)
    [reply.result() for reply in [rpc.figurestest.report.call_async() for _ in range(4)]]
    before = rpc.figurestest.transactions()
    writers = [reply.result() for reply in
               [rpc.figurestest.report.call_async() for _ in range(16)]]
    assert len(set(writers)) == 4 and len({w % 4 for w in writers}) == 4
    after = rpc.figurestest.transactions()
    assert after["run"] - before["run"] == 16 and after["retried"] == before["retried"]
    assert rpc.figurestest.total() == 20
