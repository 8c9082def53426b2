"""Pages over HTTP: the production server (gunicorn, 5 workers as docs/DEPLOYMENT.md sets for 2 cores) started on
127.0.0.1 at a free port, loaded by wrk (Debian's package) with 20 concurrent connections carrying a logged-in
session; a small threaded client stands in where wrk is not installed."""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = [("member list over HTTP", "/members/", 0.1), ("dashboard over HTTP", "/", 0.1)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def static_path():
    from django.contrib.staticfiles.storage import staticfiles_storage

    return staticfiles_storage.url("laogan/app.css")


def run(opts, user, workers=5, peak_of=None):
    port = free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "laogan.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--log-level", "warning", "--graceful-timeout", "5"],
        env=env, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rows = []
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base)
        cookie = session_cookie(user)
        # The limit: a static file from the same server, same clients: what the server and the machine give at best.
        floor = _load(base + static_path(), cookie, opts["clients"], opts["duration"])
        for measure, path, target in PAGES:
            status = _get(base + path, cookie)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}, not 200, for the bench login")
            result = _load(base + path, cookie, opts["clients"], opts["duration"])
            rows.append({"measure": measure, "variant": f"ours: gunicorn ({workers} workers), {opts['clients']} clients, "
                         f"{result['tool']}", "median": result["p50_us"] / 1e6, "p95": result["p95_us"] / 1e6,
                         "rps": result["requests"] / max(result["seconds"], 1e-9), "size": f"{opts['duration']} s",
                         "target": target, "note": f"{result['requests']} requests, non-2xx {result['non_2xx']}, "
                         f"socket errors {result['socket_errors']}"})
            rows.append({"measure": measure, "variant": "limit: a static file from the same server and clients",
                         "median": floor["p50_us"] / 1e6, "p95": floor["p95_us"] / 1e6,
                         "rps": floor["requests"] / max(floor["seconds"], 1e-9), "size": f"{opts['duration']} s", "target": None})
        if peak_of:
            pids = [server.pid] + _children(server.pid)
            peak = max(peak_of(pid) for pid in pids)
            for row in rows:
                row["peak_mb"] = round(peak, 1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return rows


def _children(pid):
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait(base):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _get(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _load(url, cookie, clients, duration):
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run([wrk, "-t", "2", "-c", str(clients), "-d", f"{duration}s", "--timeout", "10s",
                              "-H", f"Cookie: {cookie}", "-s", str(HERE / "wrk_report.lua"), url],
                             capture_output=True, text=True, check=True).stdout
        line = next(line for line in reversed(out.splitlines()) if line.startswith("{"))
        return {**json.loads(line), "tool": "wrk"}
    return {**_threaded(url, cookie, clients, duration), "tool": "threaded urllib client (wrk not installed)"}


def _threaded(url, cookie, clients, duration):
    latencies, bad, errors = [], [0], [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client():
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                status = _get(url, cookie)
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
                bad[0] += status >= 300

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {"requests": len(latencies), "seconds": time.monotonic() - began, "p50_us": int(q[49] * 1e6),
            "p95_us": int(q[94] * 1e6), "p99_us": int(q[98] * 1e6), "non_2xx": bad[0], "socket_errors": errors[0]}
