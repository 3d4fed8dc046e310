"""Sign-in is throttled per address and per username before any password is hashed; the API per token
and per address, intake apart. Every refusal is a 429 with Retry-After."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher

from feedback.models import Feedback

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """A real hasher that counts its work: every password checked or made costs one `encode`."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["recovery.tests.test_rate_limits.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.fixture
def login_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def bad_login(client, path="/login/", username="nobody-here", address="203.0.113.7"):
    return client.post(path, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_an_address_that_keeps_failing_is_locked_out_with_429_and_retry_after(client, login_limit, path):
    answers = [bad_login(client, path, username=f"guess-{n}").status_code for n in range(login_limit + 2)]

    assert answers == [200] * (login_limit - 1) + [429] * 3
    locked = bad_login(client, path, username="another-guess")
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert "Too many failed sign-ins. Try again in 15 minutes." in locked.text


def test_a_username_attacked_from_many_addresses_is_locked_out(client, login_limit, agent):
    for n in range(login_limit):
        bad_login(client, username="agent", address=f"198.51.100.{n}")

    locked = client.post(
        "/login/", {"username": "agent", "password": "pw-agent"}, REMOTE_ADDR="192.0.2.99"
    )  # the right password, from a fresh address: still refused while the lockout lasts

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_locked_out_sign_in_hashes_no_password(client, login_limit, counting_hasher):
    for n in range(login_limit):
        bad_login(client, username=f"unknown-{n}")
    hashed_while_failing = counting_hasher.calls

    for n in range(20):
        assert bad_login(client, username=f"unknown-more-{n}").status_code == 429

    assert hashed_while_failing == login_limit  # Django hashes once per unknown username (timing)
    assert counting_hasher.calls == hashed_while_failing


def test_a_good_sign_in_under_the_limit_works_and_resets_the_count(client, login_limit, agent):
    for _ in range(login_limit - 1):
        bad_login(client, username="agent")

    response = client.post(
        "/login/", {"username": "agent", "password": "pw-agent"}, REMOTE_ADDR="203.0.113.7"
    )

    assert response.status_code == 302
    client.logout()
    assert bad_login(client, username="agent").status_code == 200  # the count started again


def intake_body(n: int) -> dict:
    return {"channel": "web", "rating": 5, "customer": {"external_id": f"C-{n}"}}


def test_intake_is_throttled_per_token_with_429_and_retry_after(settings, api_client, intake_user):
    settings.MEND_THROTTLE_RATES = {**settings.MEND_THROTTLE_RATES, "intake_token": "3/min"}
    client = api_client(intake_user)

    answers = [client.post("/api/v1/feedback/", intake_body(n), format="json") for n in range(4)]

    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    assert "throttled" in answers[-1].json()["detail"].lower()
    assert Feedback.objects.count() == 3  # the refused one stored nothing


def test_the_count_slides_the_window_before_fading_as_time_passes(settings, api_client, intake_user):
    settings.MEND_THROTTLE_RATES = {**settings.MEND_THROTTLE_RATES, "intake_token": "4/min"}
    client = api_client(intake_user)
    posted = iter(range(100))

    def post():
        return client.post("/api/v1/feedback/", intake_body(next(posted)), format="json")

    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False) as clock:
        burst = [post() for _ in range(5)]
        assert [a.status_code for a in burst] == [201] * 4 + [429]
        assert burst[-1]["Retry-After"] == "60"  # the four fade out over the next minute
        clock.shift(75)  # a quarter of the way into the next minute: 3 of the 4 still count
        assert [post().status_code for _ in range(2)] == [201, 429]
        clock.shift(15)  # halfway: 2 of the 4, and the one just posted
        assert [post().status_code for _ in range(2)] == [201, 429]
        clock.shift(60)  # the burst no longer counts; the two since count for half: 1, so 3 more go
        assert [post().status_code for _ in range(4)] == [201, 201, 201, 429]


def test_intake_is_throttled_per_address_across_tokens(settings, api_client, intake_user, agent):
    settings.MEND_THROTTLE_RATES = {**settings.MEND_THROTTLE_RATES, "intake_ip": "2/hour"}

    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False):  # an hour's window opens
        first = api_client(intake_user).post("/api/v1/feedback/", intake_body(1), format="json")
        second = api_client(agent).post("/api/v1/feedback/", intake_body(2), format="json")
        third = api_client(intake_user).post("/api/v1/feedback/", intake_body(3), format="json")

    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 429)
    assert third["Retry-After"] == "3600"  # the two fade out over the next hour


def test_the_rest_of_the_api_has_its_own_budget(settings, api_client, agent):
    settings.MEND_THROTTLE_RATES = {**settings.MEND_THROTTLE_RATES, "api_token": "2/min"}
    client = api_client(agent)

    reads = [client.get("/api/v1/cases/").status_code for _ in range(3)]
    intake = client.post("/api/v1/feedback/", intake_body(1), format="json")

    assert reads == [200, 200, 429]
    assert intake.status_code == 201  # intake counts against the intake rates, not this one


def test_with_the_rate_counters_cache_down_the_api_still_answers(settings, api_client, intake_user, caplog):
    # Port 8279 is this branch's own and nothing listens there: every cache call fails at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:8279/0",
        }
    }

    response = api_client(intake_user).post("/api/v1/feedback/", intake_body(1), format="json")

    assert response.status_code == 201
    assert Feedback.objects.count() == 1
    assert "Rate limit intake_token not checked" in caplog.text
