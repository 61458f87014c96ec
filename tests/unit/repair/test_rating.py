"""居民评价: the reporter rates a completed order once; 满意率 counts one answer per completion,
the resident's own rating where there is one, else the 回访's (docs/reports.md)."""
import pytest

from services.repair import domain, figures
from shared.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from shared.statistics import add_counts
from tests.unit.repair.test_domain import DEPT, STAFF, at, in_progress

RESIDENT = {"id": "r1", "name": "居民", "role": "resident", "resident": "fp-of-the-reporter"}


def completed():
    order = in_progress()
    order.reporter["phone"]["fingerprint"] = "fp-of-the-reporter"
    order.complete(DEPT, at(20), [], ["https://img.example/a.jpg"], "已修复")
    return order


def counts(order) -> dict:
    summed: dict = {}
    for _key, changes in order.stat_changes:
        add_counts(summed, changes)
    return summed


def test_the_reporter_rates_once_and_the_state_stays():
    order = completed()
    order.rate(RESIDENT, at(21), "basically_satisfied", "修得还行")
    assert order.state == domain.COMPLETED
    assert order.rating["result"] == "basically_satisfied" and order.history[-1]["action"] == "rate"
    with pytest.raises(Conflict) as again:
        order.rate(RESIDENT, at(22), "satisfied", None)
    assert again.value.code == "ALREADY_RATED"


def test_only_the_reporter_rates_and_only_a_completed_order():
    order = completed()
    for someone in ({**RESIDENT, "resident": "fp-of-someone-else"}, {**STAFF}):
        with pytest.raises(Forbidden):
            order.rate(someone, at(21), "satisfied", None)
    assert order.rating is None
    with pytest.raises(IllegalTransition):
        in_progress().rate(RESIDENT, at(5), "satisfied", None)


def test_the_residents_rating_wins_over_the_follow_up_in_either_order():
    rated_first = completed()
    rated_first.rate(RESIDENT, at(21), "dissatisfied", "没修好")
    rated_first.record_follow_up(STAFF, at(30), "satisfied", None, due_at=at(200))
    followed_first = completed()
    followed_first.record_follow_up(STAFF, at(30), "satisfied", None, due_at=at(200))
    followed_first.rate(RESIDENT, at(31), "dissatisfied", "没修好")
    for order in (rated_first, followed_first):
        result = figures.figures(counts(order))
        assert result["follow_ups"]["satisfied"] == 1       # the 回访 is still on record
        assert result["satisfaction"] == {"satisfied": 0, "basically_satisfied": 0,
                                          "dissatisfied": 1}
        assert result["satisfaction_rate"] == 0.0


def test_without_a_rating_the_follow_up_counts_and_unreachable_is_no_answer():
    answered, unreachable = completed(), completed()
    answered.record_follow_up(STAFF, at(30), "basically_satisfied", None, due_at=at(200))
    unreachable.record_follow_up(STAFF, at(30), "unreachable", None, due_at=at(200))
    assert figures.figures(counts(answered))["satisfaction_rate"] == 1.0
    assert figures.figures(counts(unreachable))["satisfaction_rate"] is None


def test_a_redo_keeps_the_rating_with_the_old_completion_and_the_new_one_may_be_rated():
    order = completed()
    order.rate(RESIDENT, at(21), "dissatisfied", "没修好")
    order.reopen(STAFF, at(22), "居民不满意,重办", due_at=at(200))
    assert order.rating is None and order.previous_completions[-1]["rating"]["result"] == \
        "dissatisfied"
    order.complete(DEPT, at(40), [], ["https://img.example/b.jpg"], "重新修复")
    order.rate(RESIDENT, at(41), "satisfied", None)
    assert figures.figures(counts(order))["ratings"] == {
        "satisfied": 1, "basically_satisfied": 0, "dissatisfied": 1}


def test_a_completion_needs_a_photo_or_an_evidence_address():
    order = in_progress()
    with pytest.raises(ValidationFailed):
        order.complete(DEPT, at(20), [], [], "已修复")
    order.complete(DEPT, at(20), [], [], "已修复", photos=[
        {"id": "p1", "stage": "completion", "at": at(20), "content_type": "image/jpeg",
         "location": None}])
    assert [p["id"] for p in order.photos] == ["p1"]


def test_an_imported_order_keeps_its_reporters_rating_in_time_order_and_counts_it():
    """补录 of an order the reporter rated (the demo's resident orders): the rating is theirs,
    at its own time, before the 回访 that agreed with it — which is then listed, not counted."""
    from datetime import datetime, timezone

    from services.repair.handlers import intake, reading
    from tests.unit.fakes import run
    from tests.unit.repair.fakes import FakeRepairUnitOfWork

    uow = FakeRepairUnitOfWork(now=datetime(2026, 10, 30, 2, tzinfo=timezone.utc))
    admin = {"id": "u-admin", "name": "街道管理员", "role": "street_admin", "community": None}
    record = {
        "category": "street_light", "community": "浚河社区", "alley": "新宇巷",
        "address": "新宇巷12号", "description": "路灯不亮", "channel": "resident",
        "reporter": {"name": "居民001", "phone": "13805500000"}, "reason": "纸质台账",
        "reported_at": "2026-10-01T01:00:00+00:00", "accepted_at": "2026-10-01T02:00:00+00:00",
        "dispatched_at": "2026-10-01T03:00:00+00:00",
        "signed_for_at": "2026-10-01T04:00:00+00:00",
        "completed_at": "2026-10-02T08:30:00+00:00", "result_note": "已更换灯头",
        "evidence_urls": ["https://img.example/a.jpg"],
        "follow_up": {"result": "satisfied", "at": "2026-10-04T02:00:00+00:00"},
        "rating": {"result": "basically_satisfied", "at": "2026-10-02T12:30:00+00:00",
                   "note": "修好了"}}
    order = run(intake.import_order, uow, admin, record)
    assert order["state"] == "closed" and order["rating"]["result"] == "basically_satisfied"
    assert [h["action"] for h in order["history"]][-2:] == ["rate", "follow_up"]
    stored = uow.work_orders.get(order["number"])
    assert stored.rating["by"]["resident"] == stored.reporter["phone"]["fingerprint"]
    result = run(reading.statistics, uow, {"period": "2026-10"})["totals"]
    assert result["follow_ups"]["satisfied"] == 1       # the 回访 is still on record
    assert result["satisfaction"] == {"satisfied": 0, "basically_satisfied": 1,
                                      "dissatisfied": 0}
    for wrong, field_error in (
            ({"rating": {**record["rating"], "at": "2026-10-02T08:00:00+00:00"}}, "rating"),
            ({"reporter": {"name": "居民001"}}, "rating")):
        with pytest.raises(ValidationFailed) as refused:
            run(intake.import_order, uow, admin, {**record, **wrong})
        assert field_error in refused.value.fields



@pytest.mark.parametrize("rated_first", [True, False])
def test_what_an_order_holds_includes_its_rating_and_the_answer_it_overrode(rated_first):
    """held_figures() is every count the order holds (what moves with it to another
    department and what the figures by department are rebuilt from): its rating and the
    回访 answer the rating overrode too, whichever came first."""
    order = completed()
    steps = [lambda: order.rate(RESIDENT, at(21), "satisfied", "修好了"),
             lambda: order.record_follow_up(STAFF, at(22), "basically_satisfied", None, at(200))]
    for step in (steps if rated_first else steps[::-1]):
        step()
    held: dict = {}
    for _key, changes in order.held_figures():
        add_counts(held, changes)
    assert {k: v for k, v in held.items() if v} == {k: v for k, v in counts(order).items() if v}
    assert held["rating.satisfied"] == 1
    assert held["follow_up_overridden.basically_satisfied"] == 1
