"""Laogan's benchmark suite: `make bench` (or `python bench/run.py --help`).

Builds (once, under bench/var/) a synthetic province with seed_scale, then runs each group of measures in its own
process — roster import (ours / django-import-export / calamine + bulk_create), member search (ours / Django admin /
bare SQL), pages over HTTP (gunicorn + wrk), visit planning, the annual summary — and prints ONE table of medians and
95th percentiles over repeated runs, peak memory and the ratios ours/peer and ours/limit of the same run, and writes
it all to bench/results.json. Absolute times drift on a shared machine; the ratios are what to compare.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where its modules would shadow others; the root goes there.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)
sys.path.insert(0, str(ROOT))

GROUPS = ["import.ours", "import.peer", "import.limit", "search", "planning", "summary", "http"]


def parse(argv):
    p = argparse.ArgumentParser(description="Run Laogan's benchmark suite and print one table.")
    p.add_argument("--members", type=int, default=100_000, help="members in the synthetic province (default 100000)")
    p.add_argument("--centres", type=int, default=None, help="centres (default: one per 2,000 members)")
    p.add_argument("--years", type=float, default=2, help="years of visits and requests seeded (default 2)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/laogan_bench"),
                   help="PostgreSQL server and database for --db postgres (the database is created when missing)")
    p.add_argument("--import-rows", type=int, default=100_000, help="rows of the roster file (default 100000)")
    p.add_argument("--repeats", type=int, default=5, help="repetitions of each timed measure (default 5)")
    p.add_argument("--peer-repeats", type=int, default=0, help="repetitions of the slow peers (default: as --repeats)")
    p.add_argument("--search-repeats", type=int, default=20, help="repetitions of each search (default 20)")
    p.add_argument("--clients", type=int, default=20, help="concurrent HTTP clients (default 20)")
    p.add_argument("--duration", type=int, default=10, help="seconds of HTTP load per page (default 10)")
    p.add_argument("--only", default="", help="comma-separated groups to run: " + ", ".join(GROUPS))
    p.add_argument("--data-dir", default="", help="where the database and files live (default bench/var/<db>-<members>)")
    p.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    return p.parse_args(argv)


def main(argv=None):
    opts = parse(argv)
    data_dir = Path(opts.data_dir or ROOT / "bench" / "var" / f"{opts.db}-{opts.members}-s{opts.seed}")
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _environment(opts, data_dir)
    os.environ.update(env)
    if opts.db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    load_before = os.getloadavg()
    started = time.monotonic()

    import django

    django.setup()
    from bench import prepare
    from django.core.management import call_command

    print(f"preparing {opts.members} members on {opts.db} in {data_dir} …", flush=True)
    bureau = prepare.province(opts.members, opts.seed, opts.years)
    roster = prepare.roster_file(data_dir, opts.import_rows, opts.seed)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.db import connections

    connections.close_all()
    prepared = time.monotonic() - started

    worker_opts = {"repeats": opts.repeats, "peer_repeats": opts.peer_repeats, "search_repeats": opts.search_repeats,
                   "clients": opts.clients, "duration": opts.duration, "import_rows": opts.import_rows,
                   "roster": str(roster), "bureau": bureau}
    groups = [g for g in GROUPS if not opts.only or g in opts.only.split(",") or g.split(".")[0] in opts.only.split(",")]
    rows, group_seconds = [], {}
    for group in groups:
        print(f"running {group} …", flush=True)
        began = time.monotonic()
        rows += _run_group(group, worker_opts, env)
        group_seconds[group] = round(time.monotonic() - began, 1)
    for row in rows:
        _summarise(row)
    _ratios(rows)
    meta = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "db": opts.db, "members": opts.members,
        "import_rows": opts.import_rows, "repeats": opts.repeats, "clients": opts.clients, "duration_s": opts.duration,
        "seed": opts.seed, "years": opts.years, "cpus": os.cpu_count(), "python": platform.python_version(),
        "django": django.get_version(), "machine": platform.platform(), "prepare_s": round(prepared, 1),
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
        "total_s": round(time.monotonic() - started, 1), "group_s": group_seconds,
    }
    table = render(rows, meta)
    print(table)
    Path(opts.out).write_text(json.dumps({"meta": meta, "rows": rows, "table": table}, ensure_ascii=False, indent=1))
    print(f"wrote {opts.out}")
    return 0


def _environment(opts, data_dir):
    env = {"DJANGO_SETTINGS_MODULE": "bench.settings", "LAOGAN_DATA_DIR": str(data_dir), "LAOGAN_LOG_LEVEL": "WARNING",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    if opts.db == "postgres":
        _ensure_pg_database(opts.pg_url)
        env["DATABASE_URL"] = opts.pg_url
    return env


def _ensure_pg_database(url):
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _run_group(group, worker_opts, env):
    proc = subprocess.run([sys.executable, "-m", "bench.worker", group, json.dumps(worker_opts)], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True)
    line = next((line for line in proc.stdout.splitlines() if line.startswith("BENCH-ROWS ")), None)
    if proc.returncode != 0 or line is None:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
        raise SystemExit(f"bench group {group} failed (exit {proc.returncode})")
    return json.loads(line[len("BENCH-ROWS "):])


def _p95(values):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _summarise(row):
    if "times" in row:
        row["median"] = statistics.median(row["times"])
        row["p95"] = _p95(row["times"])
        row["runs"] = len(row["times"])
    row["met"] = None if row.get("target") is None else row["p95"] <= row["target"]


def _ratios(rows):
    """Put on each peer and limit row the ratio ours/that, of medians, against the measure's first ours row."""
    ours = {}
    for row in rows:
        if row["variant"].startswith("ours") and row["measure"] not in ours:
            ours[row["measure"]] = row
    for row in rows:
        ref = ours.get(row["measure"])
        row["ours_over_this"] = None
        if ref is not None and row is not ref and not row["variant"].startswith("ours") and row["median"] > 0:
            row["ours_over_this"] = ref["median"] / row["median"]


def _ms(seconds):
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def render(rows, meta):
    head = ["measure", "variant", "size", "median", "p95", "req/s", "peak MB", "ours/this", "target (p95)", "met"]
    lines = [[r["measure"], r["variant"], r.get("size", ""), _ms(r["median"]), _ms(r["p95"]),
              f"{r['rps']:,.0f}" if r.get("rps") else "", f"{r['peak_mb']:,.0f}",
              f"{r['ours_over_this']:.2f}" if r.get("ours_over_this") is not None else "",
              _ms(r["target"]) if r.get("target") is not None else "",
              {True: "yes", False: "NO", None: ""}[r["met"]]] for r in rows]
    widths = [max(_width(x) for x in col) for col in zip(head, *lines)]
    out = [f"Laogan bench · {meta['date']} · {meta['db']} · {meta['members']} members · {meta['import_rows']} import rows · "
           f"{meta['repeats']} repeats · {meta['cpus']} CPUs · load {meta['load_before'][0]:.2f} → {meta['load_after'][0]:.2f}"]
    for cells in [head, ["-" * w for w in widths], *lines]:
        out.append("  ".join(_pad(c, w) for c, w in zip(cells, widths)))
    out.append("ours/this: median of ours ÷ median of this row (peer: <1 means ours is faster; limit: how far ours is from it).")
    return "\n".join(out)


def _width(text):
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def _pad(text, width):
    return str(text) + " " * (width - _width(text))


if __name__ == "__main__":
    sys.exit(main())
