"""Demo computer checks: most candidates on a good wired line with a USB headset, some on
Wi-Fi, a slow plan, an old computer or a noisy room, so that every verdict and its advice shows
up. The samples are made the way a browser would send them and go through the same checks."""

import random

from assessments.readiness import measures, runs
from portal.recruiting.models import Application

BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
)


def _transfer(rng: random.Random, mbps: float) -> list[list[float]]:
    """Cumulative bytes every 200 ms for 8 s, the line's speed wobbling around `mbps`."""
    samples, moved = [], 0.0
    for step in range(1, 41):
        moved += mbps * rng.uniform(0.85, 1.15) * 1e6 / 8 * 0.2
        samples.append([step * 200, round(moved)])
    return samples


def run_check(rng: random.Random, application: Application) -> None:
    download = rng.lognormvariate(4.0, 0.8)  # a median of ~55 Mbps, a tail below 10
    latency = rng.choice((15, 20, 25, 35, 45, 60, 90, 160))
    spread = rng.choice((1, 2, 3, 5, 8, 25))
    user_agent = rng.choice(BROWSERS)
    chrome = "Chrome/" in user_agent
    body = {
        "download": {"samples": _transfer(rng, download)},
        "upload": {"samples": _transfer(rng, download * rng.uniform(0.05, 0.5))},
        "latency": {"samples": [round(latency + abs(rng.gauss(0, spread)), 1)
                                for _ in range(10)]},
        "microphone": "ok",
        "noise": {"samples": [round(rng.uniform(-72, -36) + rng.uniform(-2, 2), 1)
                              for _ in range(30)]},
        "headset": {"type": rng.choice(("usb", "usb", "usb", "analog", "bluetooth")),
                    "noise_cancelling": rng.random() < 0.7},
        "connection": {"type": "wired" if rng.random() < 0.7 else "wifi", "source": "asked"},
        "device": {"cores": rng.choice((2, 4, 4, 8, 8, 12)),
                   "memory_gb": rng.choice((4, 8, 8)) if chrome else None,
                   "screen": rng.choice(([1920, 1080], [1366, 768], [2560, 1440])),
                   "cookies": True, "storage": True, "popups": rng.random() < 0.8,
                   "webrtc": True, "media_recorder": True,
                   "audio_formats": ["audio/webm;codecs=opus"] if chrome else ["audio/mp4"]},
    }
    runs.record(application, measures.read(body), user_agent)
