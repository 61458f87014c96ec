"""The office's periodic report from the command line, as .xlsx and/or .pdf.

    python deploy/report.py 2026                     # the year, all communities, both formats
    python deploy/report.py 2026-Q3 --community 天宝社区 --format pdf
    python deploy/report.py 2026-11 --out reports/

It asks the running services over RPC (AMQP_URI, as `make run` uses) for the same figures the
gateway's `GET /api/reports/office` serves, with the records behind every figure in the
appendices. See docs/reports.md.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from services.gateway import reporting  # noqa: E402
from shared.schemas import PERIOD_PATTERN  # noqa: E402

PERIOD = re.compile(PERIOD_PATTERN)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="广陵街道工作报表(月度、季度、年度)")
    parser.add_argument("period", help="报表期:2026(年)、2026-Q3(季度)、2026-11(月)")
    parser.add_argument("--community", help="社区名称;不填为全街道")
    parser.add_argument("--format", choices=("xlsx", "pdf", "both"), default="both")
    parser.add_argument("--out", default=".", help="输出目录")
    args = parser.parse_args(argv)
    if not PERIOD.match(args.period):
        parser.error("报表期应写作 2026、2026-Q3 或 2026-11")
    import logging
    logging.getLogger("amqp").setLevel(logging.ERROR)
    from nameko.standalone.rpc import ClusterRpcProxy
    amqp_uri = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    started = time.monotonic()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as rpc:
        report = reporting.figures.gather(rpc, args.period, args.community)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for wanted in (("xlsx", "pdf") if args.format == "both" else (args.format,)):
        body, _ = reporting.render(report, wanted)
        target = out / reporting.filename(report, wanted)
        target.write_bytes(body)
        print(f"已生成 {target}({len(body) // 1024} KB)")
    print(f"用时 {time.monotonic() - started:.1f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
