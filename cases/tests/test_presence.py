"""Presence: who else has a case open, kept in the cache with a short expiry; the case page's poll."""

import pytest
from django.core.cache import cache

from cases.presence import services as presence
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in, wait_until

pytestmark = pytest.mark.django_db


def said(colleagues) -> list[tuple[str, bool]]:
    return [(c.name, c.writing) for c in colleagues]


def test_a_colleague_on_the_case_is_seen_by_others_but_not_by_themself(agent, other_agent):
    presence.here(case_id=1, user=other_agent)

    assert said(presence.others(case_id=1, user=agent)) == [("Bob", False)]
    assert presence.others(case_id=1, user=other_agent) == []
    assert presence.others(case_id=2, user=agent) == []


def test_writing_is_told_and_untold(agent, other_agent):
    presence.here(case_id=1, user=other_agent, writing=True)
    assert said(presence.others(case_id=1, user=agent)) == [("Bob", True)]

    presence.here(case_id=1, user=other_agent, writing=False)
    assert said(presence.others(case_id=1, user=agent)) == [("Bob", False)]


def test_leaving_drops_a_colleague_at_once(agent, other_agent):
    presence.here(case_id=1, user=other_agent)

    presence.gone(case_id=1, user=other_agent)

    assert presence.others(case_id=1, user=agent) == []


def test_a_colleague_who_stops_polling_drops_off_at_the_expiry(agent, other_agent, settings):
    settings.MEND_PRESENCE_SECONDS = 1
    presence.here(case_id=1, user=other_agent)
    assert presence.others(case_id=1, user=agent)

    wait_until(lambda: not presence.others(case_id=1, user=agent), timeout=5, what="Bob's presence to expire")


def test_a_roster_lost_to_a_race_is_mended_by_the_next_poll(agent, other_agent):
    presence.here(case_id=1, user=other_agent)
    cache.delete("presence:1")  # as if another page's write had overwritten the roster without Bob

    presence.here(case_id=1, user=other_agent)

    assert said(presence.others(case_id=1, user=agent)) == [("Bob", False)]


def test_the_case_page_shows_who_else_is_there(agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)
    signed_in(other_agent).get(f"/cases/{case.reference}/")

    page = signed_in(agent).get(f"/cases/{case.reference}/").content.decode()

    assert "Bob is viewing" in page
    assert f'hx-post="/cases/{case.reference}/presence/" hx-trigger="every 3s, presence-change"' in page


def test_the_poll_answers_who_is_writing_and_204_when_nothing_changed(agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)
    bob, alice = signed_in(other_agent), signed_in(agent)
    url = f"/cases/{case.reference}/presence/"
    bob.post(url, {"writing": "1"})

    first = alice.post(url, {"writing": ""})
    shown = first.context["shown"]
    again = alice.post(url, {"writing": "", "shown": shown})

    assert first.status_code == 200 and "Bob is writing a reply" in first.content.decode()
    assert again.status_code == 204


def test_leaving_by_the_poll_url_drops_the_person(agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)
    url = f"/cases/{case.reference}/presence/"
    signed_in(other_agent).post(url)

    signed_in(other_agent).post(url, {"leaving": "1"})

    assert presence.others(case_id=case.pk, user=agent) == []


def test_the_poll_is_post_only_and_for_agents(agent, intake_user):
    case = RecoveryCaseFactory(owner=agent)
    url = f"/cases/{case.reference}/presence/"

    assert signed_in(agent).get(url).status_code == 405
    assert signed_in(intake_user).post(url).status_code == 403
    assert signed_in(agent).post("/cases/RC-999999/presence/").status_code == 404


@pytest.mark.redis
def test_presence_is_shared_through_redis_and_expires_there(agent, other_agent, settings):
    """With REDIS_URL, every web process reads the same presence: here through django-redis for real."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": "mend-test-presence",
        }
    }
    settings.MEND_PRESENCE_SECONDS = 1
    cache.delete_many(["presence:1", f"presence:1:{other_agent.pk}"])  # an earlier run's leftovers
    presence.here(case_id=1, user=other_agent, writing=True)

    assert said(presence.others(case_id=1, user=agent)) == [("Bob", True)]
    wait_until(lambda: not presence.others(case_id=1, user=agent), timeout=5, what="Bob's presence to expire")
