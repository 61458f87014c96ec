"""`python -m bench`: every benchmark in one run, on a SecantusDB and a RabbitMQ vhost of the
bench's own, then bench/results/latest.json and bench/results/latest.md.

    python -m bench                   # everything (about ten minutes on 2 cores)
    python -m bench --quick           # fewer events, calls and seconds: a smoke run
    python -m bench --only rpc,growth # some sections (event, rpc, gateway, growth)
    python -m bench --growth-full     # growth to 100k documents as well (hours on SecantusDB)

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
    parser.add_argument("--growth-full", action="store_true",
                        help="grow every service to 100k documents (by default 1k and 10k: "
                             "seeding and paging take long on SecantusDB)")
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
                    section, environment, quick, repeats, args.growth_full,
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
                growth_full: bool = False, progress=None) -> dict:
    if section == "event":
        from bench import event_path
        return event_path.run(environment, count=200 if quick else 400, repeats=repeats)
    if section == "rpc":
        from bench import rpc
        return rpc.run(environment, calls=100 if quick else 400, repeats=repeats)
    if section == "gateway":
        from bench import gateway
        return gateway.run(environment, seconds=3 if quick else 8, repeats=repeats)
    if section == "growth":
        from bench import growth
        if quick:
            return growth.run(environment, sizes=(1_000, 3_000), repeats=3, progress=progress)
        # With the services' indexes, SecantusDB takes in some 50–100 documents a second on
        # 2 busy cores (about 14k/s without indexes), and on it a page of a list reads the
        # whole index range: 100k documents per service take hours. By default 1k and 10k;
        # --growth-full adds 100k.
        sizes = growth.SIZES if growth_full else (1_000, 10_000)
        return growth.run(environment, sizes=sizes, repeats=5, progress=progress)
    raise ValueError(section)
