"""A relay woken by a commit gathers for OUTBOX_GATHER_SECONDS; while commits keep coming each
pass gathers twice as long as the last, up to OUTBOX_GATHER_MAX_SECONDS, and a quiet pass
brings it back: a steady stream is published in batches, a lone event still leaves at once."""
import pytest

from shared.outbox import OutboxRelay


def relay(gather=0.02, gather_max=0.1):
    # No connection is opened until the first publish.
    return OutboxRelay({"outbox": None, "outbox_lease": None}, "amqp://127.0.0.1:1/",
                       "svc-relay", gather=gather, gather_max=gather_max)


def test_busy_passes_gather_twice_as_long_up_to_the_most():
    r, gather, seen = relay(), 0.02, []
    for _ in range(5):
        gather = r.next_gather(gather, published=3, waited=0.01)
        seen.append(gather)
    assert seen == pytest.approx([0.04, 0.08, 0.1, 0.1, 0.1])


@pytest.mark.parametrize("published, waited", [(0, 0.01), (3, 0.1), (3, 1.0), (0, 1.0)])
def test_a_quiet_pass_brings_the_first_gathering_back(published, waited):
    r = relay()
    assert r.next_gather(0.1, published, waited) == pytest.approx(0.02)


def test_no_gathering_stays_none_and_the_most_is_never_below_the_first():
    assert relay(gather=0).next_gather(0, published=5, waited=0.01) == 0
    r = relay(gather=0.05, gather_max=0.01)
    assert r.next_gather(0.05, published=5, waited=0.01) == pytest.approx(0.05)
