"""An opening's computer-check requirements as the screening-rules form sends them, checked
whole (shape in rules.py). Field names: `ready-<metric>-pass` / `ready-<metric>-warn` for each
threshold, `ready-browser-<name>` (lowest major version; empty: not supported), `ready-system`
(repeated), `ready-min_cores`, `ready-min_memory_gb`, the checkboxes `ready-headset_required`,
`ready-usb_headset_required`, `ready-wired_required`, and `ready-counts` (best | latest)."""

from werkzeug.datastructures import MultiDict

from assessments.opening_rules import number_field
from assessments.readiness import rules


def _number(form: MultiDict, name: str, low: float, high: float, what: str,
           problems: list[str]) -> float | None:
    return number_field(form, name, low, high, what, problems, required=True)

# metric: (what it is called on the form, lowest, highest)
THRESHOLDS = {"download_mbps": ("Download speed (Mbps)", 0, 10_000),
              "upload_mbps": ("Upload speed (Mbps)", 0, 10_000),
              "latency_ms": ("Latency (ms)", 1, 5_000),
              "jitter_ms": ("Jitter (ms)", 1, 5_000),
              "loss_percent": ("Lost requests (%)", 0, 100),
              "noise_floor_dbfs": ("Background noise (dBFS)", -120, 0)}
BROWSERS = ("Chrome", "Edge", "Firefox", "Safari", "Opera")
SYSTEMS = ("Windows", "macOS", "ChromeOS", "Linux", "Android", "iOS", "iPadOS")
SWITCHES = ("headset_required", "usb_headset_required", "wired_required")


def read(form: MultiDict) -> tuple[dict, list[str]]:
    """The profile the form holds, and every problem in words."""
    problems: list[str] = []
    profile: dict = {}
    for metric, (what, low, high) in THRESHOLDS.items():
        good = _number(form, f"ready-{metric}-pass", low, high, f"{what}, pass", problems)
        fair = _number(form, f"ready-{metric}-warn", low, high, f"{what}, warn", problems)
        if good is None or fair is None:
            continue
        if metric in rules.HIGHER_IS_BETTER and fair > good:
            problems.append(f"{what}: the warning level must not be above the pass level.")
        elif metric in rules.LOWER_IS_BETTER and fair < good:
            problems.append(f"{what}: the warning level must not be below the pass level.")
        profile[metric] = [good, fair]
    browsers = {}
    for name in BROWSERS:
        raw = (form.get(f"ready-browser-{name}") or "").strip()
        if raw and not (raw.isdigit() and 1 <= int(raw) <= 999):
            problems.append(f"{name}: give the lowest version (a whole number), or leave it "
                            "empty when it is not supported.")
        elif raw:
            browsers[name] = int(raw)
    if not browsers and not problems:
        problems.append("Browsers: support at least one.")
    profile["browsers"] = browsers
    profile["systems"] = [name for name in SYSTEMS if name in form.getlist("ready-system")]
    if not profile["systems"]:
        problems.append("Operating systems: support at least one.")
    cores = _number(form, "ready-min_cores", 1, 64, "Processor cores", problems)
    memory = _number(form, "ready-min_memory_gb", 0.5, 64, "Memory (GB)", problems)
    profile["min_cores"] = int(cores) if cores is not None else None
    profile["min_memory_gb"] = memory
    for switch in SWITCHES:
        profile[switch] = form.get(f"ready-{switch}") == "on"
    counts = form.get("ready-counts")
    if counts not in ("best", "latest"):
        problems.append("Which run counts: the best or the latest.")
    profile["counts"] = counts
    return profile, problems
