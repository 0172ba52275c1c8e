"""Does importing a SCORM package keep up with `unzip`, in bounded memory?

    python bench/import.py [--megabytes 1024] [--files 200]

A trainer's package may be large (video lessons), and the import runs inside one request (the
upload page) or one command (`flask courses import`), so its memory must not grow with the
package, and it should not cost much more time than unpacking the same zip does. In one run,
in a temp dir:
- the package: a SCORM 1.2 manifest with one SCO (index.html) that lists every file, and
  `--files` files of random, incompressible bytes adding up to `--megabytes` MB (1 MB = 1 MiB),
  written once with zipfile, the media stored as authoring tools store video (deflating random
  bytes gains nothing and would take minutes here), the rest deflated;
- the portal: a SQLite file and the local storage folder in the temp dir, the schema built by
  the migrations, one trainer;
- unzip: `unzip -q` of the zip into a new folder (Python's zipfile extraction when `unzip` is
  not installed, said in the output), timed, then deleted; once before and once after the
  import, as bench/upload.py copies before and after, since this VM writes blocks it has never
  held several times slower than blocks just freed; their mean counts;
- import: `courses.importing.unpack` then `store` (what `import_package` and the upload page
  do), then the commit, timed in phases. Unpack reads and parses the manifest, unzips into a
  temporary folder, hashes every file (SHA-256) and the zip; store inserts a row per content
  and puts each content into storage (read, hashed again, written, fsynced), then the rows of
  the version and its files. The import is checked: every file a row, every content an object.
Memory: this process's VmRSS is sampled every 50 ms in a thread during the import, and its
VmHWM reset just before (/proc/self/clear_refs), so the peak misses nothing; the growth is the
peak minus the RSS just before. The page cache (the zip, the files written) is not the
process's memory and is not counted.
Targets: import/unzip time <= 2, RSS growth <= 128 MB. The last line is machine-readable.
"""
# ruff: noqa: E402  (the repository root goes on sys.path before the project is imported)

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import people
from courses import importing
from courses.models import CourseFile
from portal import storage
from portal.auth.models import TRAINER, User
from portal.extensions import db
from tests.conftest import test_config
from tests.helpers import new_user

TARGET_RATIO, TARGET_GROWTH_MB = 2.0, 128
MB = 1024 * 1024
SAMPLE_SECONDS = 0.05
MANIFEST = """<?xml version="1.0"?>
<manifest identifier="bench" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Bench course</title>
    <item identifier="lesson" identifierref="sco"><title>Lesson</title></item>
  </organization></organizations>
  <resources><resource identifier="sco" type="webcontent" adlcp:scormtype="sco"
                       href="index.html"><file href="index.html"/>{files}</resource></resources>
</manifest>
"""


def make_package(path: Path, megabytes: int, count: int) -> int:
    """The zip; the number of bytes its files unpack to."""
    size = megabytes * MB // count
    names = [f"media/clip{number:04}.bin" for number in range(count)]
    manifest = MANIFEST.format(files="".join(f'<file href="{name}"/>' for name in names))
    page = b"<!doctype html><title>Lesson</title><p>A lesson.</p>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr("index.html", page)
        for name in names:
            with archive.open(zipfile.ZipInfo(name), "w") as out:  # ZipInfo: stored
                for offset in range(0, size, MB):
                    out.write(os.urandom(min(MB, size - offset)))
    with open(path, "rb+") as written:
        os.fsync(written.fileno())  # on disk before anything is timed
    return len(manifest.encode()) + len(page) + size * count


def timed_unzip(zip_path: Path, target: Path) -> float:
    started = time.perf_counter()
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-q", str(zip_path), "-d", str(target)], check=True)
    else:
        with zipfile.ZipFile(zip_path) as archive:  # our own zip: extractall is safe here
            archive.extractall(target)
    seconds = time.perf_counter() - started
    shutil.rmtree(target)
    return seconds


def memory_kb() -> dict[str, int]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


class RssSampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb, self.samples = 0, 0
        self._stopped = threading.Event()

    def run(self) -> None:
        while True:
            self.peak_kb = max(self.peak_kb, memory_kb()["VmRSS"])
            self.samples += 1
            if self._stopped.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def timed_import(zip_path: Path, trainer_id: int) -> dict:
    """The import in phases, with this process's memory and CPU around it."""
    trainer = db.session.get(User, trainer_id)
    db.session.commit()  # nothing of the setup left in the import's transaction
    peak_reset = reset_peak()
    before = memory_kb()["VmRSS"]
    cpu_before = time.process_time()
    sampler = RssSampler()
    sampler.start()
    started = time.perf_counter()
    try:
        with importing.unpack(zip_path) as unpacked:
            unpacked_at = time.perf_counter()
            version = importing.store(unpacked, actor=trainer)
            stored_at = time.perf_counter()
        db.session.commit()
        finished = time.perf_counter()
    finally:
        sampler.stop()
    after = memory_kb()
    peak = max(sampler.peak_kb, after["VmHWM"]) if peak_reset else sampler.peak_kb
    return {"version_id": version.id, "files": version.file_count,
            "total_bytes": version.total_bytes, "unpack": unpacked_at - started,
            "store": stored_at - unpacked_at, "finish": finished - stored_at,
            "seconds": finished - started, "cpu": time.process_time() - cpu_before,
            "growth_mb": max(0, peak - before) / 1024, "before_mb": before / 1024,
            "peak_mb": peak / 1024, "samples": sampler.samples, "peak_reset": peak_reset}


def stored_objects(version_id: int) -> tuple[int, int]:
    """The version's contents that have their object in storage, and those that do not."""
    backend = storage.get_storage()
    shas = set(db.session.scalars(select(CourseFile.blob_sha256)
                                  .where(CourseFile.version_id == version_id)))
    present = sum(1 for sha in shas if backend.exists(importing.blob_key(sha)))
    return present, len(shas) - present


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1024,
                        help="size of the package's media, 10-2000 (the import limit is 2 GiB)")
    parser.add_argument("--files", type=int, default=200, help="media files, 1-5000")
    args = parser.parse_args()
    if not 10 <= args.megabytes <= 2000:
        parser.error("--megabytes must be 10 to 2000")
    if not 1 <= args.files <= 5000:
        parser.error("--files must be 1 to 5000")
    baseline = "unzip" if shutil.which("unzip") else "zipfile"

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp_name:
        tmp = Path(tmp_name)
        config = test_config(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'bench.db'}",
                             STORAGE_LOCAL_ROOT=str(tmp / "files"))
        app = people.fresh_portal(config)
        zip_path = tmp / "package.zip"
        started = time.perf_counter()
        unpacked_bytes = make_package(zip_path, args.megabytes, args.files)
        print(f"package: {args.files} media files, {zip_path.stat().st_size / MB:.0f} MB zip, "
              f"{unpacked_bytes / MB:.0f} MB unpacked (made in "
              f"{time.perf_counter() - started:.1f} s); {os.cpu_count()} CPUs")
        unzips = [timed_unzip(zip_path, tmp / "unzipped")]
        with app.app_context():
            trainer_id = new_user("trainer@bench.example.com", "Bench Trainer", TRAINER,
                                  "Bench-Import-Password-8").id
            db.session.commit()
            result = timed_import(zip_path, trainer_id)
            present, missing = stored_objects(result["version_id"])
            db.engine.dispose()
        unzips.append(timed_unzip(zip_path, tmp / "unzipped"))

    problems = []
    if result["files"] != args.files + 2 or result["total_bytes"] != unpacked_bytes:
        problems.append(f"the version has {result['files']} files and {result['total_bytes']} "
                        f"bytes, not {args.files + 2} and {unpacked_bytes}")
    if missing or present != args.files + 2:
        problems.append(f"{missing} contents have no object in storage")
    unzip_seconds = sum(unzips) / len(unzips)
    ratio = result["seconds"] / unzip_seconds
    label = "unzip -q" if baseline == "unzip" else "zipfile extractall (unzip is not installed)"
    print(f"{label}: {unzips[0]:.2f} s before the import, {unzips[1]:.2f} s after; mean "
          f"{unzip_seconds:.2f} s = {args.megabytes / unzip_seconds:.0f} MB/s")
    print(f"import: {result['seconds']:.2f} s = {args.megabytes / result['seconds']:.0f} MB/s "
          f"(unpack, hash and check {result['unpack']:.2f} s, store {result['store']:.2f} s, "
          f"commit {result['finish']:.2f} s); CPU {result['cpu']:.2f} s")
    print(f"RSS: {result['before_mb']:.1f} MB before the import, peak {result['peak_mb']:.1f} MB "
          f"({result['samples']} samples"
          + (", VmHWM reset before" if result["peak_reset"] else ", VmHWM not resettable")
          + f"): growth {result['growth_mb']:.1f} MB")
    print(f"targets: import/unzip <= {TARGET_RATIO}, RSS growth <= {TARGET_GROWTH_MB} MB")
    if ratio > TARGET_RATIO:
        print(f"below target: import/unzip {ratio:.2f} > {TARGET_RATIO}")
    if result["growth_mb"] > TARGET_GROWTH_MB:
        print(f"below target: RSS growth {result['growth_mb']:.1f} MB > {TARGET_GROWTH_MB} MB")
    for problem in problems:
        print(f"problem: {problem}")
    print(f"RESULT name=import ratio={ratio:.2f} rss_growth_mb={result['growth_mb']:.1f} "
          f"import_s={result['seconds']:.2f} unzip_s={unzip_seconds:.2f} "
          f"unpack_s={result['unpack']:.2f} store_s={result['store']:.2f} "
          f"megabytes={args.megabytes} files={args.files} baseline={baseline} "
          f"checked={'no' if problems else 'yes'} target_ratio={TARGET_RATIO} "
          f"target_rss_growth_mb={TARGET_GROWTH_MB}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
