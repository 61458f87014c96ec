"""Dump, restore and verify a service's database, in mongodump's directory layout.

    python deploy/backup.py dump --service repair --out /backups/20261127T0300Z [--gzip]
    python deploy/backup.py dump --all --out /backups/20261127T0300Z     # XIUHUA_SERVICES
    python deploy/backup.py restore --service repair --from /backups/20261127T0300Z --replace
    python deploy/backup.py restore --service repair --from DIR --to-db xiuhua_repair_drill
    python deploy/backup.py verify --service repair --from DIR [--db xiuhua_repair_drill]

Needs only pymongo. The layout is mongodump's: `<out>/<database>/<collection>.bson` (the
documents, BSON one after another) and `<collection>.metadata.json` (indexes, options, in
extended JSON), both with `.gz` under `--gzip`; so `mongorestore --dir <out>` (with
`--gzip` where used) restores these dumps too, and this tool restores mongodump's.

- **dump** reads every collection of the database in one snapshot (a snapshot session on the
  replica set), so the documents of all collections belong to one instant: an outbox entry
  and the change it records are both in the dump or both not. Documents are copied as raw
  BSON, byte for byte (types, field order, dates, ObjectIds, decimals all preserved). It writes
  to a hidden folder and renames it at the end: a dump that exists is complete. Files are
  readable by their owner only; they hold personal data (encrypted with PII_KEY, which
  belongs elsewhere) and the gateway's password hashes.
- **restore** creates each collection with its options, inserts the documents, then builds the
  indexes (unique, partial, TTL, 2dsphere as they were). It refuses a target database that
  holds data unless `--replace` (drop the whole target database first, so it holds exactly
  what the dump holds) or `--to-db` names another database, as a restore drill does.
- **verify** compares a database with a dump: same collections, every document byte for
  byte, same indexes and options. Exit status 1 lists the differences.

Connection: `--uri`, else BACKUP_MONGO_URI, else MONGO_URI; database names are
`MONGO_DB_PREFIX` (default `xiuhua_`) + service name.
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
import time
import urllib.parse
from pathlib import Path

import bson
from bson import json_util
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import MongoClient

RAW = CodecOptions(document_class=RawBSONDocument, tz_aware=True)
JSON = json_util.JSONOptions(json_mode=json_util.JSONMode.CANONICAL)
BATCH = 1000
METADATA = ".metadata.json"


# --- files ---------------------------------------------------------------------------------

def file_name(collection: str) -> str:
    """mongodump's escaping (Go's url.PathEscape): '/', '%' and the like are percent-encoded."""
    return urllib.parse.quote(collection, safe="$&+:=@")


def collection_name(file_stem: str) -> str:
    return urllib.parse.unquote(file_stem)


def open_write(path: Path, compress: bool):
    return gzip.open(f"{path}.gz", "wb") if compress else open(path, "wb")


def open_read(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_metadata(database_dir: Path) -> dict[str, dict]:
    """collection name -> metadata, for every collection in a dumped database."""
    found = {}
    for path in sorted(database_dir.iterdir()):
        name = path.name[:-3] if path.name.endswith(".gz") else path.name
        if not name.endswith(METADATA):
            continue
        with open_read(path) as handle:
            metadata = json_util.loads(handle.read().decode("utf-8"))
        metadata["_compressed"] = path.suffix == ".gz"
        found[metadata.get("collectionName") or collection_name(name[:-len(METADATA)])] = \
            metadata
    return found


def read_documents(database_dir: Path, collection: str, compressed: bool):
    path = database_dir / (file_name(collection) + ".bson" + (".gz" if compressed else ""))
    if not path.exists():
        return
    with open_read(path) as handle:
        yield from bson.decode_file_iter(handle, RAW)


# --- dump ----------------------------------------------------------------------------------

def user_collections(db) -> list[dict]:
    return [c for c in db.list_collections()
            if not c["name"].startswith("system.") and c.get("type", "collection")
            in ("collection", "view")]


def index_specs(collection) -> list[dict]:
    specs = []
    for index in collection.list_indexes():
        spec = dict(index)
        spec.pop("ns", None)
        specs.append(spec)
    return specs


def dump_database(client: MongoClient, database: str, out: Path, compress: bool = False,
                  snapshot: bool = True) -> dict[str, int]:
    """Write one database under out/<database>; returns documents per collection."""
    target = out / database
    if target.exists():
        raise SystemExit(f"backup: {target} exists already; choose a new --out")
    out.mkdir(parents=True, exist_ok=True)
    partial = out / f".{database}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    db = client.get_database(database, codec_options=RAW)
    counts = {}
    try:
        with client.start_session(snapshot=snapshot) if snapshot else _no_session() as session:
            for info in user_collections(client[database]):
                name, kind = info["name"], info.get("type", "collection")
                metadata = {"indexes": index_specs(client[database][name])
                            if kind == "collection" else [],
                            "collectionName": name, "type": kind,
                            "options": info.get("options", {})}
                uuid = (info.get("info") or {}).get("uuid")
                if uuid is not None:
                    metadata["uuid"] = uuid.hex() if isinstance(uuid, bytes) else str(uuid)
                with open_write(partial / (file_name(name) + METADATA), compress) as handle:
                    handle.write(json_util.dumps(metadata, json_options=JSON).encode("utf-8"))
                counts[name] = 0
                if kind != "collection":
                    continue
                with open_write(partial / (file_name(name) + ".bson"), compress) as handle:
                    for document in db[name].find({}, session=session, batch_size=BATCH):
                        handle.write(document.raw)
                        counts[name] += 1
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return counts


class _no_session:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


# --- restore -------------------------------------------------------------------------------

def restore_database(client: MongoClient, database_dir: Path, target: str,
                     replace: bool = False) -> dict[str, int]:
    """Restore a dumped database (database_dir = <dump>/<database>) into `target`."""
    if not database_dir.is_dir():
        raise SystemExit(f"backup: no dump of a database at {database_dir}")
    metadata = read_metadata(database_dir)
    if not metadata:
        raise SystemExit(f"backup: {database_dir} holds no collections")
    db = client.get_database(target, codec_options=RAW)
    existing = [c["name"] for c in user_collections(client[target])]
    if existing and not replace:
        raise SystemExit(f"backup: database {target} is not empty ({', '.join(existing)}); "
                         "use --replace to drop it first, or --to-db for another database")
    if replace:
        client.drop_database(target)
    counts = {}
    views = {name: meta for name, meta in metadata.items() if meta.get("type") == "view"}
    for name, meta in metadata.items():
        if name in views:
            continue
        db.create_collection(name, **(meta.get("options") or {}))
        counts[name] = 0
        batch = []
        for document in read_documents(database_dir, name, meta["_compressed"]):
            batch.append(document)
            if len(batch) >= BATCH:
                db[name].insert_many(batch, ordered=True)
                counts[name] += len(batch)
                batch = []
        if batch:
            db[name].insert_many(batch, ordered=True)
            counts[name] += len(batch)
        indexes = [spec for spec in meta.get("indexes", []) if spec.get("name") != "_id_"]
        if indexes:
            db.command("createIndexes", name, indexes=indexes)
    for name, meta in views.items():
        db.create_collection(name, **(meta.get("options") or {}))
        counts[name] = 0
    return counts


# --- verify --------------------------------------------------------------------------------

def _key(document: RawBSONDocument) -> bytes:
    return bson.encode({"_id": bson.decode(document.raw)["_id"]})


def _comparable_indexes(specs) -> dict[str, dict]:
    return {spec["name"]: bson.decode(bson.encode({k: v for k, v in dict(spec).items()
                                                   if k not in ("ns", "v")}))
            for spec in specs}


def compare(client: MongoClient, database_dir: Path, target: str) -> list[str]:
    """Every difference between a dumped database and the live database `target`."""
    metadata = read_metadata(database_dir)
    db = client.get_database(target, codec_options=RAW)
    live = {c["name"]: c for c in user_collections(client[target])}
    differences = [f"{name}: in the database, not in the dump" for name in live
                   if name not in metadata]
    for name, meta in metadata.items():
        if name not in live:
            differences.append(f"{name}: in the dump, not in the database")
            continue
        if bson.encode(dict(meta.get("options") or {})) != \
                bson.encode(dict(live[name].get("options") or {})):
            differences.append(f"{name}: collection options differ")
        if meta.get("type") == "view":
            continue
        dumped = _comparable_indexes(meta.get("indexes", []))
        current = _comparable_indexes(index_specs(client[target][name]))
        for index in sorted(set(dumped) | set(current)):
            if dumped.get(index) != current.get(index):
                differences.append(f"{name}: index {index} differs "
                                   f"(dump {dumped.get(index)}, database {current.get(index)})")
        expected = {_key(d): d.raw for d in read_documents(database_dir, name,
                                                           meta["_compressed"])}
        seen = 0
        for document in db[name].find({}, batch_size=BATCH):
            seen += 1
            raw = expected.pop(_key(document), None)
            if raw is None:
                differences.append(f"{name}: document {bson.decode(document.raw)['_id']!r} "
                                   "is not in the dump")
            elif raw != document.raw:
                differences.append(f"{name}: document {bson.decode(document.raw)['_id']!r} "
                                   "differs from the dump")
        for missing in expected.values():
            differences.append(f"{name}: document {bson.decode(missing)['_id']!r} is missing")
    return differences


# --- command line --------------------------------------------------------------------------

def databases(args) -> list[str]:
    if args.database:
        return args.database
    services = args.service or []
    if getattr(args, "all", False):
        services = os.environ.get("XIUHUA_SERVICES", "").split()
        if not services:
            raise SystemExit("backup: --all needs XIUHUA_SERVICES (the service names)")
    if not services:
        raise SystemExit("backup: name a --service (or --database)")
    return [f"{args.db_prefix}{service}" for service in services]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("dump", "restore", "verify"):
        command = commands.add_parser(name)
        command.add_argument("--uri", default=os.environ.get("BACKUP_MONGO_URI")
                             or os.environ.get("MONGO_URI"))
        command.add_argument("--db-prefix", default=os.environ.get("MONGO_DB_PREFIX", "xiuhua_"))
        which = command.add_mutually_exclusive_group()
        which.add_argument("--service", action="append", help="a service's database")
        which.add_argument("--database", action="append", help="a database by its full name")
        if name == "dump":
            which.add_argument("--all", action="store_true",
                               help="every service in XIUHUA_SERVICES")
            command.add_argument("--out", type=Path, required=True)
            command.add_argument("--gzip", action="store_true")
            command.add_argument("--no-snapshot", action="store_true",
                                 help="read without a snapshot (a server that is not a "
                                      "replica set)")
        else:
            command.add_argument("--from", dest="source", type=Path, required=True)
        if name == "restore":
            command.add_argument("--to-db", help="restore into this database instead")
            command.add_argument("--replace", action="store_true",
                                 help="drop the target database first")
        if name == "verify":
            command.add_argument("--db", help="compare this database instead")
    args = parser.parse_args(argv)
    if not args.uri:
        raise SystemExit("backup: give --uri, BACKUP_MONGO_URI or MONGO_URI")
    os.umask(0o077)
    names = databases(args)
    started = time.monotonic()
    with MongoClient(args.uri, tz_aware=True, serverSelectionTimeoutMS=10000) as client:
        if args.command == "dump":
            for database in names:
                counts = dump_database(client, database, args.out, args.gzip,
                                       snapshot=not args.no_snapshot)
                print(f"backup: dumped {database}: {sum(counts.values())} documents in "
                      f"{len(counts)} collections -> {args.out / database}", flush=True)
        elif args.command == "restore":
            if args.to_db and len(names) != 1:
                raise SystemExit("backup: --to-db restores one database at a time")
            for database in names:
                target = args.to_db or database
                counts = restore_database(client, args.source / database, target, args.replace)
                print(f"backup: restored {database} into {target}: {sum(counts.values())} "
                      f"documents in {len(counts)} collections", flush=True)
        else:
            if args.db and len(names) != 1:
                raise SystemExit("backup: --db compares one database at a time")
            failed = False
            for database in names:
                target = args.db or database
                differences = compare(client, args.source / database, target)
                for difference in differences[:50]:
                    print(f"backup: {target}: {difference}", flush=True)
                if differences:
                    failed = True
                    print(f"backup: {target} differs from the dump of {database} "
                          f"({len(differences)} differences)", flush=True)
                else:
                    print(f"backup: {target} matches the dump of {database}", flush=True)
            if failed:
                return 1
    print(f"backup: done in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
