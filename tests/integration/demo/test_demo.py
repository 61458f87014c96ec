"""The 广陵街道 demo, loaded through the services' own RPC APIs: its figures are the article's.

A full-size load takes minutes on a small machine, so CI loads a twentieth of it (the same
shape) through the real services and checks that the statistics equal the plan's own sums;
the full-size plan is checked against the article's numbers by arithmetic."""
import base64
from datetime import date, datetime, timezone
from types import SimpleNamespace

from tests.conftest import wait_until

TODAY = date(2026, 11, 28)


def test_the_full_plan_reaches_the_articles_figures(demo_module):
    figures = demo_module.expected_figures(demo_module.plan(TODAY))
    quantities = figures["quantities"]
    assert quantities["street_lamp"] >= 120          # 路灯 120 余盏
    assert quantities["road_surface"] >= 1800        # 修复路面 1800 平方米
    assert quantities["sidewalk_tiles"] >= 1200      # 人行道地砖 1200 平方米
    assert 5500 <= quantities["hedge_trimming"] < 5700   # 修剪绿篱草坪约 5500 平方米
    assert 15000 <= quantities["replanting"] < 15500     # 绿化补植约 15000 平方米
    assert quantities["hardening"] >= 14000          # 硬化背街小巷 14000 平方米
    assert figures["activities_held"] > 210          # 主题活动 210 余次
    assert figures["tianbao_postings"] > 260         # 天宝社区岗位信息 260 余条
    assert figures["tianbao_stable_placements"] > 120  # 稳定就业 120 余人


def test_the_plan_is_the_same_every_time_and_its_dates_are_past(demo_module):
    first, second = demo_module.plan(TODAY), demo_module.plan(TODAY)
    assert first == second
    assert all(o["follow_up"]["at"] < "2026-11-28" for o in first["work_orders"])
    assert all(a["ends_at"] < "2026-11-28" for a in first["held_activities"])
    hu = first["seekers"][0]
    assert hu["name"] == "胡明英" and first["placements"][0]["channel"] == "screen"


def test_every_record_of_the_plan_is_dated_in_its_real_period(demo_module):
    demo = demo_module.plan(TODAY)
    local = demo_module.clock.local_date
    parse = demo_module.clock.parse_iso

    def quarter(moment: str) -> int:
        return (local(parse(moment)).month - 1) // 3 + 1

    for kind in ("volunteers", "seekers", "postings"):
        quarters = {quarter(r["recorded_at"]) for r in demo[kind]}
        assert quarters == {1, 2, 3, 4}, kind   # each quarter registers and publishes
        assert all(demo["from"] <= r["recorded_at"][:10] < TODAY.isoformat()
                   for r in demo[kind]), kind
    # A volunteer registered before their first service; a seeker before their job started; a
    # posting after the visit that collected it and before anyone started in it.
    first: dict = {}
    for activity in demo["held_activities"]:
        for index in activity["volunteers"]:
            first.setdefault(index, []).append(activity["starts_at"])
    for entry in demo["extra_hours"]:
        first.setdefault(entry["volunteer"], []).append(entry["date"] + "T23:59")
    for index, served in first.items():
        assert demo["volunteers"][index]["recorded_at"] <= min(served)
    for placement in demo["placements"]:
        seeker = demo["seekers"][placement["seeker"]]
        posting = demo["postings"][placement["posting"]]
        # (at the latest the morning of the start, for a job started the year's first day)
        assert local(parse(seeker["recorded_at"])).isoformat() <= placement["started_on"]
        assert local(parse(posting["recorded_at"])).isoformat() <= placement["started_on"]
    for posting in demo["postings"]:
        if "visit" in posting:
            visited = demo["visits"][posting["visit"]]["visited_on"]
            assert local(parse(posting["recorded_at"])).isoformat() >= visited
    assert {(int(p["started_on"][5:7]) - 1) // 3 + 1 for p in demo["placements"]} == {
        1, 2, 3, 4}


def test_a_reduced_demo_loads_once_through_the_services_and_shows_its_figures(
        demo_module, system, rpc, tmp_path, monkeypatch):
    monkeypatch.setattr(demo_module, "DATA", tmp_path)
    monkeypatch.setenv("AMQP_URI", system["AMQP_URI"])
    args = SimpleNamespace(scale=0.05, workers=4)
    assert demo_module.command_load(args) == 0
    marker = tmp_path / demo_module.MARKER
    assert marker.exists()
    demo = demo_module.plan(demo_module.clock.local_date(demo_module.clock.now()), scale=0.05)
    expected = demo_module.expected_figures(demo)
    # To this month: an order found 不满意 is redone (completed again) at load.
    period = {"from_month": demo["from"][:7],
              "to_month": demo_module.clock.month_key(demo_module.clock.now())}

    repair = rpc.repair.work_order_statistics(**period)["totals"]
    for kind, amount in expected["quantities"].items():
        assert repair["quantities"][kind]["amount"] == amount, kind
    assert repair["completed"] == expected["work_orders"]
    assert 0.8 < repair["on_time_rate"] <= 1 and 0.8 < repair["satisfaction_rate"] <= 1

    # The orders the plan gives photos carry a "before" with the report and an "after" with
    # the completion, drawn at load (JPEGs kept in the repair service).
    drawn = [o for o in demo["work_orders"] if o.get("draw_photos")]
    assert drawn
    for planned_order in drawn:
        found = rpc.repair.list_work_orders(q=planned_order["address"], page_size=200)["items"]
        order = next(o for o in found if o["reported_at"][:16] == datetime.fromisoformat(
            planned_order["reported_at"]).astimezone(timezone.utc).isoformat()[:16])
        assert [p["stage"] for p in order["photos"]] == ["report", "completion"]
        after = rpc.repair.get_photo(order["number"], order["photos"][1]["id"], size="full")
        assert after["content_type"] == "image/jpeg"
        assert base64.b64decode(after["content"])[:3] == b"\xff\xd8\xff"
    listed = rpc.repair.list_work_orders(page_size=200)["items"]
    assert len([o for o in listed if o["photos"]]) == len(drawn)

    activities = rpc.activity.activity_statistics(**period)["totals"]
    assert activities["held"] == expected["activities_held"]
    assert activities["attendance"] == expected["attendance"]

    # The month of messages (补录), each kept once, and 张清松 told his order was accepted.
    planned = len(demo_module.notify_demo().plan(demo, demo_module.clock.local_date(
        demo_module.clock.now())))
    recorded = rpc.notify.list_messages(page_size=200)["items"]
    assert len([m for m in recorded if m["imported"]]) == planned
    # (at night it waits for the morning: quiet hours)
    live = wait_until(lambda: [m for m in rpc.notify.list_messages(
        kind="work_order_accepted")["items"] if not m["imported"]], timeout=60)
    assert len(live) == 1 and live[0]["state"] in ("pending", "sent")

    jobs = rpc.job.job_statistics(community="天宝社区")["totals"]
    assert jobs["postings_provided"] == expected["tianbao_postings"]
    assert jobs["stable_placements"] == expected["tianbao_stable_placements"]
    # Records fall in their own months: postings and new volunteers in more than the month the
    # demo was loaded, and each quarter's 稳定就业 N 人 is the cohort of its 稳定就业率.
    by_month = rpc.job.job_statistics(group_by=["month"], **period)["groups"]
    assert len([g for g in by_month if g["postings_provided"]]) > 1
    registrations = rpc.volunteer.volunteer_statistics(group_by=["month"], **period)["groups"]
    assert len([g for g in registrations if g["new_registrations"]]) > 1
    year = demo["to"][:4]
    for q in range(1, 5):
        totals = rpc.job.job_statistics(period=f"{year}-Q{q}")["totals"]
        assert totals["stable_placements"] == totals["placement_outcomes"]["stable"]
        assert totals["stable_rate"] == (round(totals["stable_placements"] /
                                               totals["placements"], 4)
                                         if totals["placements"] else None)
    hu = rpc.job.list_seekers(q="胡明英")["items"][0]
    placement = rpc.job.list_placements(seeker_id=hu["seeker_id"])["items"][0]
    assert placement["state"] == "stable" and placement["employer_name"] == "聚宝路毛绒玩具加工点"

    def hours(activity):
        length = (datetime.fromisoformat(activity["ends_at"])
                  - datetime.fromisoformat(activity["starts_at"]))
        return len(activity["volunteers"]) * length.total_seconds() / 3600
    served = (sum(hours(a) for a in demo["held_activities"])
              + sum(e["hours"] for e in demo["extra_hours"]))
    wait_until(lambda: rpc.volunteer.volunteer_statistics(**period)["totals"]["hours"] == served,
               timeout=30, message="volunteer hours from the activities and the ledger")

    # Loading again does nothing: the marker says it was loaded.
    before = rpc.repair.list_work_orders(page_size=1)["total"]
    assert demo_module.command_load(args) == 0
    assert rpc.repair.list_work_orders(page_size=1)["total"] == before
    # Without the marker, a system that holds data is left alone too.
    marker.unlink()
    assert demo_module.command_load(args) == 0
    assert rpc.repair.list_work_orders(page_size=1)["total"] == before
    assert not marker.exists()
    assert not (tmp_path / demo_module.LOADING).exists()
    # A load that was interrupted says so instead of passing for a loaded demo.
    (tmp_path / demo_module.LOADING).write_text("{}")
    assert demo_module.command_load(args) == 1
    assert rpc.repair.list_work_orders(page_size=1)["total"] == before
