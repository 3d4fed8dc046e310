"""Shared fixtures: users per role, API clients, query budgets, the `postgres` / `redis` / `browser`
markers, and a headless Chromium (`browser`, `page`) for tests that drive the live server.

Tests marked `postgres` or `redis` skip (saying why) when that server is not configured, and tests
marked `browser` when Debian's chromium is not installed. With MEND_REQUIRE_SERVICES=1 (set by
.ci/run) a missing server or browser fails them instead, so CI cannot go green by skipping what it
was meant to prove.
"""

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import factory.random
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recovery.roles import Role


def _require_services() -> bool:
    return os.environ.get("MEND_REQUIRE_SERVICES") == "1"


def _redis_url() -> str:
    url = settings.CELERY_BROKER_URL
    return url if url.startswith(("redis://", "rediss://")) else ""


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _missing(reason: str) -> None:
    if _require_services():
        pytest.fail(f"{reason} (MEND_REQUIRE_SERVICES=1: CI must not skip this)")
    pytest.skip(reason)


# Debian's package, installed by .ci/run with apt-get. Playwright must never download its own browser.
CHROMIUM = Path("/usr/bin/chromium")


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        _missing(f"needs Chromium: {CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _service_markers(request):
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    if request.node.get_closest_marker("postgres") and not on_postgres:
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis"):
        url = _redis_url()
        if not url:
            _missing("needs Redis: set REDIS_URL=redis://...")
        elif not _redis_reachable(url):
            _missing(f"needs Redis: {url} does not answer")
    if request.node.get_closest_marker("browser"):
        _require_chromium()


def from_another_session(sql: str, *params):
    """The first row of `sql` run on a connection of its own, as a second client of the same database
    would see it: what this test's connection has not committed is not there."""
    from django.db import connection

    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    finally:
        other.close()


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.05):
    """Poll `condition` until it is truthy (returned) or `timeout` seconds pass (AssertionError naming
    `what`). For waiting on another thread or process: never a fixed sleep, which is too short on a busy
    machine and too long on an idle one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def run_at_once(*calls):
    """Run each call in its own thread and database connection, released together by a barrier; the
    outcomes (a return value or the exception raised) in the calls' order."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # each outcome is inspected by the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def signed_in(user):
    """A test client with a session for `user` (no sign-in form round trip)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# When the customer complained in the SLA tests: Friday 2026-11-20, 10:00 UTC.
COMPLAINED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def high_case(title: str | None = None, **extra):
    """A high-severity case whose SLA clock started at COMPLAINED. Under the default policy: acknowledge
    1 h (warn 10:45, due 11:00, level 2 at 12:00), apologize 2 h (warn 11:30, due 12:00, level 2 at
    14:00), resolve 24 h (warn 04:00 the next day)."""
    from cases.tests.factories import RecoveryCaseFactory

    if title is not None:
        extra["title"] = title
    return RecoveryCaseFactory(severity="high", sla_started_at=COMPLAINED, **extra)


@pytest.fixture(autouse=True)
def _same_fake_data_every_run():
    """Faker's and factory_boy's random state, seeded per test: a test sees the same names and texts
    whatever ran before it, so a failure found once is found again."""
    factory.random.reseed_random("mend")


def make_user(django_user_model, username: str, role: Role | None = None, **extra):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def agent(django_user_model):
    return make_user(django_user_model, "agent", Role.AGENT, first_name="Alice")


@pytest.fixture
def other_agent(django_user_model):
    return make_user(django_user_model, "bob", Role.AGENT, first_name="Bob")


@pytest.fixture
def manager(django_user_model):
    return make_user(django_user_model, "manager", Role.MANAGER, first_name="Maria")


@pytest.fixture
def intake_user(django_user_model):
    return make_user(django_user_model, "intake-bot", Role.INTAKE)


@pytest.fixture
def outsider(django_user_model):
    """Logged in, but in no Mend role."""
    return make_user(django_user_model, "outsider")


@pytest.fixture
def api_client():
    """`api_client(user)` is an APIClient authenticated with `user`'s token; `api_client()` is anonymous."""

    def build(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return build


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole run; each test gets its own context in `page`."""
    # A session fixture is set up before the autouse marker check, so it checks for itself.
    _require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread while the browser lives, so Django
    # would refuse every later ORM call here (tests, database setup and flushes) as coming from "an
    # async context". They are all synchronous: lift the guard for as long as the browser runs.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


class _LiveRequests:
    """The requests the live server's threads are answering, counted by Django's request signals.

    A page's poll (presence every 3 s) can reach the server just before the test ends; flushing the
    database while that request holds a lock deadlocked the TRUNCATE. So a page's teardown waits until
    the server has answered what the closed browser sent."""

    def __init__(self):
        self.answering = 0
        self.changed = threading.Condition()

    def started(self, **kwargs):
        if threading.current_thread() is not threading.main_thread():  # not the test's own Client
            with self.changed:
                self.answering += 1

    def finished(self, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            with self.changed:
                self.answering -= 1
                self.changed.notify_all()

    def wait_until_answered(self, seconds: float) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.answering <= 0, timeout=seconds):
                self.answering = 0  # a request that never said it finished must not slow every later test


LIVE_REQUESTS = _LiveRequests()


@pytest.fixture
def page(browser):
    """A fresh page (own cookies) on a desktop viewport; tests may `set_viewport_size` for a phone."""
    from django.core.signals import request_finished, request_started

    request_started.connect(LIVE_REQUESTS.started, weak=False, dispatch_uid="live-requests-started")
    request_finished.connect(LIVE_REQUESTS.finished, weak=False, dispatch_uid="live-requests-finished")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Assertions wait as long as actions do: on a loaded 2-core machine a swap can take seconds.
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    yield page
    context.close()
    # Before the database is flushed (the test's transactional teardown runs after this fixture's).
    LIVE_REQUESTS.wait_until_answered(seconds=15)


@pytest.fixture
def broker(settings):
    """The test process publishes to Redis for real (the test settings run tasks eagerly)."""
    import redis

    from recovery.celery import app as celery_app

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    # Leftovers of an earlier, interrupted run would be consumed by this test's worker.
    stale = [*client.scan_iter("celery*"), "unacked", "unacked_index", "unacked_mutex"]
    client.delete(*stale)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = False
    yield client
    celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """API throttle counters live in the cache (this process's memory in tests): each test starts at zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def intake_trusted(django_user_model):
    """An intake client trusted to change a known customer's name, email or phone."""
    user = make_user(django_user_model, "crm-sync", Role.INTAKE)
    user.groups.add(Group.objects.get_or_create(name=Role.TRUSTED_INTAKE)[0])
    return user


@pytest.fixture(autouse=True)
def _fresh_per_process_caches():
    """Each test reads SLA policies and webhook subscriptions from its own database state, not from what
    an earlier test cached per process (`cases.sla.clock.policy_for`, `cases.webhooks.outbox`) in a
    transaction since rolled back, nor from a copy whose age hangs on how fast that test ran."""
    from cases.sla import clock as sla
    from cases.webhooks.outbox import forget_subscriptions

    sla.forget_policies()
    forget_subscriptions()


# Browser helpers ---------------------------------------------------------------------------------
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"  # git-ignored; look at what lands here


@pytest.fixture
def sign_in(live_server):
    """`sign_in(page, user)`: give `page` a session for `user` (no form round trip), return the base URL."""
    from django.test import Client

    def signed_in(page, user) -> str:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
        )
        return live_server.url

    return signed_in


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/<name>.png, to be looked at by a person."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each ([] is clean)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
