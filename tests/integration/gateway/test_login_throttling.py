"""Login throttling that cannot be raced or spoofed, through real HTTP: attempts sent at once
pass the limit no more than one at a time would; a window that has passed is over even
before its record is swept; a client's own X-Forwarded-For changes neither the address that
is throttled nor the one the audit log records."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from services.gateway import exceptions
from services.gateway.auth import INDEXES, Auth
from shared import clock
from tests.conftest import free_port
from tests.integration.gateway.conftest import ADMIN_PASSWORD, SYSTEM, Client, gateway_db

PASSWORD = "pass-word-1"


@pytest.fixture
def gateway_config(gateway_config):
    # A proxy is trusted, but not the test client: its forwarded headers are not believed.
    return {**gateway_config, "TRUSTED_PROXIES": "10.9.9.9/32"}


def attempt(gateway, username, password, **headers):
    with Client(gateway) as client:
        return client.post("/api/session", json={"username": username, "password": password},
                           headers=headers)


def test_wrong_passwords_sent_at_once_pass_the_limit_no_more_than_five(
        gateway, make_user):
    make_user("community_staff", username="racer", community="天宝社区")
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: attempt(gateway, "racer", "wrong-pass-1"),
                                range(12)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(401) <= 5, statuses
    assert statuses.count(401) + statuses.count(429) == 12, [
        (a.status_code, a.text) for a in answers if a.status_code not in (401, 429)]
    assert all(a.json()["code"] == "TOO_MANY_ATTEMPTS" for a in answers
               if a.status_code == 429)
    right = attempt(gateway, "racer", PASSWORD)
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0


def test_the_counter_holds_under_threads_that_check_passwords_in_parallel(
        mongo_client, db_prefix):
    """The same, with the password checks truly in parallel (argon2 lets go of the GIL in
    OS threads): every attempt reaches the counter before any check ends."""
    db = mongo_client[f"{db_prefix}gateway"]
    for collection, indexes in INDEXES.items():
        db[collection].create_indexes(indexes)
    auth = Auth(db)
    auth.create_account({"username": "racer", "password": PASSWORD, "name": "测试",
                         "role": "street_admin"})
    start = threading.Barrier(16)
    outcomes = []

    def wrong():
        start.wait()
        try:
            auth.login("racer", "wrong-pass-1", "192.0.2.1")
        except exceptions.TooManyAttempts:
            outcomes.append(429)
        except exceptions.NotSignedIn:
            outcomes.append(401)
        except Exception as error:  # noqa: BLE001 - shown by the assertion below
            outcomes.append(repr(error))

    threads = [threading.Thread(target=wrong) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes, key=str) == [401] * 5 + [429] * 11, outcomes
    with pytest.raises(exceptions.TooManyAttempts):
        auth.login("racer", PASSWORD, "192.0.2.1")


def test_a_window_that_has_passed_is_over_before_the_sweep(
        gateway, gateway_config, mongo_client, make_user):
    make_user("grid_worker", username="patient", community="天宝社区")
    for _ in range(5):
        assert attempt(gateway, "patient", "wrong-pass-1").status_code == 401
    assert attempt(gateway, "patient", PASSWORD).status_code == 429
    failures = gateway_db(mongo_client, gateway_config)["login_failures"]
    # The window passes; the TTL sweep (once a minute) has not removed the record yet.
    failures.update_one({"_id": "user:patient"},
                        {"$set": {"expires_at": clock.now() - timedelta(seconds=1)}})
    assert attempt(gateway, "patient", "wrong-pass-1").status_code == 401
    record = failures.find_one({"_id": "user:patient"})
    assert record["count"] == 1  # counted in a new window, not the old one
    assert record["expires_at"] > clock.now() + timedelta(minutes=14)
    assert attempt(gateway, "patient", PASSWORD).status_code == 200
    assert failures.find_one({"_id": "user:patient"}) is None


def test_a_clients_own_forwarded_for_is_not_believed(gateway, admin):
    # Twenty failures from one address, each claiming another, for twenty usernames:
    for n in range(20):
        refused = attempt(gateway, f"nobody{n}", "wrong-pass-1",
                          **{"X-Forwarded-For": f"198.51.100.{n + 1}"})
        assert refused.status_code == 401
    blocked = attempt(gateway, "nobody99", "wrong-pass-1",
                      **{"X-Forwarded-For": "198.51.100.200"})
    assert blocked.status_code == 429  # the address is the peer's, whatever it claims
    logins = admin.get("/api/audit", params={"action": "session.login", "refused": "true",
                                             "page_size": 50}).json()["items"]
    assert len(logins) == 21
    assert {e["address"] for e in logins} == {"127.0.0.1"}


@pytest.fixture
def behind_our_proxy(runner_factory, gateway_config):
    """The gateway told that the address the tests connect from is its proxy."""
    config = {**gateway_config, "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
              "TRUSTED_PROXIES": "127.0.0.1/32, 10.0.0.0/8"}
    runner = runner_factory(config, *SYSTEM)
    runner.start()
    return f"http://{config['WEB_SERVER_ADDRESS']}"


def test_behind_a_trusted_proxy_the_client_it_names_is_throttled_and_audited(
        behind_our_proxy):
    gateway = behind_our_proxy
    # What the client claimed (198.51.100.9), then what our proxies added: the right-most
    # hop that is not one of our proxies is the client.
    chain = "198.51.100.9, 203.0.113.7, 10.1.2.3"
    for n in range(20):
        refused = attempt(gateway, f"nobody{n}", "wrong-pass-1", **{"X-Forwarded-For": chain})
        assert refused.status_code == 401
    assert attempt(gateway, "nobody99", "wrong-pass-1",
                   **{"X-Forwarded-For": chain}).status_code == 429
    other = attempt(gateway, "nobody98", "wrong-pass-1", **{"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 401  # another client behind the same proxy is not held back
    with Client(gateway) as admin:
        admin.login("admin", ADMIN_PASSWORD)
        logins = admin.get("/api/audit", params={"action": "session.login", "refused": "true",
                                                 "page_size": 50}).json()["items"]
    addresses = sorted(e["address"] for e in logins)
    assert addresses == ["203.0.113.7"] * 21 + ["203.0.113.8"]
