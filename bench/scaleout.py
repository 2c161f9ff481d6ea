"""Scaling out: the same server-only websocket load against 1 and 2 dashboard processes
behind nginx (tools/serve.Cluster: the files of deploy/), side by side in one run.

Each client is bench/wsload.py's (Streamlit's own protocol on ``/_stcore/stream``, its
viewer plan, its checks of every run's state: errors and leaks), with no think time. nginx
sends each websocket to a process by its request id (no cookie: one session is one
connection), so the clients spread over the processes. For each setup: interactions per
second over the phase, p50 / p95 from sending to ``script_finished``, errors, leaks, and
the CPU seconds of each dashboard process, of nginx and of this harness.

    python -m bench.scaleout --clients 20 --interactions 10

Writes test-artifacts/scaleout.json and prints a table. On a 2-core machine the clients
(this process) share the cores with the servers: the report gives the split.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

from bench import proccpu
from bench.load import Model, _pct
from bench.server import ROOT
from bench.wsload import run_phase
from tools.serve import Cluster


def _cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds of each process and its descendants (nginx's workers are its master's)."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (st := proccpu._read_stat(int(name))):
            procs[int(name)] = st
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    return {p: sum(procs[q][2] for q in proccpu._descendants(p, children) if q in procs) for p in pids}


async def measure(replicas: int, clients: int, interactions: int, model: Model) -> dict:
    cluster = Cluster(replicas=replicas).start()
    try:
        # warm every process's caches (untimed): a few sessions, spread by nginx
        await run_phase(cluster.url, model, 3 * replicas, 0, first_index=90)
        apps = [p.pid for p in cluster.apps]
        watched = [*apps, cluster.nginx.pid]
        before, machine0, t0 = _cpu(watched), proccpu.machine_busy_s(), time.perf_counter()
        harness0 = proccpu._own_cpu(os.getpid())
        viewers = await run_phase(cluster.url, model, clients, interactions, first_index=1)
        wall = time.perf_counter() - t0
        after, machine1 = _cpu(watched), proccpu.machine_busy_s()
        harness = proccpu._own_cpu(os.getpid()) - harness0
    finally:
        cluster.stop()
    lat = [x for v in viewers for x in v.latencies]
    used = {p: round(after[p] - before[p], 2) for p in watched}
    return {
        "replicas": replicas, "clients": clients, "interactions": interactions,
        "wall_s": round(wall, 2), "interactions_timed": len(lat),
        "per_second": round(len(lat) / wall, 2) if wall else None,
        "p50_s": _pct(lat, 50), "p95_s": _pct(lat, 95),
        "errors": [e for v in viewers for e in v.errors], "leaks": [x for v in viewers for x in v.leaks],
        "cpu_s": {"processes": [used[p] for p in apps], "nginx": used[cluster.nginx.pid],
                  "harness": round(harness, 2), "machine": round(machine1 - machine0, 2)},
    }


async def main_async(args) -> dict:
    model = Model(ROOT / "data")
    one = await measure(1, args.clients, args.interactions, model)
    two = await measure(2, args.clients, args.interactions, model)
    return {"one": one, "two": two,
            "throughput_ratio": round(two["per_second"] / one["per_second"], 2) if one["per_second"] else None,
            "goal": ">= 1.6x the throughput of one process with 2 (issue 17)"}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.scaleout")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--interactions", type=int, default=10)
    parser.add_argument("--json-out", default=str(ROOT / "test-artifacts" / "scaleout.json"))
    args = parser.parse_args(argv)
    result = asyncio.run(asyncio.wait_for(main_async(args), 1200))
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    with open(args.json_out, "w") as f:
        json.dump(result, f, indent=2)
    for key in ("one", "two"):
        r = result[key]
        print(f"{r['replicas']} process(es): {r['per_second']} interactions/s, p50 {r['p50_s']:.3f} s, "
              f"p95 {r['p95_s']:.3f} s, errors {len(r['errors'])}, leaks {len(r['leaks'])}, CPU s {r['cpu_s']}")
    print(f"throughput 2 / 1: {result['throughput_ratio']}x (goal >= 1.6x)")
    return result


if __name__ == "__main__":
    main()
