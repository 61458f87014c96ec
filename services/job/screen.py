"""The community electronic screen (电子屏): open postings in a short form, rotated, as JSON
and as one self-contained full-screen page that scrolls by itself.

No I/O but reading its templates: `feed` picks and orders what a screen shows at a moment,
`ScreenFeedView` presents it as JSON, and `render_page` turns that JSON into a complete HTML
document from the templates in templates/screen/ (inline CSS, no scripts, fonts, images or
other external assets, so it runs on any signage browser offline). Every value put into a
template is escaped.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from string import Template

from marshmallow import fields

from services.job.domain import EMPLOYMENT_TYPES, OPEN, JobPosting, salary_text, schedule_text
from shared import clock
from shared.schemas import derived, Instant, Schema, View

DEFAULT_ROTATE_SECONDS = 300
SECONDS_PER_ITEM = 6      # how long each posting takes to scroll past
SCROLL_FROM_ITEMS = 4     # fewer than this fit on the screen and stand still
TEMPLATES = Path(__file__).resolve().parent / "templates" / "screen"


def feed(community: str, postings: list[JobPosting], at: datetime,
         rotate_seconds: int = DEFAULT_ROTATE_SECONDS, limit: int = 20) -> dict:
    """What the screen of `community` shows at `at`: open postings, newest first, rotated one
    place every `rotate_seconds` so that each comes to the top in turn, and at most `limit`
    of them (a longer list shows a different part of itself at each rotation)."""
    ordered = sorted((p for p in postings if p.state == OPEN and p.valid_through > at),
                     key=lambda p: (p.posted_at, p.posting_id), reverse=True)
    offset = int(at.timestamp()) // rotate_seconds % len(ordered) if ordered else 0
    rotated = ordered[offset:] + ordered[:offset]
    return {"community": community, "generated_at": at, "rotate_seconds": rotate_seconds,
            "rotation": offset, "total": len(ordered), "items": rotated[:limit]}


@dataclass(frozen=True)
class Shown:
    """A posting on a screen, with its employer's business contact (name and phone in full)
    for a posting that names no public contact of its own."""
    posting: JobPosting
    business_contact: str | None = None

    def __getattr__(self, name):
        return getattr(self.posting, name)


def with_contacts(screen_feed: dict, contacts: dict[str, str]) -> dict:
    """The feed with each posting's employer contact (`contacts`: employer id → "name
    phone"): on a screen, an employer's contact phone is a public business contact, shown in
    full; a person's phone is never on it."""
    return {**screen_feed, "items": [Shown(p, contacts.get(p.employer_id))
                                     for p in screen_feed["items"]]}


class _ScreenItem(Schema):
    """One posting as a screen shows it; `line` is the one-line form for text-only signs."""
    posting_id = fields.String(required=True)
    title = fields.String(required=True)
    employer_name = fields.String(required=True)
    openings_left = derived("get_openings_left", fields.Integer)
    employment_type_name = derived("get_employment_type_name")
    hours = derived("get_hours")
    hours_flexible = fields.Boolean(required=True)
    pay = derived("get_pay")
    address = fields.String(required=True)
    contact = derived("get_contact")
    valid_through = Instant(required=True)
    line = derived("get_line")

    def get_openings_left(self, posting: JobPosting) -> int:
        return max(posting.openings - posting.filled, 0)

    def get_employment_type_name(self, posting: JobPosting) -> str:
        return EMPLOYMENT_TYPES[posting.employment_type]

    def get_hours(self, posting: JobPosting) -> str:
        if posting.hours_flexible:
            return "时间灵活"
        return (schedule_text(posting.work_schedule) if posting.work_schedule
                else posting.work_hours or "时间面议")

    def get_pay(self, posting: JobPosting) -> str:
        return salary_text(posting.salary)

    def get_contact(self, posting: JobPosting | Shown) -> str:
        return (posting.public_contact or getattr(posting, "business_contact", None)
                or f"详询{posting.community}就业服务站")

    def get_line(self, posting: JobPosting) -> str:
        return (f"【招工】{posting.employer_name} 招{posting.title}"
                f"{self.get_openings_left(posting)}人({self.get_employment_type_name(posting)})"
                f"|{self.get_hours(posting)}|{self.get_pay(posting)}|{posting.address}"
                f"|{self.get_contact(posting)}")


class ScreenFeedView(View):
    """A screen's feed, from `feed(...)`."""
    community = fields.String(required=True)
    generated_at = Instant(required=True)
    rotate_seconds = fields.Integer(required=True)
    rotation = fields.Integer(required=True)
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(_ScreenItem), required=True)


@functools.cache
def _template(name: str) -> Template:
    text = (TEMPLATES / f"{name}.html").read_text(encoding="utf-8")
    # A fragment is put inside a line of the page: the newline that ends its file is not part
    # of it.
    return Template(text if name == "page" else text.removesuffix("\n"))


def _render(name: str, markup: dict | None = None, **values) -> str:
    """A template with `values` escaped and `markup` (fragments rendered from templates)
    inserted as they are."""
    escaped = {key: escape(str(value)) for key, value in values.items()}
    return _template(name).substitute(escaped, **(markup or {}))


def _posting_card(item: dict) -> str:
    flexible = _render("flexible") if item["hours_flexible"] else ""
    return _render("posting", {"flexible": flexible}, **{
        key: item[key] for key in ("employer_name", "title", "openings_left",
                                   "employment_type_name", "pay", "hours", "address",
                                   "contact")})


def render_page(screen_feed: dict) -> str:
    """The full-screen page for a feed (as ScreenFeedView presents it): a complete HTML
    document in Chinese. It reloads itself at each rotation to show the next order; a long
    list scrolls continuously."""
    items = screen_feed["items"]
    updated = clock.as_utc(clock.parse_iso(screen_feed["generated_at"])).astimezone(
        clock.OFFICE_TZ).strftime("%Y年%m月%d日 %H:%M")
    if items:
        cards = "".join(_posting_card(item) for item in items)
        if len(items) >= SCROLL_FROM_ITEMS:
            # The list twice, moved up by half its height: an endless, seamless scroll.
            body = _render("scrolling", {"cards": cards},
                           duration=len(items) * SECONDS_PER_ITEM)
        else:
            body = _render("still", {"cards": cards})
    else:
        body = _render("empty", community=screen_feed["community"])
    return _render("page", {"body": body}, community=screen_feed["community"],
                   rotate_seconds=int(screen_feed["rotate_seconds"]),
                   total=int(screen_feed["total"]), updated=updated)
