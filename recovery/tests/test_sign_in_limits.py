"""Sign-in limits (issue 24, 1): a (username, address) pair is locked after repeated failures, one address
failing across usernames is slowed with doubling delays, both before any password is hashed, both
reading the client address by the API's MEND_PROXY_COUNT rule. Every refusal is a 429 with Retry-After.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher

from conftest import make_user

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ATTACKER = "203.0.113.9"
VICTIM = "198.51.100.20"


class CountingHasher(MD5PasswordHasher):
    """A real hasher that counts its work: every password checked or made costs one `encode`."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["recovery.tests.test_sign_in_limits.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.fixture
def login_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


@pytest.fixture
def staff(django_user_model):
    """Someone who may sign in at /admin/login/ as well as /login/."""
    return make_user(django_user_model, "staffer", is_staff=True)


def sign_in(client, username, password, *, path="/login/", address=ATTACKER, **headers):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def bad_login(client, username="nobody-here", *, path="/login/", address=ATTACKER, **headers):
    return sign_in(client, username, "wrong", path=path, address=address, **headers)


# The (username, address) pair --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_an_attacker_at_one_address_cannot_lock_out_the_user_at_another(client, login_limit, staff, path):
    answers = [bad_login(client, "staffer", path=path).status_code for _ in range(login_limit + 1)]
    from_the_attacker = sign_in(client, "staffer", "pw-staffer", path=path)

    from_the_user = sign_in(client, "staffer", "pw-staffer", path=path, address=VICTIM)

    assert answers == [200] * (login_limit - 1) + [429] * 2
    assert from_the_attacker.status_code == 429  # the right password, but from the locked pair
    assert from_the_user.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_a_locked_pair_is_told_how_long_to_wait_and_keeps_the_username(client, login_limit):
    with time_machine.travel(START, tick=False):
        for _ in range(login_limit - 1):
            bad_login(client, "victim1")
        locking = bad_login(client, "victim1")

    assert locking.status_code == 429
    assert locking["Retry-After"] == "900"
    assert "Too many failed sign-ins. Try again in 15 minutes." in locking.text
    assert 'value="victim1"' in locking.text


def test_attempts_during_a_lockout_do_not_extend_it(client, login_limit, agent):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(login_limit):
            bad_login(client, "agent")
        clock.shift(timedelta(minutes=10))
        during = [bad_login(client, "agent") for _ in range(3)]
        clock.shift(timedelta(minutes=4))
        late = sign_in(client, "agent", "pw-agent")
        clock.shift(timedelta(minutes=1, seconds=1))  # 15 minutes and 1 second after the last counted one
        after = sign_in(client, "agent", "pw-agent")

    assert [r.status_code for r in during] == [429] * 3
    assert [r["Retry-After"] for r in during] == ["300"] * 3  # counting down, not restarted
    assert (late.status_code, late["Retry-After"]) == (429, "60")
    assert after.status_code == 302


def test_a_locked_out_sign_in_hashes_no_password(client, login_limit, counting_hasher):
    for _ in range(login_limit):
        bad_login(client, "unknown")
    hashed_while_failing = counting_hasher.calls

    for _ in range(5):
        assert bad_login(client, "unknown").status_code == 429

    assert hashed_while_failing == login_limit  # Django hashes for an unknown username too (timing)
    assert counting_hasher.calls == hashed_while_failing


def test_a_good_sign_in_under_the_limit_works_and_resets_the_count(client, login_limit, agent):
    for _ in range(login_limit - 1):
        bad_login(client, "agent")

    response = sign_in(client, "agent", "pw-agent")

    assert response.status_code == 302
    client.logout()
    assert bad_login(client, "agent").status_code == 200  # the count started again


# One address across usernames ----------------------------------------------------------------------


def test_one_address_spraying_50_usernames_is_slowed_with_doubling_delays(settings, client, agent):
    settings.MEND_LOGIN_ADDRESS_FREE_FAILURES = 10
    with time_machine.travel(START, tick=False) as clock:
        spray = [bad_login(client, f"user-{n}") for n in range(50)]
        waits = []
        for delay in (1, 2, 4, 8):
            clock.shift(delay - 0.5)
            early = bad_login(client, "user-early")
            clock.shift(0.5)
            allowed = bad_login(client, f"user-after-{delay}")
            waits.append((early.status_code, early["Retry-After"], allowed.status_code))
        elsewhere = sign_in(client, "agent", "pw-agent", address=VICTIM)

    assert [r.status_code for r in spray] == [200] * 10 + [429] * 40
    assert spray[10]["Retry-After"] == "1"
    assert all(r["Retry-After"] == "1" for r in spray[10:])  # waiting attempts do not grow the delay
    assert "Too many failed sign-ins from your network. Try again in 1 second." in spray[10].text
    assert waits == [(429, "1", 200), (429, "1", 200), (429, "1", 200), (429, "1", 200)]
    assert elsewhere.status_code == 302  # the spraying slowed only its own address


def test_the_spraying_delay_grows_to_its_ceiling_and_says_so(settings, client):
    settings.MEND_LOGIN_ADDRESS_FREE_FAILURES = 2
    settings.MEND_LOGIN_ADDRESS_MAX_DELAY = timedelta(minutes=5)
    retry_after = []
    with time_machine.travel(START, tick=False) as clock:
        bad_login(client, "user-a")
        bad_login(client, "user-b")
        for n in range(14):
            refused = bad_login(client, "user-waiting")
            retry_after.append(int(refused["Retry-After"]))
            clock.shift(retry_after[-1])
            assert bad_login(client, f"user-{n}").status_code == 200  # waited: tried, failed, counted

    assert retry_after == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300, 300]
    assert "Try again in 5 minutes." in refused.text


def test_a_slowed_attempt_hashes_no_password(settings, client, counting_hasher):
    settings.MEND_LOGIN_ADDRESS_FREE_FAILURES = 3
    with time_machine.travel(START, tick=False):
        for n in range(3):
            bad_login(client, f"user-{n}")
        hashed = counting_hasher.calls
        refused = [bad_login(client, f"user-more-{n}").status_code for n in range(20)]

    assert refused == [429] * 20
    assert counting_hasher.calls == hashed


def test_the_spraying_delay_applies_at_the_admin_sign_in_too(settings, client):
    settings.MEND_LOGIN_ADDRESS_FREE_FAILURES = 2
    with time_machine.travel(START, tick=False):
        bad_login(client, "a")
        bad_login(client, "b", path="/admin/login/")
        refused = bad_login(client, "c", path="/admin/login/")

    assert (refused.status_code, refused["Retry-After"]) == (429, "1")


def test_ipv6_addresses_in_one_64_count_as_one_address(settings, client):
    settings.MEND_LOGIN_ADDRESS_FREE_FAILURES = 3
    with time_machine.travel(START, tick=False):
        for n in range(3):
            bad_login(client, f"user-{n}", address=f"2001:db8:1:2::{n + 1}")
        same_64 = bad_login(client, "user-x", address="2001:db8:1:2:ffff::9")
        next_64 = bad_login(client, "user-y", address="2001:db8:1:3::1")

    assert (same_64.status_code, next_64.status_code) == (429, 200)


def test_with_the_cache_down_sign_in_still_works(settings, client, agent, caplog):
    # Port 18599 is this branch's own and nothing listens there: every cache call fails at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:18599/0",
        }
    }

    failed = bad_login(client, "agent")
    signed_in = sign_in(client, "agent", "pw-agent")

    assert (failed.status_code, signed_in.status_code) == (200, 302)
    assert "Sign-in failure not counted, its cache failed" in caplog.text


# Behind a proxy -------------------------------------------------------------------------------------

PROXY = "10.0.0.2"


def test_behind_one_proxy_forwarded_addresses_are_told_apart(
    settings, client, login_limit, agent, other_agent
):
    settings.MEND_PROXY_COUNT = 1
    for _ in range(login_limit + 2):
        bad_login(client, "agent", address=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    attacker = sign_in(client, "agent", "pw-agent", address=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    spoofed = sign_in(
        client, "agent", "pw-agent", address=PROXY, HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}"
    )

    user = sign_in(client, "agent", "pw-agent", address=PROXY, HTTP_X_FORWARDED_FOR=VICTIM)
    client.logout()
    colleague = sign_in(client, "bob", "pw-bob", address=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.44")

    assert (attacker.status_code, spoofed.status_code) == (429, 429)  # the left entry is the client's own
    assert (user.status_code, colleague.status_code) == (302, 302)


def test_without_a_proxy_a_forwarded_header_does_not_escape_a_lockout(settings, client, login_limit):
    settings.MEND_PROXY_COUNT = 0
    answers = [
        bad_login(client, "victim1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(login_limit + 1)
    ]

    assert answers == [200] * (login_limit - 1) + [429] * 2


# In the browser -------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_locked_out_sign_in_says_how_long_keeps_the_username_and_stays_accessible(
    page, live_server, settings
):
    from conftest import screenshot, serious_accessibility_violations

    settings.AXES_FAILURE_LIMIT = 1
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("victim1")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "Too many failed sign-ins. Try again in 15 minutes."
    assert page.get_by_label("Username").input_value() == "victim1"
    screenshot(page, "sign-in-locked-out")
    assert serious_accessibility_violations(page) == []
