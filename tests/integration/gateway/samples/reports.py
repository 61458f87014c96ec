"""Samples for the office report route (answered by the gateway itself, no single service)."""
SERVICE = "reports"


def records(admin, community):
    return {"community": community}


def snapshot(admin, placeholders):
    # A report changes nothing; what it reads must be the same afterwards.
    return admin.get("/api/statistics/work-orders",
                     params={"community": placeholders["community"]}).json()["totals"]


SAMPLES = {
    "reports.office": ({}, {"period": "2026", "community": "{community}"}),
}
