"""The database in production: one user per service with rights on its own database only,
and backups — a service's database dumped in mongodump's layout, dropped, restored and
compared, against the SecantusDB server the fixtures start."""
from __future__ import annotations

import datetime
import json
import uuid

import bson
import pytest
from bson import Binary, Decimal128, Int64, ObjectId, json_util
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import ASCENDING, IndexModel

from services.repair.service import RepairService
from tests.deploy.conftest import load_tool, run_tool

provision = load_tool("mongo/provision.py")
backup = load_tool("backup.py")

ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
DEPT = {"id": "u-dept", "name": "供电班组", "role": "department"}
RAW = CodecOptions(document_class=RawBSONDocument)


# --- users -----------------------------------------------------------------------------------

@pytest.fixture
def admin_db(mongo_client):
    created = []
    yield mongo_client.admin, created
    for user in created:
        try:
            mongo_client.admin.command("dropUser", user)
        except Exception:
            pass


def users_info(admin, names):
    found = admin.command("usersInfo", [{"user": n, "db": "admin"} for n in names])["users"]
    return {u["user"]: sorted((r["role"], r["db"]) for r in u["roles"]) for u in found}


def test_each_service_gets_a_user_for_its_own_database_only(admin_db, mongo_client):
    admin, created = admin_db
    prefix = f"t{uuid.uuid4().hex[:6]}-"
    env = {"MONGO_REPAIR_PASSWORD": "a1", "MONGO_JOB_PASSWORD": "b2", "MONGO_BACKUP_PASSWORD": "c3"}
    outcome = provision.provision(mongo_client, ["repair", "job"], env, "xiuhua_", prefix)
    created += list(outcome)
    assert outcome == {f"{prefix}repair": "created", f"{prefix}job": "created",
                       f"{prefix}backup": "created"}
    assert users_info(admin, list(outcome)) == {
        f"{prefix}repair": [("readWrite", "xiuhua_repair")],
        f"{prefix}job": [("readWrite", "xiuhua_job")],
        f"{prefix}backup": [("backup", "admin"), ("restore", "admin")]}
    # Run again (a password rotated, a role changed by hand): the same users, exactly these roles.
    admin.command("updateUser", f"{prefix}job", roles=[{"role": "root", "db": "admin"}])
    again = provision.provision(mongo_client, ["repair", "job"], {**env, "MONGO_JOB_PASSWORD": "x"},
                                "xiuhua_", prefix)
    assert set(again.values()) == {"updated"}
    assert users_info(admin, [f"{prefix}job"]) == {f"{prefix}job": [("readWrite", "xiuhua_job")]}


def test_database_setup_checks_the_replica_set(mongo_client):
    set_name = mongo_client.admin.command("hello")["setName"]
    provision.ensure_replica_set(mongo_client, set_name, initiate=None, seconds=5)
    with pytest.raises(SystemExit, match="belongs to replica set"):
        provision.ensure_replica_set(mongo_client, "another", initiate=None, seconds=5)
    with pytest.raises(SystemExit, match="MONGO_JOB_PASSWORD must be URL-safe"):
        provision.provision(mongo_client, ["job"], {"MONGO_JOB_PASSWORD": "p@ss/word",
                                                    "MONGO_BACKUP_PASSWORD": "x"}, "xiuhua_")


# --- backups ---------------------------------------------------------------------------------

def fill_repair_database(start_service, rpc, db):
    """Work orders made through the real service, plus documents with every awkward type."""
    container = start_service(RepairService)
    numbers = []
    for i, (alley, text) in enumerate([("聚宝路", "路灯不亮 💡"), ("天宝巷", "井盖松动"),
                                       ("胜利巷", "路面坑洼,雨天积水")]):
        order = rpc.repair.report_work_order(
            ADMIN, category="street_light", community="天宝社区", alley=alley,
            address=f"{alley}{i + 1}号", location={"lat": 32.686 + i / 1000, "long": 119.004},
            description=text, channel="grid_worker",
            reporter={"name": "张清松", "phone": "13812345678"})
        numbers.append(order["number"])
    rpc.repair.accept_work_order(numbers[0], ADMIN)
    rpc.repair.dispatch_work_order(numbers[0], ADMIN)
    rpc.repair.sign_for_work_order(numbers[0], DEPT)
    rpc.repair.complete_work_order(numbers[0], DEPT, result_note="更换LED灯头",
                                   quantities=[{"kind": "street_lamp", "amount": 2}],
                                   evidence_urls=["https://img.example/after.jpg"])
    # Stop the service (its outbox relay included): the database holds still while it is dumped.
    container.stop()
    db["attachments"].insert_many([
        {"_id": ObjectId(), "order": numbers[0], "名称": "现场照片.jpg", "size": Int64(2 ** 40),
         "cost": Decimal128("123.45"), "bytes": Binary(b"\x00\xff\x10"),
         "taken_at": datetime.datetime(2026, 11, 27, 9, 30, 15, 123000,
                                       tzinfo=datetime.timezone.utc),
         "exif": {"camera": {"make": "华为", "iso": 200}, "gps": [119.004, 32.686]},
         "tags": ["夜间", None, True, 1.5]},
        {"_id": {"order": numbers[1], "n": 1}, "empty": {}, "nested": [[1, [2, [3]]]]},
    ])
    db["attachments"].create_indexes([
        IndexModel([("order", ASCENDING), ("taken_at", ASCENDING)], name="by_order"),
        IndexModel([("名称", ASCENDING)], name="by_name", unique=True, sparse=True)])
    db.create_collection("empty_but_indexed")
    db["empty_but_indexed"].create_index([("x", ASCENDING)], name="x")
    return numbers


def snapshot(db) -> dict:
    """Every collection: its documents as raw bytes by _id, and its indexes."""
    state = {}
    for name in sorted(db.list_collection_names()):
        if name.startswith("system."):
            continue
        documents = {bson.encode({"_id": bson.decode(d.raw)["_id"]}): d.raw
                     for d in db.get_collection(name, codec_options=RAW).find()}
        indexes = {i["name"]: {k: v for k, v in i.items() if k not in ("v", "ns")}
                   for i in db[name].list_indexes()}
        state[name] = (documents, indexes)
    return state


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_a_service_database_survives_dump_drop_and_restore(
        start_service, rpc, service_db, mongo_uri, db_prefix, tmp_path, compressed):
    db = service_db("repair")
    numbers = fill_repair_database(start_service, rpc, db)
    before = snapshot(db)
    assert {"work_orders", "outbox", "counters", "departments", "attachments",
            "empty_but_indexed"} <= set(before)
    assert len(before["work_orders"][0]) == 3 and before["outbox"][0]
    assert {"geo", "open311_token", "newest_first"} <= set(before["work_orders"][1])
    assert before["outbox"][1]["published_expiry"]["expireAfterSeconds"] > 0

    common = ["--uri", mongo_uri, "--db-prefix", db_prefix, "--service", "repair"]
    out = tmp_path / "20261127T0300Z"
    dumped = run_tool("backup.py", "dump", *common, "--out", str(out),
                      *(["--gzip"] if compressed else []))
    assert dumped.returncode == 0, dumped.stderr

    # mongodump's layout: <db>/<collection>.bson and .metadata.json with the indexes.
    folder = out / db.name
    suffix = ".gz" if compressed else ""
    assert {p.name for p in folder.iterdir()} == {
        f"{name}{ext}{suffix}" for name in before for ext in (".bson", ".metadata.json")}
    with backup.open_read(folder / f"work_orders.metadata.json{suffix}") as handle:
        metadata = json.loads(handle.read())
    assert metadata["collectionName"] == "work_orders"
    assert {i["name"] for i in metadata["indexes"]} == set(before["work_orders"][1])
    with backup.open_read(folder / f"work_orders.bson{suffix}") as handle:
        assert sorted(d["_id"] for d in bson.decode_file_iter(handle)) == sorted(numbers)
    assert oct(folder.stat().st_mode & 0o777) == "0o700"

    # Disaster: the database is gone. Restore it and compare everything exactly.
    db.client.drop_database(db.name)
    restored = run_tool("backup.py", "restore", *common, "--from", str(out))
    assert restored.returncode == 0, restored.stderr
    assert snapshot(db) == before
    verified = run_tool("backup.py", "verify", *common, "--from", str(out))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "matches the dump" in verified.stdout


def test_a_restore_drill_into_another_database_and_what_verify_catches(
        start_service, rpc, service_db, mongo_uri, db_prefix, tmp_path):
    db = service_db("repair")
    fill_repair_database(start_service, rpc, db)
    before = snapshot(db)
    common = ["--uri", mongo_uri, "--db-prefix", db_prefix, "--service", "repair"]
    out = tmp_path / "dump"
    assert run_tool("backup.py", "dump", *common, "--out", str(out)).returncode == 0

    # A dump never overwrites another, and a restore never mixes into data.
    again = run_tool("backup.py", "dump", *common, "--out", str(out))
    assert again.returncode != 0 and "exists already" in again.stderr
    refused = run_tool("backup.py", "restore", *common, "--from", str(out))
    assert refused.returncode != 0 and "is not empty" in refused.stderr

    drill = f"{db_prefix}repair_drill"
    restored = run_tool("backup.py", "restore", *common, "--from", str(out), "--to-db", drill)
    assert restored.returncode == 0, restored.stderr
    assert snapshot(db.client[drill]) == before
    assert snapshot(db) == before  # the live database was not touched

    # verify notices a changed document, a missing one, an extra one and a lost index.
    copy = db.client[drill]
    copy["work_orders"].update_one({}, {"$set": {"description": "改过"}})
    copy["counters"].delete_one({})
    copy["attachments"].insert_one({"_id": "extra"})
    copy["attachments"].drop_index("by_name")
    verified = run_tool("backup.py", "verify", *common, "--from", str(out), "--db", drill)
    assert verified.returncode == 1
    for expected in ("differs from the dump", "is missing", "'extra' is not in the dump",
                     "index by_name differs"):
        assert expected in verified.stdout, verified.stdout

    # --replace puts the drill database back to exactly the dump.
    replaced = run_tool("backup.py", "restore", *common, "--from", str(out), "--to-db", drill,
                        "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert snapshot(copy) == before


def test_metadata_is_extended_json_that_mongorestore_reads(tmp_path, mongo_client, db_prefix):
    db = mongo_client[f"{db_prefix}odd"]
    db["with/slash"].insert_one({"_id": 1, "n": Int64(5)})
    db["with/slash"].create_index([("n", ASCENDING)], name="n", expireAfterSeconds=3600)
    counts = backup.dump_database(mongo_client, db.name, tmp_path)
    assert counts == {"with/slash": 1}
    # mongodump's escaping of a name that cannot be a file name.
    metadata_file = tmp_path / db.name / "with%2Fslash.metadata.json"
    metadata = json_util.loads(metadata_file.read_text())
    assert metadata["collectionName"] == "with/slash" and metadata["type"] == "collection"
    assert json.loads(metadata_file.read_text())["indexes"][1]["expireAfterSeconds"] == {
        "$numberInt": "3600"}
    backup.restore_database(mongo_client, tmp_path / db.name, f"{db_prefix}odd2")
    assert mongo_client[f"{db_prefix}odd2"]["with/slash"].find_one() == {"_id": 1, "n": 5}
    assert backup.compare(mongo_client, tmp_path / db.name, f"{db_prefix}odd2") == []
