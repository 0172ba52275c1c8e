"""A readiness run as the browser sends it, checked whole, and the figures the server computes
from its raw samples (the browser's own arithmetic is never trusted).

The body is one JSON object:
    download, upload: {"samples": [[ms, bytes], ...]}  cumulative bytes received / sent by all
        streams, sampled every ~200 ms from the start of the phase
    latency: {"samples": [ms | null, ...]}  one round trip per request; null: failed or timed out
    noise: {"samples": [dBFS, ...]} | null  short-window RMS levels over a few seconds of silence
    microphone: "ok" | "denied" | "busy" | "missing" | "unsupported" | "error"
    headset: {"type": "usb" | "analog" | "bluetooth" | "none", "noise_cancelling": bool}
    connection: {"type": "wired" | "wifi" | "cellular" | "other", "source": "browser" | "asked"}
    device: {"cores", "memory_gb" (null where not reported), "screen": [w, h], "cookies",
        "storage", "popups" (null: not tested), "webrtc", "media_recorder", "audio_formats"}

Speeds are computed after a warm-up the server chooses (TCP slow start and the first chunk's
latency would otherwise pull them down): the bytes moved between the first sample at or after
the warm-up and the last sample, over that time. Jitter is the mean absolute difference of
successive successful round trips (RFC 3550's idea without its smoothing: one short run).
"""

import itertools
import statistics
from dataclasses import dataclass

DOWNLOAD_WARMUP_MS = 1500
UPLOAD_WARMUP_MS = 3000
MAX_PHASE_MS = 30_000
MAX_SPEED_SAMPLES = 300
MAX_MBPS = 10_000  # faster than any home link: a made-up figure
MAX_LATENCY_SAMPLES = 50
MAX_LATENCY_MS = 10_000
MIN_NOISE_SAMPLES, MAX_NOISE_SAMPLES = 5, 200
LOWEST_DBFS = -160.0

MICROPHONE_STATES = ("ok", "denied", "busy", "missing", "unsupported", "error")
HEADSET_TYPES = ("usb", "analog", "bluetooth", "none")
CONNECTION_TYPES = ("wired", "wifi", "cellular", "other")
CONNECTION_SOURCES = ("browser", "asked")
DEVICE_FLAGS = ("cookies", "storage", "webrtc", "media_recorder")


class RunRejected(ValueError):
    """The body is not a run a browser could have measured; the message says what is wrong."""


@dataclass(frozen=True)
class Figures:
    download_mbps: float
    upload_mbps: float
    latency_min_ms: float | None   # None: every round trip failed
    latency_median_ms: float | None
    jitter_ms: float | None        # None: fewer than two successful round trips
    loss_percent: float
    noise_floor_dbfs: float | None  # None: no microphone to measure with

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Run:
    """A checked run: the figures, and what the browser and the candidate reported."""

    figures: Figures
    samples: dict     # the raw samples, stored with the run
    device: dict
    microphone: str
    headset: dict
    connection: dict


def read(body) -> Run:
    """The run in `body` (parsed JSON), or RunRejected naming the first thing wrong."""
    _require(isinstance(body, dict), "the body must be a JSON object")
    download = _speed_samples(body.get("download"), "download")
    upload = _speed_samples(body.get("upload"), "upload")
    latency = _latency_samples(body.get("latency"))
    microphone = body.get("microphone")
    _require(microphone in MICROPHONE_STATES, f"microphone: one of {', '.join(MICROPHONE_STATES)}")
    noise = _noise_samples(body.get("noise"), required=microphone == "ok")
    figures = Figures(
        download_mbps=_mbps(download, DOWNLOAD_WARMUP_MS, "download"),
        upload_mbps=_mbps(upload, UPLOAD_WARMUP_MS, "upload"),
        **_latency_figures(latency),
        noise_floor_dbfs=round(statistics.median(noise), 1) if noise else None)
    return Run(figures=figures,
               samples={"download": download, "upload": upload, "latency": latency,
                        "noise": noise},
               device=_device(body.get("device")), microphone=microphone,
               headset=_headset(body.get("headset")),
               connection=_connection(body.get("connection")))


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise RunRejected(message)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _speed_samples(phase, name: str) -> list[list[float]]:
    _require(isinstance(phase, dict) and isinstance(phase.get("samples"), list),
             f"{name}: send {{\"samples\": [[ms, bytes], ...]}}")
    samples = phase["samples"]
    _require(3 <= len(samples) <= MAX_SPEED_SAMPLES,
             f"{name}: between 3 and {MAX_SPEED_SAMPLES} samples")
    last_ms, last_bytes = -1.0, 0.0
    for sample in samples:
        _require(isinstance(sample, list) and len(sample) == 2 and all(map(_number, sample)),
                 f"{name}: each sample is [milliseconds, bytes]")
        ms, moved = sample
        _require(last_ms < ms <= MAX_PHASE_MS,
                 f"{name}: sample times rise, from 0 to {MAX_PHASE_MS} ms")
        _require(last_bytes <= moved, f"{name}: bytes are counted from the start, so they never "
                                      "go down")
        last_ms, last_bytes = ms, moved
    return [[float(ms), float(moved)] for ms, moved in samples]


def _mbps(samples: list[list[float]], warmup_ms: int, name: str) -> float:
    after = [sample for sample in samples if sample[0] >= warmup_ms]
    _require(len(after) >= 2, f"{name}: at least two samples after the {warmup_ms} ms warm-up")
    (start_ms, start_bytes), (end_ms, end_bytes) = after[0], after[-1]
    mbps = (end_bytes - start_bytes) * 8 / ((end_ms - start_ms) / 1000) / 1_000_000
    _require(mbps <= MAX_MBPS, f"{name}: {mbps:,.0f} Mbps is not a speed a home connection has")
    return round(mbps, 2)


def _latency_samples(phase) -> list[float | None]:
    _require(isinstance(phase, dict) and isinstance(phase.get("samples"), list),
             "latency: send {\"samples\": [ms or null, ...]}")
    samples = phase["samples"]
    _require(5 <= len(samples) <= MAX_LATENCY_SAMPLES,
             f"latency: between 5 and {MAX_LATENCY_SAMPLES} round trips")
    for sample in samples:
        _require(sample is None or _number(sample) and 0 < sample <= MAX_LATENCY_MS,
                 f"latency: each round trip is milliseconds above 0 and up to {MAX_LATENCY_MS}, "
                 "or null when it failed")
    return [None if sample is None else float(sample) for sample in samples]


def _latency_figures(samples: list[float | None]) -> dict:
    answered = [sample for sample in samples if sample is not None]
    loss = round(100 * (len(samples) - len(answered)) / len(samples), 1)
    if not answered:
        return {"latency_min_ms": None, "latency_median_ms": None, "jitter_ms": None,
                "loss_percent": loss}
    steps = [abs(b - a) for a, b in itertools.pairwise(answered)]
    return {"latency_min_ms": round(min(answered), 1),
            "latency_median_ms": round(statistics.median(answered), 1),
            "jitter_ms": round(statistics.fmean(steps), 1) if steps else None,
            "loss_percent": loss}


def _noise_samples(phase, required: bool) -> list[float] | None:
    if phase is None and not required:
        return None
    _require(isinstance(phase, dict) and isinstance(phase.get("samples"), list),
             "noise: send {\"samples\": [dBFS, ...]} when the microphone worked")
    samples = phase["samples"]
    _require(MIN_NOISE_SAMPLES <= len(samples) <= MAX_NOISE_SAMPLES,
             f"noise: between {MIN_NOISE_SAMPLES} and {MAX_NOISE_SAMPLES} levels")
    _require(all(_number(s) and LOWEST_DBFS <= s <= 0 for s in samples),
             f"noise: each level is dBFS, from {LOWEST_DBFS:g} to 0")
    return [float(s) for s in samples]


def _device(device) -> dict:
    _require(isinstance(device, dict), "device: send what the browser reported")
    cores, memory, screen = device.get("cores"), device.get("memory_gb"), device.get("screen")
    _require(isinstance(cores, int) and not isinstance(cores, bool) and 1 <= cores <= 1024,
             "device.cores: a whole number from 1 to 1024")
    _require(memory is None or _number(memory) and 0 < memory <= 4096,
             "device.memory_gb: gigabytes, or null where the browser does not say")
    _require(isinstance(screen, list) and len(screen) == 2
             and all(isinstance(n, int) and 1 <= n <= 20_000 for n in screen),
             "device.screen: [width, height] in pixels")
    for flag in DEVICE_FLAGS:
        _require(isinstance(device.get(flag), bool), f"device.{flag}: true or false")
    popups = device.get("popups")
    _require(popups is None or isinstance(popups, bool), "device.popups: true, false or null")
    formats = device.get("audio_formats")
    _require(isinstance(formats, list) and len(formats) <= 20
             and all(isinstance(f, str) and 0 < len(f) <= 60 and f.isprintable()
                     for f in formats),
             "device.audio_formats: up to 20 MIME types")
    return {"cores": cores, "memory_gb": memory, "screen": screen,
            **{flag: device[flag] for flag in DEVICE_FLAGS}, "popups": popups,
            "audio_formats": formats}


def _headset(headset) -> dict:
    _require(isinstance(headset, dict) and headset.get("type") in HEADSET_TYPES,
             f"headset.type: one of {', '.join(HEADSET_TYPES)}")
    _require(isinstance(headset.get("noise_cancelling"), bool),
             "headset.noise_cancelling: true or false")
    return {"type": headset["type"], "noise_cancelling": headset["noise_cancelling"]}


def _connection(connection) -> dict:
    _require(isinstance(connection, dict) and connection.get("type") in CONNECTION_TYPES
             and connection.get("source") in CONNECTION_SOURCES,
             f"connection: a type ({', '.join(CONNECTION_TYPES)}) and where it came from "
             f"({', '.join(CONNECTION_SOURCES)})")
    return {"type": connection["type"], "source": connection["source"]}
