"""Browser-test harness: the real app served over HTTP on its own database, and headless Chromium.

The live app runs with CSRF on, in a thread, against a database no other test touches: a fresh
SQLite file, or on PostgreSQL (TEST_DATABASE_URL set) a database named `<that database>_live`,
created here and dropped at the end. There is no rollback isolation: tests seed it through the
app's services and commit, and each test uses its own email addresses.

Chromium is the Debian package (/usr/bin/chromium, or the PLAYWRIGHT_CHROMIUM override), never a
browser downloaded by `playwright install`. Without it the tests skip, except when CI=true: CI
must run them, so there they fail.
"""

import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests.conftest import DEFAULT_PASSWORD, reset_schema, test_config

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"  # gitignored
SCREENS = ARTIFACTS / "screens"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-gpu", "--no-first-run",
    # A fake microphone/camera, granted without a prompt (the recording steps need one).
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
]
TIMEOUT_MS = 10_000
VIEWPORT = {"width": 1280, "height": 900}

# Reported by the page itself, in case the browser's own console message ever changes.
_CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


# --- Chromium -----------------------------------------------------------------------------

def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}. CI=true: the browser tests must run there.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def chromium_executable() -> str:
    """Checked first (autouse), so a machine without Chromium skips before any server starts."""
    path = os.environ.get("PLAYWRIGHT_CHROMIUM") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        _unavailable(f"no Chromium at {path}: install the Debian package `chromium` "
                     "or point PLAYWRIGHT_CHROMIUM at a Chromium executable")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the `playwright` Python package is missing: pip install -e '.[test]'")
    return path


# --- the live app -------------------------------------------------------------------------

@contextmanager
def live_database(tmp_dir: Path, suffix: str = "live") -> Iterator[str]:
    """A database URI of its own: a new SQLite file in `tmp_dir`, or a new PostgreSQL database
    named `<the test database>_<suffix>`, dropped at the end. Other test modules use it too."""
    url = make_url(test_config(tmp_dir)["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        yield url.render_as_string(hide_password=False)  # tmp_dir is new: so is the file
        return
    live = url.set(database=f"{url.database}_{suffix}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = admin.dialect.identifier_preparer.quote(live.database)
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(text(f"CREATE DATABASE {name}"))
        yield live.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


@pytest.fixture(scope="session")
def live_app():
    """The app behind the live server, CSRF on, on its own (migrated) database."""
    with tempfile.TemporaryDirectory(prefix="portal-live-") as tmp, \
            live_database(Path(tmp)) as database_uri:
        app = create_app(test_config(Path(tmp), SQLALCHEMY_DATABASE_URI=database_uri,
                                     WTF_CSRF_ENABLED=True))
        reset_schema(app)
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()  # before the database is dropped


@contextmanager
def serve(app) -> Iterator[str]:
    """`app` served over HTTP on a free port, a thread per request; yields its base URL (no
    trailing slash). Other test modules use it too."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url  # where the links in its emails must point
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """The live app served over HTTP on a free port; yields its base URL (no trailing slash)."""
    with serve(live_app) as base_url:
        yield base_url


@dataclass(frozen=True)
class Seed:
    manager_email: str
    manager_name: str
    manager_password: str
    opening_id: int
    opening_title: str


SEED_OPENING = dict(
    title="Customer Support Agent (Remote, US)",
    summary="Help shoppers of a national retailer by phone and chat, from your home office.",
    description="You answer questions about orders, returns and deliveries.\n\n"
                "Paid two-week online training.",
    requirements="High-school diploma or equivalent\nQuiet, dedicated workspace\n"
                 "Wired internet, 25 Mbps down / 5 Mbps up",
    pay_min=Decimal("17.00"), pay_max=Decimal("19.50"), pay_currency="USD", pay_period="hour",
    hours_min=25, hours_max=40, shifts=["morning", "afternoon", "evening"], countries=["US"],
    time_zones=[], steps=["skills_assessment", "desktop_readiness"],
)


@pytest.fixture(scope="session")
def seed(live_app) -> Seed:
    """A hiring manager and one open opening, committed to the live database."""
    from portal.auth.models import MANAGER, User
    from portal.extensions import utcnow
    from portal.recruiting import services
    from portal.recruiting.models import OPEN

    with live_app.app_context():
        manager = User(email="morgan.rivera@example.com", full_name="Morgan Rivera",
                       email_verified_at=utcnow())
        manager.set_password(DEFAULT_PASSWORD)
        manager.grant(MANAGER)
        db.session.add(manager)
        db.session.flush()
        opening = services.create_opening(manager, **SEED_OPENING)
        services.set_opening_status(opening, OPEN, manager)
        db.session.commit()
        return Seed(manager_email=manager.email, manager_name=manager.full_name,
                    manager_password=DEFAULT_PASSWORD, opening_id=opening.id,
                    opening_title=opening.title)


def applicant(live_app, seed: Seed, email: str, full_name: str, title: str,
              steps: list[str]) -> int:
    """A candidate (password DEFAULT_PASSWORD) who applied to a new opening of the seed's
    manager with these steps, committed: the application's id."""
    from portal.auth.models import CANDIDATE, User
    from tests.helpers import apply, new_user, open_opening

    with live_app.app_context():
        candidate = new_user(email, full_name, CANDIDATE, DEFAULT_PASSWORD)
        opening = open_opening(User.by_email(seed.manager_email), title=title, steps=steps)
        application = apply(opening, candidate, full_name=full_name)
        db.session.commit()
        return application.id


# --- the browser --------------------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (`item.rep_call`), for the failure screenshot."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser(chromium_executable, live_server):
    # Depends on live_server so that the browser (and its keep-alive connections) is closed
    # before the server waits for its request threads.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable,
                                             args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class BrowserLog:
    """What a test's page reported: console errors, uncaught exceptions, pages visited."""
    errors: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def browser_logs() -> dict[str, BrowserLog]:
    """Test name -> its BrowserLog, for the whole session (a later test may check an earlier)."""
    return {}


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[-120:]


@pytest.fixture
def page(browser, browser_logs, request):
    """A fresh browser context (no cookies) and page per test; a screenshot if the test fails."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    log = browser_logs.setdefault(request.node.name, BrowserLog())

    def on_console(message):
        if message.type == "error":
            where = message.location or {}
            log.errors.append(f"console error on {page.url}: {message.text} "
                              f"({where.get('url', '?')}:{where.get('lineNumber', '?')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.errors.append(f"uncaught error on {page.url}: {error}"))
    page.on("framenavigated",
            lambda frame: frame == page.main_frame and log.pages.append(frame.url))
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            stem = ARTIFACTS / f"failed-{_safe_name(request.node.nodeid)}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(page.content())
            except Exception as error:  # the browser may be what failed
                print(f"could not save the failure screenshot: {error}")
            else:
                print(f"failure screenshot: {stem}.png (page at {page.url})")
        context.close()


@pytest.fixture
def screenshot(page):
    """`screenshot("01-careers")` saves a full-page PNG into tests/artifacts/screens/."""
    SCREENS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
