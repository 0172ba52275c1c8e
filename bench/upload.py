"""Does a recording upload stay in bounded memory, and keep up with a plain file copy?

    python bench/upload.py [--megabytes 300] [--part-mb 4]

A candidate's one-way interview answer arrives in parts while it is recorded
(portal/recordings/upload_views.py, uploads.py): each part is PUT with its SHA-256 and streamed
to storage, and completing the take joins the parts, streaming, into one stored file whose
checksum must match. A take may be up to 500 MB of video, and a gunicorn sync worker handles one
request at a time, so the worker's memory must not grow with the file's size (or with the
part's: each part goes through in storage.CHUNK pieces), and the upload should not cost much
more time than writing the same bytes does. So in one run, with one file of `--megabytes` MB
(1 MB = 1 MiB) of random bytes written once into a temp dir:
- upload: the portal under gunicorn with ONE sync worker on a free port of 127.0.0.1 (the
  database a SQLite file and the storage a local folder in the temp dir, built by the
  migrations and seeded in-process before gunicorn starts: a manager's opening with the
  `video_interview` step and a candidate who applied to it). The candidate signs in over HTTP,
  starts a take of prompt `q1` (video/webm), PUTs the file in `--part-mb` MB parts read from the
  file (each hashed by the client, the whole file's SHA-256 computed along the way) over one
  http.client connection (gunicorn's sync worker closes it after each answer, http.client opens
  it again), and completes the take. Completion joins the parts into the take's file, checks the
  checksum, and runs the `media` job inline in the same request (no REDIS_URL): the job deletes
  the parts, copies the file to a temp folder and asks ffprobe about it. Random bytes are not
  media, so ffprobe refuses them at once and the take is marked failed: the bench measures the
  upload and the join, not ffmpeg (a real recording would also be remuxed and measured). The
  answer's status must be "failed" or "ready", and the stored file's size (read from the
  database once gunicorn has stopped) must be the file's.
- copy: the same file copied to another file in the same temp dir (shutil.copyfileobj, 1 MB
  chunks, then fsync), timed just before the upload: the ceiling is writing the bytes once.
Throughput: upload = MB / (first PUT to the end of the complete request); copy = MB / its time.
Memory: a thread samples the worker's VmRSS (/proc/<pid>/status; the worker is the gunicorn
master's child) every 50 ms from just before the first PUT to the end of the completion; the
growth is the peak minus the RSS just before the first PUT (after the login and a warm-up
request). VmHWM (the worker's lifetime peak) is shown too.
Targets: upload/copy throughput >= 0.5, RSS growth <= 64 MB. The last line is machine-readable.
"""
# ruff: noqa: E402  (the repository root goes on sys.path before the project is imported)

import argparse
import hashlib
import http.client
import json
import os
import shutil
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
from portal import create_app
from portal.extensions import db
from portal.recordings.models import FAILED, READY, Take
from tests.conftest import test_config

PASSWORD = "Bench-Upload-Password-8"
TARGET_RATIO, TARGET_GROWTH_MB = 0.5, 64
MB = 1024 * 1024
STEP, PROMPT, MIME_TYPE = "video_interview", "q1", "video/webm;codecs=vp8,opus"
USER_AGENT = "bench-upload/1"  # one User-Agent throughout: "strong" session protection
CONFIG_FILE, WSGI_NAME = "bench_upload_config.json", "bench_upload_wsgi"
SAMPLE_SECONDS = 0.05
WSGI_MODULE = '''\
"""The portal with the bench's config."""

import json
import sys
from pathlib import Path

SETTINGS = json.loads(Path(__file__).with_name({config_file!r}).read_text())
sys.path.insert(0, SETTINGS["root"])

from portal import create_app

app = create_app(SETTINGS["config"])
'''


# --- the server -----------------------------------------------------------------------------

def seed(config: dict) -> int:
    """Build the schema and the data the upload needs; the application's id."""
    app = people.fresh_portal(config)
    with app.app_context():
        application_id = people.candidate_applied([STEP], PASSWORD)
        db.engine.dispose()  # gunicorn's worker opens its own connections
    return application_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(tmp: Path, port: int, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "--timeout", "300",
               "-b", f"127.0.0.1:{port}", "--chdir", str(tmp), f"{WSGI_NAME}:app"]
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
        server.terminate()  # the master stops its worker gracefully
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def worker_pid(master: int) -> int:
    """The gunicorn master's one child: the worker."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if len(children) == 1:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit(f"gunicorn's master {master} does not have exactly one worker")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (Linux /proc)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


class RssSampler(threading.Thread):
    """Samples a process's VmRSS every SAMPLE_SECONDS until stopped; the peak per phase."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.phase = pid, "parts"
        self.peaks: dict[str, int] = {}
        self.samples, self.error = 0, None
        self._stopped = threading.Event()

    def run(self) -> None:
        while True:
            try:
                rss = memory_kb(self.pid)["VmRSS"]
            except (OSError, KeyError, ValueError) as error:  # the worker went away
                self.error = error
                return
            self.samples += 1
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), rss)
            if self._stopped.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> None:
        self._stopped.set()
        self.join()


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


def call(conn: http.client.HTTPConnection, method: str, path: str, cookie: str,
         body: bytes | None = None, content_type: str | None = None,
         headers: dict | None = None, expect: int = 200) -> dict:
    """One request on `conn`; its JSON answer, or SystemExit when the status is not `expect`."""
    sent = {"User-Agent": USER_AGENT, "Cookie": cookie, **(headers or {})}
    if content_type:
        sent["Content-Type"] = content_type
    conn.request(method, path, body=body, headers=sent)
    response = conn.getresponse()
    answer = response.read()
    if response.status != expect:
        raise SystemExit(f"{method} {path} answered {response.status} ({expect} expected): "
                         f"{answer[:300]!r}")
    return json.loads(answer)


# --- the bytes ------------------------------------------------------------------------------

def make_file(path: Path, size: int) -> None:
    """`size` random bytes, written a MB at a time and on disk before anything is timed."""
    with open(path, "wb") as out:
        for offset in range(0, size, MB):
            out.write(os.urandom(min(MB, size - offset)))
        out.flush()
        os.fsync(out.fileno())


def timed_copy(source: Path, target: Path) -> float:
    """Seconds to copy `source` to `target` in 1 MB chunks, fsync included."""
    started = time.perf_counter()
    with open(source, "rb") as data, open(target, "wb") as out:
        shutil.copyfileobj(data, out, MB)
        out.flush()
        os.fsync(out.fileno())
    return time.perf_counter() - started


class Upload:
    """The take's upload, timed: the parts, then the completion."""

    def __init__(self, port: int, cookie: str, application_id: int):
        self.port, self.cookie, self.application_id = port, cookie, application_id
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.take_id: int | None = None
        self.answer: dict = {}
        self.parts_seconds = self.complete_seconds = 0.0
        self.parts = 0
        self.cpu: dict[str, float] = {}

    def start(self) -> None:
        path = f"/me/recordings/applications/{self.application_id}/{STEP}/{PROMPT}/takes"
        take = call(self.conn, "POST", path, self.cookie, json.dumps({"mime_type": MIME_TYPE}),
                    "application/json", expect=201)
        self.take_id = take["id"]
        # Warm-up: one more request through the take's views before memory is measured.
        call(self.conn, "GET", f"/me/recordings/takes/{self.take_id}", self.cookie)

    def send(self, source: Path, part_size: int, worker: int, sampler: RssSampler) -> None:
        whole = hashlib.sha256()
        worker_before, client_before = cpu_seconds(worker), time.process_time()
        started = time.perf_counter()
        with open(source, "rb") as data:
            while part := data.read(part_size):
                whole.update(part)
                call(self.conn, "PUT", f"/me/recordings/takes/{self.take_id}/parts/{self.parts}",
                     self.cookie, part, "application/octet-stream",
                     {"X-Part-SHA256": hashlib.sha256(part).hexdigest()})
                self.parts += 1
        parts_done = time.perf_counter()
        worker_parts, client_parts = cpu_seconds(worker), time.process_time()
        sampler.phase = "complete"
        self.answer = call(self.conn, "POST", f"/me/recordings/takes/{self.take_id}/complete",
                           self.cookie,
                           json.dumps({"parts": self.parts, "sha256": whole.hexdigest()}),
                           "application/json", expect=202)
        finished = time.perf_counter()
        worker_done = cpu_seconds(worker)
        self.parts_seconds, self.complete_seconds = parts_done - started, finished - parts_done
        self.cpu = {"worker_parts": worker_parts - worker_before,
                    "worker_complete": worker_done - worker_parts,
                    "client_parts": client_parts - client_before}
        self.conn.close()

    @property
    def seconds(self) -> float:
        return self.parts_seconds + self.complete_seconds


def stored_take(config: dict, take_id: int) -> dict:
    """What the database says of the take once gunicorn has stopped."""
    app = create_app(config)
    with app.app_context():
        take = db.session.get(Take, take_id)
        stored = take.upload_file
        result = {"status": take.status, "failure": take.failure,
                  "stored_size": stored.size if stored else None, "job_seconds": None}
        if take.uploaded_at and take.processed_at:
            result["job_seconds"] = (take.processed_at - take.uploaded_at).total_seconds()
        db.engine.dispose()
    return result


# --- report ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=300,
                        help="size of the recording, 1-500 (a video take's limit)")
    parser.add_argument("--part-mb", type=int, default=4,
                        help="size of a part, 1-8 (RECORDING_PART_MB)")
    args = parser.parse_args()
    if not 1 <= args.megabytes <= 500:
        parser.error("--megabytes must be 1 to 500 (a video take's limit)")
    if not 1 <= args.part_mb <= 8:
        parser.error("--part-mb must be 1 to 8 (RECORDING_PART_MB)")
    size, part_size = args.megabytes * MB, args.part_mb * MB

    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp_name:
        tmp = Path(tmp_name)
        config = test_config(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'bench.db'}",
                             STORAGE_LOCAL_ROOT=str(tmp / "files"), RATELIMIT_ENABLED=False)
        application_id = seed(config)
        (tmp / CONFIG_FILE).write_text(json.dumps({"root": str(ROOT), "config": config}))
        (tmp / f"{WSGI_NAME}.py").write_text(WSGI_MODULE.format(config_file=CONFIG_FILE))
        source = tmp / "recording.bin"
        make_file(source, size)

        copies = [timed_copy(source, tmp / "copy.bin")]  # before the upload, and after it
        (tmp / "copy.bin").unlink()

        port, log_path = free_port(), tmp / "gunicorn.log"
        with open(log_path, "wb") as log:
            server = start_gunicorn(tmp, port, log)
            try:
                wait_until_up(server, port, log_path)
                worker = worker_pid(server.pid)
                upload = Upload(port, log_in(port), application_id)
                upload.start()
                before = memory_kb(worker)
                sampler = RssSampler(worker)
                sampler.start()
                try:
                    upload.send(source, part_size, worker, sampler)
                finally:
                    sampler.stop()
                after = memory_kb(worker)
            finally:
                stop(server)
        if server.returncode not in (0, -15):
            print(f"gunicorn exited with {server.returncode}:\n{tail(log_path)}")
        if sampler.error is not None:
            raise SystemExit(f"could not read the worker's memory: {sampler.error}")
        stored = stored_take(config, upload.take_id)
        copies.append(timed_copy(source, tmp / "copy.bin"))

    answer = upload.answer
    print(f"gunicorn 1 sync worker, {args.megabytes} MB in {upload.parts} parts of "
          f"{args.part_mb} MB, {os.cpu_count()} CPUs")
    print(f"take {upload.take_id}: answer status {answer.get('status')!r}, size "
          f"{answer.get('size')}, failure {answer.get('failure')!r}")
    print(f"database: status {stored['status']!r}, stored file {stored['stored_size']} bytes "
          f"(expected {size})")
    problems = []
    if answer.get("status") not in (FAILED, READY):
        problems.append(f"the completed take is {answer.get('status')!r}, not failed or ready")
    if stored["stored_size"] != size:
        problems.append(f"the stored file has {stored['stored_size']} bytes, not {size}")

    upload_mb_s = args.megabytes / upload.seconds
    copy_seconds = statistics.mean(copies)
    copy_mb_s = args.megabytes / copy_seconds
    ratio = upload_mb_s / copy_mb_s
    print(f"{'':<22} {'seconds':>8} {'MB/s':>8}")
    for label, seconds in zip(("copy before", "copy after"), copies, strict=True):
        print(f"{label:<22} {seconds:>8.2f} {args.megabytes / seconds:>8.0f}")
    print(f"{'copy (mean)':<22} {copy_seconds:>8.2f} {copy_mb_s:>8.0f}")
    print(f"{'upload: parts':<22} {upload.parts_seconds:>8.2f} "
          f"{args.megabytes / upload.parts_seconds:>8.0f}")
    print(f"{'upload: complete':<22} {upload.complete_seconds:>8.2f}")
    if stored["job_seconds"] is not None:
        print(f"{'  of which media job':<22} {stored['job_seconds']:>8.2f}   "
              "(the take's uploaded_at to processed_at)")
    print(f"{'upload: all':<22} {upload.seconds:>8.2f} {upload_mb_s:>8.0f}")
    cpu = upload.cpu
    print(f"CPU seconds: worker {cpu['worker_parts']:.2f} for the parts, "
          f"{cpu['worker_complete']:.2f} for the completion (ffprobe not counted); "
          f"client {cpu['client_parts']:.2f} for the parts")

    base_mb = before["VmRSS"] / 1024
    peaks = {phase: kb / 1024 for phase, kb in sampler.peaks.items()}
    peak_mb = max(peaks.values(), default=base_mb)
    growth = max(0.0, peak_mb - base_mb)
    print(f"worker RSS: {base_mb:.1f} MB before the first part; peak "
          + ", ".join(f"{phase} {mb:.1f} MB" for phase, mb in peaks.items())
          + f"; {after['VmRSS'] / 1024:.1f} MB after ({sampler.samples} samples)")
    print(f"worker VmHWM: {before['VmHWM'] / 1024:.1f} MB before, "
          f"{after['VmHWM'] / 1024:.1f} MB after")
    print(f"targets: upload/copy >= {TARGET_RATIO}, RSS growth <= {TARGET_GROWTH_MB} MB")
    if ratio < TARGET_RATIO:
        print(f"below target: upload/copy {ratio:.2f} < {TARGET_RATIO}")
    if growth > TARGET_GROWTH_MB:
        print(f"below target: RSS growth {growth:.1f} MB > {TARGET_GROWTH_MB} MB")
    for problem in problems:
        print(f"problem: {problem}")
    print(f"RESULT name=upload ratio={ratio:.2f} rss_growth_mb={growth:.1f} "
          f"upload_mb_s={upload_mb_s:.1f} copy_mb_s={copy_mb_s:.1f} megabytes={args.megabytes} "
          f"part_mb={args.part_mb} parts={upload.parts} status={answer.get('status')} "
          f"stored_ok={stored['stored_size'] == size} target_ratio={TARGET_RATIO} "
          f"target_rss_growth_mb={TARGET_GROWTH_MB}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
