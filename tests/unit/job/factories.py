"""Realistic employers, postings and people around 聚宝路 in 天宝社区, for the unit tests."""
from datetime import datetime, timedelta, timezone

from services.job import domain

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in the office
STAFF = {"id": "s1", "name": "李伟", "role": "community_staff", "community": "天宝社区"}

# 聚宝路, where 胡明英 rents, and places around it (about 0.1 km per 0.0009° of latitude).
JUBAO_ROAD = {"lat": 32.6890, "long": 119.0240}


def north_of_home(km: float) -> dict:
    return {"lat": JUBAO_ROAD["lat"] + km / 111.2, "long": JUBAO_ROAD["long"]}


def employer(name="聚宝路毛绒玩具加工点", community="天宝社区", **extra) -> domain.Employer:
    details = {"name": name, "community": community, "address": "聚宝路12号",
               "sector": "handicraft", "size": "micro",
               "contact": {"name": "周老板", "phone": {"masked": "139****0001"}},
               "location": north_of_home(0.3), **extra}
    return domain.Employer.register("EM1", details, STAFF, T0)


def posting(title, *, employer_name="聚宝路毛绒玩具加工点", community="天宝社区",
            km=0.3, location=..., schedule=(), flexible=False, salary=None,
            employment_type="PART_TIME", skills=(), posting_id=None, openings=3,
            posted_hours_ago=1) -> domain.JobPosting:
    location = north_of_home(km) if location is ... else location
    return domain.JobPosting(
        posting_id=posting_id or f"JP-{title}", title=title, description=title,
        employer_id=f"EM-{employer_name}", employer_name=employer_name, community=community,
        address="聚宝路附近", location=location, employment_type=employment_type,
        work_schedule=[dict(w) for w in schedule], hours_flexible=flexible, openings=openings,
        salary=salary, skills=list(skills), valid_through=T0 + timedelta(days=30),
        posted_at=T0 - timedelta(hours=posted_hours_ago))


def window(days, start, end):
    return {"days": list(days), "start": start, "end": end}


WEEKDAYS = range(1, 6)
EVERY_DAY = range(1, 8)
SCHOOL_HOURS = [window(WEEKDAYS, "08:30", "16:00")]


def grandmother(**extra) -> domain.JobSeeker:
    """胡明英: takes her granddaughter to school, wants work near home, about 2,000 a month."""
    details = {"name": "胡明英", "community": "天宝社区", "phone": {"masked": "138****5678"},
               "skills": ["手工", "缝纫"], "available_hours": SCHOOL_HOURS,
               "max_distance_km": 2.0, "expected_monthly_pay": 2000,
               "home_location": JUBAO_ROAD, "address": "聚宝路附近", **extra}
    return domain.JobSeeker.register("JS-hu", details, STAFF, T0)


def competing_postings() -> list[domain.JobPosting]:
    """What the screen in 天宝社区 might carry on one day."""
    return [
        posting("理货员", employer_name="天宝超市", km=0.8, employment_type="FULL_TIME",
                schedule=[window(EVERY_DAY, "07:00", "14:00")],
                salary={"min": 2600, "max": 3000, "unit": "MONTH"}),
        posting("普工", employer_name="开发区汽车零部件厂", community="仁和社区", km=8,
                employment_type="FULL_TIME", schedule=[window(range(1, 7), "08:00", "17:30")],
                salary={"min": 4500, "max": 5500, "unit": "MONTH"}, skills=["缝纫"]),
        posting("服务员", employer_name="聚宝路小吃店", km=0.5,
                schedule=[window(EVERY_DAY, "10:30", "13:30"), window(EVERY_DAY, "17:00", "20:00")],
                salary={"min": 2200, "unit": "MONTH"}),
        posting("家政保洁", employer_name="浚河家政服务部", community="浚河社区", km=3.5,
                flexible=True, salary={"min": 25, "unit": "HOUR"}, skills=["保洁"]),
        posting("收银员", employer_name="天宝便利店", km=0.2, flexible=True,
                salary={"min": 1200, "unit": "MONTH"}),
        posting("快递分拣", employer_name="城南快递分拨点", km=1.5, employment_type="TEMPORARY",
                schedule=[window(EVERY_DAY, "20:00", "02:00")],
                salary={"min": 150, "unit": "DAY"}),
        posting("毛绒玩具手工缝制", km=0.3, flexible=True, posted_hours_ago=48,
                schedule=[window(range(1, 7), "08:00", "17:00")],
                salary={"min": 1800, "max": 2200, "unit": "MONTH", "piece_rate": True},
                skills=["手工缝纫"]),
    ]
