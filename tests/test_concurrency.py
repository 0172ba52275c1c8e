"""Simultaneous requests from real threads against the real app served over HTTP.

The app runs on a database of its own (a new SQLite file, or `<test database>_concurrency` on
PostgreSQL) behind werkzeug's threaded server, as in production: no shared test transaction.
Each race releases N requests at once through a barrier; none may fail with a 500 ("database
is locked" on SQLite), exactly one may win, the others must get the message designed for
the conflict, and the data must stay true (one application, one stage change, true counts).
"""

import html
import re
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.auth.models import CANDIDATE, MANAGER, User
from portal.extensions import db, utcnow
from portal.recruiting import stages
from portal.recruiting.models import Application, Opening, StageChange, StageCount
from tests import helpers
from tests.browser.conftest import live_database, serve
from tests.conftest import DEFAULT_PASSWORD, reset_schema
from tests.conftest import test_config as app_config

N = 6  # requests released at once
ROUNDS = 2  # races per test: each is a new chance for a lock conflict
TIMEOUT = 30  # seconds; a request waiting that long for a lock is a failure anyway

ALREADY_APPLIED = "You have already applied to this opening."
MOVED_MEANWHILE = "Someone else moved this application meanwhile"


@dataclass
class Response:
    status: int
    location: str
    text: str  # what a person reads: tags removed, white space collapsed


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the redirect is the answer; the page it names is read after the race


class Browser:
    """One browser: its own cookies (its own session and flashed messages)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _KeepRedirects)

    def open(self, path: str, form: dict | None = None) -> Response:
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        url = path if path.startswith("http") else self.base_url + path
        try:
            with self.opener.open(url, data=data, timeout=TIMEOUT) as answer:
                return _response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as answer:  # 3xx (not followed), 4xx, 5xx
            return _response(answer.code, answer.headers, answer.read())

    def follow(self, response: Response) -> Response:
        assert response.status in (302, 303), response
        return self.open(response.location)

    def log_in(self, email: str) -> "Browser":
        answer = self.open("/login", {"email": email, "password": DEFAULT_PASSWORD})
        assert answer.status == 302, f"login of {email} failed: {answer.status}"
        return self


def _response(status: int, headers, body: bytes) -> Response:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", body.decode("utf-8", "replace"), flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
    return Response(status, headers.get("Location", ""), text)


def race(requests: list[tuple[Browser, str, dict]]) -> list[Response]:
    """POST each (browser, path, form) from its own thread, all released together."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index, browser, path, form):
        barrier.wait(timeout=TIMEOUT)
        try:
            results[index] = browser.open(path, form)
        except Exception as error:  # reported by the assertion below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, *request), daemon=True)
               for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT + 5)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert all(isinstance(r, Response) for r in results), results
    assert [r.status for r in results if r.status >= 500] == [], [r.status for r in results]
    return results


@cache
def _password_hash() -> str:
    return generate_password_hash(DEFAULT_PASSWORD)


@dataclass
class Live:
    app: object
    base_url: str

    def user(self, email: str, role: str) -> int:
        with self.app.app_context():
            user = User(email=email, full_name=email.split("@")[0].title(),
                        password_hash=_password_hash(), email_verified_at=utcnow())
            user.grant(role)
            db.session.add(user)
            db.session.commit()
            return user.id

    def browsers(self, count: int, email: str | None = None) -> list[Browser]:
        return [Browser(self.base_url).log_in(email) if email else Browser(self.base_url)
                for _ in range(count)]

    def opening(self, manager_id: int, title: str) -> int:
        with self.app.app_context():
            opening = helpers.open_opening(db.session.get(User, manager_id), title=title)
            db.session.commit()
            return opening.id

    def application(self, opening_id: int, candidate_id: int) -> int:
        with self.app.app_context():
            application = helpers.apply(db.session.get(Opening, opening_id),
                                        db.session.get(User, candidate_id))
            db.session.commit()
            return application.id

    def check_counts(self, opening_id: int) -> None:
        """The maintained stage counts equal the applications actually in each stage."""
        with self.app.app_context():
            actual = dict(db.session.execute(
                select(Application.stage, func.count()).where(
                    Application.opening_id == opening_id).group_by(Application.stage)).all())
            kept = dict(db.session.execute(select(StageCount.stage, StageCount.count).where(
                StageCount.opening_id == opening_id)).all())
        assert kept == {stage: actual.get(stage, 0) for stage in stages.STAGE_KEYS}

    def history(self, application_id: int) -> list[tuple[str | None, str]]:
        with self.app.app_context():
            return [tuple(row) for row in db.session.execute(
                select(StageChange.from_stage, StageChange.to_stage)
                .where(StageChange.application_id == application_id)
                .order_by(StageChange.id))]


@pytest.fixture(scope="module")
def live():
    with tempfile.TemporaryDirectory(prefix="portal-concurrency-") as tmp, \
            live_database(Path(tmp), "concurrency") as database_uri:
        app = create_app(app_config(Path(tmp), SQLALCHEMY_DATABASE_URI=database_uri))
        reset_schema(app)
        try:
            with serve(app) as base_url:
                yield Live(app, base_url)
        finally:
            with app.app_context():
                db.engine.dispose()  # before the database is dropped


@pytest.fixture(scope="module")
def manager_id(live) -> int:
    return live.user("hiring.manager@example.com", MANAGER)


def _messages(responses: list[Response], browsers: list[Browser]) -> list[str]:
    """The page each browser was sent to, read after the race (one at a time)."""
    return [browser.follow(response).text
            for response, browser in zip(responses, browsers, strict=True)]


def test_an_application_submitted_twice_at_once_is_one_application(live, manager_id):
    candidate_id = live.user("double.submit@example.com", CANDIDATE)
    browsers = live.browsers(N, "double.submit@example.com")
    form = {**helpers.APPLY_FORM, "full_name": "Double Submit",
            "email": "double.submit@example.com"}
    for round_ in range(ROUNDS):
        opening_id = live.opening(manager_id, f"Support Agent {round_}")
        responses = race([(b, f"/jobs/{opening_id}/apply", form) for b in browsers])

        accepted = [r for r in responses if r.status == 302]
        assert len(accepted) == 1, [r.status for r in responses]
        assert "/me/applications/" in accepted[0].location
        refused = [r for r in responses if r.status != 302]
        assert all(r.status == 200 and ALREADY_APPLIED in r.text for r in refused)
        with live.app.app_context():
            ids = db.session.scalars(select(Application.id).where(
                Application.opening_id == opening_id,
                Application.candidate_id == candidate_id)).all()
        assert len(ids) == 1
        assert live.history(ids[0]) == [(None, stages.APPLIED)]
        live.check_counts(opening_id)


def test_managers_moving_one_application_at_once_move_it_once(live, manager_id):
    emails = [f"manager{i}@example.com" for i in range(N)]
    browsers = []
    for email in emails:  # several managers, each in their own browser
        live.user(email, MANAGER)
        browsers += live.browsers(1, email)
    candidate_id = live.user("moved.once@example.com", CANDIDATE)
    for round_ in range(ROUNDS):
        opening_id = live.opening(manager_id, f"Chat Agent {round_}")
        application_id = live.application(opening_id, candidate_id)
        path = f"/pipeline/applications/{application_id}/move"
        responses = race([(b, path, {"stage": stages.SCREENING, "reason": ""})
                          for b in browsers])

        assert all(r.status == 302 for r in responses), [r.status for r in responses]
        messages = _messages(responses, browsers)
        assert sum("Moved to Screening." in m for m in messages) == 1, messages
        # Overlapping moves meet the compare-and-set; a move that waited for the lock reads
        # the new stage and is refused before it tries.
        told = (MOVED_MEANWHILE, "The application is already in Screening.")
        assert all(any(t in m for t in told) for m in messages
                   if "Moved to Screening." not in m), messages
        assert live.history(application_id) == [(None, stages.APPLIED),
                                                 (stages.APPLIED, stages.SCREENING)]
        live.check_counts(opening_id)


def test_a_withdrawal_racing_a_hire_one_wins_the_other_is_told(live, manager_id):
    candidate_email = "withdraw.or.hire@example.com"
    candidate_id = live.user(candidate_email, CANDIDATE)
    managers = []
    for i in range(N // 2):
        live.user(f"hirer{i}@example.com", MANAGER)
        managers += live.browsers(1, f"hirer{i}@example.com")
    candidates = live.browsers(N - N // 2, candidate_email)
    told = (MOVED_MEANWHILE, "A hired application cannot be moved.",
            "A withdrawn application cannot be moved.",
            "The application is already in Hired.", "The application is already in Withdrawn.")
    for round_ in range(ROUNDS):
        opening_id = live.opening(manager_id, f"Billing Agent {round_}")
        application_id = live.application(opening_id, candidate_id)
        hire = {"stage": stages.HIRED, "reason": ""}
        withdraw = {"reason": "I took another job"}
        responses = race(
            [(b, f"/pipeline/applications/{application_id}/move", hire) for b in managers]
            + [(b, f"/me/applications/{application_id}/withdraw", withdraw) for b in candidates])

        assert all(r.status == 302 for r in responses), [r.status for r in responses]
        messages = _messages(responses, managers + candidates)
        won = [m for m in messages
               if "Moved to Hired." in m or "Your application is withdrawn." in m]
        assert len(won) == 1, messages
        assert all(any(t in m for t in told) for m in messages if m not in won), messages
        history = live.history(application_id)
        assert len(history) == 2 and history[1][0] == stages.APPLIED
        assert history[1][1] in (stages.HIRED, stages.WITHDRAWN)
        with live.app.app_context():
            assert db.session.get(Application, application_id).stage == history[1][1]
        live.check_counts(opening_id)


def test_a_double_clicked_registration_makes_one_account(live):
    # Registration answers the same for new and existing addresses (being rewritten so); all
    # that matters here is no error and one account.
    for round_ in range(ROUNDS):
        email = f"double.click.{round_}@example.com"
        form = {"full_name": "Double Click", "email": email,
                "password": DEFAULT_PASSWORD, "confirm": DEFAULT_PASSWORD}
        browsers = live.browsers(N)
        race([(b, "/register", form) for b in browsers])
        with live.app.app_context():
            assert db.session.scalar(
                select(func.count()).select_from(User).where(User.email == email)) == 1
