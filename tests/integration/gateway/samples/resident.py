"""Samples for the resident site's routes (/m/api/) and the staff's photo routes: a work order
reported with a photo by a resident of the set (a phone of its own), so that the set's
resident is its reporter; two published activities, at one of which staff registered that
resident (a registration of theirs to cancel); a job posting and that resident's job-seeking
profile made by staff (matches to see, a posting to apply for)."""
import base64
import io
import random
import uuid

from PIL import Image

from tests.integration.gateway.samples import activity, job, volunteer

SERVICE = "resident"
# Where the set's resident work order goes: as the matrix's sets (matrix.py), the home
# community's to the departments' own (供电所), the other community's to another (园林所).
DEPARTMENTS = {"天宝社区": "power", "浚河社区": "landscaping"}


def jpeg(color=(180, 40, 40)) -> str:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


def published_activity(admin, community, days, capacity=20, title="一刻钟宣讲:反对浪费"):
    """An activity open for registration in `days` days, at a room of a venue of its own."""
    venue = admin.post("/api/venues", json={
        "community": community, "name": f"邻里中心{uuid.uuid4().hex[:6]}",
        "kind": "cultural_centre", "address": "新宇巷1号"})
    assert venue.status_code == 201, venue.text
    room = admin.post(f"/api/venues/{venue.json()['id']}/rooms", json={
        "name": "活动室", "kind": "calligraphy", "capacity": 30})
    assert room.status_code == 201, room.text
    made = admin.post("/api/activities", json=activity.activity_body(
        community, title=title, venue_id=venue.json()["id"],
        room_id=room.json()["rooms"][0]["id"], capacity=capacity,
        starts_at=activity._at(days=days), ends_at=activity._at(days=days, hours=2)))
    assert made.status_code == 201, made.text
    published = admin.post(f"/api/activities/{made.json()['activity_id']}/publish", json={})
    assert published.status_code == 200, published.text
    return made.json()["activity_id"]


def records(admin, community):
    phone = f"139{random.randrange(10**8):08d}"
    photo = admin.post("/api/photos", json={"content": jpeg(), "filename": "a.jpg"})
    assert photo.status_code == 200, photo.text
    order = admin.post("/api/work-orders", json={
        "category": "street_light", "community": community, "address": "3号楼下路灯杆旁",
        "description": "路灯不亮", "channel": "resident", "photos": [photo.json()["id"]],
        "reporter": {"name": "张清松", "phone": phone}})
    assert order.status_code == 201, order.text
    number = order.json()["number"]
    for action, body in (("accept", {}), ("dispatch", {"department_code": DEPARTMENTS[community]}),
                         ("sign-for", {}), (
            "complete", {"result_note": "已修复", "evidence_urls": ["https://img.example/a.jpg"]})):
        done = admin.post(f"/api/work-orders/{number}/{action}", json=body)
        assert done.status_code == 200, (action, done.text)
    activities = [published_activity(admin, community, days) for days in (3, 4)]
    registered = admin.post(f"/api/activities/{activities[1]}/registrations",
                            json={"name": "张清松", "phone": phone})
    assert registered.status_code == 201, registered.text
    employer = admin.post("/api/employers", json=job.employer_body(community))
    assert employer.status_code == 201, employer.text
    posting = admin.post(f"/api/employers/{employer.json()['employer_id']}/job-postings",
                         json=job.posting_body())
    assert posting.status_code == 201, posting.text
    seeker = admin.post("/api/job-seekers", json=job.seeker_body(community, phone=phone))
    assert seeker.status_code == 201, seeker.text
    return {"number": number, "photo_id": photo.json()["id"], "phone": phone,
            "community": community, "activity_id": activities[0],
            "registration_id": registered.json()["registration_id"],
            "posting_id": posting.json()["posting_id"], "id_number": volunteer.id_number()}


def snapshot(admin, placeholders):
    return admin.get(f"/api/work-orders/{placeholders['number']}").json()["version"]


SAMPLES = {
    "resident.places": ({}, {}),
    "resident.code": ({}, {"phone": "{phone}"}),
    "resident.sign_in": ({}, {"phone": "{phone}", "code": "{sign_in_code}"}),
    "resident.me": ({}, {}),
    "resident.sign_out": ({}, {}),
    "resident.progress": ({"number": "{number}"}, {}),
    "resident.upload_photo": ({}, {"content": jpeg(), "filename": "b.jpg"}),
    "resident.report": ({}, {"category": "street_light", "community": "{community}",
                             "address": "5号楼东侧", "description": "路灯闪烁"}),
    "resident.orders": ({}, {"page_size": 5}),
    "resident.order": ({"number": "{number}"}, {}),
    "resident.photo": ({"number": "{number}", "photo_id": "{photo_id}"},
                       {"size": "thumbnail"}),
    "resident.rate": ({"number": "{number}"}, {"result": "satisfied"}),
    "resident.activities": ({}, {"community": "{community}"}),
    "resident.register": ({"activity_id": "{activity_id}"}, {"name": "张清松"}),
    "resident.registrations": ({}, {}),
    "resident.cancel_registration": ({"registration_id": "{registration_id}"},
                                     {"reason": "临时有事"}),
    "resident.volunteering": ({}, {}),
    "resident.volunteer_apply": ({}, {"name": "张清松", "community": "{community}",
                                      "id_number": "{id_number}", "skills": ["first_aid"]}),
    "resident.seeker": ({}, {}),
    "resident.save_seeker": ({}, {"name": "张清松", "community": "{community}",
                                  "hours_preset": "school_hours", "max_distance_km": 2,
                                  "expected_monthly_pay": 2000, "consent": True}),
    "resident.job_matches": ({}, {}),
    "resident.job_apply": ({}, {"posting_id": "{posting_id}", "note": "离家近"}),
    "resident.job_applications": ({}, {}),
    "photos.upload": ({}, {"content": jpeg(), "filename": "c.jpg"}),
    "work_orders.photo": ({"number": "{number}", "photo_id": "{photo_id}"}, {}),
}
