"""The links in Mend's emails lead to the case."""

import re

import pytest
import time_machine
from django.conf import settings
from django.utils.dateparse import parse_datetime

from cases.models import Notification
from cases.sla import sweep as sla_sweep
from cases.tests.factories import RecoveryCaseFactory

pytestmark = pytest.mark.django_db


def test_a_case_link_in_an_sla_email_leads_to_that_cases_screen(client, agent):
    agent.email = "alice@example.com"
    agent.save()
    complained = parse_datetime("2026-11-20T10:00:00Z")
    case = RecoveryCaseFactory(severity="high", sla_started_at=complained, owner=agent)
    with time_machine.travel("2026-11-20T10:46:00Z", tick=False):
        sla_sweep.sweep(now=parse_datetime("2026-11-20T10:46:00Z"))
    body = Notification.objects.get(recipient="alice@example.com").body
    [link] = re.findall(rf"{re.escape(settings.SITE_URL)}(/cases/\S+/)", body)

    client.force_login(agent)
    response = client.get(link)

    assert link == f"/cases/{case.reference}/"
    assert response.status_code == 200
    assert f"<h1>{case.title}</h1>" in response.text


@pytest.mark.parametrize("reference", ["RC-999999", "nonsense", "RC-"])
def test_a_link_to_no_case_is_a_404(admin_client, reference):
    assert admin_client.get(f"/cases/{reference}/").status_code == 404


def test_a_bare_id_and_a_lower_case_reference_lead_to_the_case_too(admin_client):
    case = RecoveryCaseFactory()

    for reference in (str(case.pk), case.reference.lower()):
        response = admin_client.get(f"/cases/{reference}/")
        assert (response.status_code, response.context["case"].pk) == (200, case.pk)
