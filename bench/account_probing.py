"""Can the answer time of registration or forgot-password tell whether an address has an account?

    python bench/account_probing.py [--requests 40] [--redis-url redis://127.0.0.1:6379/14]

Production shape: jobs go to RQ (queued on Redis, no worker needed for the measurement), on a
fresh SQLite database built by the migrations. For each form, alternating requests for a
registered and an unregistered address are timed through the Flask test client; the baseline is
the unregistered address. Target: the medians within 1.3x of each other. Without Redis it falls
back to inline jobs and says so (the laptop default, where the look-up job runs once the
answer has been sent, so it is not part of the answer time either).
"""
# ruff: noqa: E402  (the repository root goes on sys.path before the project is imported)

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app
from portal.auth.models import CANDIDATE, User
from portal.extensions import db
from tests.conftest import reset_schema, test_config

TARGET_RATIO = 1.3
PASSWORD = "Bench-Probe-Password-7"
REGISTERED = "registered@bench.example.com"


def redis_reachable(url: str) -> bool:
    from redis import Redis

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # any failure to reach it means: no Redis here
        return False


def timed(client, path: str, data: dict) -> float:
    start = time.perf_counter()
    response = client.post(path, data=data)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302, (path, response.status_code)
    return elapsed * 1000


def measure(client, requests: int) -> dict[str, tuple[float, float]]:
    medians = {}
    for form in ("forgot", "register"):
        samples: dict[bool, list[float]] = {True: [], False: []}
        for number in range(requests):
            for registered in (False, True):
                if form == "forgot":
                    email = REGISTERED if registered else f"nobody{number}@bench.example.com"
                    samples[registered].append(timed(client, "/password/forgot",
                                                     {"email": email}))
                else:
                    email = REGISTERED if registered else f"new{number}@bench.example.com"
                    samples[registered].append(timed(client, "/register", {
                        "full_name": "Jordan Avery", "email": email, "password": PASSWORD,
                        "confirm": PASSWORD}))
        medians[form] = (statistics.median(samples[False]), statistics.median(samples[True]))
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="timed requests per case")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # kept emails are logged; not what we time
    mode = "rq" if redis_reachable(args.redis_url) else "inline"
    with tempfile.TemporaryDirectory(prefix="bench-probing-") as tmp:
        app = create_app(test_config(Path(tmp), REDIS_URL=args.redis_url if mode == "rq"
                                     else None))
        reset_schema(app)
        with app.app_context():
            user = User(email=REGISTERED, full_name="Registered Person")
            user.set_password(PASSWORD)
            user.grant(CANDIDATE)
            db.session.add(user)
            db.session.commit()
        client = app.test_client()
        timed(client, "/password/forgot", {"email": "warm@bench.example.com"})
        medians = measure(client, args.requests)
        if mode == "rq":
            from redis import Redis

            Redis.from_url(args.redis_url).flushdb()  # the queued jobs of this run
    print(f"jobs: {mode}")
    print(f"{'form':<10} {'unknown ms':>11} {'registered ms':>14} {'ratio':>6}")
    ratios = {}
    for form, (unknown, registered) in medians.items():
        ratios[form] = max(unknown, registered) / min(unknown, registered)
        print(f"{form:<10} {unknown:>11.2f} {registered:>14.2f} {ratios[form]:>6.2f}")
    worst = max(ratios.values())
    verdict = "ok" if worst <= TARGET_RATIO else f"over {TARGET_RATIO}"
    print(f"target: within {TARGET_RATIO}x ({verdict})")
    print(f"RESULT name=account_probing ratio={worst:.2f} jobs={mode} "
          f"forgot_ratio={ratios['forgot']:.2f} register_ratio={ratios['register']:.2f}")


if __name__ == "__main__":
    main()
