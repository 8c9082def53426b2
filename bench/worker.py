"""Run one group of measures in this process and print its rows as one JSON line, with the process's peak memory.

    python -m bench.worker GROUP OPTIONS_JSON
"""

import json
import os
import sys
from pathlib import Path


def peak_mb(pid="self"):
    """Return the peak resident memory (VmHWM) of a process in MB: unlike getrusage's ru_maxrss, which Linux carries
    across exec (every worker would report the parent's peak), VmHWM starts afresh with the new program."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main():
    group, opts = sys.argv[1], json.loads(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from pathlib import Path

    from . import measures, pages

    opts["roster"] = Path(opts["roster"]) if opts.get("roster") else None
    if group in ("http", "summary"):
        from . import prepare

        prepare.planned_horizon()
    if group == "http":
        # The server's memory, not the client's: the largest gunicorn process (pages.run reads it before stopping).
        rows = pages.run(opts, measures.bench_login_user(), peak_of=peak_mb)
    else:
        rows = {"import.ours": measures.import_ours, "import.peer": measures.import_peer, "import.limit": measures.import_limit,
                "search": measures.search, "planning": measures.planning, "summary": measures.summary}[group](opts)
        peak = peak_mb()
        for row in rows:
            row["peak_mb"] = round(peak, 1)
    for row in rows:
        row["group"] = group
    print("BENCH-ROWS " + json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
