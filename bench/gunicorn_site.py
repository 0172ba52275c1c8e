"""The portal served by gunicorn for a bench, on a free port of 127.0.0.1, with the bench's
config (written into the run's temp dir with a small WSGI module), and plain HTTP to it.
Every request sends the same User-Agent: the portal's session protection is "strong"."""

import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import people

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "bench/1"
WSGI_NAME, CONFIG_FILE = "bench_wsgi", "bench_config.json"
WSGI_MODULE = '''\
"""The portal with the bench's config{extra_doc}."""

import json
import sys
from pathlib import Path

SETTINGS = json.loads(Path(__file__).with_name({config_file!r}).read_text())
sys.path.insert(0, SETTINGS["root"])

from portal import create_app

app = create_app(SETTINGS["config"])
{extra}'''


def write_site(tmp: Path, config: dict, extra: str = "", extra_doc: str = "",
               **settings) -> None:
    """The WSGI module gunicorn loads; `extra` is code appended to it (it may read SETTINGS,
    which also holds `settings`)."""
    (tmp / CONFIG_FILE).write_text(json.dumps({"root": str(ROOT), "config": config,
                                               **settings}))
    (tmp / f"{WSGI_NAME}.py").write_text(WSGI_MODULE.format(
        config_file=CONFIG_FILE, extra=extra, extra_doc=extra_doc))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(tmp: Path, port: int, log, workers: int, timeout: int = 120) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--timeout", str(timeout),
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
        server.terminate()  # the master stops its workers gracefully
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


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


def log_in(port: int, password: str) -> str:
    """The bench candidate's cookies, as one Cookie header."""
    form = urlencode({"email": people.CANDIDATE_EMAIL, "password": password})
    status, headers, _ = request(port, "POST", "/login", form,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
    if status != 302 or not any(c.startswith("session=") for c in cookies):
        raise SystemExit(f"candidate login answered {status} without a session cookie")
    return "; ".join(cookies)
