"""The resident site's API (/m/api/) on one running system with the notification service:
sign-in with a one-time code read from notify's development mailbox, a report with a camera
photo (EXIF GPS read, stripped from what is served), the order followed by number, staff
completing it with an uploaded photo, the resident's rating counted in 满意率 — and a resident
never reaching another's order, nor seeing anyone's name in an order's progress."""
import base64
import io
import re

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from PIL import Image

from tests.conftest import wait_until
from tests.integration.gateway.conftest import Client

PHONE, OTHER_PHONE = "13912340001", "13912340002"


def camera_photo() -> str:
    image = Image.new("RGB", (2400, 1800), (90, 90, 200))
    exif = Image.Exif()
    exif[0x010F] = "手机厂商"
    exif[0x8825] = {1: "N", 2: (32.0, 23.0, 42.0), 3: "E", 4: (119.0, 26.0, 6.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return base64.b64encode(out.getvalue()).decode()


def code_sent_to(rpc, phone: str, seen: int = 0) -> str:
    def texts():
        items = rpc.notify.list_dev_messages(phone=phone, page_size=50)["items"]
        codes = [m["text"] for m in items if m["kind"] == "sign_in_code"]
        return codes if len(codes) > seen else None
    return re.search(r"\d{6}", wait_until(texts, timeout=30, message="the code")[0]).group(0)


@pytest.fixture(scope="module")
def rpc(module_config, module_system):
    with ClusterRpcProxy(module_config, timeout=30) as proxy:
        yield proxy


def signed_in(base, rpc, phone) -> Client:
    client = Client(base)
    sent = client.post("/m/api/sign-in/code", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    assert "code" not in sent.json() and sent.json()["phone_masked"] == phone[:3] + "****" + \
        phone[-4:]
    answer = client.post("/m/api/sign-in", json={"phone": phone, "code": code_sent_to(rpc, phone)})
    assert answer.status_code == 200, answer.text
    assert client.get("/m/api/session").json()["resident"]["phone_masked"].endswith(phone[-4:])
    return client


def test_a_resident_reports_with_a_photo_follows_and_rates_and_the_rating_counts(
        module_system, module_admin, module_make_user, rpc):
    resident = signed_in(module_system, rpc, PHONE)
    photo = resident.post("/m/api/photos", json={"content": camera_photo()})
    assert photo.status_code == 200, photo.text
    assert photo.json()["location"] == {"lat": pytest.approx(32.395, abs=1e-4),
                                        "long": pytest.approx(119.435, abs=1e-4)}
    assert (photo.json()["width"], photo.json()["height"]) == (1600, 1200)
    reported = resident.post("/m/api/work-orders", json={
        "category": "street_light", "community": "浚河社区", "alley": "新宇巷",
        "description": "新宇巷路灯不亮", "photos": [photo.json()["id"]],
        "location": {"lat": 32.6908, "long": 118.9931}})
    assert reported.status_code == 201, reported.text
    number = reported.json()["number"]
    staff_view = module_admin.get(f"/api/work-orders/{number}").json()
    assert staff_view["channel"] == "resident"
    assert staff_view["reporter"]["phone_masked"] == "139****0001"

    # The photo as served: an image, its thumbnail smaller, neither with the camera's EXIF.
    thumb = resident.get(f"/m/api/my/work-orders/{number}/photos/{photo.json()['id']}",
                         params={"size": "thumbnail"})
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.content)).size == (320, 240)
    assert dict(Image.open(io.BytesIO(thumb.content)).getexif()) == {}
    full = module_admin.get(f"/api/work-orders/{number}/photos/{photo.json()['id']}")
    assert Image.open(io.BytesIO(full.content)).size == (1600, 1200)
    assert b"Exif" not in full.content

    # Another resident: not their order, photo or rating; a second use of a photo is refused.
    other = signed_in(module_system, rpc, OTHER_PHONE)
    for answer in (other.get(f"/m/api/my/work-orders/{number}"),
                   other.get(f"/m/api/my/work-orders/{number}/photos/{photo.json()['id']}"),
                   other.post(f"/m/api/my/work-orders/{number}/rating",
                              json={"result": "dissatisfied"})):
        assert (answer.status_code, answer.json()["code"]) == (403, "FORBIDDEN")
    again = other.post("/m/api/work-orders", json={
        "category": "street_light", "community": "浚河社区", "address": "新宇巷口",
        "description": "路灯不亮", "photos": [photo.json()["id"]]})
    assert again.status_code == 422 and "photos" in again.json()["fields"]
    # Nobody signed in follows it by number and sees no one's name or number.
    progress = Client(module_system).get(f"/m/api/work-orders/{number}")
    assert progress.status_code == 200 and progress.json()["state"] == "reported"
    assert "139" not in progress.text and "reporter" not in progress.json()
    assert module_admin.get("/api/accounts").json()["items"] and not [
        a for a in module_admin.get("/api/accounts").json()["items"] if a["role"] == "resident"]

    # Staff take it to completion through the API, with a photo uploaded for 办结.
    for action in ("accept", "dispatch", "sign-for"):
        assert module_admin.post(f"/api/work-orders/{number}/{action}", json={}).status_code \
            == 200
    done_photo = module_admin.post("/api/photos", json={"content": camera_photo()}).json()["id"]
    done = module_admin.post(f"/api/work-orders/{number}/complete", json={
        "result_note": "已更换灯头", "photos": [done_photo]})
    assert done.status_code == 200, done.text
    assert [p["stage"] for p in done.json()["photos"]] == ["report", "completion"]
    accepted = wait_until(lambda: [m for m in rpc.notify.list_dev_messages(
        phone=PHONE, page_size=50)["items"] if m["kind"] == "work_order_accepted"],
        timeout=30, message="the acceptance message")
    assert number in accepted[0]["text"]

    mine = resident.get(f"/m/api/my/work-orders/{number}").json()
    assert mine["can_rate"] and len(mine["photos"]) == 2 and mine["state"] == "completed"
    before = module_admin.get("/api/statistics/work-orders", params={
        "period": mine["reported_at"][:7]}).json()["totals"]
    rated = resident.post(f"/m/api/my/work-orders/{number}/rating",
                          json={"result": "basically_satisfied", "note": "修好了"})
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"]["result_name"] == "基本满意" and not rated.json()["can_rate"]
    twice = resident.post(f"/m/api/my/work-orders/{number}/rating", json={"result": "satisfied"})
    assert (twice.status_code, twice.json()["code"]) == (409, "ALREADY_RATED")
    after = module_admin.get("/api/statistics/work-orders", params={
        "period": mine["reported_at"][:7]}).json()["totals"]
    assert after["ratings"]["basically_satisfied"] == before["ratings"]["basically_satisfied"] + 1
    assert after["satisfaction"]["basically_satisfied"] == \
        before["satisfaction"]["basically_satisfied"] + 1
    assert after["satisfaction_rate"] is not None


def test_a_wrong_code_signs_no_one_in_and_codes_are_rate_limited(module_system, rpc):
    client = Client(module_system)
    assert client.post("/m/api/sign-in/code", json={"phone": "13912340003"}).status_code == 200
    real = code_sent_to(rpc, "13912340003")
    wrong = client.post("/m/api/sign-in", json={"phone": "13912340003",
                                                "code": f"{(int(real) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 422 and "code" in wrong.json()["fields"]
    assert client.get("/m/api/session").status_code == 401
    soon = client.post("/m/api/sign-in/code", json={"phone": "13912340003"})
    assert (soon.status_code, soon.json()["code"]) == (429, "CODE_RATE_LIMITED")
    assert client.post("/m/api/sign-in/code", json={"phone": "123"}).status_code == 422


def test_a_resident_registers_for_an_activity_volunteers_and_applies_for_a_matched_job(
        module_system, module_admin, rpc):
    """Activities near them (register, cancel, the code for the door), volunteering (apply;
    their hours and certificate) and jobs (their profile; postings matched by flexible hours,
    distance from home and pay; apply) — as themselves only, others masked or absent."""
    from datetime import timedelta

    from shared import clock
    from tests.integration.gateway.samples.job import employer_body, posting_body
    from tests.integration.gateway.samples.resident import published_activity
    from tests.integration.gateway.samples.volunteer import id_number

    first, second = signed_in(module_system, rpc, "13912340004"), signed_in(
        module_system, rpc, "13912340005")
    activity_id = published_activity(module_admin, "浚河社区", 3, capacity=1,
                                     title="重阳敬老包饺子")
    near = first.get("/m/api/activities", params={"community": "浚河社区"}).json()["items"]
    shown = next(a for a in near if a["activity_id"] == activity_id)
    assert shown["places_left"] == 1 and "created_by" not in shown and "history" not in shown

    mine = first.post(f"/m/api/activities/{activity_id}/registrations", json={"name": "刘阿姨"})
    assert mine.status_code == 201, mine.text
    assert (mine.json()["status"], mine.json()["phone_masked"]) == ("registered", "139****0004")
    waiting = second.post(f"/m/api/activities/{activity_id}/registrations", json={})
    assert waiting.json()["status"] == "waitlisted" and "刘阿姨" not in waiting.text
    staff_list = module_admin.get(f"/api/activities/{activity_id}/registrations").json()
    assert {r["code"] for r in staff_list["items"]} == {mine.json()["code"],
                                                         waiting.json()["code"]}
    # Only their own: another's registration is not theirs to cancel nor to see.
    theirs = f"/m/api/my/registrations/{mine.json()['registration_id']}/cancel"
    refused = second.post(theirs, json={})
    assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")
    named = second.post(f"/m/api/activities/{activity_id}/registrations",
                        json={"resident": "someone-else"})
    assert (named.status_code, named.json()["code"]) == (403, "FORBIDDEN")
    assert [r["registration_id"] for r in second.get("/m/api/my/registrations").json()[
        "items"]] == [waiting.json()["registration_id"]]
    assert first.post(theirs, json={"reason": "临时有事"}).json()["status"] == "cancelled"
    moved_up = second.get("/m/api/my/registrations").json()["items"][0]
    assert (moved_up["status"], moved_up["code"]) == ("registered", waiting.json()["code"])

    # Volunteering: apply with their own phone; staff approve and record hours, issue a
    # certificate; the resident sees their hours and certificate.
    assert first.get("/m/api/my/volunteering").json()["volunteer"] is None
    applied = first.post("/m/api/my/volunteering", json={
        "name": "刘阿姨", "community": "浚河社区", "id_number": id_number(),
        "skills": ["elderly_care"]})
    assert applied.status_code == 201, applied.text
    volunteer = applied.json()
    assert volunteer["phone_masked"] == "139****0004" and volunteer["state"] == "pending"
    assert volunteer["id_number_masked"].count("*") >= 8
    vid = volunteer["id"]
    assert module_admin.post(f"/api/volunteers/{vid}/approve", json={}).status_code == 200
    today = clock.local_date(clock.now())
    logged = module_admin.post(f"/api/volunteers/{vid}/ledger-entries", json={
        "date": today.isoformat(), "content": "陪伴独居老人", "hours": 2.5, "organiser": "浚河社区"})
    assert logged.status_code == 201, logged.text
    issued = module_admin.post(f"/api/volunteers/{vid}/certificates", json={
        "issuer": "浚河社区", "from_date": (today - timedelta(days=30)).isoformat(),
        "to_date": today.isoformat()})
    assert issued.status_code == 201, issued.text
    seen = first.get("/m/api/my/volunteering").json()
    assert seen["volunteer"]["state"] == "active" and seen["hours"]["total_hours"] == 2.5
    assert [c["number"] for c in seen["certificates"]] == [issued.json()["number"]]
    assert second.get("/m/api/my/volunteering").json()["volunteer"] is None

    # Jobs: a profile (flexible hours wanted, home near 新宇巷, pay expected), two postings —
    # flexible and near, fixed hours and far — matched best first with the reasons; apply.
    assert first.get("/m/api/my/job-matches").json() == {"seeker": None, "items": []}
    home = {"lat": 32.6908, "long": 118.9931}
    profile = first.put("/m/api/my/job-seeker", json={
        "name": "刘阿姨", "community": "浚河社区", "home_location": home,
        "hours_preset": "school_hours", "max_distance_km": 2, "expected_monthly_pay": 2000,
        "consent": True})
    assert profile.status_code == 200, profile.text
    assert profile.json()["seeker"]["phone_masked"] == "139****0004"
    employer = module_admin.post("/api/employers", json=employer_body("浚河社区")).json()
    postings = {}
    for name, extra in (("near", {"location": {"lat": 32.6912, "long": 118.9935}}),
                        ("far", {"location": {"lat": 32.7025, "long": 119.027},
                                 "hours_flexible": False, "work_schedule": [
                                     {"days": [6, 7], "start": "18:00", "end": "22:00"}],
                                 "salary": {"min": 1200, "max": 1300}})):
        made = module_admin.post(f"/api/employers/{employer['employer_id']}/job-postings",
                                 json=posting_body(title=f"手工缝制{name}", **extra))
        assert made.status_code == 201, made.text
        postings[name] = made.json()["posting_id"]
    found = first.get("/m/api/my/job-matches").json()["items"]
    ranked = [m["posting"]["posting_id"] for m in found
              if m["posting"]["posting_id"] in postings.values()]
    assert ranked == [postings["near"], postings["far"]]
    best = found[0]
    assert best["distance_km"] < 1 and best["reasons"] and "phone" not in str(best).lower()
    applied = first.post("/m/api/my/job-applications",
                         json={"posting_id": postings["near"], "note": "离家近"})
    assert applied.status_code == 201, applied.text
    assert applied.json()["channel_name"] == "本人报名"
    assert [a["posting_id"] for a in first.get("/m/api/my/job-applications").json()[
        "items"]] == [postings["near"]]
    assert second.get("/m/api/my/job-applications").json()["items"] == []
    none_yet = second.post("/m/api/my/job-applications", json={"posting_id": postings["near"]})
    assert none_yet.status_code == 422 and "posting_id" in none_yet.json()["fields"]


def test_my_orders_come_from_the_server_to_any_new_session_newest_first_and_only_mine(
        module_system, module_config, module_admin, mongo_client, rpc):
    """我的报修 is the server's list, not the device's: after signing out, a new session (a new
    phone) lists every order whose reporter's phone is theirs — their reports and one staff
    took down with their phone — newest first, paged by cursor, each once; another resident
    lists none of them and may not name them."""
    from services.gateway.auth import Auth
    from shared.personal_data import Cipher, mask_phone
    from tests.integration.gateway.answers import conforms
    from tests.integration.gateway.conftest import gateway_db

    phone, neighbour_phone = "13912340006", "13912340007"
    first_phone = signed_in(module_system, rpc, phone)
    numbers = []
    for description in ("东门路灯不亮", "西门井盖松动"):
        made = first_phone.post("/m/api/work-orders", json={
            "category": "street_light", "community": "浚河社区", "address": "新宇巷8号",
            "description": description})
        assert made.status_code == 201, made.text
        numbers.append(made.json()["number"])
    by_staff = module_admin.post("/api/work-orders", json={
        "category": "road_surface", "community": "浚河社区", "address": "新宇巷口",
        "description": "路面坑洼", "channel": "hotline_12345",
        "reporter": {"name": "刘阿姨", "phone": phone}})
    assert by_staff.status_code == 201, by_staff.text
    numbers.append(by_staff.json()["number"])
    someone_elses = module_admin.post("/api/work-orders", json={
        "category": "road_surface", "community": "浚河社区", "address": "新宇巷口",
        "description": "路面坑洼", "channel": "hotline_12345",
        "reporter": {"name": "刘阿姨", "phone": "13912349999"}}).json()["number"]
    assert first_phone.delete("/m/api/session").status_code == 204
    assert first_phone.get("/m/api/my/work-orders").status_code == 401

    # A new phone: a new session for the same number (as a one-time code's sign-in makes it;
    # a second code to the number within a minute would be refused).
    cipher = Cipher(module_config["PII_KEY"])
    token, _ = Auth(gateway_db(mongo_client, module_config), config=module_config) \
        .resident_session(cipher.protect(phone, mask_phone))
    new_phone = Client(module_system)
    new_phone.headers["Authorization"] = f"Bearer {token}"
    listed = conforms("resident.orders", new_phone.get("/m/api/my/work-orders"))
    assert [o["number"] for o in listed["items"]] == numbers[::-1]
    assert listed["has_more"] is False and someone_elses not in str(listed)
    latest = listed["items"][0]
    assert (latest["category_name"], latest["state"], latest["can_rate"]) == \
        ("路面破损", "reported", False)
    for personal in ("刘阿姨", phone, mask_phone(phone)):
        assert personal not in str(listed)

    # A page at a time: every order once, in the same order.
    seen, cursor = [], None
    while True:
        page = conforms("resident.orders", new_phone.get(
            "/m/api/my/work-orders", params={"page_size": 1, **({"cursor": cursor} if cursor
                                                                 else {})}))
        seen.extend(o["number"] for o in page["items"])
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == numbers[::-1]

    # Another resident: none of them, and naming this one is refused.
    neighbour = signed_in(module_system, rpc, neighbour_phone)
    theirs = conforms("resident.orders", neighbour.get("/m/api/my/work-orders"))
    assert theirs["items"] == [] and theirs["has_more"] is False
    named = neighbour.get("/m/api/my/work-orders",
                          params={"resident": cipher.fingerprint(phone)})
    assert (named.status_code, named.json()["code"]) == (403, "FORBIDDEN")
    for client in (first_phone, new_phone, neighbour):
        client.close()
