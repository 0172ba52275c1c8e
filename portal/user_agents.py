"""Which browser and system a User-Agent header names, for people to read (the sessions list)
and for rules to check (the readiness check's supported browsers). Browsers announce each
other's names for compatibility, so the markers are tried most specific first."""

from dataclasses import dataclass

# (marker, browser): Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Version/", "Safari"))
# (marker, system): phones and tablets before the desktops whose names they borrow.
_SYSTEMS = (("Windows", "Windows"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
            ("Android", "Android"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))


@dataclass(frozen=True)
class Agent:
    browser: str | None   # "Chrome", or None when no known browser is named
    version: int | None   # the major version
    system: str | None    # "Windows"

    @property
    def label(self) -> str:
        browser = f"{self.browser} {self.version}" if self.browser else "A browser"
        return f"{browser} on {self.system}" if self.system else browser


def parse(user_agent: str) -> Agent:
    browser = version = None
    for marker, name in _BROWSERS:
        if marker in user_agent:
            digits = user_agent.split(marker, 1)[1].split(".")[0]
            browser, version = name, int(digits) if digits.isdigit() else None
            break
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    return Agent(browser, version, system)
