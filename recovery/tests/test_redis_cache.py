"""The cache on Redis: one client per connection pool, and two round trips for a request's rate limits."""

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from feedback.models import Feedback

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


class CountedConnection(redis.Connection):
    """A real connection to the test Redis that counts what it sends: one send per round trip."""

    sends = 0

    def send_packed_command(self, command, check_health=True):
        CountedConnection.sends += 1
        return super().send_packed_command(command, check_health)


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "recovery.redis_cache.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": "mend-test-redis-cache",
            "OPTIONS": {"connection_class": CountedConnection},
        }
    }
    cache.clear()
    CountedConnection.sends = 0
    yield cache
    cache.clear()


def test_every_operation_goes_through_one_client(redis_cache):
    client = redis_cache._cache

    redis_cache.set("greeting", "hello")

    assert client.get_client(write=True) is client.get_client(write=True)
    assert client.get_client() is client.get_client(write=True)  # one server: reads and writes share it
    assert redis_cache.get("greeting") == "hello"


def test_a_request_checks_both_rate_limits_in_two_round_trips(redis_cache, api_client, intake_user):
    body = {"channel": "web", "rating": 5, "customer": {"external_id": "C-1"}}

    response = api_client(intake_user).post("/api/v1/feedback/", body, format="json")

    assert response.status_code == 201
    assert CountedConnection.sends == 2  # both counters read at once, then both written at once
    assert Feedback.objects.count() == 1


def test_both_counters_live_in_redis_and_count_the_request(redis_cache, api_client, intake_user):
    for n in range(3):
        api_client(intake_user).post(
            "/api/v1/feedback/",
            {"channel": "web", "rating": 5, "customer": {"external_id": f"C-{n}"}},
            format="json",
        )

    keys = redis.Redis.from_url(settings.CELERY_BROKER_URL).keys("mend-test-redis-cache:*throttle_intake_*")
    counts = [redis_cache.get(key.decode().split(":", 2)[2])[1] for key in keys]
    assert sorted(counts) == [3, 3]  # per token and per address, each counted every time
