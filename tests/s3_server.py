"""A pytest plugin: moto's S3 server as a real HTTP server in a subprocess (no patched boto3).

Register it with `pytest_plugins = ["tests.s3_server"]` and ask for the `s3_endpoint` fixture.
The storage code then talks HTTP to it exactly as it would to S3 or MinIO, presigned URLs
included.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        opener.open(f"{url}/moto-api/", timeout=1).close()
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """URL of a moto S3 server that lives as long as the test session."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("moto") / "server.log"
    # Its request log goes to a file: an unread pipe would fill up and block the server.
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"moto server did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def make_s3(endpoint: str, bucket: str | None = None):
    """An S3 backend on the moto server, in a bucket of its own (made by ensure_bucket)."""
    from portal.storage.s3 import S3Storage

    return S3Storage(bucket or f"test-{uuid.uuid4().hex[:16]}", endpoint, "us-east-1",
                     "testing", "testing", 120)


@pytest.fixture
def s3_storage(s3_endpoint):
    backend = make_s3(s3_endpoint)
    backend.ensure_bucket()
    return backend
