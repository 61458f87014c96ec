"""No personal data in any log: a whole system (gateway and services, through real HTTP) is
asked to register people and to find them by phone and by ID number — in the query string,
as the console's filters send them — including searches that are refused; then everything
every logger wrote in that run, at every level, and everything written to the console is
searched for those numbers in full. The web server's access lines are there (the searches
are logged), with the query's values left out; nameko's RPC replies are logged (at DEBUG)
without their bodies."""
import logging

from tests.integration.gateway.samples import activity, job, volunteer

HOME = "天宝社区"
# The test's own HTTP client logs the URLs it asks for: it is not the system.
CLIENT = ("urllib3", "requests")
LINE = logging.Formatter("%(levelname)s %(name)s: %(message)s")  # with any traceback


def test_searches_by_phone_and_id_number_leave_no_number_in_any_log(admin, anonymous, caplog,
                                                                     capfd):
    caplog.set_level(logging.DEBUG)
    phone, id_number = volunteer.phone(), volunteer.id_number()
    seeker_phone, resident_phone = job.phone(), volunteer.phone()
    numbers = {phone, id_number, seeker_phone, resident_phone}
    assert len(numbers) == 4

    registered = admin.post("/api/volunteers", json=volunteer.volunteer_body(
        HOME, phone=phone, id_number=id_number))
    assert registered.status_code == 201, registered.text
    again = admin.post("/api/volunteers", json=volunteer.volunteer_body(
        HOME, phone=volunteer.phone(), id_number=id_number))
    assert again.status_code in (409, 422), again.text  # the same person twice: refused
    seeker = admin.post("/api/job-seekers", json=job.seeker_body(HOME, phone=seeker_phone))
    assert seeker.status_code == 201, seeker.text
    event = activity.records(admin, HOME)
    signed = admin.post(f"/api/activities/{event['activity_id']}/registrations",
                        json={"name": "李桂兰", "phone": resident_phone})
    assert signed.status_code == 201, signed.text

    found = admin.get("/api/volunteers", params={"phone": phone})
    assert [v["id"] for v in found.json()["items"]] == [registered.json()["id"]]
    found = admin.get("/api/volunteers", params={"id_number": id_number, "community": HOME})
    assert [v["id"] for v in found.json()["items"]] == [registered.json()["id"]]
    found = admin.get("/api/job-seekers", params={"phone": seeker_phone})
    assert [s["seeker_id"] for s in found.json()["items"]] == [seeker.json()["seeker_id"]]
    found = admin.get(f"/api/activities/{event['activity_id']}/registrations",
                      params={"phone": resident_phone})
    assert [r["registration_id"] for r in found.json()["items"]] == [
        signed.json()["registration_id"]]
    exported = admin.get("/api/volunteers", params={"phone": phone, "format": "csv"})
    assert exported.status_code == 200
    # Refused searches are logged too: a bad parameter beside the number, nobody signed in.
    refused = admin.get("/api/volunteers", params={"phone": phone, "page": "x"})
    assert refused.status_code == 422
    nobody = anonymous.get("/api/job-seekers", params={"phone": seeker_phone})
    assert nobody.status_code == 401
    revealed = admin.post(f"/api/volunteers/{registered.json()['id']}/reveal-personal-data",
                          json={"purpose": "核对身份"})
    assert revealed.json()["id_number"] == id_number  # shown to the admin, not logged

    written = capfd.readouterr()
    lines = LINE.format
    logged = "\n".join([*(lines(r) for r in caplog.records if not r.name.startswith(CLIENT)),
                        written.out, written.err])
    assert "GET /api/volunteers?phone=* " in logged  # the access lines were captured
    assert "/api/job-seekers?phone=* " in logged
    assert [n for n in sorted(numbers) if n in logged] == []
