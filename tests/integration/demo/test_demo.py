"""The 广陵街道 demo, loaded through the services' own RPC APIs: its figures are the article's.

A full-size load takes minutes on a small machine, so CI loads a twentieth of it (the same
shape) through the real services and checks that the statistics equal the plan's own sums;
the full-size plan is checked against the article's numbers by arithmetic."""
from datetime import date, datetime
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
    period = {"from_month": demo["from"][:7], "to_month": demo["to"][:7]}

    repair = rpc.repair.work_order_statistics(**period)["totals"]
    for kind, amount in expected["quantities"].items():
        assert repair["quantities"][kind]["amount"] == amount, kind
    assert repair["completed"] == expected["work_orders"]
    assert 0.8 < repair["on_time_rate"] <= 1 and 0.8 < repair["satisfaction_rate"] <= 1

    activities = rpc.activity.activity_statistics(**period)["totals"]
    assert activities["held"] == expected["activities_held"]
    assert activities["attendance"] == expected["attendance"]

    jobs = rpc.job.job_statistics(community="天宝社区")["totals"]
    assert jobs["postings_provided"] == expected["tianbao_postings"]
    assert jobs["stable_placements"] == expected["tianbao_stable_placements"]
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
