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
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import gunicorn_site as site
from bench import people
from portal.extensions import db
from tests.conftest import test_config

PASSWORD, TARGET_RATIO = "Bench-Speedtest-Password-5", 0.8
MB, READ_SIZE = 1024 * 1024, 64 * 1024
STATIC_DIR = "static"
STATIC_ROUTE = '''
from flask import send_from_directory

from portal.auth.permissions import public


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


# --- HTTP -----------------------------------------------------------------------------------

def download(port: int, path: str, headers: dict, expected: int) -> int:
    """One full download, read in READ_SIZE pieces and thrown away; the bytes read."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"User-Agent": site.USER_AGENT, **headers})
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
        site.write_site(tmp, config, STATIC_ROUTE, ", plus one public route sending a static file",
                        static_dir=str(tmp / STATIC_DIR))

        port, log_path = site.free_port(), tmp / "gunicorn.log"
        with open(log_path, "wb") as log:
            server = site.start(tmp, port, log, args.workers)
            try:
                site.wait_until_up(server, port, log_path)
                path = (f"/me/readiness/applications/{application_id}/speed/down"
                        f"?mb={args.megabytes}")
                status = site.request(port, "GET", path)[0]
                if status == 200:  # the access check is part of what is measured
                    raise SystemExit("the endpoint answered 200 without signing in")
                cookie = site.log_in(port, PASSWORD)
                endpoint = Target("endpoint", port, path, {"Cookie": cookie}, size)
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
                site.stop(server)
        if server.returncode not in (0, -15):
            print(f"gunicorn exited with {server.returncode}:\n{site.tail(log_path)}")

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
