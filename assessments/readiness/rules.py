"""An opening's requirements profile and what a run earns under it, as pure functions: pass,
warn or fail per requirement with the reason and concrete advice, and an overall verdict (the
worst of them). It is evidence for the person who decides, like every screening result.

The profile (OpeningRules.rules["readiness"], every key optional; DEFAULT_PROFILE fills in):
- thresholds, [pass, warn]: "download_mbps", "upload_mbps" pass at or above the first number,
  warn at or above the second; "latency_ms", "jitter_ms", "loss_percent", "noise_floor_dbfs"
  pass at or below the first, warn at or below the second; otherwise fail;
- "browsers": {name: lowest major version}; "systems": [names] (user_agents.parse's names);
- "min_cores", "min_memory_gb"; "headset_required", "usb_headset_required", "wired_required";
- "counts": "best" or "latest": which of a candidate's runs the verdict uses.
The defaults follow what work-at-home employers publish.
"""

from dataclasses import dataclass

from portal.media_devices import MICROPHONE_ADVICE
from portal.user_agents import Agent

PASS, WARN, FAIL = "pass", "warn", "fail"
ORDER = {PASS: 0, WARN: 1, FAIL: 2}
LABELS = {PASS: "Ready", WARN: "Ready with warnings", FAIL: "Not ready"}
COLORS = {PASS: "success", WARN: "warning", FAIL: "danger"}

HIGHER_IS_BETTER = ("download_mbps", "upload_mbps")
LOWER_IS_BETTER = ("latency_ms", "jitter_ms", "loss_percent", "noise_floor_dbfs")
DEFAULT_PROFILE = {
    "download_mbps": [10, 5], "upload_mbps": [5, 1],
    "latency_ms": [100, 180], "jitter_ms": [20, 30], "loss_percent": [1, 5],
    "noise_floor_dbfs": [-50, -40],
    "browsers": {"Chrome": 110, "Edge": 110, "Firefox": 115, "Safari": 16},
    "systems": ["Windows", "macOS", "ChromeOS", "Linux"],
    "min_cores": 2, "min_memory_gb": 4,
    "headset_required": True, "usb_headset_required": False, "wired_required": True,
    "counts": "best",
}


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    outcome: str   # pass | warn | fail
    value: str     # what was measured, in words ("8.2 Mbps")
    reason: str    # why this outcome ("at least 10 Mbps passes; 5 to 10 warns")
    advice: str    # what to do about it ("" when it passed)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def profile(stored: dict | None) -> dict:
    return {**DEFAULT_PROFILE, **(stored or {})}


def overall(checks: list[Check]) -> str:
    return max((check.outcome for check in checks), key=ORDER.get, default=PASS)


def better(a: str, b: str) -> bool:
    """Whether verdict `a` is better than `b` (for a profile that counts the best run)."""
    return ORDER[a] < ORDER[b]


def evaluate(rules: dict, figures: dict, device: dict, agent: Agent, microphone: str,
             headset: dict, connection: dict) -> list[Check]:
    """Every requirement's check, in the order the candidate's page shows them."""
    return [
        *_connection_checks(rules, figures, connection),
        _browser(rules, agent), _system(rules, agent), *_computer(rules, device),
        *_capabilities(device),
        _microphone(microphone), *_noise(rules, figures, microphone), *_headset(rules, headset),
    ]


# --- thresholds --------------------------------------------------------------------------------

_METRICS = {  # key: (label, unit, figure, advice when it is not a pass)
    "download_mbps": (
        "Download speed", "Mbps", "download_mbps",
        "Plug the computer into the router with an Ethernet cable, pause downloads, streaming "
        "and cloud backups on every device at home, then run the check again. If it stays low, "
        "ask your provider for a faster plan."),
    "upload_mbps": (
        "Upload speed", "Mbps", "upload_mbps",
        "Stop uploads on every device at home (cloud photo and file backups, video calls), use "
        "an Ethernet cable, then run the check again. Upload is often the slow side of a home "
        "plan: ask your provider."),
    "latency_ms": (
        "Latency", "ms", "latency_median_ms",
        "Use an Ethernet cable instead of Wi-Fi, turn off any VPN, close other apps and browser "
        "tabs that use the connection, then run the check again."),
    "jitter_ms": (
        "Jitter", "ms", "jitter_ms",
        "Jitter makes voices break up. Use an Ethernet cable instead of Wi-Fi, ask others at "
        "home to pause streaming and games during your shifts, and restart the router."),
    "loss_percent": (
        "Lost requests", "%", "loss_percent",
        "Some requests never came back. Check the cable, restart the router and modem, and run "
        "the check again; if it keeps happening, ask your provider to check the line."),
    "noise_floor_dbfs": (
        "Background noise", "dBFS", "noise_floor_dbfs",
        "Callers hear your room. Move away from the TV, fans, open windows and other people, "
        "close the door, and check again; a noise-cancelling headset helps."),
}


def _threshold(rules: dict, key: str, value: float | None, missing: str) -> Check:
    label, unit, _, advice = _METRICS[key]
    good, fair = rules[key]
    higher = key in HIGHER_IS_BETTER
    if higher:
        reason = f"{good:g} {unit} or more passes, {fair:g} to {good:g} warns"
    else:
        reason = f"{good:g} {unit} or less passes, up to {fair:g} warns"
    if value is None:
        return Check(key, label, FAIL, "not measured", missing, advice)
    if higher:
        outcome = PASS if value >= good else WARN if value >= fair else FAIL
    else:
        outcome = PASS if value <= good else WARN if value <= fair else FAIL
    return Check(key, label, outcome, f"{value:g} {unit}", reason,
                 "" if outcome == PASS else advice)


def _connection_checks(rules: dict, figures: dict, connection: dict) -> list[Check]:
    no_answer = "no request came back, so it could not be measured"
    checks = [_threshold(rules, key, figures[_METRICS[key][2]], no_answer)
              for key in ("download_mbps", "upload_mbps", "latency_ms", "jitter_ms",
                          "loss_percent")]
    kind = connection["type"]
    said = "your browser reports" if connection["source"] == "browser" else "you told us"
    shown = {"wired": "Wired (Ethernet)", "wifi": "Wi-Fi", "cellular": "Mobile data",
             "other": "Other"}[kind]
    if kind == "wired":
        checks.append(Check("wired", "Connection type", PASS, shown, said, ""))
    else:
        required = rules["wired_required"]
        checks.append(Check(
            "wired", "Connection type", FAIL if required else WARN, shown,
            f"{said}; this job {'requires' if required else 'recommends'} a wired connection",
            "Plug the computer into the router with an Ethernet cable (a long cable or a "
            "powerline adapter works where the router is far away)."))
    return checks


# --- the computer ------------------------------------------------------------------------------

def _browser(rules: dict, agent: Agent) -> Check:
    allowed: dict = rules["browsers"]
    names = ", ".join(f"{name} {version}+" for name, version in allowed.items())
    shown = f"{agent.browser} {agent.version}" if agent.browser else "not recognised"
    lowest = allowed.get(agent.browser)
    advice = f"Use a current version of one of: {names}."
    if lowest is None:
        return Check("browser", "Browser", FAIL, shown, f"supported: {names}", advice)
    if agent.version is None or agent.version < lowest:
        return Check("browser", "Browser", FAIL, shown, f"{agent.browser} {lowest} or newer",
                     f"Update {agent.browser} (its menu, Help, About updates it), or " + advice[0]
                     .lower() + advice[1:])
    return Check("browser", "Browser", PASS, shown, f"{agent.browser} {lowest} or newer", "")


def _system(rules: dict, agent: Agent) -> Check:
    allowed = rules["systems"]
    shown = agent.system or "not recognised"
    if agent.system in allowed:
        return Check("system", "Operating system", PASS, shown, "supported", "")
    return Check("system", "Operating system", FAIL, shown, f"supported: {', '.join(allowed)}",
                 f"This job needs a computer with {', '.join(allowed)}; phones and tablets "
                 "cannot run the contact-center tools.")


def _computer(rules: dict, device: dict) -> list[Check]:
    cores, lowest = device["cores"], rules["min_cores"]
    checks = [Check("cores", "Processor cores", PASS if cores >= lowest else FAIL, str(cores),
                    f"at least {lowest}",
                    "" if cores >= lowest else "The softphone, browser and tools need a faster "
                    "computer: use one with more processor cores.")]
    memory, least = device["memory_gb"], rules["min_memory_gb"]
    if memory is None:
        checks.append(Check("memory", "Memory", WARN, "not reported by this browser",
                            f"at least {least:g} GB",
                            f"Check that the computer has at least {least:g} GB of memory "
                            "(Windows: Settings, System, About; Mac: Apple menu, About This "
                            "Mac)."))
    else:
        # Browsers round memory down and report at most 8 GB (navigator.deviceMemory).
        enough = memory >= least
        checks.append(Check("memory", "Memory", PASS if enough else FAIL, f"{memory:g} GB",
                            f"at least {least:g} GB",
                            "" if enough else f"Use a computer with at least {least:g} GB of "
                            "memory, and close other apps while you work."))
    return checks


_CAPABILITIES = (  # flag, label, outcome when missing, advice
    ("cookies", "Cookies", FAIL,
     "Allow cookies and site data for this portal in your browser's privacy settings."),
    ("storage", "Site storage", FAIL,
     "Allow site data for this portal (private windows and some blockers turn it off)."),
    ("webrtc", "Internet calls (WebRTC)", FAIL,
     "Your browser cannot make internet calls: use a current Chrome, Edge or Firefox."),
    ("media_recorder", "Recording in the browser", FAIL,
     "Your browser cannot record audio, which the sample call needs: use a current Chrome, "
     "Edge, Firefox or Safari."),
)


def _capabilities(device: dict) -> list[Check]:
    checks = [Check(flag, label, PASS if device[flag] else missing,
                    "available" if device[flag] else "not available", "needed for the work",
                    "" if device[flag] else advice)
              for flag, label, missing, advice in _CAPABILITIES]
    popups = device["popups"]
    if popups is False:
        checks.append(Check("popups", "Pop-up windows", WARN, "blocked",
                            "training and tools open in new windows",
                            "Allow pop-ups for this portal: click the blocked pop-up icon in "
                            "the address bar and choose to always allow."))
    else:
        checks.append(Check("popups", "Pop-up windows", PASS,
                            "allowed" if popups else "not tested", "", ""))
    return checks


# --- the headset -------------------------------------------------------------------------------



def _microphone(state: str) -> Check:
    if state == "ok":
        return Check("microphone", "Microphone", PASS, "working", "", "")
    shown = {"denied": "permission denied", "busy": "in use by another app",
             "missing": "not found", "unsupported": "not supported",
             "error": "could not start"}[state]
    return Check("microphone", "Microphone", FAIL, shown, "callers must hear you",
                 MICROPHONE_ADVICE[state])


def _noise(rules: dict, figures: dict, microphone: str) -> list[Check]:
    if microphone != "ok":
        return []  # the microphone's own check says why nothing was measured
    return [_threshold(rules, "noise_floor_dbfs", figures["noise_floor_dbfs"],
                       "the microphone gave no levels")]


def _headset(rules: dict, headset: dict) -> list[Check]:
    kind, cancelling = headset["type"], headset["noise_cancelling"]
    shown = {"usb": "USB headset", "analog": "Headset with a 3.5 mm plug",
             "bluetooth": "Bluetooth headset", "none": "No headset"}[kind]
    if kind == "none":
        outcome = FAIL if rules["headset_required"] else WARN
        return [Check("headset", "Headset", outcome, shown, "a headset with a microphone",
                      "Use a headset with a microphone: speakers echo into calls and callers "
                      "hear the room.")]
    if rules["usb_headset_required"] and kind != "usb":
        return [Check("headset", "Headset", FAIL, shown, "this job requires a USB headset",
                      "Use a USB headset: it has its own sound card, so calls stay clear.")]
    checks = [Check("headset", "Headset", WARN if kind == "bluetooth" else PASS, shown,
                    "Bluetooth drops and lags on calls" if kind == "bluetooth" else "",
                    "A wired USB headset is more reliable than Bluetooth for a full shift."
                    if kind == "bluetooth" else "")]
    checks.append(Check("noise_cancelling", "Noise-cancelling microphone",
                        PASS if cancelling else WARN, "yes" if cancelling else "no",
                        "keeps your room out of the call",
                        "" if cancelling else "A noise-cancelling headset keeps background "
                        "noise out of calls."))
    return checks
