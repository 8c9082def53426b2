"""The benchmark suite runs end to end at a tiny size (1,500 members, 200 import rows): one table, results.json, every measure with its peer and limit.

Timings are never asserted (they depend on the machine); only that each measure was taken. The suite builds its own
SQLite database in a temporary folder, so this test needs no test database (about a minute on 2 cores).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEASURES = {
    "roster import": {"ours", "peer", "limit"},
    "search: name": {"ours", "peer", "limit"},
    "search: full pinyin": {"ours", "peer", "limit"},
    "search: initials": {"ours", "peer", "limit"},
    "search: phone suffix": {"ours", "peer", "limit"},
    "search: ID suffix": {"ours", "peer", "limit"},
    "member list over HTTP": {"ours", "limit"},
    "dashboard over HTTP": {"ours", "limit"},
    "plan a year of visits": {"ours", "limit"},
    "daily incremental plan": {"ours"},
    "annual summary: centre": {"ours"},
    "annual summary: province": {"ours"},
    "annual summary: roll-ups": {"ours"},
}


def test_bench_runs_every_measure_at_a_tiny_size(tmp_path):
    out = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--members", "1500", "--import-rows", "200", "--repeats", "1",
         "--search-repeats", "1", "--duration", "1", "--clients", "20", "--data-dir", str(tmp_path / "var"), "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "measure" in proc.stdout and "ours/this" in proc.stdout
    results = json.loads(out.read_text())
    found = {}
    for row in results["rows"]:
        found.setdefault(row["measure"], set()).add(row["variant"].split(":")[0])
        assert row["median"] is not None and row["p95"] is not None and row["peak_mb"] > 0, row
        assert row["measure"] in proc.stdout
    assert found == MEASURES
    assert results["meta"]["members"] == 1500 and results["meta"]["db"] == "sqlite"
    assert results["table"].splitlines()[1].startswith("measure")
