"""The 广陵街道 demo: a year of the office's work, loaded once through the services' own APIs.

    python deploy/demo.py load     # on a running system (make run does it after health)
    python deploy/demo.py status   # loaded or not, and what
    python deploy/demo.py reset    # make run stopped: delete the local data and the marker
    python deploy/demo.py plan     # print what would be loaded (no system needed)

What is loaded is built from the source article (天长市广陵街道, 浚河社区 and 天宝社区): the
communities and their back alleys, departments, venues and rooms, a year of work orders whose
work quantities add up to the article's figures (a dozen with before and after photos, drawn
at load: deploy/demo_photos.py), 210+ themed activities over the festivals and
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
import socket
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its plan, beside it

import demo_photos  # noqa: E402
from demo_plan import expected_figures, plan  # noqa: E402
from shared import clock, places as register  # noqa: E402

DATA = Path(os.environ.get("XIUHUA_DATA", ROOT / ".xiuhua"))
MARKER = "demo-loaded.json"
LOADING = "demo-loading.json"  # present while a load runs, or after one was interrupted
ADMIN = {"id": "demo-loader", "name": "广陵街道办(演示数据)", "role": "street_admin"}


def say(message: str) -> None:
    print(f"xiuhua demo: {message}", flush=True)


# --- the plan: pure data, no system needed ----------------------------------------------


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
    # The communities are the register of places' (shipped data): the demo only checks that
    # the register in use is the one it was written for.
    missing = [c["name"] for c in demo["communities"] if not register.is_community(c["name"])]
    if missing:
        raise RuntimeError(f"地名登记中没有演示数据的社区:{'、'.join(missing)}"
                           f"(XIUHUA_PLACES 指向了别的街道?)")
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

    def import_order(client, order):
        record = {k: v for k, v in order.items() if k != "draw_photos"}
        if order.get("draw_photos"):  # before and after photos, drawn now (demo_photos.py)
            record.update(demo_photos.upload(client, ADMIN, order))
        return client.repair.import_work_order(actor=ADMIN, **record)["number"]
    numbers = loader.each("工单", demo["work_orders"], import_order)
    # An order its resident was not satisfied with went back for 重办: it is redone now, and
    # counts (once, with its quantities) in this month; the first completion stays on record.
    for number, order in zip(numbers, demo["work_orders"]):
        if order["follow_up"]["result"] == "dissatisfied":
            rpc.repair.complete_work_order(
                number, ADMIN, result_note=f"返工重做:{order['result_note']}",
                quantities=order["quantities"],
                evidence_urls=[url.replace(".jpg", "-redo.jpg") for url in order["evidence_urls"]])
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
    notify_demo().load(loader, demo, date.fromisoformat(demo["today"]))
    seconds = round(time.monotonic() - started, 1)
    return {"loaded_at": clock.iso(clock.now()), "seconds": seconds,
            "period": {"from": demo["from"], "to": demo["to"]},
            "figures": expected_figures(demo)}


def notify_demo():
    """deploy/demo/notify.py: the month of sent messages (its own module, loaded by path)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "demo_notify", Path(__file__).resolve().parent / "demo" / "notify.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
