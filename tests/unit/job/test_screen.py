"""The community screen: what it shows, in what order, and the page that scrolls by itself."""
import re
from datetime import timedelta

from services.job import screen
from tests.unit.job.factories import T0, competing_postings, posting


def feed(community, postings, at, **options):
    """A screen's feed as the service answers it."""
    return screen.ScreenFeedView().dump(screen.feed(community, postings, at, **options))


def test_the_feed_rotates_one_place_per_period_and_leaves_out_closed_postings():
    postings = competing_postings()
    postings[0].state = "filled"
    first = feed("天宝社区", postings, T0, rotate_seconds=300, limit=3)
    later = feed("天宝社区", postings, T0 + timedelta(seconds=300), rotate_seconds=300, limit=3)
    assert first["total"] == 6 and len(first["items"]) == 3
    assert "理货员" not in [i["title"] for i in first["items"]]
    order = [i["posting_id"] for i in first["items"]]
    assert [i["posting_id"] for i in later["items"]][:2] == order[1:]
    assert {feed("天宝社区", postings, T0 + timedelta(seconds=300 * n))["items"][0][
        "posting_id"] for n in range(6)} == {p.posting_id for p in postings[1:]}


def test_a_screen_line_is_short_and_says_what_a_passer_by_needs():
    toy = competing_postings()[-1]
    toy.public_contact = "周老板 13900000001"
    (item,) = feed("天宝社区", [toy], T0)["items"]
    assert item["line"] == ("【招工】聚宝路毛绒玩具加工点 招毛绒玩具手工缝制3人(兼职)|时间灵活|"
                            "计件,月均约1800–2200元|聚宝路附近|周老板 13900000001")
    (other,) = feed("天宝社区", competing_postings()[:1], T0)["items"]
    assert other["contact"] == "详询天宝社区就业服务站"
    assert other["valid_through"] == "2026-04-01T01:00:00.000+00:00"


def test_the_page_is_a_complete_self_contained_chinese_document_that_scrolls():
    page = screen.render_page(feed("天宝社区", competing_postings(), T0))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page
    assert "天宝社区 · 用工信息" in page and "毛绒玩具手工缝制" in page
    assert "@keyframes scroll" in page and 'class="track scrolling"' in page
    assert '<meta http-equiv="refresh" content="300">' in page
    # Nothing is fetched from anywhere: no scripts, links, images or URLs.
    assert not re.search(r"<script|<link|<img|<iframe|src=|href=|url\(|https?://|@import",
                         page, re.IGNORECASE)
    assert page.count("毛绒玩具手工缝制") == 2  # the list twice, for a seamless loop
    assert "更新于 2026年03月02日 09:00" in page


def test_what_employers_typed_cannot_break_the_page():
    sneaky = posting('<script>alert("x")</script>', employer_name="坏&人<b>")
    page = screen.render_page(feed("天宝社区", [sneaky], T0))
    assert "<script>" not in page and "&lt;script&gt;" in page and "坏&amp;人&lt;b&gt;" in page
    assert 'class="track"' in page and "scrolling" not in page.split("<main")[1]


def test_an_empty_screen_invites_people_to_register():
    page = screen.render_page(feed("浚河社区", [], T0))
    assert "暂无招聘信息" in page and "浚河社区就业服务站" in page
    assert "共 0 条招聘信息" in page
