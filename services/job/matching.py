"""Matching job seekers and postings: a score out of 100 and the reasons, in Chinese.

Pure functions, no I/O. Four aspects are weighed:

    工作时间 35  how much of the posting's working time falls in the hours the person can work
                 (a posting with flexible hours fits everyone; no constraint fits everything)
    距离     25  distance from home when both places are known, else the same community
    技能     20  the posting's required skills the person has
    薪资     20  the posting's monthly pay (hourly and daily pay scaled by its hours) against
                 what the person expects

A person who wants only certain kinds of employment (兼职, 临时…) sees other kinds scored
down. Each aspect says why it scored as it did, so staff can explain a suggestion (the
answer's shape is summary_views.PostingMatchView / SeekerMatchView).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from services.job.domain import (EMPLOYMENT_TYPES, JobPosting, JobSeeker, minutes,
                                 schedule_text)

WEIGHTS = {"hours": 35, "distance": 25, "skills": 20, "pay": 20}
ASPECT_NAMES = {"hours": "工作时间", "distance": "距离", "skills": "技能", "pay": "薪资"}
DEFAULT_MAX_DISTANCE_KM = 3.0
OTHER_EMPLOYMENT_TYPE_FACTOR = 0.85
WEEK = 7 * 24 * 60
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Aspect:
    aspect: str
    fit: float          # 0..1
    text: str
    good: bool


@dataclass(frozen=True)
class Match:
    score: float
    aspects: tuple[Aspect, ...]
    distance_km: float | None
    notes: tuple[str, ...] = ()

    @property
    def reasons(self) -> list[str]:
        """What fits first, then what does not."""
        good = [a.text for a in self.aspects if a.good]
        bad = [a.text for a in self.aspects if not a.good]
        return good + bad + list(self.notes)


def score(seeker: JobSeeker, posting: JobPosting) -> Match:
    distance = distance_km(seeker.home_location, posting.location)
    aspects = (hours_fit(seeker, posting), distance_fit(seeker, posting, distance),
               skills_fit(seeker, posting), pay_fit(seeker, posting))
    total = sum(WEIGHTS[a.aspect] * a.fit for a in aspects)
    notes = []
    wanted = seeker.employment_types
    if wanted and posting.employment_type not in wanted:
        total *= OTHER_EMPLOYMENT_TYPE_FACTOR
        notes.append(f"岗位为{EMPLOYMENT_TYPES[posting.employment_type]},求职者希望"
                     + "、".join(EMPLOYMENT_TYPES[t] for t in wanted))
    return Match(score=round(total, 1), aspects=aspects, distance_km=distance,
                 notes=tuple(notes))


def rank_postings(seeker: JobSeeker, postings: list[JobPosting], limit: int = 10):
    """Open postings for a person, best first: [(posting, match)]."""
    scored = [(p, score(seeker, p)) for p in postings]
    scored.sort(key=lambda pm: (-pm[1].score, _far(pm[1]), -pm[0].posted_at.timestamp(),
                                pm[0].posting_id))
    return scored[:limit]


def rank_seekers(posting: JobPosting, seekers: list[JobSeeker], limit: int = 10):
    """People looking for work, best suited to a posting first: [(seeker, match)]."""
    scored = [(s, score(s, posting)) for s in seekers]
    scored.sort(key=lambda sm: (-sm[1].score, _far(sm[1]), sm[0].seeker_id))
    return scored[:limit]


def _far(match: Match) -> float:
    return match.distance_km if match.distance_km is not None else math.inf


# --- the aspects --------------------------------------------------------------------------


def hours_fit(seeker: JobSeeker, posting: JobPosting) -> Aspect:
    if posting.hours_flexible:
        return Aspect("hours", 1.0, "工作时间灵活,可按个人时间安排", True)
    if not seeker.available_hours:
        return Aspect("hours", 1.0, "求职者时间不限", True)
    if not posting.work_schedule:
        return Aspect("hours", 0.5, "岗位未注明工作时间,需与用工单位确认", False)
    covered = coverage(posting.work_schedule, seeker.available_hours)
    when = _schedule_text(_key(posting.work_schedule))
    if covered >= 0.95:
        return Aspect("hours", 1.0, f"工作时间({when})都在可工作时段内", True)
    percent = round(covered * 100)
    if covered >= 0.5:
        return Aspect("hours", covered,
                      f"工作时间({when})约 {percent}% 在可工作时段内", False)
    return Aspect("hours", covered * 0.5,
                  f"工作时间({when})与可工作时段冲突,仅约 {percent}% 重叠", False)


def distance_fit(seeker: JobSeeker, posting: JobPosting, distance: float | None) -> Aspect:
    same = seeker.community == posting.community
    if distance is not None:
        limit = seeker.max_distance_km or DEFAULT_MAX_DISTANCE_KM
        where = f"距家{distance_text(distance)}" + (f",同在{posting.community}" if same else "")
        if distance <= limit:
            return Aspect("distance", 1.0 - 0.4 * distance / limit, where, True)
        fit = max(0.0, 0.3 - 0.05 * (distance - limit))
        return Aspect("distance", fit, f"{where},超出期望的 {limit:g} 公里", False)
    if same:
        return Aspect("distance", 0.8, f"同在{posting.community}", True)
    return Aspect("distance", 0.3, f"岗位在{posting.community},不在同一社区", False)


def skills_fit(seeker: JobSeeker, posting: JobPosting) -> Aspect:
    if not posting.skills:
        return Aspect("skills", 0.7, "无特殊技能要求", True)
    have = [_norm(s) for s in seeker.skills]
    matched = [s for s in posting.skills if _has(have, _norm(s))]
    missing = [s for s in posting.skills if s not in matched]
    if not missing:
        return Aspect("skills", 1.0, f"技能相符:{'、'.join(matched)}", True)
    if matched:
        return Aspect("skills", len(matched) / len(posting.skills),
                      f"部分技能相符:{'、'.join(matched)};还需:{'、'.join(missing)}", False)
    return Aspect("skills", 0.1, f"缺少所需技能:{'、'.join(missing)}", False)


def pay_fit(seeker: JobSeeker, posting: JobPosting) -> Aspect:
    pay = posting.monthly_pay()
    if pay is None:
        return Aspect("pay", 0.5, "薪资面议", False)
    low, high = pay
    amount = f"月收入约 {low:g} 元" if low == high else f"月收入约 {low:g}–{high:g} 元"
    expected = seeker.expected_monthly_pay
    if not expected:
        return Aspect("pay", 0.8, amount, True)
    if low >= expected:
        return Aspect("pay", 1.0, f"{amount},达到期望的 {expected} 元", True)
    if high >= expected:
        return Aspect("pay", 0.9, f"{amount},与期望的 {expected} 元相当", True)
    if high >= 0.8 * expected:
        return Aspect("pay", 0.5, f"{amount},略低于期望的 {expected} 元", False)
    return Aspect("pay", 0.1, f"{amount},低于期望的 {expected} 元", False)


# --- arithmetic ---------------------------------------------------------------------------


def distance_km(a: dict | None, b: dict | None) -> float | None:
    """Great-circle distance between two {"lat", "long"} points, or None if one is unknown."""
    if not a or not b:
        return None
    lat1, lat2 = math.radians(a["lat"]), math.radians(b["lat"])
    dlat, dlong = lat2 - lat1, math.radians(b["long"] - a["long"])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlong / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def distance_text(km: float) -> str:
    if km < 1:
        return f"约 {max(50, round(km * 1000, -1)):.0f} 米"
    return f"约 {km:.1f} 公里"


def _key(windows: list[dict]) -> tuple:
    return tuple((tuple(w["days"]), w["start"], w["end"]) for w in windows)


def intervals(windows: list[dict]) -> list[tuple[int, int]]:
    """Minutes of the week [start, end) a schedule covers, in order and merged; a window
    ending at or before its start runs past midnight into the next day."""
    return list(_intervals(_key(windows)))


@lru_cache(maxsize=4096)  # one posting is scored against many people, and the other way
def _intervals(key: tuple) -> tuple[tuple[int, int], ...]:
    spans = []
    for days, start_text, end_text in key:
        start, end = minutes(start_text), minutes(end_text)
        length = (end - start) % (24 * 60) or 24 * 60
        for day in set(days):
            begin = (day - 1) * 24 * 60 + start
            finish = begin + length
            if finish <= WEEK:
                spans.append((begin, finish))
            else:  # Sunday night into Monday morning
                spans.extend([(begin, WEEK), (0, finish - WEEK)])
    return tuple(_merged(spans))


@lru_cache(maxsize=4096)
def _schedule_text(key: tuple) -> str:
    return schedule_text([{"days": list(days), "start": start, "end": end}
                          for days, start, end in key])


def _merged(spans):
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def coverage(work: list[dict], available: list[dict]) -> float:
    """The share of the working time that falls within the available time."""
    working, free = _intervals(_key(work)), _intervals(_key(available))
    total = sum(end - start for start, end in working)
    if not total:
        return 0.0
    overlap, i, j = 0, 0, 0
    while i < len(working) and j < len(free):  # both sorted and merged: one sweep
        start, end = max(working[i][0], free[j][0]), min(working[i][1], free[j][1])
        if end > start:
            overlap += end - start
        if working[i][1] <= free[j][1]:
            i += 1
        else:
            j += 1
    return overlap / total


def _norm(text: str) -> str:
    return "".join(text.split()).lower()


def _has(have: list[str], wanted: str) -> bool:
    """'缝纫' matches '缝纫机操作' and the other way round."""
    return any(wanted in skill or skill in wanted for skill in have if skill)
