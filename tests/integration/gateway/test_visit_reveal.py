"""A volunteer asked to do a 回访 calls the reporter: through real HTTP, the volunteer on an
open 回访 shift of a work order sees the reporter's number (audited like any reveal); another
volunteer, or the same one once the visit is recorded or after withdrawing, is refused."""
from tests.conftest import wait_until
from tests.integration.gateway.conftest import a_volunteer

JUNHE = "浚河社区"
PHONE = "13812345678"
LAMP = {"category": "street_light", "community": JUNHE, "alley": "新宇巷",
        "description": "路灯不亮", "channel": "grid_worker",
        "reporter": {"name": "张清松", "phone": PHONE}}
WHY = {"purpose": "工单回访需要联系上报人"}


def completed_order(admin) -> str:
    number = admin.post("/api/work-orders", json=LAMP).json()["number"]
    for action, body in (("accept", {}), ("dispatch", {}), ("sign-for", {}),
                         ("complete", {"result_note": "更换灯头", "evidence_urls": [
                             "https://img.example/a.jpg"], "quantities": [
                             {"kind": "street_lamp", "amount": 1}]})):
        answer = admin.post(f"/api/work-orders/{number}/{action}", json=body)
        assert answer.status_code == 200, (action, answer.text)
    return number


def visit_of(admin, number):
    def found():
        items = admin.get("/api/shifts", params={"work_order_number": number}).json()["items"]
        return items[0] if items else None
    return wait_until(found, timeout=20, message="the 回访 shift was not opened")


def volunteer_account(admin, make_user):
    volunteer_id = a_volunteer(admin, JUNHE)
    return volunteer_id, make_user("volunteer", volunteer=volunteer_id)


def test_the_volunteer_on_the_visit_sees_the_reporters_number_while_it_is_open(
        admin, make_user):
    number = completed_order(admin)
    visit = visit_of(admin, number)
    reveal = f"/api/work-orders/{number}/reveal-contact"
    visitor_id, visitor = volunteer_account(admin, make_user)
    other_id, other = volunteer_account(admin, make_user)

    before = visitor.post(reveal, json=WHY)  # not (yet) theirs
    assert before.status_code == 403 and before.json()["code"] == "NOT_ASSIGNED"
    signed = visitor.post(f"/api/shifts/{visit['id']}/sign-up",
                          json={"volunteer_id": visitor_id})
    assert signed.status_code == 200, signed.text
    shown = visitor.post(reveal, json=WHY)
    assert shown.status_code == 200, shown.text
    assert shown.json()["phone"] == PHONE
    refused = other.post(reveal, json=WHY)
    assert refused.status_code == 403 and refused.json()["code"] == "NOT_ASSIGNED"
    assert PHONE not in refused.text
    # Still no work order to read, nor another order's reporter.
    assert visitor.get(f"/api/work-orders/{number}").status_code == 403
    another = admin.post("/api/work-orders", json=LAMP).json()["number"]
    assert visitor.post(f"/api/work-orders/{another}/reveal-contact",
                        json=WHY).status_code == 403

    recorded = visitor.post(f"/api/shifts/{visit['id']}/follow-up-visit",
                            json={"volunteer_id": visitor_id, "result": "satisfied"})
    assert recorded.status_code == 200, recorded.text
    after = visitor.post(reveal, json=WHY)
    assert after.status_code == 403 and after.json()["code"] == "NOT_ASSIGNED"

    audited = admin.get("/api/audit", params={"action": "work_orders.reveal_contact"}).json()
    outcomes = sorted(((e["actor"] or {}).get("volunteer"), e["status"], e["outcome"])
                      for e in audited["items"])
    assert outcomes == sorted([
        (visitor_id, 403, "NOT_ASSIGNED"), (visitor_id, 200, "OK"),
        (other_id, 403, "NOT_ASSIGNED"), (visitor_id, 403, "NOT_ASSIGNED"),
        (visitor_id, 403, "NOT_ASSIGNED")]), outcomes


def test_a_volunteer_who_withdrew_from_the_visit_is_refused(admin, make_user):
    number = completed_order(admin)
    visit = visit_of(admin, number)
    visitor_id, visitor = volunteer_account(admin, make_user)
    assert visitor.post(f"/api/shifts/{visit['id']}/sign-up",
                        json={"volunteer_id": visitor_id}).status_code == 200
    withdrawn = visitor.post(f"/api/shifts/{visit['id']}/withdraw-sign-up",
                             json={"volunteer_id": visitor_id, "reason": "临时有事"})
    assert withdrawn.status_code == 200, withdrawn.text
    refused = visitor.post(f"/api/work-orders/{number}/reveal-contact", json=WHY)
    assert refused.status_code == 403 and refused.json()["code"] == "NOT_ASSIGNED"
