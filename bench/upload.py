"""Does a recording upload stay in bounded memory, and keep up with a plain file copy?

    python bench/upload.py [--megabytes 300] [--part-mb 4] [--rounds 3]

A candidate's one-way interview answer arrives in parts while it is recorded
(portal/recordings/upload_views.py, uploads.py): each part is PUT with its SHA-256 and streamed
into the take's file (a local folder), and completing the take checks the whole file's checksum
and syncs it to disk. A video take may be up to 500 MB and a gunicorn sync worker handles one
request at a time, so the worker's memory must not grow with the file's size (nor with a part's:
bytes go through in storage.CHUNK pieces both ways), and the upload should not cost much more
time than writing the same bytes does. So in one run, with one file of `--megabytes` MB (1 MB =
1 MiB) of random bytes written once into a temp dir:
- upload: the portal under gunicorn with ONE sync worker on a free port of 127.0.0.1 (the
  database a SQLite file and the storage a local folder in the temp dir, built by the migrations
  and seeded in-process before gunicorn starts: a manager's opening with the `video_interview`
  step and a candidate who applied to it). The candidate signs in over HTTP (one User-Agent
  throughout: "strong" session protection), starts a take of prompt `q1` (video/webm), PUTs the
  file in `--part-mb` MB parts read from the file over one http.client connection (gunicorn's
  sync worker closes it after each answer; http.client opens it again), and completes the take.
  The client reads and hashes the next part, and takes it into the whole file's SHA-256, in a
  thread while the server takes the current one (as a browser hashes the recorder's next piece
  while one is on its way). Completion checks the take's file's checksum, syncs it, and runs the
  `media` job inline in the same request (no REDIS_URL): the job drops the parts' rows and asks
  ffprobe about the file where it lies. Random bytes are not media, so ffprobe refuses them at
  once and the take is marked failed (a failed take does not count against the prompt's
  retakes): the bench measures the upload and the completion, not ffmpeg, which a real recording
  would also keep busy. Each completed take's answer must say "failed" or "ready", and its
  stored file's size (read from the database once gunicorn has stopped) must be the file's.
- copy: the same file copied to another file in the same temp dir (shutil.copyfileobj, 1 MB
  chunks, then fsync): the ceiling is writing the bytes once, durably.
A round is a copy, then an upload (a new take); one more copy follows the last round; the
medians count. The copy is deleted at once while each take's file stays, as the portal keeps
it: on the VM this was written on, writing blocks the virtual disk has never held is about five
times slower than rewriting blocks just freed (300 MB in 1.2-1.5 s against 0.25 s, fsync
included), so later copies may reuse what the copy before freed while every take lands on
fresh blocks; if anything this favours the copy. The per-round table shows it.
Throughput: upload = MB / (first PUT to the end of the complete request); copy = MB / its time.
Memory: a thread samples the worker's VmRSS (/proc/<pid>/status; the worker is the gunicorn
master's one child) every 50 ms from just before a take's first PUT to the end of its
completion; a take's growth is its peak minus the RSS just before its first PUT (after the
login, the take's start and one warm-up request); the worst take counts. The worker's VmHWM is
reset just before each take (/proc/<pid>/clear_refs), so its value afterwards is the exact peak,
which counts too where higher than the samples' (a peak between samples). CPU seconds of the
worker (from /proc) and of this process (the client) tell where the time goes.
Parts are at most RECORDING_PART_MB (8) MB, but under gunicorn a body of exactly that size is
refused with 413 (gunicorn sets wsgi.input_terminated, so Werkzeug bounds request.stream by
max_content_length, and its LimitedStream raises when a read is attempted once the maximum is
reached, which LocalStorage.put's read-until-empty loop does), so --part-mb stops at 7.
Targets: upload/copy throughput >= 0.5, RSS growth <= 64 MB. The last line is machine-readable.
"""
# ruff: noqa: E402  (the repository root goes on sys.path before the project is imported)

import argparse
import hashlib
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import gunicorn_site as site
from bench import people
from portal import create_app
from portal.extensions import db
from portal.recordings.models import FAILED, READY, Take
from tests.conftest import test_config

PASSWORD = "Bench-Upload-Password-8"
TARGET_RATIO, TARGET_GROWTH_MB = 0.5, 64
MB = 1024 * 1024
STEP, PROMPT, MIME_TYPE = "video_interview", "q1", "video/webm;codecs=vp8,opus"
SAMPLE_SECONDS = 0.05


# --- the server -----------------------------------------------------------------------------

def seed(config: dict) -> int:
    """Build the schema and the data the upload needs; the application's id."""
    app = people.fresh_portal(config)
    with app.app_context():
        application_id = people.candidate_applied([STEP], PASSWORD)
        db.engine.dispose()  # gunicorn's worker opens its own connections
    return application_id


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


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current RSS (Linux >= 4.0); whether that worked."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


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

def call(conn: http.client.HTTPConnection, method: str, path: str, cookie: str,
         body: bytes | None = None, content_type: str | None = None,
         headers: dict | None = None, expect: int = 200) -> dict:
    """One request on `conn`; its JSON answer, or SystemExit when the status is not `expect`."""
    sent = {"User-Agent": site.USER_AGENT, "Cookie": cookie, **(headers or {})}
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


def next_part(data, part_size: int, whole) -> tuple[bytes, str]:
    """The file's next part and its SHA-256 (b"" at the end); `whole` takes it in too."""
    part = data.read(part_size)
    whole.update(part)
    return part, hashlib.sha256(part).hexdigest()


class Upload:
    """One take uploaded and completed, timed, with the worker's memory and CPU around it."""

    def __init__(self, port: int, cookie: str, application_id: int, worker: int):
        self.cookie, self.application_id, self.worker = cookie, application_id, worker
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.take_id: int | None = None
        self.answer: dict = {}
        self.parts = 0
        self.parts_seconds = self.complete_seconds = 0.0
        self.cpu: dict[str, float] = {}
        self.before: dict[str, int] = {}
        self.after: dict[str, int] = {}
        self.sampler = RssSampler(worker)
        self.peak_reset = False

    def run(self, source: Path, part_size: int) -> "Upload":
        path = f"/me/recordings/applications/{self.application_id}/{STEP}/{PROMPT}/takes"
        take = call(self.conn, "POST", path, self.cookie, json.dumps({"mime_type": MIME_TYPE}),
                    "application/json", expect=201)
        self.take_id = take["id"]
        # Warm-up: one more request through the take's views before memory is measured.
        call(self.conn, "GET", f"/me/recordings/takes/{self.take_id}", self.cookie)
        self.peak_reset = reset_peak(self.worker)
        self.before = memory_kb(self.worker)
        self.sampler.start()
        try:
            self._send(source, part_size)
        finally:
            self.sampler.stop()
            self.conn.close()
        if self.sampler.error is not None:
            raise SystemExit(f"could not read the worker's memory: {self.sampler.error}")
        self.after = memory_kb(self.worker)
        return self

    def _send(self, source: Path, part_size: int) -> None:
        whole = hashlib.sha256()
        worker_before, client_before = cpu_seconds(self.worker), time.process_time()
        started = time.perf_counter()
        # The next part is read and hashed (hashlib lets go of the GIL) while the server takes
        # this one, as a browser hashes the recorder's next piece while one is on its way.
        with open(source, "rb") as data, ThreadPoolExecutor(1) as ahead:
            upcoming = ahead.submit(next_part, data, part_size, whole)
            while True:
                part, digest = upcoming.result()
                if not part:
                    break
                upcoming = ahead.submit(next_part, data, part_size, whole)
                call(self.conn, "PUT", f"/me/recordings/takes/{self.take_id}/parts/{self.parts}",
                     self.cookie, part, "application/octet-stream", {"X-Part-SHA256": digest})
                self.parts += 1
        parts_done = time.perf_counter()
        worker_parts, client_parts = cpu_seconds(self.worker), time.process_time()
        self.sampler.phase = "complete"
        self.answer = call(self.conn, "POST", f"/me/recordings/takes/{self.take_id}/complete",
                           self.cookie,
                           json.dumps({"parts": self.parts, "sha256": whole.hexdigest()}),
                           "application/json", expect=202)
        finished = time.perf_counter()
        self.parts_seconds, self.complete_seconds = parts_done - started, finished - parts_done
        self.cpu = {"worker_parts": worker_parts - worker_before,
                    "worker_complete": cpu_seconds(self.worker) - worker_parts,
                    "client_parts": client_parts - client_before}

    @property
    def seconds(self) -> float:
        return self.parts_seconds + self.complete_seconds

    @property
    def peak_kb(self) -> int:
        """The worker's peak RSS while this take went through: the samples' highest, or VmHWM
        where it was reset just before (it then misses no peak between samples)."""
        sampled = max(self.sampler.peaks.values())
        return max(sampled, self.after["VmHWM"]) if self.peak_reset else sampled

    @property
    def growth_mb(self) -> float:
        """The worker's peak RSS while this take went through, above its RSS just before."""
        return max(0, self.peak_kb - self.before["VmRSS"]) / 1024

    def peak_mb(self, phase: str) -> float:
        return self.sampler.peaks.get(phase, 0) / 1024


def stored_takes(config: dict, take_ids: list[int]) -> dict[int, dict]:
    """What the database says of the takes once gunicorn has stopped."""
    app = create_app(config)
    result = {}
    with app.app_context():
        for take_id in take_ids:
            take = db.session.get(Take, take_id)
            stored = take.upload_file
            job_seconds = None
            if take.uploaded_at and take.processed_at:
                job_seconds = (take.processed_at - take.uploaded_at).total_seconds()
            result[take_id] = {"status": take.status, "failure": take.failure,
                               "stored_size": stored.size if stored else None,
                               "job_seconds": job_seconds}
        db.engine.dispose()
    return result


# --- report ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=300,
                        help="size of the recording, 1-500 (a video take's limit)")
    parser.add_argument("--part-mb", type=int, default=4,
                        help="size of a part, 1-7 (below RECORDING_PART_MB, see the docstring)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="uploads, each after a copy (the medians count)")
    args = parser.parse_args()
    if not 1 <= args.megabytes <= 500:
        parser.error("--megabytes must be 1 to 500 (a video take's limit)")
    if not 1 <= args.part_mb <= 7:
        parser.error("--part-mb must be 1 to 7")
    if not 1 <= args.rounds <= 5:
        parser.error("--rounds must be 1 to 5")
    size, part_size = args.megabytes * MB, args.part_mb * MB

    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp_name:
        tmp = Path(tmp_name)
        config = test_config(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'bench.db'}",
                             STORAGE_LOCAL_ROOT=str(tmp / "files"), RATELIMIT_ENABLED=False)
        application_id = seed(config)
        site.write_site(tmp, config)
        source, copy = tmp / "recording.bin", tmp / "copy.bin"
        make_file(source, size)

        copies: list[float] = []
        uploads: list[Upload] = []
        port, log_path = site.free_port(), tmp / "gunicorn.log"
        with open(log_path, "wb") as log:
            server = site.start(tmp, port, log, 1, timeout=300)
            try:
                site.wait_until_up(server, port, log_path)
                worker = worker_pid(server.pid)
                cookie = site.log_in(port, PASSWORD)
                for _ in range(args.rounds):
                    copies.append(timed_copy(source, copy))
                    copy.unlink()  # as the media job deletes the parts (see the docstring)
                    uploads.append(Upload(port, cookie, application_id, worker)
                                   .run(source, part_size))
                copies.append(timed_copy(source, copy))  # and one after the last upload
                copy.unlink()
                if worker_pid(server.pid) != worker:
                    raise SystemExit("gunicorn's worker was replaced during the run")
            finally:
                site.stop(server)
        if server.returncode not in (0, -15):
            print(f"gunicorn exited with {server.returncode}:\n{site.tail(log_path)}")
        stored = stored_takes(config, [upload.take_id for upload in uploads])

    print(f"gunicorn 1 sync worker, {args.megabytes} MB in {uploads[0].parts} parts of "
          f"{args.part_mb} MB, {args.rounds} rounds, {os.cpu_count()} CPUs")
    problems = []
    for upload in uploads:
        answer, row = upload.answer, stored[upload.take_id]
        print(f"take {upload.take_id}: answered {answer.get('status')!r} "
              f"({answer.get('failure')}); stored file {row['stored_size']} bytes")
        if answer.get("status") not in (FAILED, READY):
            problems.append(f"take {upload.take_id} is {answer.get('status')!r} after its "
                            "completion, not failed or ready")
        if row["stored_size"] != size:
            problems.append(f"take {upload.take_id}'s file has {row['stored_size']} bytes, "
                            f"not {size}")

    print(f"{'round':<6} {'copy s':>7} {'parts s':>8} {'complete s':>11} {'(job s)':>8} "
          f"{'upload s':>9} {'ratio':>6} {'RSS growth MB':>14}")
    for number, upload in enumerate(uploads, 1):
        job = stored[upload.take_id]["job_seconds"]
        print(f"{number:<6} {copies[number - 1]:>7.2f} {upload.parts_seconds:>8.2f} "
              f"{upload.complete_seconds:>11.2f} {'' if job is None else f'{job:.2f}':>8} "
              f"{upload.seconds:>9.2f} {copies[number - 1] / upload.seconds:>6.2f} "
              f"{upload.growth_mb:>14.1f}")
    print(f"{'after':<6} {copies[-1]:>7.2f}")
    copy_seconds = statistics.median(copies)
    upload_seconds = statistics.median(upload.seconds for upload in uploads)
    upload_mb_s, copy_mb_s = args.megabytes / upload_seconds, args.megabytes / copy_seconds
    ratio = upload_mb_s / copy_mb_s
    print(f"median: copy {copy_seconds:.2f} s = {copy_mb_s:.0f} MB/s, upload {upload_seconds:.2f}"
          f" s = {upload_mb_s:.0f} MB/s (parts "
          f"{statistics.median(upload.parts_seconds for upload in uploads):.2f} s, complete "
          f"{statistics.median(upload.complete_seconds for upload in uploads):.2f} s)")
    cpu = {key: statistics.median(upload.cpu[key] for upload in uploads)
           for key in uploads[0].cpu}
    print(f"CPU seconds (median): worker {cpu['worker_parts']:.2f} for the parts, "
          f"{cpu['worker_complete']:.2f} for the completion (ffprobe not counted); "
          f"client {cpu['client_parts']:.2f} for the parts")

    growth = max(upload.growth_mb for upload in uploads)
    first, last = uploads[0], uploads[-1]
    print(f"worker RSS: {first.before['VmRSS'] / 1024:.1f} MB before the first take, "
          f"{last.after['VmRSS'] / 1024:.1f} MB after the last; peaks per take: parts "
          + "/".join(f"{upload.peak_mb('parts'):.1f}" for upload in uploads) + " MB, complete "
          + "/".join(f"{upload.peak_mb('complete'):.1f}" for upload in uploads) + " MB "
          f"({sum(upload.sampler.samples for upload in uploads)} samples)")
    if all(upload.peak_reset for upload in uploads):
        print("worker VmHWM (reset before each take, so no peak between samples is missed): "
              + "/".join(f"{upload.after['VmHWM'] / 1024:.1f}" for upload in uploads) + " MB")
    else:
        print("worker VmHWM could not be reset (/proc/<pid>/clear_refs): the growth is from the "
              f"samples only; lifetime peak {last.after['VmHWM'] / 1024:.1f} MB")
    print(f"targets: upload/copy >= {TARGET_RATIO}, RSS growth <= {TARGET_GROWTH_MB} MB")
    if ratio < TARGET_RATIO:
        print(f"below target: upload/copy {ratio:.2f} < {TARGET_RATIO}")
    if growth > TARGET_GROWTH_MB:
        print(f"below target: RSS growth {growth:.1f} MB > {TARGET_GROWTH_MB} MB")
    for problem in problems:
        print(f"problem: {problem}")
    print(f"RESULT name=upload ratio={ratio:.2f} rss_growth_mb={growth:.1f} "
          f"upload_mb_s={upload_mb_s:.1f} copy_mb_s={copy_mb_s:.1f} megabytes={args.megabytes} "
          f"part_mb={args.part_mb} parts={first.parts} rounds={args.rounds} "
          f"checked={'no' if problems else 'yes'} target_ratio={TARGET_RATIO} "
          f"target_rss_growth_mb={TARGET_GROWTH_MB}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
