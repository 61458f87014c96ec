"""`make test`: every test, in a few pytest processes side by side.

Most of a test's time is spent waiting — for the broker, for a service to start, for an event
to arrive, for a private RabbitMQ node to boot — so several pytest processes finish the suite
in a fraction of the time one takes, even on two cores. (pytest-xdist cannot be used: its
workers talk to the controller through threads, which eventlet's patching turns green.)

- The test files are shared out by their measured duration (tests/durations.json, longest
  first to the least loaded process); a file not measured yet counts as DEFAULT_SECONDS.
- Each process has its own SecantusDB server and temporary folder; each test already has its
  own RabbitMQ vhost and database prefix, and the private RabbitMQ nodes have unique names and
  free ports, so the processes never meet.
- The broker fault tests (ALONE: the cluster's nodes going down, a broker restart) time how
  soon the system recovers; starved of CPU by the other processes they time out, so they run
  first, alone.
- The output of a process is kept in a file and printed when it ends: in full when it failed,
  its summary line when it passed. The last lines are every failure of every process.

    python -m tests.parallel                 # TEST_PROCESSES (default 3) processes
    python -m tests.parallel --record        # the same, then tests/durations.json from it
    python -m tests.parallel -k something    # extra arguments go to every pytest process
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATIONS = ROOT / "tests" / "durations.json"
DEFAULT_SECONDS = 10.0
HEARTBEAT_SECONDS = 120
# Fault tests that time how soon the system recovers: run first, alone, not beside the rest.
ALONE = {"tests/faults/test_broker_cluster.py", "tests/faults/test_broker_restart.py"}


def suite_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("test_*.py"))


def share_out(files: list[str], durations: dict[str, float], count: int) -> list[list[str]]:
    """Longest first, each to the process with the least work so far."""
    loads = [[0.0, i, []] for i in range(count)]
    for name in sorted(files, key=lambda f: (-durations.get(f, DEFAULT_SECONDS), f)):
        least = min(loads)
        least[0] += durations.get(name, DEFAULT_SECONDS)
        least[2].append(name)
    return [sorted(files_of) for _, _, files_of in sorted(loads, key=lambda load: load[1])
            if files_of]


def durations_from(reports: list[Path]) -> dict[str, float]:
    seconds: dict[str, float] = {}
    for report in reports:
        if not report.exists():
            continue
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            module = case.get("classname", "").split(".")
            # classname is the module path (plus a class): tests.unit.test_x[.TestY]
            for end in range(len(module), 0, -1):
                candidate = "/".join(module[:end]) + ".py"
                if (ROOT / candidate).exists():
                    seconds[candidate] = seconds.get(candidate, 0.0) + float(
                        case.get("time") or 0)
                    break
    return {name: round(value, 1) for name, value in sorted(seconds.items())}


def summary_line(log: str) -> str:
    lines = [line for line in log.splitlines() if line.startswith("=")]
    return lines[-1] if lines else "(no summary: the process ended early)"


def failures(log: str) -> list[str]:
    return [line for line in log.splitlines()
            if line.startswith(("FAILED ", "SUBFAILED ", "ERROR tests/"))]


def run(shares: list[list[str]], first: int, extra: list[str], work: Path,
        durations: dict, started: float, limit: float) -> dict[int, int]:
    """The shares side by side, one pytest process each; {process number: exit code}."""
    processes = []
    for index, files in enumerate(shares, first):
        expected = sum(durations.get(f, DEFAULT_SECONDS) for f in files)
        print(f"process {index}: {len(files)} files, about {expected / 60:.1f} min measured",
              flush=True)
        log = open(work / f"process-{index}.log", "w+", encoding="utf-8")
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                   f"--basetemp={work / f'tmp-{index}'}",
                   f"--junitxml={work / f'process-{index}.xml'}", *extra, *files]
        processes.append((index, log, subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)))
    pending = list(processes)
    codes: dict[int, int] = {}
    last_beat = time.monotonic()
    try:
        while pending:
            time.sleep(1)
            for entry in list(pending):
                index, log, process = entry
                if process.poll() is None:
                    continue
                pending.remove(entry)
                # 5: nothing selected in these files (a -k or -m given to every process)
                codes[index] = 0 if process.returncode == 5 else process.returncode
                log.seek(0)
                text = log.read()
                minutes = (time.monotonic() - started) / 60
                if codes[index] == 0:
                    print(f"process {index} passed after {minutes:.1f} min: "
                          f"{summary_line(text)}", flush=True)
                else:
                    print(f"process {index} FAILED after {minutes:.1f} min "
                          f"(exit {process.returncode}); its output:\n{text}", flush=True)
            elapsed = time.monotonic() - started
            if elapsed > limit:
                for index, _, process in pending:
                    print(f"process {index} still running after {limit:.0f} s: stopped",
                          flush=True)
                    os.killpg(process.pid, signal.SIGKILL)
                    codes[index] = 124
                break
            if time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                last_beat = time.monotonic()
                print(f"... {elapsed / 60:.0f} min, still running: "
                      f"{', '.join(str(i) for i, _, _ in pending)}", flush=True)
    except KeyboardInterrupt:
        for _, _, process in pending:
            os.killpg(process.pid, signal.SIGTERM)
        raise
    for _, log, _ in processes:
        log.close()
    return codes


def main(argv: list[str]) -> int:
    record = "--record" in argv
    extra = [a for a in argv if a != "--record"]
    count = max(1, int(os.environ.get("TEST_PROCESSES") or 3))
    durations = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    files = suite_files()
    alone = [f for f in files if f in ALONE]
    shares = share_out([f for f in files if f not in ALONE], durations, count)
    work = Path(tempfile.mkdtemp(prefix="xiuhua-tests-"))
    started = time.monotonic()
    limit = float(os.environ.get("TEST_TIME_LIMIT") or 1800)
    codes = {}
    if alone:  # first, with the machine to themselves
        codes.update(run([alone], 0, extra, work, durations, started, limit))
    codes.update(run(shares, 1, extra, work, durations, started, limit))
    total = (time.monotonic() - started) / 60
    failed_lines = []
    for index in sorted(codes):
        text = (work / f"process-{index}.log").read_text(encoding="utf-8")
        failed_lines += [f"[process {index}] {line}" for line in failures(text)]
    if record:
        measured = durations_from([work / f"process-{i}.xml" for i in sorted(codes)])
        DURATIONS.write_text(json.dumps(measured, indent=1, ensure_ascii=False) + "\n")
        print(f"durations of {len(measured)} files written to {DURATIONS.relative_to(ROOT)}")
    print("\n".join(failed_lines))
    worst = max(codes.values(), default=1)
    print(f"{'PASSED' if worst == 0 else 'FAILED'}: {len(codes)} processes, "
          f"{total:.1f} min in all", flush=True)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
