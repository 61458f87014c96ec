"""The community electronic screen (电子屏): open postings in a short form, rotated, as JSON
and as one self-contained full-screen page that scrolls by itself.

Pure functions, no I/O: `feed` picks and orders what a screen shows at a moment, `render_page`
turns a feed into a complete HTML document (inline CSS, no scripts, fonts, images or other
external assets, so it runs on any signage browser offline). Everything on it is escaped.
"""
from __future__ import annotations

from datetime import datetime
from html import escape

from services.job.domain import EMPLOYMENT_TYPES, JobPosting, salary_text, schedule_text
from shared import clock

DEFAULT_ROTATE_SECONDS = 300
SECONDS_PER_ITEM = 6      # how long each posting takes to scroll past
SCROLL_FROM_ITEMS = 4     # fewer than this fit on the screen and stand still


def item(posting: JobPosting) -> dict:
    """One posting as a screen shows it; `line` is the one-line form for text-only signs."""
    left = max(posting.openings - posting.filled, 0)
    hours = "时间灵活" if posting.hours_flexible else (
        schedule_text(posting.work_schedule) if posting.work_schedule
        else posting.work_hours or "时间面议")
    pay = salary_text(posting.salary)
    contact = posting.public_contact or f"详询{posting.community}就业服务站"
    kind = EMPLOYMENT_TYPES[posting.employment_type]
    return {
        "posting_id": posting.posting_id,
        "title": posting.title,
        "employer_name": posting.employer_name,
        "openings_left": left,
        "employment_type_name": kind,
        "hours": hours,
        "hours_flexible": posting.hours_flexible,
        "pay": pay,
        "address": posting.address,
        "contact": contact,
        "valid_through": clock.iso(posting.valid_through),
        "line": f"【招工】{posting.employer_name} 招{posting.title}{left}人({kind})"
                f"|{hours}|{pay}|{posting.address}|{contact}",
    }


def feed(community: str, postings: list[JobPosting], at: datetime,
         rotate_seconds: int = DEFAULT_ROTATE_SECONDS, limit: int = 20) -> dict:
    """What the screen of `community` shows at `at`: open postings, newest first, rotated one
    place every `rotate_seconds` so that each comes to the top in turn, and at most `limit`
    of them (a longer list shows a different part of itself at each rotation)."""
    ordered = sorted((p for p in postings if p.state == "open" and p.valid_through > at),
                     key=lambda p: (p.posted_at, p.posting_id), reverse=True)
    offset = int(at.timestamp()) // rotate_seconds % len(ordered) if ordered else 0
    rotated = ordered[offset:] + ordered[:offset]
    return {
        "community": community,
        "generated_at": clock.iso(at),
        "rotate_seconds": rotate_seconds,
        "rotation": offset,
        "total": len(ordered),
        "items": [item(p) for p in rotated[:limit]],
    }


_STYLE = """
html, body { margin: 0; height: 100%; overflow: hidden; background: #0b2545; color: #fff;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
  sans-serif; }
header { position: absolute; top: 0; left: 0; right: 0; height: 14vh; background: #b22222;
  display: flex; align-items: center; justify-content: space-between; padding: 0 4vw;
  box-sizing: border-box; }
header h1 { margin: 0; font-size: 6vh; letter-spacing: 0.3vw; }
header p { margin: 0; font-size: 3vh; opacity: 0.9; }
.viewport { position: absolute; top: 14vh; bottom: 9vh; left: 0; right: 0; overflow: hidden; }
.track { padding: 0 4vw; }
.track.scrolling { animation: scroll var(--duration) linear infinite; }
@keyframes scroll { from { transform: translateY(0); } to { transform: translateY(-50%); } }
@media (prefers-reduced-motion: reduce) { .track.scrolling { animation: none; } }
.item { border-bottom: 0.3vh solid rgba(255, 255, 255, 0.2); padding: 2.2vh 0; }
.item h2 { margin: 0 0 1vh; font-size: 5vh; color: #ffd166; }
.item h2 .count { font-size: 3.6vh; color: #fff; margin-left: 1.5vw; }
.item p { margin: 0.4vh 0; font-size: 3.4vh; }
.tag { display: inline-block; background: #2e7d32; border-radius: 1vh; padding: 0 1vw;
  margin-right: 1vw; font-size: 3vh; }
.empty { font-size: 4.5vh; text-align: center; margin-top: 25vh; line-height: 1.6; }
footer { position: absolute; bottom: 0; left: 0; right: 0; height: 9vh; background: #13315c;
  display: flex; align-items: center; justify-content: space-between; padding: 0 4vw;
  box-sizing: border-box; font-size: 3vh; }
"""


def _item_html(entry: dict) -> str:
    e = {k: escape(str(v)) for k, v in entry.items()}
    flexible = '<span class="tag">时间灵活</span>' if entry["hours_flexible"] else ""
    return (f'<article class="item"><h2>{e["employer_name"]} · {e["title"]}'
            f'<span class="count">招 {e["openings_left"]} 人</span></h2>'
            f'<p>{flexible}<span class="tag">{e["employment_type_name"]}</span>{e["pay"]}</p>'
            f'<p>工作时间:{e["hours"]}</p><p>工作地点:{e["address"]}</p>'
            f'<p>联系方式:{e["contact"]}</p></article>')


def render_page(screen_feed: dict) -> str:
    """The full-screen page for a feed: a complete HTML document in Chinese. It reloads itself
    at each rotation to show the next order; a long list scrolls continuously."""
    community = escape(screen_feed["community"])
    items = screen_feed["items"]
    updated = clock.as_utc(clock.parse_iso(screen_feed["generated_at"])).astimezone(
        clock.OFFICE_TZ).strftime("%Y年%m月%d日 %H:%M")
    if items:
        cards = "".join(_item_html(entry) for entry in items)
        if len(items) >= SCROLL_FROM_ITEMS:
            # The list twice, moved up by half its height: an endless, seamless scroll.
            body = (f'<div class="track scrolling" style="--duration: '
                    f'{len(items) * SECONDS_PER_ITEM}s">{cards}'
                    f'<div aria-hidden="true">{cards}</div></div>')
        else:
            body = f'<div class="track">{cards}</div>'
    else:
        body = ('<p class="empty">暂无招聘信息<br>'
                f'欢迎到{community}就业服务站登记求职,岗位信息将在这里滚动播放</p>')
    return (
        '<!DOCTYPE html>\n'
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="refresh" content="{int(screen_feed["rotate_seconds"])}">\n'
        f'<title>{community} · 用工信息</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n'
        f'<header><h1>{community} · 用工信息</h1><p>一走四送 · 家门口就业</p></header>\n'
        f'<main class="viewport">{body}</main>\n'
        f'<footer><span>共 {int(screen_feed["total"])} 条招聘信息 · '
        f'详询{community}就业服务站</span><span>更新于 {updated}</span></footer>\n'
        '</body>\n</html>\n')
