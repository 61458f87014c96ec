"""Samples for the spreadsheet import route (answered by the gateway, stored by a service)."""
import base64
import itertools

SERVICE = "imports"
_serials = itertools.count(100)


def _id_number(serial: int) -> str:
    body = f"34118119850101{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def records(admin, community):
    serial = next(_serials)
    sheet = ("姓名,社区,手机号码,身份证号码\n"
             f"导入{serial},{community},139{serial:08d},{_id_number(serial)}\n")
    return {"community": community,
            "content": base64.b64encode(sheet.encode("utf-8")).decode()}


def snapshot(admin, placeholders):
    return admin.get("/api/volunteers",
                     params={"community": placeholders["community"]}).json()["total"]


SAMPLES = {
    "imports.template": ({"kind": "volunteers"}, {"format": "csv"}),
    "imports.run": ({"kind": "volunteers"}, {"filename": "名册.csv", "content": "{content}",
                                             "community": "{community}"}),
}
