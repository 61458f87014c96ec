"""Import an office's spreadsheet of volunteers, employers or job postings from the command
line, as the gateway's POST /api/imports/<kind> does: all rows or none, and what was refused
listed by spreadsheet row and column.

    python deploy/import_records.py template volunteers 志愿者导入模板.xlsx
    python deploy/import_records.py volunteers 志愿者名册.xlsx --check   # only check
    python deploy/import_records.py employers 用工单位.csv
    python deploy/import_records.py postings 岗位信息.xlsx --as 李伟 --community 天宝社区

Kinds: volunteers 志愿者, employers 用工单位, postings 岗位信息. The services are reached over
RPC (AMQP_URI, as `make run` uses). The import is recorded as done by the person named with
--as (a street admin unless --community makes them that community's staff).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from services.gateway import imports  # noqa: E402
from shared.errors import ValidationFailed  # noqa: E402


def say(message: str) -> None:
    print(message, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="批量导入志愿者、用工单位、岗位信息")
    parser.add_argument("kind", choices=("template", *imports.KINDS))
    parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件(template:模板的保存位置)")
    parser.add_argument("template_file", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help="只校验,不导入")
    parser.add_argument("--as", dest="person", default="街道管理员", help="导入人姓名")
    parser.add_argument("--community", help="以该社区工作人员身份导入")
    args = parser.parse_args(argv)
    if args.kind == "template":
        kind, target = args.file, Path(args.template_file or f"{args.file}-template.xlsx")
        if kind not in imports.KINDS:
            parser.error(f"可下载模板:{'、'.join(imports.KINDS)}")
        body, _ = imports.template(kind, "csv" if target.suffix == ".csv" else "xlsx")
        target.write_bytes(body)
        say(f"已保存{imports.KINDS[kind]['name']}导入模板:{target}")
        return 0
    kind, path = args.kind, Path(args.file)
    name = imports.KINDS[kind]["name"]
    started = time.monotonic()
    say(f"[1/3] 读取 {path.name} …")
    try:
        rows, numbers, read_errors = imports.to_rows(kind, imports.read(path.name,
                                                                         path.read_bytes()))
    except ValidationFailed as error:
        say(f"无法导入:{error.message}")
        return 2
    say(f"      共 {len(rows)} 行{name}记录")
    actor = ({"id": "cli", "name": args.person, "role": "community_staff",
              "community": args.community} if args.community
             else {"id": "cli", "name": args.person, "role": "street_admin"})
    service, method = imports.KINDS[kind]["rpc"]
    import logging
    logging.getLogger("amqp").setLevel(logging.ERROR)
    from nameko.standalone.rpc import ClusterRpcProxy
    amqp_uri = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=300) as rpc:
        call = getattr(getattr(rpc, service), method)
        say("[2/3] 逐行校验(服务端规则)…")
        try:
            call(actor=actor, rows=rows, dry_run=True)
            errors = read_errors
        except ValidationFailed as error:
            if error.code != "IMPORT_REJECTED":
                raise
            errors = {index: dict(fields) for index, fields in
                      error.fields.get("rows", {}).items()}
            for index, fields in read_errors.items():
                errors.setdefault(index, {}).update(fields)
        if errors:
            lines = imports.report(kind, numbers, errors)
            say(f"有 {len({line['row'] for line in lines})} 行有误,未导入任何记录:")
            for line in lines:
                say(f"  第 {line['row']} 行 [{line['column']}] {line['message']}")
            return 1
        if args.check:
            say(f"校验通过:{len(rows)} 行均可导入(未导入,去掉 --check 即导入)。")
            return 0
        say(f"[3/3] 导入 {len(rows)} 行(一个事务,全部成功或全部不导入)…")
        result = call(actor=actor, rows=rows)
    say(f"已导入 {result['created']} 条{name}记录,用时 {time.monotonic() - started:.1f} 秒。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
