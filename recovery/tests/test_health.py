"""The probes answer from the real database and the real broker; an unreachable broker is a real port."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # port 1: nothing listens there, the connection is refused


def test_healthz_answers_without_checking_anything(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_when_database_and_configured_broker_answer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.redis
def test_readyz_is_ready_on_a_real_redis_broker(client):
    assert settings.CELERY_BROKER_URL.startswith("redis://")

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_readyz_is_503_with_json_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}


def test_probes_refuse_other_methods_than_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
