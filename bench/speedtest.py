"""Does the readiness download endpoint keep up with a static file under gunicorn?

    python bench/speedtest.py [--workers 4] [--clients 4] [--downloads 10] [--rounds 7]
                              [--megabytes 25]

The computer check measures a candidate's connection against
`GET /me/readiness/applications/<id>/speed/down?mb=N` (assessments/readiness/speed_views.py):
whatever the server loses on the way is taken off the candidate's measured speed, so the
endpoint must stay fast when served the way production serves it, by gunicorn with several
workers. Its ceiling is the same number of bytes sent by the same server as a plain file, so in
one run, on one gunicorn server (`--workers` sync workers on a free port of 127.0.0.1):
- endpoint: the portal's download view, asked for `--megabytes` MB (1 MB = 1 MiB, as the
  endpoint's `mb`) by a signed-in candidate whose application's opening has the
  `desktop_readiness` step (so every request does the view's access check and its one read);
- static: one extra public route, `/bench-static/<name>`, added to the same app by the WSGI
  module written into the temp dir, sending a file of random bytes of exactly the same size
  with `flask.send_file(..., conditional=False)` (gunicorn hands it to sendfile()). It is asked
  for without the session cookie: the ceiling is the bytes with nothing around them.
The database is a SQLite file in a temp dir, built by the migrations and seeded in-process
(a manager, a candidate, an opening with the step, an application) before gunicorn starts.
Flask-Limiter is switched off (RATELIMIT_ENABLED=False): the bench measures throughput, not the
limiter (600 requests a minute per candidate), and the tests' config has it off too. Flask-Login
protects the session "strong", so every request goes out with the same User-Agent, from
127.0.0.1.

A round runs `--clients` threads at once, each downloading the full response `--downloads`
times over its own connection (gunicorn's sync workers close it after each answer), reading
the body in 64 KiB pieces and throwing them away; throughput = all bytes / the round's wall
time. The clients run on the same machine as the server, in this process, alike for both.
Rounds alternate endpoint and static (the order alternating too) after one untimed warm-up
round of each; the median round counts. Each round also notes the CPU time it cost this process
(the clients) and gunicorn's workers (from /proc, where there is one), per GB moved: on one
machine the clients share the CPUs with the server, so where the time goes tells what limits
the throughput.
Target: endpoint/static throughput >= 0.8. The last line is machine-readable.
"""
# ruff: noqa: E402  (the repository root goes on sys.path before the project is imported)

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import people
from portal.extensions import db
from tests.conftest import test_config

PASSWORD, TARGET_RATIO = "Bench-Speedtest-Password-5", 0.8
MB, READ_SIZE = 1024 * 1024, 64 * 1024
USER_AGENT = "bench-speedtest/1"  # one User-Agent throughout: "strong" session protection
CONFIG_FILE, STATIC_DIR = "bench_speedtest_config.json", "static"
WSGI_MODULE = '''\
"""The portal with the bench's config, plus one public route sending a static file."""

import json
import sys
from pathlib import Path

SETTINGS = json.loads(Path(__file__).with_name({config_file!r}).read_text())
sys.path.insert(0, SETTINGS["root"])

from flask import send_from_directory

from portal import create_app
from portal.auth.permissions import public

app = create_app(SETTINGS["config"])


@app.get("/bench-static/<name>")
@public
def bench_static(name):
    return send_from_directory(SETTINGS["static_dir"], name, conditional=False, max_age=0)
'''


# --- the server -----------------------------------------------------------------------------

def seed(config: dict) -> int:
    """Build the schema and the data the endpoint needs; the application's id."""
    app = people.fresh_portal(config)
    with app.app_context():
        application_id = people.candidate_applied(["desktop_readiness"], PASSWORD)
        db.engine.dispose()  # gunicorn's workers open their own connections
    return application_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(tmp: Path, workers: int, port: int, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--chdir", str(tmp), "--timeout", "120", "bench_speedtest_wsgi:app"]
    return subprocess.Popen(command, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}):\n{tail(log_path)}")
        try:
            status, _, _ = request(port, "GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{tail(log_path)}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # the master stops its workers gracefully
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- HTTP -----------------------------------------------------------------------------------

def request(port: int, method: str, path: str, body: str | None = None,
            headers: dict | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body,
                     headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def log_in(port: int) -> str:
    """The candidate's cookies, as one Cookie header."""
    form = urlencode({"email": people.CANDIDATE_EMAIL, "password": PASSWORD})
    status, headers, _ = request(port, "POST", "/login", form,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
    if status != 302 or not any(c.startswith("session=") for c in cookies):
        raise SystemExit(f"candidate login answered {status} without a session cookie")
    return "; ".join(cookies)


def download(port: int, path: str, headers: dict, expected: int) -> int:
    """One full download, read in READ_SIZE pieces and thrown away; the bytes read."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"User-Agent": USER_AGENT, **headers})
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        length = int(response.headers.get("Content-Length", -1))
        received = 0
        while piece := response.read(READ_SIZE):
            received += len(piece)
        if received != expected or length != expected:
            raise RuntimeError(f"GET {path}: {received} bytes read, Content-Length {length}, "
                               f"{expected} expected")
        return received
    finally:
        conn.close()


class Target:
    def __init__(self, label: str, port: int, path: str, headers: dict, expected: int):
        self.label, self.port, self.path = label, port, path
        self.headers, self.expected = headers, expected
        self.rates: list[float] = []  # MB/s per timed round
        self.cpu: list[tuple[float, float | None]] = []  # (clients, workers) s/GB per round

    def run_round(self, clients: int, downloads: int, server: int) -> float:
        """`clients` threads at once, `downloads` each; MB/s over the round's wall time."""
        start = threading.Barrier(clients + 1)
        totals, errors = [0] * clients, []

        def client(number: int) -> None:
            start.wait()
            try:
                for _ in range(downloads):
                    totals[number] += download(self.port, self.path, self.headers,
                                               self.expected)
            except Exception as error:  # reported by the main thread
                errors.append(error)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        workers_before, clients_before = workers_cpu(server), time.process_time()
        start.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        clients_cpu, workers_after = time.process_time() - clients_before, workers_cpu(server)
        if errors:
            raise SystemExit(f"{self.label}: {errors[0]}")
        gigabytes = sum(totals) / 1024**3
        self.cpu.append((clients_cpu / gigabytes, None if workers_after is None
                         else (workers_after - workers_before) / gigabytes))
        return sum(totals) / MB / elapsed

    @property
    def mb_s(self) -> float:
        return statistics.median(self.rates)

    def cpu_per_gb(self) -> str:
        clients = statistics.median(c for c, _ in self.cpu)
        workers = [w for _, w in self.cpu if w is not None]
        server = f"{statistics.median(workers):.2f} s" if workers else "unknown"
        return f"clients {clients:.2f} s, workers {server}"


def workers_cpu(master: int) -> float | None:
    """CPU seconds used so far by the gunicorn master's children (Linux /proc), else None."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total
    except (OSError, ValueError, IndexError):
        return None


# --- report ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=4, help="concurrent downloads")
    parser.add_argument("--downloads", type=int, default=10,
                        help="full downloads per client per round")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (median counts)")
    parser.add_argument("--megabytes", type=int, default=25, help="size of one download, 1-100")
    args = parser.parse_args()
    if not 1 <= args.megabytes <= 100:
        parser.error("--megabytes must be 1 to 100 (the endpoint's range)")
    size = args.megabytes * MB

    with tempfile.TemporaryDirectory(prefix="bench-speedtest-") as tmp_name:
        tmp = Path(tmp_name)
        config = test_config(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'bench.db'}",
                             RATELIMIT_ENABLED=False)
        application_id = seed(config)
        (tmp / STATIC_DIR).mkdir()
        static_name = f"random-{args.megabytes}mb.bin"
        (tmp / STATIC_DIR / static_name).write_bytes(os.urandom(size))
        (tmp / CONFIG_FILE).write_text(json.dumps(
            {"root": str(ROOT), "config": config, "static_dir": str(tmp / STATIC_DIR)}))
        (tmp / "bench_speedtest_wsgi.py").write_text(WSGI_MODULE.format(config_file=CONFIG_FILE))

        port, log_path = free_port(), tmp / "gunicorn.log"
        with open(log_path, "wb") as log:
            server = start_gunicorn(tmp, args.workers, port, log)
            try:
                wait_until_up(server, port, log_path)
                path = (f"/me/readiness/applications/{application_id}/speed/down"
                        f"?mb={args.megabytes}")
                status = request(port, "GET", path)[0]
                if status == 200:  # the access check is part of what is measured
                    raise SystemExit("the endpoint answered 200 without signing in")
                endpoint = Target("endpoint", port, path, {"Cookie": log_in(port)}, size)
                static = Target("static", port, f"/bench-static/{static_name}", {}, size)
                for target in (endpoint, static):  # warm-up: every worker, the page cache
                    target.run_round(args.clients, 1, server.pid)
                    target.cpu.clear()
                for number in range(args.rounds):
                    # The order alternates, so a burst of background load hits both alike.
                    for target in (endpoint, static) if number % 2 == 0 else (static, endpoint):
                        target.rates.append(
                            target.run_round(args.clients, args.downloads, server.pid))
            finally:
                stop(server)
        if server.returncode not in (0, -15):
            print(f"gunicorn exited with {server.returncode}:\n{tail(log_path)}")

    print(f"gunicorn {args.workers} sync workers, {args.clients} clients x {args.downloads} "
          f"downloads of {args.megabytes} MB per round, {args.rounds} rounds, "
          f"{os.cpu_count()} CPUs")
    print(f"{'round':<6} {'endpoint MB/s':>14} {'static MB/s':>12} {'ratio':>6}")
    for number, (mine, ceiling) in enumerate(zip(endpoint.rates, static.rates, strict=True), 1):
        print(f"{number:<6} {mine:>14.0f} {ceiling:>12.0f} {mine / ceiling:>6.2f}")
    ratio = endpoint.mb_s / static.mb_s
    print(f"{'median':<6} {endpoint.mb_s:>14.0f} {static.mb_s:>12.0f} {ratio:>6.2f}")
    print("CPU per GB moved (median round):")
    for target in (endpoint, static):
        print(f"  {target.label:<8} {target.cpu_per_gb()}")
    print(f"target: endpoint/static >= {TARGET_RATIO}")
    if ratio < TARGET_RATIO:
        print(f"below target ({ratio:.2f} < {TARGET_RATIO})")
    print(f"RESULT name=speedtest ratio={ratio:.2f} endpoint_mb_s={endpoint.mb_s:.1f} "
          f"static_mb_s={static.mb_s:.1f} workers={args.workers} clients={args.clients} "
          f"downloads={args.downloads} megabytes={args.megabytes} rounds={args.rounds} "
          f"target={TARGET_RATIO}")


if __name__ == "__main__":
    main()
