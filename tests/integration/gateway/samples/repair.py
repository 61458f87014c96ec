SERVICE = "repair"

ORDER = {"category": "street_light", "address": "3号楼下路灯杆旁", "description": "路灯不亮",
         "channel": "grid_worker"}
EVIDENCE = {"result_note": "已修复", "evidence_urls": ["https://img.example/a.jpg"]}


def records(admin, community):
    numbers = []
    for _ in range(2):  # the second is what the first may be marked a duplicate of
        response = admin.post("/api/work-orders", json={**ORDER, "community": community})
        assert response.status_code == 201, response.text
        numbers.append(response.json()["number"])
    return {"number": numbers[0], "other_number": numbers[1], "community": community}


def snapshot(admin, placeholders):
    return admin.get(f"/api/work-orders/{placeholders['number']}").json()["version"]


SAMPLES = {
    "work_orders.list": ({}, {"community": "{community}"}),
    "work_orders.report": ({}, {**ORDER, "community": "{community}"}),
    "work_orders.get": ({"number": "{number}"}, {}),
    "work_orders.duplicates": ({"number": "{number}"}, {}),
    "work_orders.reveal_contact": ({"number": "{number}"}, {"purpose": "回访需要联系"}),
    "work_orders.accept": ({"number": "{number}"}, {}),
    "work_orders.answer": ({"number": "{number}"}, {"answer": "已电话答复"}),
    "work_orders.dispatch": ({"number": "{number}"}, {}),
    "work_orders.return": ({"number": "{number}"}, {"grounds": "不属本部门"}),
    "work_orders.sign_for": ({"number": "{number}"}, {}),
    "work_orders.request_extension": ({"number": "{number}"}, {
        "requested_due_at": "2099-01-01T00:00:00+08:00", "reason": "需要采购"}),
    "work_orders.approve_extension": ({"number": "{number}"}, {}),
    "work_orders.reject_extension": ({"number": "{number}"}, {}),
    "work_orders.escalate": ({"number": "{number}"}, {}),
    "work_orders.complete": ({"number": "{number}"}, EVIDENCE),
    "work_orders.follow_up": ({"number": "{number}"}, {"result": "satisfied"}),
    "work_orders.reopen": ({"number": "{number}"}, {"reason": "问题复发"}),
    "work_orders.mark_duplicate": ({"number": "{number}"}, {"duplicate_of": "{other_number}"}),
    "work_orders.reject": ({"number": "{number}"}, {"reason": "不属受理范围"}),
    "work_orders.cancel": ({"number": "{number}"}, {"reason": "居民撤回"}),
    "work_orders.statistics": ({}, {"community": "{community}"}),
    "work_orders.dispatch_slip": ({"number": "{number}"}, {}),
    # Reference data and its settings (street admins change them).
    "repair.categories": ({}, {}),
    "repair.set_deadline": ({}, {"category": "street_light", "working_days": 5}),
    "repair.departments": ({}, {}),
    "repair.save_department": ({}, {"code": "power", "name": "供电所",
                                    "categories": ["street_light"]}),
    "repair.communities": ({}, {}),
    "repair.calendar": ({}, {}),
    "repair.set_calendar": ({}, {"holidays": ["2099-10-01"], "extra_workdays": []}),
}
