"""`python -m bench`: every benchmark in one run, on a SecantusDB and a RabbitMQ vhost of the
bench's own, then bench/results/latest.json and bench/results/latest.md.

    python -m bench                   # everything (about ten minutes on 2 cores)
    python -m bench --quick           # fewer events, calls and seconds: a smoke run
    python -m bench --only rpc,growth # some sections (event, rpc, gateway, growth)
    python -m bench --largest 30000   # 1k/10k/30k records instead of 1k/10k/100k

The machine may be shared: every comparison is measured side by side in this one run,
interleaved and repeated, and the medians are reported.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from bench import env as bench_env  # noqa: E402
from bench import report  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = ("event", "rpc", "gateway", "growth")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections of {', '.join(SECTIONS)}")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--largest", type=int, default=100_000,
                        help="the most records: each service grows through 1k, 10k and this "
                             "many, the event path runs with this many shifts stored, the "
                             "gateway with this many work orders (default 100000)")
    parser.add_argument("--growth-sizes", default=None,
                        help="comma-separated record counts each service grows through "
                             "(instead of 1000,10000,LARGEST)")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--report-only", action="store_true",
                        help="write latest.md again from latest.json, measuring nothing")
    args = parser.parse_args(argv)
    if args.report_only:
        results = json.loads((Path(args.out) / "latest.json").read_text())
        (Path(args.out) / "latest.md").write_text(report.markdown(results))
        print(report.markdown(results))
        return
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    quick = args.quick
    repeats = args.repeats or (1 if quick else 3)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    results = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "quick": quick, "repeats": repeats}
    began = time.monotonic()
    for section in SECTIONS:
        if section not in wanted:
            continue
        # A fresh SecantusDB and vhost per section: SecantusDB's cost per write grows with
        # the transactions it has served since it started (measured: the database CPU per
        # event of both event paths rises run after run), so one section's history must not
        # slow the next.
        with bench_env.Environment() as environment:
            if "machine" not in results:
                results["machine"] = bench_env.machine(environment)
                bench_env.say(f"machine: {results['machine']['cores']} cores, "
                              f"{results['machine']['cpu']}, load "
                              f"{results['machine']['load_average']}")
            bench_env.say(f"--- {section}")
            try:
                results[section] = run_section(
                    section, environment, quick, repeats, args.growth_sizes, args.largest,
                    progress=lambda partial, section=section: (
                        results.__setitem__(section, partial), save(out, results, began)))
            except Exception as error:  # one failed section must not lose the others
                traceback.print_exc()
                results[section] = {"error": f"{type(error).__name__}: {error}"[:2000]}
        save(out, results, began)  # an interrupted run keeps the sections it finished
    markdown = save(out, results, began)
    print()
    print(markdown)
    bench_env.say(f"results written to {out / 'latest.json'} and {out / 'latest.md'}")
    if any("error" in results.get(s, {}) for s in wanted):
        sys.exit(1)


def save(out: Path, results: dict, began: float) -> str:
    results["machine"]["load_average_after"] = os.getloadavg()
    results["seconds"] = round(time.monotonic() - began, 1)
    (out / "latest.json").write_text(json.dumps(results, indent=1, ensure_ascii=False,
                                                default=str) + "\n")
    markdown = report.markdown(results)
    (out / "latest.md").write_text(markdown)
    return markdown


def run_section(section: str, environment, quick: bool, repeats: int,
                growth_sizes: str | None = None, largest: int = 100_000,
                progress=None) -> dict:
    if section == "event":
        from bench import event_path
        return event_path.run(environment, count=200 if quick else 400, repeats=repeats,
                              existing=5_000 if quick else largest)
    if section == "rpc":
        from bench import rpc
        return rpc.run(environment, calls=100 if quick else 400, repeats=repeats)
    if section == "gateway":
        from bench import gateway
        return gateway.run(environment, seconds=3 if quick else 8, repeats=repeats,
                           orders=2_000 if quick else largest)
    if section == "growth":
        from bench import growth
        if growth_sizes:
            sizes = tuple(int(n) for n in growth_sizes.split(","))
        else:
            # Seeding takes some 200-250 records a second per service on SecantusDB with the
            # services' indexes (2 cores): 100k records each is most of the run.
            sizes = (1_000, 3_000) if quick else (1_000, 10_000, largest)
        return growth.run(environment, sizes=sizes, repeats=3 if quick else 5,
                          progress=progress)
    raise ValueError(section)
