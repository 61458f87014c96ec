"""Matching people and postings, without I/O: the article's case comes out first."""
import pytest

from services.job import matching
from tests.unit.job.factories import (JUBAO_ROAD, SCHOOL_HOURS, WEEKDAYS, competing_postings,
                                      grandmother, north_of_home, posting, window)


def test_the_grandmother_on_school_runs_gets_the_flexible_toy_workshop_job_first():
    ranked = matching.rank_postings(grandmother(), competing_postings())
    titles = [p.title for p, _ in ranked]
    assert titles[0] == "毛绒玩具手工缝制"
    best = ranked[0][1]
    assert best.score >= 90 and all(a.good for a in best.aspects)
    assert best.reasons[:4] == [
        "工作时间灵活,可按个人时间安排",
        "距家约 300 米,同在天宝社区",
        "技能相符:手工缝纫",
        "月收入约 1800–2200 元,与期望的 2000 元相当"]
    # Well paid but far and long hours, or at night: last.
    assert titles.index("普工") > titles.index("收银员")
    assert titles[-1] == "快递分拣"
    assert ranked[0][1].score > ranked[1][1].score + 15


def test_each_aspect_says_why_it_falls_short():
    by_title = {p.title: m for p, m in matching.rank_postings(grandmother(), competing_postings())}
    factory = by_title["普工"]
    assert "距家约 8.0 公里,超出期望的 2 公里" in factory.reasons
    assert any(r.startswith("工作时间(周一至周六 8:00–17:30)约 66%") for r in factory.reasons)
    night = by_title["快递分拣"]
    assert "工作时间(每天 20:00–2:00(次日))与可工作时段冲突,仅约 0% 重叠" in night.reasons
    assert "缺少所需技能:保洁" in by_title["家政保洁"].reasons
    assert "月收入约 1200 元,低于期望的 2000 元" in by_title["收银员"].reasons
    # 25 yuan an hour, part time without set hours: taken as 88 hours a month.
    assert "月收入约 2200 元,达到期望的 2000 元" in by_title["家政保洁"].reasons


def test_seekers_are_ranked_for_a_posting_with_the_same_rules():
    toy = competing_postings()[-1]
    young_man = grandmother(name="小王", skills=["叉车"], available_hours=[],
                            expected_monthly_pay=5000, employment_types=["FULL_TIME"],
                            home_location=north_of_home(9))
    neighbour = grandmother(name="邻居张阿姨", community="浚河社区", home_location=None,
                            skills=["保洁"], expected_monthly_pay=3000)
    ranked = matching.rank_seekers(toy, [young_man, neighbour, grandmother()])
    assert [s.name for s, _ in ranked] == ["胡明英", "邻居张阿姨", "小王"]
    assert "岗位为兼职,求职者希望全职" in ranked[-1][1].reasons


def test_without_coordinates_the_same_community_counts_as_near():
    seeker = grandmother(home_location=None)
    same = posting("缝纫工", location=None, flexible=True)
    other = posting("缝纫工", community="浚河社区", location=None, flexible=True)
    assert matching.score(seeker, same).aspects[1].text == "同在天宝社区"
    assert matching.score(seeker, other).aspects[1].text == "岗位在浚河社区,不在同一社区"
    assert matching.score(seeker, same).score > matching.score(seeker, other).score


@pytest.mark.parametrize("work, expected", [
    ([window(WEEKDAYS, "09:00", "15:00")], 1.0),
    ([window(WEEKDAYS, "08:00", "12:00")], 0.875),          # 8:00–8:30 is the school run
    ([window([6, 7], "09:00", "15:00")], 0.0),
    ([window([5], "15:00", "17:00")], 0.5),
])
def test_hours_coverage_counts_minutes_inside_the_available_windows(work, expected):
    assert matching.coverage(work, SCHOOL_HOURS) == pytest.approx(expected)


def test_a_night_shift_on_sunday_runs_into_monday():
    sunday_night = [window([7], "22:00", "06:00")]
    monday_early = [window([1], "00:00", "08:00")]
    assert matching.intervals(sunday_night) == [(0, 360), (10080 - 120, 10080)]
    assert matching.coverage(sunday_night, monday_early) == pytest.approx(0.75)


def test_distance_is_great_circle_kilometres():
    assert matching.distance_km(JUBAO_ROAD, north_of_home(1.0)) == pytest.approx(1.0, abs=0.01)
    assert matching.distance_km(JUBAO_ROAD, None) is None
