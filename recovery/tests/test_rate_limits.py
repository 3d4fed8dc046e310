"""The API is throttled per token and per client address, intake apart. Every refusal is a 429 with
Retry-After. (Sign-in's limits: test_sign_in_limits.py.)"""

from datetime import UTC, datetime

import pytest
import time_machine

from feedback.models import Feedback

pytestmark = pytest.mark.django_db


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


def test_requests_refused_by_the_token_limit_do_not_spend_the_address_budget(
    settings, api_client, intake_user, intake_trusted
):
    settings.MEND_THROTTLE_RATES = {
        **settings.MEND_THROTTLE_RATES,
        "intake_token": "2/hour",
        "intake_ip": "4/hour",
    }
    noisy, quiet = api_client(intake_user), api_client(intake_trusted)  # two tokens on one host
    posted = iter(range(100))

    def post(client):
        return client.post("/api/v1/feedback/", intake_body(next(posted)), format="json").status_code

    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False):
        from_the_noisy_one = [post(noisy) for _ in range(6)]
        from_the_quiet_one = [post(quiet) for _ in range(3)]

    assert from_the_noisy_one == [201, 201, 429, 429, 429, 429]
    assert from_the_quiet_one == [201, 201, 429]  # the address's 4: the noisy one's 2, then 2 of its own


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


def test_without_a_proxy_a_forwarded_header_does_not_change_the_address(
    settings, api_client, intake_user, agent
):
    settings.MEND_PROXY_COUNT = 0
    settings.MEND_THROTTLE_RATES = {**settings.MEND_THROTTLE_RATES, "intake_ip": "2/hour"}

    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False):
        answers = [
            api_client(user).post(
                "/api/v1/feedback/", intake_body(n), format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
            )
            for n, user in enumerate((intake_user, agent, intake_user))
        ]

    assert [a.status_code for a in answers] == [201, 201, 429]  # anyone can write the header


def test_behind_one_proxy_the_api_counts_per_forwarded_address(settings, api_client, intake_user, agent):
    settings.MEND_PROXY_COUNT = 1
    settings.MEND_THROTTLE_RATES = {**settings.MEND_THROTTLE_RATES, "intake_ip": "1/hour"}

    def post(user, n, forwarded):
        return api_client(user).post(
            "/api/v1/feedback/",
            intake_body(n),
            format="json",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False):
        first = post(intake_user, 1, "203.0.113.9")
        other = post(agent, 2, "198.51.100.20")
        spoofed = post(intake_user, 3, "192.0.2.1, 203.0.113.9")  # the client wrote the left entry

    assert (first.status_code, other.status_code, spoofed.status_code) == (201, 201, 429)
