"""Numbers of a sequence, taken outside any transaction: the first numbers of a new sequence
asked for by several workers at once are all given, each once (the server creates the counter
for one of them and may answer the others nothing or a duplicate key: they ask again, and a
number it counted without answering is skipped)."""
import random
import threading

from shared.unit_of_work import UnitOfWork


def test_the_first_numbers_of_new_sequences_taken_at_once_are_all_distinct(mongo_client):
    db = mongo_client[f"numbers_{random.randrange(1 << 30)}"]
    for sequence in range(15):
        name, taken, failures = f"S{sequence}", [], []
        start = threading.Barrier(8)

        def take():
            start.wait()
            try:
                taken.append(UnitOfWork(db, source="numbers").next_number(name))
            except Exception as error:  # noqa: BLE001 - the test reports every failure
                failures.append(repr(error))

        threads = [threading.Thread(target=take) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert failures == []
        # Each worker has its own number; a number the server counted but did not answer
        # is skipped, never given twice.
        assert len(taken) == len(set(taken)) == 8 and min(taken) >= 1, (name, taken)
