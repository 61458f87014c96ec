"""The Markdown version of a results file: one table per section."""
from __future__ import annotations

import statistics


def _ok(passed: bool) -> str:
    return "yes" if passed else "**no**"


def _cpu(trials: list[dict], key: str) -> str:
    values = [t["cpu_ms_per_event"][key] for t in trials if "cpu_ms_per_event" in t]
    return f"{statistics.median(values):.1f}" if values else "–"


def markdown(results: dict) -> str:
    m = results.get("machine", {})
    lines = ["# Xiuhua benchmark results", "",
             f"Run {results.get('started_at')} in {results.get('seconds')} s"
             f"{' (quick run)' if results.get('quick') else ''}; every figure is the median "
             f"of {results.get('repeats')} interleaved runs."
             + (f" {results['note']}." if results.get("note") else ""), "",
             "| machine | |", "|---|---|",
             f"| CPU | {m.get('cores')} cores, {m.get('cpu')} |",
             f"| load average (1, 5, 15 min) before / after | "
             f"{_load(m.get('load_average'))} / {_load(m.get('load_average_after'))} |",
             f"| OS | {m.get('os')} |",
             f"| Python | {m.get('python')} |",
             f"| RabbitMQ | {m.get('rabbitmq')} (Erlang {m.get('erlang')}) |",
             f"| SecantusDB | {m.get('secantusdb')} (reports MongoDB "
             f"{m.get('mongo_server_reports')}) |",
             f"| nameko / eventlet / kombu / pymongo | {m.get('nameko')} / {m.get('eventlet')} "
             f"/ {m.get('kombu')} / {m.get('pymongo')} |", ""]
    for section, render in (("event", _event), ("rpc", _rpc), ("gateway", _gateway),
                            ("growth", _growth)):
        if section in results:
            data = results[section]
            if "error" in data:
                lines += [f"## {section}", "", f"Failed: `{data['error']}`", ""]
            else:
                lines += render(data) + [""]
    return "\n".join(lines)


def _load(values) -> str:
    return ", ".join(f"{v:.1f}" for v in values) if values else "–"


def _event(d: dict) -> list[str]:
    t = d["trials"]
    lines = ["## Event path", "",
             f"{d['event']}: events per second from the publish (with confirms, in batches "
             f"as the outbox relay publishes) until the handler's write is visible; "
             f"{d['events_per_trial']} events a run. The raw ceiling is kombu + the same "
             f"MongoDB transaction in plain pymongo (inbox mark, two reads, the list window's "
             f"read, the shift's two total counters, the shift, its outbox event; the day's "
             f"number taken outside it), one sequential consumer, no nameko.", "",
             "| path | events/s | consumer CPU ms/event | database CPU ms/event |",
             "|---|---:|---:|---:|",
             f"| service (nameko, volunteer) | {d['service_per_second']} | "
             f"{_cpu(t['service'], 'consumer')} | {_cpu(t['service'], 'database')} |",
             f"| raw ceiling (kombu + pymongo) | {d['raw_per_second']} | "
             f"{_cpu(t['raw'], 'consumer')} | {_cpu(t['raw'], 'database')} |", "",
             f"Service / raw: **{d['ratio']}** (target ≥ {d['target_ratio']}: "
             f"{_ok(d['ratio'] >= d['target_ratio'])})."]
    if "scaling" in d:
        s = d["scaling"]
        lines += ["", "### Scaling out", "",
                  "The same event path with one and with two `nameko run` processes of the "
                  "volunteer service consuming the one queue.", "",
                  "| processes | events/s | consumers' CPU ms/event | database CPU ms/event |",
                  "|---:|---:|---:|---:|",
                  f"| 1 | {s['one_process_per_second']} | {_cpu(s['trials']['1'], 'consumer')} | "
                  f"{_cpu(s['trials']['1'], 'database')} |",
                  f"| 2 | {s['two_processes_per_second']} | "
                  f"{_cpu(s['trials']['2'], 'consumer')} | {_cpu(s['trials']['2'], 'database')} |",
                  "",
                  f"Speed-up: {s['speed_up']}×"
                  + (f" (target ≥ {s['target_speed_up']}: "
                     f"{_ok(s['speed_up'] >= s['target_speed_up'])})."
                     if "target_speed_up" in s else ".")]
    x = d.get("existing")
    if x:
        lines += ["", "### With records already stored", "",
                  f"The service path with {x['existing_before']} shifts stored, then with "
                  f"{x['existing_after']} (copies seeded with insert_many in "
                  f"{x['seconds_to_seed']} s, in the same indexes).", "",
                  "| shifts stored | events/s | CPU ms/event (consumer + database) |",
                  "|---:|---:|---:|",
                  f"| {x['existing_before']} | {x['per_second_before']} | "
                  f"{x['cpu_ms_per_event_before']} |",
                  f"| {x['existing_after']} | {x['per_second_after']} | "
                  f"{x['cpu_ms_per_event_after']} |", "",
                  f"CPU per event, after / before: **{x['cpu_ratio']}** (target ≤ "
                  f"{x['target_cpu_ratio']}: {_ok(x['cpu_ratio'] <= x['target_cpu_ratio'])})."]
    return lines


def _rpc(d: dict) -> list[str]:
    lines = ["## RPC", "",
             f"`{d['call']}`, {d['calls_per_trial']} calls a run: nameko's ClusterRpcProxy "
             "to the repair service beside a raw kombu request/reply (same `find_one`, JSON "
             "reply, no nameko).", "",
             "| callers | path | p50 ms | p95 ms | p99 ms | calls/s |",
             "|---|---|---:|---:|---:|---:|"]
    verdicts = []
    for label in ("sequential", "20_callers"):
        if label not in d:
            continue
        row = d[label]
        for path in ("nameko", "raw"):
            r = row[path]
            lines.append(f"| {label.replace('_', ' ')} | {path} | {r['p50_ms']} | "
                         f"{r['p95_ms']} | {r['p99_ms']} | {r['calls_per_second']} |")
        verdicts.append(f"{label.replace('_', ' ')}: p50 nameko / raw **{row['p50_ratio']}** "
                        f"(target ≤ {row['target_p50_ratio']}: "
                        f"{_ok(row['p50_ratio'] <= row['target_p50_ratio'])})")
    return lines + ["", "; ".join(verdicts) + "."]


GATEWAY_ROWS = {"list": "list", "raw_page": "raw database: the list's page, one at a time",
                "raw_page_threads": "raw database: the list's page, {threads} threads",
                "constant_get": "constant get", "write": "write",
                "write_one_at_a_time": "write one at a time", "constant_post": "constant post"}


def _gateway(d: dict) -> list[str]:
    lines = ["## Gateway", "", f"{d['tool']}, on the loopback interface.", ""]
    for key, name in (("list_request", "list"), ("write_request", "write"),
                      ("raw_page_request", "raw database")):
        if d.get(key):
            lines.append(f"- {name}: {d[key]}")
    lines += ["- constant: nameko's `@http` on eventlet answering a constant JSON body.", "",
              "- CPU ms/request: what the database server and the gateway and repair processes "
              "spent per request while the case ran (from the kernel's accounting; the database "
              "server is one Python process, so 1,000 ms over its figure is the most requests a "
              "second it can serve).", "",
              "| request | req/s | p50 ms | p95 ms | p99 ms | non-2xx | database CPU ms/request "
              "| services CPU ms/request |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, label in GATEWAY_ROWS.items():
        r = d.get(name)
        if r is None:
            continue
        retries = f" ({r['retries_per_1000']} retried transactions per 1,000)" \
            if r.get("retries_per_1000") is not None else ""
        label = label.format(threads=r.get("threads"))
        lines.append(f"| {label}{retries} | {r['requests_per_second']} | "
                     f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['non_2xx']} | "
                     f"{r.get('database_cpu_ms', '–')} | {r.get('services_cpu_ms', '–')} |")
    raw = f"; list / raw database page: {d['list_vs_raw_page']}" \
        if d.get("list_vs_raw_page") is not None else ""
    lines += ["", f"List / constant: {d['list_vs_constant']}; write / constant: "
                  f"{d['write_vs_constant']}{raw} (throughput)."]
    t = d.get("targets")
    if t:
        lst, write = d["list"], d["write"]
        times = round(write["requests_per_second"] / t["write_before"], 2)
        ratio = d["list_vs_constant"]
        lines += ["", f"List: **{ratio}** of the constant answer (target ≥ "
                      f"{t['list_vs_constant']}: {_ok(ratio >= t['list_vs_constant'])}), "
                      f"p95 {lst['p95_ms']} ms (target < {t['list_p95_ms']}: "
                      f"{_ok(lst['p95_ms'] < t['list_p95_ms'])}). Write: **{times}×** the "
                      f"{t['write_before']} req/s before the bounded work (target ≥ "
                      f"{t['write_times']}×: {_ok(times >= t['write_times'])}), p95 "
                      f"{write['p95_ms']} ms (target < {t['write_p95_ms']}: "
                      f"{_ok(write['p95_ms'] < t['write_p95_ms'])})."]
    return lines


def _growth(d: dict) -> list[str]:
    sizes = [str(s) for s in d["sizes"]]
    lines = ["## Growth", "",
             "Each service's lists, search, total and statistics through the handler its RPC "
             "method runs, with its records seeded by `insert_many` (bench/growth/): milliseconds "
             f"(median), the growth from {sizes[0]} to {sizes[-1]} records (target ≤ "
             f"{d['target_growth']}×), and the documents the server examined for the whole call "
             f"at each size (target ≤ {d['target_examined']}, {d['target_examined'] // d['page_size']}"
             f" pages of {d['page_size']}), with the plan of the query that examined the most "
             "at the largest size.", ""]
    for service, found in d["services"].items():
        seeded = ", ".join(f"{n}: {s} s" for n, s in found["seconds_to_seed"].items())
        lines += [f"### {service}", "", f"Seeding (cumulative sizes): {seeded}.", "",
                  "| query | " + " | ".join(f"{s} ms" for s in sizes)
                  + " | growth | ≤ target? | docs examined | bounded? | plan |",
                  "|---|" + "---:|" * len(sizes) + "---:|---|---|---|---|"]
        for label, row in found["rows"].items():
            examined = " / ".join(str(row["at"][s]["docs"]) for s in sizes)
            lines.append(f"| {label} | " + " | ".join(str(row["at"][s]["ms"]) for s in sizes)
                         + f" | {row['growth']}× | {_ok(row['flat'])} | {examined} | "
                           f"{_ok(row['bounded'])} | {row['at'][sizes[-1]]['plan']} |")
        lines.append("")
    return lines
