"""Assignment under concurrent intake, on real PostgreSQL: the team row's lock makes agents take turns."""

import threading
from collections import Counter

import pytest
from django.db import connection

from cases.models import RecoveryCase
from cases.teams.models import Team
from conftest import make_user
from feedback import intake
from feedback.tests.factories import feedback_input
from recovery.roles import Role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CASES = 100
THREADS = 10  # each submits CASES / THREADS in a row: a hundred connections would crowd a shared server


def submit_all_at_once(client, payloads):
    """Submit `payloads` from THREADS threads, each with its own connection, released together."""
    barrier = threading.Barrier(THREADS)
    failures = []

    def worker(share):
        try:
            barrier.wait()
            for payload in share:
                intake.submit(client=client, idempotency_key=None, payload=payload)
        except Exception as exc:  # the test reports every one
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(payloads[i::THREADS],)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def negative(n):
    return feedback_input(external_id=f"C-{n}", rating=1, comment="It broke again.")


@pytest.mark.parametrize("mode", [Team.Assignment.ROUND_ROBIN, Team.Assignment.LEAST_OPEN])
def test_two_agents_get_fifty_each_of_a_hundred_concurrent_cases(django_user_model, intake_user, mode):
    alice = make_user(django_user_model, "alice", Role.AGENT)
    bob = make_user(django_user_model, "bob", Role.AGENT)
    team = Team.objects.create(name="Care", slug="care", is_default=True, assignment=mode)
    team.members.set([alice, bob])

    submit_all_at_once(intake_user, [negative(n) for n in range(CASES)])

    owners = Counter(RecoveryCase.objects.values_list("owner__username", flat=True))
    assert RecoveryCase.objects.filter(team=team).count() == CASES
    assert abs(owners["alice"] - CASES / 2) <= 1 and abs(owners["bob"] - CASES / 2) <= 1, owners


def test_a_cap_holds_under_concurrency_and_the_rest_wait_in_the_pool(django_user_model, intake_user):
    alice = make_user(django_user_model, "alice", Role.AGENT)
    bob = make_user(django_user_model, "bob", Role.AGENT)
    team = Team.objects.create(
        name="Care", slug="care", is_default=True, assignment=Team.Assignment.LEAST_OPEN, max_open_per_agent=7
    )
    team.members.set([alice, bob])

    submit_all_at_once(intake_user, [negative(n) for n in range(40)])

    owners = Counter(RecoveryCase.objects.values_list("owner__username", flat=True))
    assert owners == {"alice": 7, "bob": 7, None: 26}
