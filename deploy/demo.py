"""The 广陵街道 demo: a year of the office's work, loaded once through the services' own APIs.

    python deploy/demo.py load     # on a running system (make run does it after health)
    python deploy/demo.py status   # loaded or not, and what
    python deploy/demo.py reset    # make run stopped: delete the local data and the marker
    python deploy/demo.py plan     # print what would be loaded (no system needed)

What is loaded is built from the source article (天长市广陵街道, 浚河社区 and 天宝社区): the
communities and their back alleys, departments, venues and rooms, a year of work orders whose
work quantities add up to the article's figures, 210+ themed activities over the festivals and
the 一刻钟 talks, volunteers and their hours, employers and their 一走四送 visits, 260+ job
postings and 120+ stable placements in 天宝社区, among them 胡明英's. The fixed facts are in
deploy/demo/guangling.json; the quantities are generated from them with a fixed seed, so every
load is the same (`plan` shows it, and the tests check its sums by arithmetic).

Everything goes through RPC, as another system would call it: past work through the services'
补录 methods (repair `import_work_order`, activity `record_held_activity`, volunteer
`record_hours`, job visits with their real dates and placements with their start dates), which
keep who recorded what and from which ledger; what happens now (upcoming activities with their
registrations, open job postings, work orders under way) through the ordinary methods.

The demo loads only into an empty system and only once: a marker file in the data folder
(`XIUHUA_DATA`, default .xiuhua) records that it was loaded, and a system that already holds
work orders, activities, volunteers or employers is left alone.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from shared import clock  # noqa: E402

FACTS = json.loads((Path(__file__).resolve().parent / "demo" / "guangling.json").read_text())
DATA = Path(os.environ.get("XIUHUA_DATA", ROOT / ".xiuhua"))
MARKER = "demo-loaded.json"
LOADING = "demo-loading.json"  # present while a load runs, or after one was interrupted
SEED = 20261128
ADMIN = {"id": "demo-loader", "name": "广陵街道办(演示数据)", "role": "street_admin"}
LEDGER = "广陵街道2026年工作台账(演示数据)"
DEADLINE_DAYS = {"road_surface": 10, "manhole_cover": 1, "street_light": 5, "waterlogging": 2,
                 "parking": 3, "greenery": 7, "other": 5}
SLOTS = (("09:00", "10:30"), ("14:30", "16:00"), ("19:00", "20:30"))


def say(message: str) -> None:
    print(f"xiuhua demo: {message}", flush=True)


# --- the plan: pure data, no system needed ----------------------------------------------

def split(total: int, parts: int, rng: random.Random, least: int = 1) -> list[int]:
    """`parts` whole numbers, each at least `least`, that add up to `total` exactly."""
    parts = max(1, min(parts, total // least))
    cuts = sorted(rng.sample(range(1, total - parts * least + parts), parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total - parts * least + parts])]
    return [s - 1 + least for s in sizes]


def at_local(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.OFFICE_TZ)


def add_working_days(day: date, days: int) -> date:
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def iso(moment: datetime) -> str:
    return moment.isoformat()


def plan(today: date, scale: float = 1.0, seed: int = SEED) -> dict:
    """Everything the demo loads, as RPC arguments (references to records created earlier
    are names or indexes, resolved while loading). `scale` < 1 makes a smaller demo with the
    same shape, for tests."""
    rng = random.Random(seed)
    start = today - timedelta(days=330)
    if start.year < today.year and today.month >= 6:
        start = date(today.year, 1, 1)  # "this year", as the article counts
    last = today - timedelta(days=1)
    span = (last - start).days
    communities = FACTS["communities"]
    alleys = {c["name"]: c["alleys"] for c in communities}

    def n(count: int) -> int:
        return max(1, round(count * scale))

    def some_day(lo: date = start, hi: date = last) -> date:
        return lo + timedelta(days=rng.randrange(max(1, (hi - lo).days + 1)))

    # -- work orders: the article's quantities, exactly, over past months ----------------
    targets = {k: (v if scale >= 1 else max(1, round(v * scale)))
               for k, v in FACTS["targets"]["quantities"].items()}
    quantity_orders = {"street_lamp": ("street_light", 58), "road_surface": ("road_surface", 24),
                       "sidewalk_tiles": ("road_surface", 16), "hardening": ("road_surface", 18),
                       "hedge_trimming": ("greenery", 22), "replanting": ("greenery", 20)}
    descriptions = {
        "street_lamp": "{alley}路灯不亮,晚上巷子里乌漆墨黑", "road_surface": "{alley}路面坑洼不平,雨天积水",
        "sidewalk_tiles": "{alley}人行道地砖破损松动", "hardening": "{alley}支巷道泥土路需硬化",
        "hedge_trimming": "{alley}绿篱杂乱、草坪过高", "replanting": "{alley}绿化带缺株、黄土裸露",
        "manhole_cover": "{alley}下水道井盖破损", "waterlogging": "{alley}雨后积水排不出去",
        "parking": "{alley}车辆乱停乱放堵塞通道", "other": "{alley}墙面小广告、乱拉电线"}
    results = {"street_lamp": "更换LED路灯", "road_surface": "修复破损路面",
               "sidewalk_tiles": "更换人行道地砖", "hardening": "完成巷道硬化",
               "hedge_trimming": "修剪绿篱草坪", "replanting": "完成绿化补植",
               "manhole_cover": "更换井盖"}
    jobs = []
    for kind, (category, count) in quantity_orders.items():
        least = 1 if kind == "street_lamp" else 20
        for amount in split(targets[kind], n(count), rng, least):
            jobs.append((category, kind, amount))
    for kind, category, count in (("manhole_cover", "manhole_cover", 14),
                                  (None, "waterlogging", 10), (None, "parking", 16),
                                  (None, "other", 6)):
        for _ in range(n(count)):
            jobs.append((category, kind, rng.randint(1, 2) if kind else None))
    rng.shuffle(jobs)
    work_orders = []
    for index, (category, kind, amount) in enumerate(jobs):
        community = communities[index % len(communities)]
        if index % 7 == 0:
            community = communities[0]  # 新宇巷 was the article's example
        alley = rng.choice(alleys[community["name"]])
        if community["name"] == "浚河社区" and index % 3 == 0:
            alley = alleys["浚河社区"][0]
        reported_day = some_day(start, last - timedelta(days=15))
        while reported_day.weekday() >= 5:
            reported_day -= timedelta(days=1)
        if reported_day < start:
            reported_day = start
        reported = at_local(reported_day, f"{rng.randint(8, 16):02d}:{rng.choice(['05', '20', '40'])}")
        accepted = reported + timedelta(minutes=rng.randint(20, 90))
        dispatched = accepted + timedelta(minutes=rng.randint(10, 120))
        signed = dispatched + timedelta(hours=rng.randint(1, 5))
        limit = DEADLINE_DAYS[category]
        late = rng.random() < 0.06
        days = limit + rng.randint(1, 3) if late else rng.randint(0, max(0, limit - 1))
        completed_day = add_working_days(accepted.date(), days)
        completed = max(at_local(completed_day, "16:30"), signed + timedelta(hours=2))
        roll = rng.random()
        result = ("satisfied" if roll < 0.86 else "basically_satisfied" if roll < 0.95
                  else "unreachable" if roll < 0.985 else "dissatisfied")
        place = alley["name"]
        order = {
            "category": category, "community": community["name"], "alley": place,
            "address": f"{place}{rng.randint(1, 80)}号附近",
            "location": {"lat": round(alley["lat"] + rng.uniform(-0.0006, 0.0006), 6),
                         "long": round(alley["long"] + rng.uniform(-0.0006, 0.0006), 6)},
            "description": descriptions[kind or category].format(alley=place),
            "channel": rng.choice(["grid_worker", "grid_worker", "resident", "hotline_12345"]),
            "reason": LEDGER, "reported_at": iso(reported), "accepted_at": iso(accepted),
            "dispatched_at": iso(dispatched), "signed_for_at": iso(signed),
            "completed_at": iso(completed),
            "result_note": f"{results.get(kind, '已现场处理完毕')}" + (
                f" {amount:g}{'盏' if kind == 'street_lamp' else '个' if kind == 'manhole_cover' else '平方米'}"
                if kind else ""),
            "evidence_urls": [f"https://xiuhua.example/demo/evidence/{index + 1:04d}.jpg"],
            "quantities": [{"kind": kind, "amount": amount}] if kind else [],
            "follow_up": {"result": result,
                          "at": iso(completed + timedelta(days=rng.randint(1, 3), hours=1))},
        }
        if order["channel"] == "hotline_12345":
            order["external_ref"] = f"12345-{reported_day:%Y%m%d}-{rng.randint(1000, 9999)}"
        work_orders.append(order)
    live_orders = [  # under way now, through the ordinary flow
        {"report": {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
                    "address": "新宇巷49号院门口", "description": "新宇巷49号院门口路灯闪烁",
                    "channel": "resident",
                    "reporter": {"name": "张清松", "phone": "13805501234"}},
         "steps": ["accept", "dispatch"]},
        {"report": {"category": "road_surface", "community": "天宝社区", "alley": "聚宝路",
                    "address": "聚宝路20号", "description": "聚宝路人行道地砖翘起,老人易绊倒",
                    "channel": "grid_worker"}, "steps": ["accept", "dispatch", "sign_for"]},
        {"report": {"category": "parking", "community": "仁和社区", "alley": "健康巷",
                    "address": "健康巷口", "description": "健康巷口车辆乱停,消防通道被堵",
                    "channel": "hotline_12345", "external_ref": "12345-LIVE-0001"},
         "steps": ["accept"]},
        {"report": {"category": "greenery", "community": "永福社区", "alley": "桂花巷",
                    "address": "桂花巷8号", "description": "桂花巷绿篱过高遮挡视线",
                    "channel": "grid_worker"}, "steps": []},
    ][:n(4)]

    # -- volunteers -------------------------------------------------------------------------
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    given = "晓明华丽芳军伟静敏强磊洋艳勇杰娟涛超霞平刚桂英秀兰玉梅建国志红海燕玲佳欣雨婷浩然子涵一诺思远文博宇轩"
    used_names: set[str] = set()

    def person_name() -> str:
        while True:
            name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
            if name not in used_names and name != "胡明英":
                used_names.add(name)
                return name

    skills = ["publicity", "environment", "traffic", "elderly_care", "medical", "first_aid",
              "arts", "teaching", "visiting", "employment", "repair", "digital"]
    teams, volunteers = [], []
    for c_index, community in enumerate(communities):
        code = f"team_{c_index + 1}"
        teams.append({"code": code, "name": f"{community['name'][:2]}红马甲志愿服务队",
                      "community": community["name"], "leader": community["secretary"]})
        for v in range(n(16)):
            volunteers.append({
                "name": person_name(), "community": community["name"], "team": code,
                "phone": f"139{c_index:02d}{v:06d}"[:11],
                "id_number": id_number(c_index * 100 + v + 1,
                                       f"{rng.randint(1950, 2002)}{rng.randint(1, 12):02d}"
                                       f"{rng.randint(1, 28):02d}"),
                "skills": rng.sample(skills, 2),
                "availability": [{"weekday": rng.choice([6, 7]), "slot": "morning"}]})
    by_community = {c["name"]: [i for i, v in enumerate(volunteers)
                                if v["community"] == c["name"]] for c in communities}
    extra_hours = []
    for index, volunteer in enumerate(volunteers):
        for _ in range(rng.randint(1, 3)):
            content = rng.choice(["文明交通劝导", "背街小巷环境整治", "敬老助老上门服务",
                                  "文明城市创建宣传", "社区疫苗接种引导"])
            extra_hours.append({"volunteer": index, "date": some_day().isoformat(),
                                "content": content, "hours": rng.choice([2, 2.5, 3, 4]),
                                "organiser": volunteer["community"]})

    # -- venues and activities ---------------------------------------------------------------
    venues = FACTS["venues"]
    spaces = {}  # community -> [(venue name, room name or None, capacity)]
    for venue in venues:
        holders = [venue["community"]] if venue["community"] else [c["name"] for c in communities]
        rooms = venue["rooms"] or [{"name": None, "capacity": venue.get("capacity", 100)}]
        for room in rooms:
            for holder in holders:
                spaces.setdefault(holder, []).append((venue["name"], room["name"],
                                                      room["capacity"]))
    held_total = n(FACTS["targets"]["activities_held"])
    booked: set = set()
    held = []

    def book(community: str, day: date, wanted_kind: str | None = None) -> tuple | None:
        options = spaces[community][:]
        rng.shuffle(options)
        for day_offset in range(0, 6):
            when = day + timedelta(days=day_offset)
            if when > last or when < start:
                continue
            for venue_name, room_name, capacity in options:
                for slot in SLOTS:
                    key = (venue_name, room_name, when, slot)
                    if key not in booked:
                        booked.add(key)
                        return venue_name, room_name, capacity, when, slot
        return None

    def add_held(community: str, day: date, title: str, theme: str, festival: str | None,
                 target_groups: list[str]):
        found = book(community, day)
        if found is None:
            return
        venue_name, room_name, capacity, when, (opens, closes) = found
        attendance = max(5, int(capacity * rng.uniform(0.45, 0.95)))
        walk_ins = rng.randint(0, attendance // 5)
        registered = min(capacity, attendance - walk_ins + rng.randint(0, 4))
        serving = rng.sample(by_community[community], min(len(by_community[community]),
                                                          rng.randint(1, 3)))
        held.append({
            "title": title, "theme": theme, "festival": festival,
            "target_groups": target_groups, "organiser": community, "community": community,
            "venue": venue_name, "room": room_name,
            "starts_at": iso(at_local(when, opens)), "ends_at": iso(at_local(when, closes)),
            "reason": "广陵街道2026年活动台账(演示数据)", "registered": registered,
            "attendance": attendance, "walk_ins": walk_ins, "volunteers": serving,
            "minutes": f"{title}在{venue_name}{room_name or ''}举行,到场居民{attendance}人,"
                       f"志愿者{len(serving)}人参与服务。"})

    for festival in FACTS["festivals"]:
        days = [date.fromisoformat(d) for d in festival["dates"]]
        days = [d for d in days if start <= d <= last]
        if not days:
            continue
        for community in communities:
            for title in festival["titles"][:max(1, round(len(festival["titles"]) * min(1, scale * 2)))]:
                day = days[0] - timedelta(days=rng.randint(0, 3))
                theme = "filial_piety_festival" if "孝亲" in title else "our_festivals"
                add_held(community["name"], day, title, theme, festival["code"],
                         ["all_residents"] if "老" not in title else ["elderly"])
    talks = FACTS["talks"]
    while len(held) < held_total:
        talk = talks[len(held) % len(talks)]
        community = communities[len(held) % len(communities)]["name"]
        add_held(community, some_day(), talk["title"], talk["theme"], None,
                 ["youth"] if "童" in talk["title"] else ["all_residents"])
    held = held[:held_total]
    upcoming = []
    for index, talk in enumerate([talks[0], talks[5], talks[9], talks[1], talks[4]][:n(5)]):
        community = communities[index % 2]["name"]
        day = today + timedelta(days=3 + index * 4)
        venue_name, room_name, capacity = spaces[community][0]
        upcoming.append({"title": talk["title"], "theme": talk["theme"],
                         "organiser": community, "community": community,
                         "venue": venue_name, "room": room_name,
                         "starts_at": iso(at_local(day, "09:00")),
                         "ends_at": iso(at_local(day, "10:30")),
                         "volunteer_slots": {"count": 2, "skills": ["publicity"]},
                         "registrations": [{"name": person_name(),
                                            "phone": f"137{index:02d}{r:06d}"[:11]}
                                           for r in range(min(capacity, rng.randint(8, 14)))]})

    # -- employment: employers, visits, postings, seekers, placements ------------------------
    employers = []
    for e_index, employer in enumerate(FACTS["employers"]):
        alley = next(a for a in alleys[employer["community"]] if a["name"] == employer["alley"])
        employers.append({
            "name": employer["name"], "community": employer["community"],
            "address": employer["address"], "alley": employer["alley"],
            "location": {"lat": alley["lat"], "long": alley["long"]},
            "sector": employer["sector"], "size": employer["size"],
            "contact": {"name": employer["contact"], "phone": f"1350550{e_index:04d}"},
            "employees": employer["employees"]})
    visits = []
    for e_index, employer in enumerate(employers):
        times = 5 if employer["community"] == "天宝社区" else 2
        for v in range(n(times)):
            day = start + timedelta(days=int(span * (v + rng.random() * 0.8) / max(1, n(times))))
            deliveries = [{"kind": "policy", "policy_name": rng.choice(FACTS["policies"])},
                          {"kind": "job", "openings_collected": rng.randint(1, 6)}]
            if rng.random() < 0.35:
                deliveries.append({"kind": "training", "topic": rng.choice(FACTS["trainings"]),
                                   "expected_participants": rng.randint(8, 25),
                                   "request_activity": False})
            if rng.random() < 0.5:
                deliveries.append({"kind": "service", "service_name": rng.choice(FACTS["services"])})
            visits.append({"employer": e_index, "visited_on": min(day, last).isoformat(),
                           "visitor_name": "李伟" if employer["community"] == "天宝社区"
                           else next(c["secretary"] for c in communities
                                     if c["name"] == employer["community"]),
                           "findings": f"走访{employer['name']},了解用工需求和经营困难,送政策、送岗位。",
                           "deliveries": deliveries})
    visits[0]["problems"] = [{"category": "street_light",
                              "description": "加工点门前聚宝路路灯不亮,女工下夜班不安全"}]
    visits[0]["visited_on"] = (today - timedelta(days=2)).isoformat()
    tianbao = [i for i, e in enumerate(employers) if e["community"] == "天宝社区"]
    others = [i for i, e in enumerate(employers) if e["community"] != "天宝社区"]
    postings = []
    valid_through = clock.start_of_local_day(today + timedelta(days=90))

    def posting_for(e_index: int) -> dict:
        employer, facts = employers[e_index], FACTS["employers"][e_index]
        title = rng.choice(FACTS["job_titles"][employer["sector"]])
        flexible = employer["sector"] in ("handicraft", "domestic") and rng.random() < 0.7
        pay_min = rng.choice([1800, 2000, 2200, 2500, 2800, 3200, 3600])
        posting = {"employer": e_index, "title": title,
                   "description": f"{employer['name']}招{title},就近上班,{'时间灵活' if flexible else '按班次上班'}。",
                   "employment_type": "PART_TIME" if flexible else rng.choice(["FULL_TIME", "FULL_TIME", "TEMPORARY"]),
                   "openings": rng.randint(1, 4), "valid_through": clock.iso(valid_through),
                   "salary": {"min": pay_min, "max": pay_min + rng.choice([300, 500, 800]),
                              "unit": "MONTH", "piece_rate": employer["sector"] == "handicraft"},
                   "public_contact": f"{facts['contact']} 135****{e_index:04d}"}
        if flexible:
            posting["hours_flexible"] = True
        else:
            posting["work_schedule"] = [{"days": [1, 2, 3, 4, 5, 6], "start": "08:00", "end": "17:00"}]
        return posting

    tianbao_postings = n(FACTS["targets"]["tianbao_postings"])
    plush = 0  # 聚宝路毛绒玩具加工点, where 胡明英 found her job
    postings.append({"employer": plush, "title": "毛绒玩具手工缝制",
                     "description": "毛绒玩具手工缝制,可带回家做,接送孩子不耽误,计件工资。",
                     "employment_type": "PART_TIME", "hours_flexible": True, "openings": 3,
                     "valid_through": clock.iso(valid_through),
                     "salary": {"min": 1800, "max": 2200, "unit": "MONTH", "piece_rate": True},
                     "skills": ["手工缝纫"], "public_contact": "蒋秀兰 135****0000"})
    while len(postings) < tianbao_postings:
        postings.append(posting_for(tianbao[len(postings) % len(tianbao)]))
    for i in range(n(30)):
        postings.append(posting_for(others[i % len(others)]))
    visits_of = {}
    for v_index, visit in enumerate(visits):
        visits_of.setdefault(visit["employer"], []).append(v_index)
    for posting in postings[1:]:
        if rng.random() < 0.45 and visits_of.get(posting["employer"]):
            posting["visit"] = rng.choice(visits_of[posting["employer"]])
    stable_target = n(FACTS["targets"]["tianbao_stable_placements"])
    seekers, placements = [], []
    hu = {"name": "胡明英", "community": "天宝社区", "phone": "13955012345", "consent": True,
          "address": "聚宝路附近出租屋", "home_location": {"lat": 32.6861, "long": 119.0041},
          "skills": ["手工缝纫"], "hours_preset": "school_hours", "max_distance_km": 2,
          "expected_monthly_pay": 2000, "employment_types": ["PART_TIME"], "birth_year": 1968,
          "note": "送孙女上学的路上,在社区电子屏看到用工信息"}
    seekers.append(hu)
    stable_latest = today - timedelta(days=190)
    placements.append({"seeker": 0, "posting": 0, "channel": "screen",
                       "started_on": max(start, stable_latest - timedelta(days=40)).isoformat(),
                       "monthly_pay": 1950, "follow_ups": [(1, "employed"), (3, "employed"),
                                                           (6, "employed")]})
    tianbao_ended = max(1, n(4))
    tianbao_recent = n(14)
    posting_cursor = 1
    for i in range(stable_target - 1 + tianbao_ended + tianbao_recent):
        seekers.append({"name": person_name(), "community": "天宝社区",
                        "phone": f"1360550{i:04d}", "consent": True,
                        "birth_year": rng.randint(1965, 2003),
                        "expected_monthly_pay": rng.choice([2000, 2500, 3000, 3500])})
        recent = i >= stable_target - 1 + tianbao_ended
        if recent:
            started = some_day(stable_latest + timedelta(days=20), today - timedelta(days=10))
            due = [m for m in (1, 3) if add_months(started, m) <= today]
            follow_ups = [(m, "employed") for m in due]
        else:
            started = some_day(start, stable_latest)
            follow_ups = ([(1, "employed"), (3, "left")] if i >= stable_target - 1 else
                          [(1, "employed"), (3, "employed"),
                           (6, rng.choice(["employed"] * 9 + ["employed_elsewhere"]))])
        placements.append({"seeker": len(seekers) - 1, "posting": posting_cursor,
                           "channel": rng.choice(["staff_referral", "visit", "screen", "self"]),
                           "started_on": started.isoformat(),
                           "monthly_pay": rng.choice([2000, 2400, 2800, 3200, 3600]),
                           "follow_ups": follow_ups})
        posting_cursor += 1
    for i in range(n(8)):  # a few in the other communities
        employer = others[i % len(others)]
        community = employers[employer]["community"]
        seekers.append({"name": person_name(), "community": community,
                        "phone": f"1370550{i:04d}", "consent": True,
                        "birth_year": rng.randint(1965, 2003)})
        posting_index = next(p for p in range(tianbao_postings, len(postings))
                             if postings[p]["employer"] == employer
                             and p not in {x["posting"] for x in placements})
        started = some_day(start, stable_latest)
        placements.append({"seeker": len(seekers) - 1, "posting": posting_index,
                           "channel": "staff_referral", "started_on": started.isoformat(),
                           "monthly_pay": 3000, "follow_ups": [(1, "employed"), (3, "employed"),
                                                               (6, "employed")]})
    for i in range(n(10)):  # registered, still looking
        seekers.append({"name": person_name(), "community": "天宝社区",
                        "phone": f"1380550{i:04d}", "consent": True,
                        "hours_preset": rng.choice(["school_hours", "mornings", "weekends"])})

    exemplars = FACTS["exemplars"][:n(4)]
    return {"today": today.isoformat(), "from": start.isoformat(), "to": last.isoformat(),
            "departments": FACTS["departments"],
            "communities": [{"name": c["name"], "centre": c["centre"]} for c in communities],
            "venues": venues, "teams": teams, "volunteers": volunteers,
            "extra_hours": extra_hours, "work_orders": work_orders,
            "live_orders": live_orders, "held_activities": held, "upcoming": upcoming,
            "exemplars": exemplars, "employers": employers, "visits": visits,
            "postings": postings, "seekers": seekers, "placements": placements}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def id_number(serial: int, birth: str) -> str:
    """A valid (GB 11643) ID-card number of a person born in 天长市 (code 341181)."""
    body = f"341181{birth}{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def expected_figures(demo: dict) -> dict:
    """What the loaded demo must show, by arithmetic on the plan (the tests compare)."""
    quantities: dict[str, float] = {}
    for order in demo["work_orders"]:
        for q in order["quantities"]:
            quantities[q["kind"]] = quantities.get(q["kind"], 0) + q["amount"]
    tianbao_postings = sum(1 for p in demo["postings"]
                           if demo["employers"][p["employer"]]["community"] == "天宝社区")
    def stable(p):
        return any(m == 6 and r in ("employed", "employed_elsewhere") for m, r in p["follow_ups"])
    tianbao_stable = sum(1 for p in demo["placements"]
                         if demo["seekers"][p["seeker"]]["community"] == "天宝社区" and stable(p))
    return {"quantities": quantities, "activities_held": len(demo["held_activities"]),
            "attendance": sum(a["attendance"] for a in demo["held_activities"]),
            "work_orders": len(demo["work_orders"]),
            "postings": len(demo["postings"]), "tianbao_postings": tianbao_postings,
            "placements": len(demo["placements"]),
            "stable_placements": sum(1 for p in demo["placements"] if stable(p)),
            "tianbao_stable_placements": tianbao_stable,
            "volunteers": len(demo["volunteers"]), "visits": len(demo["visits"])}


# --- loading, through RPC ----------------------------------------------------------------

class Loader:
    """Calls the services over RPC, several at a time (a pool of proxies, one per green
    thread), stage by stage: a stage starts when everything it refers to exists."""

    def __init__(self, amqp_uri: str, workers: int = 6, quiet: bool = False, timeout: float = 60):
        from nameko.standalone.rpc import ClusterRpcProxy
        self.config = {"AMQP_URI": amqp_uri}
        self.proxies = [ClusterRpcProxy(self.config, timeout=timeout) for _ in range(workers)]
        self.clients = [p.start() for p in self.proxies]
        self.pool = eventlet.GreenPool(workers)
        self.free = eventlet.queue.LightQueue()
        for client in self.clients:
            self.free.put(client)
        self.quiet = quiet

    def close(self):
        for proxy in self.proxies:
            proxy.stop()

    @property
    def rpc(self):
        return self.clients[0]

    def each(self, label: str, items: list, call) -> list:
        """call(rpc, item) for every item, a few at a time; results in order."""
        results = [None] * len(items)
        done = [0]
        step = max(1, len(items) // 5)

        def run(index):
            client = self.free.get()
            try:
                results[index] = call(client, items[index])
            finally:
                self.free.put(client)
            done[0] += 1
            if not self.quiet and len(items) >= 20 and (done[0] % step == 0
                                                        or done[0] == len(items)):
                say(f"{label} {done[0]}/{len(items)}")

        errors = []

        def guarded(index):
            try:
                run(index)
            except Exception as error:  # collected: the first one is raised after the stage
                errors.append((index, error))

        for index in range(len(items)):
            self.pool.spawn_n(guarded, index)
        self.pool.waitall()
        if errors:
            index, error = sorted(errors, key=lambda e: e[0])[0]
            raise RuntimeError(f"{label}: item {index} failed: {error!r}") from error
        return results


def load(demo: dict, amqp_uri: str, workers: int = 6, quiet: bool = False) -> dict:
    loader = Loader(amqp_uri, workers, quiet)
    started = time.monotonic()
    try:
        return _load(loader, demo, started)
    finally:
        loader.close()


def _load(loader: Loader, demo: dict, started: float) -> dict:
    rpc = loader.rpc
    say_ = (lambda m: None) if loader.quiet else say
    say_("[1/6] 社区、部门、场地、志愿服务队")
    for department in demo["departments"]:
        rpc.repair.save_department(actor=ADMIN, **department)
    for community in demo["communities"]:
        rpc.repair.save_community(actor=ADMIN, **community)
    places = {}
    for venue in demo["venues"]:
        saved = rpc.activity.save_venue(
            actor=ADMIN, community=venue["community"], name=venue["name"], kind=venue["kind"],
            address=venue["address"], capacity=venue.get("capacity"),
            opening_hours=[{"weekdays": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00",
                            "closes": "21:00"}])
        places[(venue["name"], None)] = (saved["id"], None)
        for room in venue["rooms"]:
            saved = rpc.activity.save_room(actor=ADMIN, venue_id=saved["id"], **room)
            places[(venue["name"], room["name"])] = (
                saved["id"], next(r["id"] for r in saved["rooms"] if r["name"] == room["name"]))
    for team in demo["teams"]:
        rpc.volunteer.save_team(actor=ADMIN, **team)

    say_("[2/6] 志愿者注册与审核")

    def enrol(client, volunteer):
        registered = client.volunteer.register_volunteer(actor=ADMIN, **volunteer)
        client.volunteer.approve_volunteer(registered["id"], ADMIN, note="演示数据:审核通过")
        return registered["id"]
    volunteer_ids = loader.each("志愿者", demo["volunteers"], enrol)
    names = [v["name"] for v in demo["volunteers"]]

    say_("[3/6] 背街小巷工单(补录一年的办理记录)")
    loader.each("工单", demo["work_orders"],
                lambda client, order: client.repair.import_work_order(actor=ADMIN, **order)["number"])
    for live in demo["live_orders"]:
        number = rpc.repair.report_work_order(actor=ADMIN, **live["report"])["number"]
        for step in live["steps"]:
            getattr(rpc.repair, f"{step}_work_order")(number, ADMIN)

    say_("[4/6] 主题活动(补录已开展的活动)与即将开展的活动")

    def record_held(client, activity):
        venue_id, room_id = places[(activity["venue"], activity["room"])]
        record = {k: v for k, v in activity.items() if k not in ("venue", "room")}
        record["volunteers"] = [{"volunteer_id": volunteer_ids[i], "name": names[i]}
                                for i in activity["volunteers"]]
        return client.activity.record_held_activity(actor=ADMIN, venue_id=venue_id,
                                                    room_id=room_id, **record)["activity_id"]
    loader.each("已开展活动", demo["held_activities"], record_held)
    published = []
    for activity in demo["upcoming"]:
        venue_id, room_id = places[(activity["venue"], activity["room"])]
        details = {k: v for k, v in activity.items()
                   if k not in ("venue", "room", "registrations")}
        created = rpc.activity.create_activity(actor=ADMIN, venue_id=venue_id, room_id=room_id,
                                               **details)
        rpc.activity.publish_activity(created["activity_id"], ADMIN)
        published.append(created["activity_id"])
        loader.each("活动报名", activity["registrations"], lambda client, person, a=created:
                    client.activity.register(a["activity_id"], {"id": "resident", "name": person["name"],
                                             "role": "resident"}, **person)["registration_id"])
    for exemplar in demo["exemplars"]:
        nominated = rpc.activity.nominate_exemplar(actor=ADMIN, year=int(demo["today"][:4]),
                                                   **exemplar)
        rpc.activity.review_exemplar(nominated["exemplar_id"], ADMIN, decision="approve")
        rpc.activity.publish_exemplar(nominated["exemplar_id"], ADMIN)
        if published:
            rpc.activity.feature_exemplar(published[-1], ADMIN,
                                          exemplar_id=nominated["exemplar_id"],
                                          form="story_sharing")

    say_("[5/6] 志愿服务时长(组织方补录)")
    loader.each("志愿服务记录", demo["extra_hours"], lambda client, entry: client.volunteer.record_hours(
        actor=ADMIN, volunteer_id=volunteer_ids[entry["volunteer"]],
        **{k: v for k, v in entry.items() if k != "volunteer"})["id"])

    say_("[6/6] 一走四送:用工单位、走访、岗位、求职登记与稳定就业")
    employer_ids = loader.each("用工单位", demo["employers"], lambda client, employer:
                               client.job.register_employer(actor=ADMIN, **employer)["employer_id"])

    def visit(client, record):
        details = {k: v for k, v in record.items() if k != "employer"}
        return client.job.record_visit(actor=ADMIN, employer_id=employer_ids[record["employer"]],
                                       **details)["visit_id"]
    visit_ids = loader.each("走访", demo["visits"], visit)

    def publish(client, posting):
        details = {k: v for k, v in posting.items() if k not in ("employer", "visit")}
        if "visit" in posting:
            details["visit_id"] = visit_ids[posting["visit"]]
        return client.job.publish_job_posting(
            actor=ADMIN, employer_id=employer_ids[posting["employer"]], **details)["posting_id"]
    posting_ids = loader.each("岗位信息", demo["postings"], publish)
    seeker_ids = loader.each("求职登记", demo["seekers"], lambda client, seeker:
                             client.job.register_seeker(actor=ADMIN, **seeker)["seeker_id"])

    def place(client, placement):
        application = client.job.apply_for_job(
            actor=ADMIN, posting_id=posting_ids[placement["posting"]],
            seeker_id=seeker_ids[placement["seeker"]], channel=placement["channel"])
        hired = client.job.hire_applicant(application["application_id"], ADMIN,
                                          started_on=placement["started_on"],
                                          monthly_pay=placement["monthly_pay"])
        for month, result in placement["follow_ups"]:
            client.job.record_placement_follow_up(hired["placement_id"], ADMIN, month=month,
                                                  result=result, note="电话回访(演示数据)")
        return hired["placement_id"]
    loader.each("就业与回访", demo["placements"], place)
    seconds = round(time.monotonic() - started, 1)
    return {"loaded_at": clock.iso(clock.now()), "seconds": seconds,
            "period": {"from": demo["from"], "to": demo["to"]},
            "figures": expected_figures(demo)}


# --- the marker, status and reset ---------------------------------------------------------

def system_is_empty(rpc) -> bool:
    return (rpc.repair.list_work_orders(page_size=1)["total"] == 0
            and rpc.activity.list_activities(page_size=1)["total"] == 0
            and rpc.volunteer.list_volunteers(page_size=1)["total"] == 0
            and rpc.job.list_employers(page_size=1)["total"] == 0)


def command_load(args) -> int:
    marker = DATA / MARKER
    if marker.exists():
        say(f"演示数据已加载过({json.loads(marker.read_text())['loaded_at']}),不再重复加载。"
            "重置:make demo-reset")
        return 0
    amqp_uri = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    from nameko.standalone.rpc import ClusterRpcProxy
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        if not system_is_empty(rpc):
            if (DATA / LOADING).exists():
                say("上次加载演示数据时被中断,数据不完整。请停止系统,运行 make demo-reset,"
                    "再 make run 重新加载。")
                return 1
            say("系统中已有业务数据,不加载演示数据(演示数据只加载到空系统)。")
            return 0
    demo = plan(clock.local_date(clock.now()), scale=args.scale)
    say(f"开始加载广陵街道演示数据({demo['from']} 至 {demo['to']}),"
        f"共 {len(demo['work_orders'])} 件工单、{len(demo['held_activities'])} 场活动、"
        f"{len(demo['postings'])} 条岗位信息……")
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / LOADING).write_text(json.dumps({"started_at": clock.iso(clock.now())}))
    summary = load(demo, amqp_uri, workers=args.workers)
    marker.write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    (DATA / LOADING).unlink(missing_ok=True)
    figures = summary["figures"]
    q = figures["quantities"]
    say(f"演示数据加载完成,用时 {summary['seconds']} 秒:路灯 {q['street_lamp']:g} 盏,"
        f"修复路面 {q['road_surface']:g} m²,地砖 {q['sidewalk_tiles']:g} m²,"
        f"修剪 {q['hedge_trimming']:g} m²,补植 {q['replanting']:g} m²,"
        f"硬化 {q['hardening']:g} m²;活动 {figures['activities_held']} 场;"
        f"天宝社区岗位 {figures['tianbao_postings']} 条、稳定就业 "
        f"{figures['tianbao_stable_placements']} 人。")
    return 0


def command_status(args) -> int:
    marker = DATA / MARKER
    if not marker.exists():
        say("演示数据尚未加载。")
        return 1
    print(marker.read_text())
    return 0


def command_reset(args) -> int:
    if os.environ.get("MONGO_URI"):
        say("MONGO_URI 指向外部数据库:不删除其中的数据。请在该数据库上自行删除 xiuhua_* 库,"
            f"再删除 {MARKER}。")
        return 1
    port = int(os.environ.get("XIUHUA_MONGO_PORT", "27117"))
    with socket.socket() as probe:
        probe.settimeout(0.5)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            say("系统正在运行:请先停止 make run(Ctrl-C),再重置演示数据。")
            return 1
    import shutil
    shutil.rmtree(DATA / "mongo", ignore_errors=True)
    (DATA / MARKER).unlink(missing_ok=True)
    (DATA / LOADING).unlink(missing_ok=True)
    say("已删除本地开发数据和演示数据标记;下次 make run 会重新加载演示数据"
        "(账号也恢复为初始管理员)。")
    return 0


def command_plan(args) -> int:
    demo = plan(clock.local_date(clock.now()), scale=args.scale)
    print(json.dumps(expected_figures(demo), ensure_ascii=False, indent=1))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="广陵街道演示数据")
    parser.add_argument("command", nargs="?", default="load",
                        choices=("load", "status", "reset", "plan"))
    parser.add_argument("--scale", type=float, default=1.0, help="数据量比例(测试用)")
    parser.add_argument("--workers", type=int, default=6, help="同时进行的调用数")
    args = parser.parse_args(argv)
    import logging
    logging.getLogger("amqp").setLevel(logging.ERROR)
    return {"load": command_load, "status": command_status, "reset": command_reset,
            "plan": command_plan}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
