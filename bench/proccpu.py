"""CPU seconds per process group, from /proc (Linux only), for the load tests.

``snapshot(server_pid)`` reads every process once and sums user + system time per
group; ``diff(a, b)`` gives the CPU seconds each group used between two snapshots.

Groups:

- ``server``: the ``streamlit run`` process and its children;
- ``chromium``: every Chromium process started by Playwright's node driver (browser,
  GPU/utility, zygotes and every renderer), found as the driver's descendants;
- ``driver``: Playwright's node driver process(es) themselves;
- ``harness``: this Python process (all its threads);
- ``machine``: all CPUs busy (``/proc/stat``: everything but idle and iowait), so
  ``machine - the groups above`` is what the rest of the box used (other users' jobs).

A process that exits between two snapshots is still counted when its parent reaps it
(its time moves to the parent's ``cutime``/``cstime``, which are summed too): a
closed Chromium renderer is reaped by the zygote, which is in the tree.
"""

from __future__ import annotations

import os

HZ = os.sysconf("SC_CLK_TCK")
GROUPS = ("server", "chromium", "driver", "harness")


def _read_stat(pid: int) -> tuple[int, str, float] | None:
    """(ppid, comm, own + reaped-children CPU seconds) of ``pid``, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            raw = fh.read()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1:raw.rindex(")")]
    f = raw.rsplit(")", 1)[1].split()
    # after ")": state ppid ... utime(11) stime(12) cutime(13) cstime(14)
    return int(f[1]), comm, (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / HZ


def _own_cpu(pid: int) -> float:
    """utime + stime of ``pid`` only (not its reaped children)."""
    with open(f"/proc/{pid}/stat") as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / HZ


def machine_busy_s() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat, first line)."""
    with open("/proc/stat") as fh:
        f = [int(x) for x in fh.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (f + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / HZ


def _descendants(root: int, children: dict[int, list[int]]) -> set[int]:
    out, todo = set(), [root]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out.add(p)
        todo.extend(children.get(p, ()))
    return out


def snapshot(server_pid: int | None) -> dict[str, float]:
    """CPU seconds used so far by each group (see the module doc)."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _read_stat(int(name))
            if st:
                procs[int(name)] = st
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    me = os.getpid()
    mine = _descendants(me, children)
    server = _descendants(server_pid, children) if server_pid in procs else set()
    # the driver's thread name is "node-MainThread"; the server is a Python child of ours
    drivers = {p for p in mine - server if procs[p][1].startswith("node")}
    chromium = set()
    for d in drivers:
        chromium |= _descendants(d, children) - {d}
    out = {
        "server": sum(procs[p][2] for p in server),
        "chromium": sum(procs[p][2] for p in chromium),
        # the driver's own time; its reaped children (none while the browser runs) too
        "driver": sum(procs[p][2] for p in drivers),
        "harness": _own_cpu(me),
        "machine": machine_busy_s(),
    }
    return out


def diff(before: dict[str, float], after: dict[str, float], wall_s: float) -> dict:
    """CPU seconds per group between two snapshots, and as a share of one core over ``wall_s``."""
    used = {k: max(0.0, after[k] - before[k]) for k in before}
    used["other"] = max(0.0, used["machine"] - sum(used[g] for g in GROUPS))
    return {
        "wall_s": wall_s,
        "cpu_s": {k: round(v, 2) for k, v in used.items()},
        "cores": {k: round(v / wall_s, 3) for k, v in used.items()} if wall_s > 0 else {},
        "cpus": os.cpu_count(),
    }


def fmt(d: dict) -> str:
    """One line: 'server 12.3 s (0.10 core), chromium ...'."""
    parts = [f"{k} {d['cpu_s'][k]:.1f} s ({d['cores'][k]:.2f})" for k in (*GROUPS, "other", "machine")
             if k in d["cpu_s"]]
    return ", ".join(parts)
