"""The demo's plan: pure data, no system needed. Everything the demo loads, from the source
article's figures (deploy/demo/guangling.json) and a fixed seed."""
from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from demo_calendar import add_months, add_working_days, at_local, id_number, iso, split
from shared import clock

FACTS = json.loads((Path(__file__).resolve().parent / "demo" / "guangling.json").read_text())
SEED = 20261128
LEDGER = "广陵街道2026年工作台账(演示数据)"
DEADLINE_DAYS = {"road_surface": 10, "manhole_cover": 1, "street_light": 5, "waterlogging": 2,
                 "parking": 3, "greenery": 7, "other": 5}
SLOTS = (("09:00", "10:30"), ("14:30", "16:00"), ("19:00", "20:30"))


RATING_NOTES = {"satisfied": "修得很快,谢谢社区", "basically_satisfied": "修好了,施工时间有点长"}


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
        if order["channel"] == "resident":
            # The reporter (the message demo's 居民NNN, deploy/demo/notify.py); every other
            # one content with the work rated it on the resident site that evening (居民评价,
            # counted in 满意率 instead of the 回访 that agreed with it).
            order["reporter"] = {"name": f"居民{index + 1:03d}", "phone": f"1380550{index:04d}"}
            if result in RATING_NOTES and index % 2 == 0:
                order["rating"] = {"result": result, "note": RATING_NOTES[result],
                                   "at": iso(completed + timedelta(hours=4))}
        work_orders.append(order)
    # Photos (deploy/demo_photos.py, drawn at load): a "before" with the report and an "after"
    # with the completion, on a dozen orders the residents were content with, spread over the
    # year; chosen without the random generator, so nothing else of the plan changes.
    content = [o for o in work_orders if o["follow_up"]["result"] in RATING_NOTES]
    for order in content[::max(1, len(content) // n(12))][:n(12)]:
        order["draw_photos"] = True
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
                              "unit": "MONTH", "piece_rate": employer["sector"] == "handicraft"}}
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
                     "skills": ["手工缝纫"]})
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
    date_records(rng, start, last, volunteers, held, extra_hours, visits, postings, seekers,
                 placements)
    return {"today": today.isoformat(), "from": start.isoformat(), "to": last.isoformat(),
            "departments": FACTS["departments"],
            "communities": [{"name": c["name"], "centre": c["centre"]} for c in communities],
            "venues": venues, "teams": teams, "volunteers": volunteers,
            "extra_hours": extra_hours, "work_orders": work_orders,
            "live_orders": live_orders, "held_activities": held, "upcoming": upcoming,
            "exemplars": exemplars, "employers": employers, "visits": visits,
            "postings": postings, "seekers": seekers, "placements": placements}


def date_records(rng: random.Random, start: date, last: date, volunteers, held, extra_hours,
                 visits, postings, seekers, placements) -> None:
    """补录 dates (`recorded_at`), so every record falls in its real period: volunteers
    registered through the year (the core team in the first quarter, the others joining
    later) and serving only from then on, a seeker registered before their job started, a
    posting after the visit that collected it and before anyone started in it; the rest spread
    over the year. Drawn last, so the rest of the plan is the same as without them."""
    def between(lo: date, hi: date) -> date:
        lo, hi = max(lo, start), min(hi, last)
        return lo if hi <= lo else lo + timedelta(days=rng.randrange((hi - lo).days + 1))

    def local_day(moment: str) -> date:
        return clock.local_date(clock.parse_iso(moment))

    joined = []
    for volunteer in volunteers:
        core = rng.random() < 0.4
        day = (between(start, start + timedelta(days=60)) if core else
               between(start + timedelta(days=61), last - timedelta(days=30)))
        joined.append(day)
        volunteer["recorded_at"] = iso(at_local(day, "07:30"))
    for activity in held:  # only those registered by then served
        day = local_day(activity["starts_at"])
        serving = [i for i in activity["volunteers"] if joined[i] <= day]
        activity["minutes"] = activity["minutes"].replace(
            f"志愿者{len(activity['volunteers'])}人", f"志愿者{len(serving)}人")
        activity["volunteers"] = serving
    for entry in extra_hours:  # a service recorded by the organiser: after joining
        if date.fromisoformat(entry["date"]) < joined[entry["volunteer"]]:
            entry["date"] = between(joined[entry["volunteer"]], last).isoformat()
    started = {p["seeker"]: date.fromisoformat(p["started_on"]) for p in placements}
    for index, seeker in enumerate(seekers):
        if index in started:
            day = between(started[index] - timedelta(days=45), started[index] - timedelta(days=5))
        else:
            day = between(start, last)
        seeker["recorded_at"] = iso(at_local(day, "09:30"))
    filled: dict[int, date] = {}
    for placement in placements:
        day = date.fromisoformat(placement["started_on"])
        filled[placement["posting"]] = min(filled.get(placement["posting"], day), day)
    for index, posting in enumerate(postings):
        if "visit" in posting and index in filled and \
                visits[posting["visit"]]["visited_on"] >= filled[index].isoformat():
            del posting["visit"]  # filled before that visit: it came another way
        earliest = (date.fromisoformat(visits[posting["visit"]]["visited_on"])
                    if "visit" in posting else start)
        latest = filled.get(index, last + timedelta(days=1)) - timedelta(days=7)
        day = between(earliest, max(earliest, latest)) if index in filled or "visit" in posting \
            else between(start, last)
        posting["recorded_at"] = iso(at_local(day, "10:00"))


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
