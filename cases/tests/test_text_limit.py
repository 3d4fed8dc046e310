"""One limit for what a request carries (issue 24, 5): a workspace form saves no text the API would
refuse in one body (MEND_MAX_BODY_BYTES), saying so next to the field and keeping the text; Django's
DATA_UPLOAD_MAX_MEMORY_SIZE is the hard cap behind it."""

import pytest
from django.conf import settings as live_settings

from cases.models import CaseEvent, RecoveryCase
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def post_note(client, case, note: str, **extra):
    version = RecoveryCase.objects.get(pk=case.pk).version
    return client.post(f"/cases/{case.reference}/actions/note/", {"version": version, "note": note}, **extra)


def api_note(api_client, user, case, note: str):
    return api_client(user).post(f"/api/v1/cases/{case.reference}/notes/", {"body": note}, format="json")


def test_a_note_over_the_limit_is_refused_by_its_field_keeps_the_text_and_stores_nothing(settings, agent):
    settings.MEND_MAX_BODY_BYTES = 1000
    case = RecoveryCaseFactory(owner=agent)
    note = "Called twice; " + "x" * 1000

    response = post_note(signed_in(agent), case, note)

    assert response.status_code == 422
    field = response.text.split('for="id_note"')[1].split("</div>")[0]
    assert "This text is 1014\xa0bytes; at most 1000\xa0bytes fits. Shorten it and save again." in field
    assert note in response.text
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_the_workspace_and_the_api_keep_one_limit(settings, agent, api_client):
    settings.MEND_MAX_BODY_BYTES = 2000
    case = RecoveryCaseFactory(owner=agent)
    fits, too_long = "€" * 600, "€" * 700  # 1,800 and 2,100 bytes of UTF-8

    assert post_note(signed_in(agent), case, fits).status_code == 302
    assert api_note(api_client, agent, case, fits).status_code == 201
    assert post_note(signed_in(agent), case, too_long).status_code == 422
    assert api_note(api_client, agent, case, too_long).status_code == 413
    assert case.events.filter(kind=CaseEvent.Kind.NOTE).count() == 2


def test_a_note_of_2_4_mb_is_refused_and_stores_nothing(agent):
    case = RecoveryCaseFactory(owner=agent)

    response = post_note(signed_in(agent), case, "x" * 2_400_000)

    assert response.status_code == 400  # over the hard cap: refused before the form is parsed
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_a_note_just_within_the_limit_is_saved_however_its_encoding_grows(agent):
    case = RecoveryCaseFactory(owner=agent)
    note = "€" * (live_settings.MEND_MAX_BODY_BYTES // 3)  # three times its bytes once percent-encoded

    response = post_note(signed_in(agent), case, note)

    assert response.status_code == 302
    assert case.events.get(kind=CaseEvent.Kind.NOTE).message == note
    assert live_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * live_settings.MEND_MAX_BODY_BYTES


def test_a_new_cases_description_over_the_limit_is_refused_by_its_field(settings, agent):
    settings.MEND_MAX_BODY_BYTES = 500
    known = CustomerFactory(external_id="C-KNOWN")
    body = {"title": "Charged twice", "severity": "high", "channel": "phone", "customer": known.external_id}

    response = signed_in(agent).post("/cases/new/", {**body, "description": "Kept: " + "y" * 500})

    assert response.status_code == 422
    assert "at most 500\xa0bytes fits" in response.text.split('for="id_description"')[1].split("</div>")[0]
    assert not RecoveryCase.objects.exists()
