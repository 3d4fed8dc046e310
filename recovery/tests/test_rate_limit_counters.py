"""The rate limits' counters on Redis (django-redis): one round trip per request, every request counted."""

import threading
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import time_machine
from django.conf import settings
from django.core.cache import cache

from feedback.models import Feedback
from recovery.api.throttles import count_and_read

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


class CountedConnection(redis.Connection):
    """A real connection to the test Redis that counts what it sends: one send per round trip."""

    sends = 0

    def send_packed_command(self, command, check_health=True):
        CountedConnection.sends += 1
        return super().send_packed_command(command, check_health)


def _counted_url() -> str:
    """The test Redis server, at a database of this module's own. django-redis keeps one connection pool
    per URL for the life of the process, so a URL another test's cache used would bring that test's
    (uncounted) connections here; this one only ever has counted ones."""
    return urlunsplit(urlsplit(settings.CELERY_BROKER_URL)._replace(path="/15"))


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _counted_url(),
            "KEY_PREFIX": "mend-test-redis-cache",
            "OPTIONS": {"CONNECTION_POOL_KWARGS": {"connection_class": CountedConnection}},
        }
    }
    _forget_test_keys()
    cache.get("connect")  # opening the connection sends a handshake: counted before the test starts
    CountedConnection.sends = 0
    yield cache
    _forget_test_keys()


def _forget_test_keys():
    """This module's keys only: the Redis database may hold the broker's queues too."""
    server = redis.Redis.from_url(_counted_url())
    for key in server.scan_iter("mend-test-redis-cache:*"):
        server.delete(key)


def test_a_request_checks_both_rate_limits_in_one_round_trip(redis_cache, api_client, intake_user):
    body = {"channel": "web", "rating": 5, "customer": {"external_id": "C-1"}}

    response = api_client(intake_user).post("/api/v1/feedback/", body, format="json")

    assert response.status_code == 201
    assert CountedConnection.sends == 1  # both counters bumped, both windows before read, at once
    assert Feedback.objects.count() == 1


def test_both_counters_live_in_redis_and_count_the_request(redis_cache, api_client, intake_user):
    for n in range(3):
        api_client(intake_user).post(
            "/api/v1/feedback/",
            {"channel": "web", "rating": 5, "customer": {"external_id": f"C-{n}"}},
            format="json",
        )

    server = redis.Redis.from_url(_counted_url())
    keys = server.keys("mend-test-redis-cache:*throttle_intake_*")
    assert len(keys) == 2  # this minute's counter of the token and of the address
    assert sorted(int(server.get(key)) for key in keys) == [3, 3]  # each counted every time


def test_requests_at_the_same_moment_all_count(redis_cache):
    def post_many():
        for _ in range(25):
            count_and_read(redis_cache, [("throttle_test_burst:1", 120)], ["throttle_test_burst:0"])

    threads = [threading.Thread(target=post_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert redis_cache.get("throttle_test_burst:1") == 200  # no two bumps read the same count


def test_a_refused_request_takes_itself_back_off_every_counter(
    redis_cache, settings, api_client, intake_user
):
    settings.MEND_THROTTLE_RATES = {**settings.MEND_THROTTLE_RATES, "intake_token": "2/min"}
    client = api_client(intake_user)

    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False):  # one minute's window
        answers = [
            client.post(
                "/api/v1/feedback/",
                {"channel": "web", "rating": 5, "customer": {"external_id": f"C-{n}"}},
                format="json",
            )
            for n in range(4)
        ]

    assert [a.status_code for a in answers] == [201, 201, 429, 429]
    server = redis.Redis.from_url(_counted_url())
    [token_key] = server.keys("mend-test-redis-cache:*throttle_intake_token_*")
    [address_key] = server.keys("mend-test-redis-cache:*throttle_intake_ip_*")
    on_the_token, on_the_address = int(server.get(token_key)), int(server.get(address_key))
    assert (on_the_token, on_the_address) == (2, 2)  # the two refused by the token count on neither
