"""An erasure reaches every table: after it, no text or JSON field of any model holds the customer's
name, email, phone or the words of her comment, and a model nobody classified fails the walk."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.db import models
from django.test.utils import isolate_apps

from cases import outbox, services
from cases.models import ExportAudit, IdempotentRequest, Notification, RecoveryCase
from cases.sla import sweep as sla_sweep
from conftest import COMPLAINED, high_case
from feedback.models import Customer
from feedback.tests.factories import CustomerFactory
from recovery import personal_data
from recovery.personal_data import ERASED

pytestmark = pytest.mark.django_db

NAME = "Erika Mustermann"
EMAIL = "erika.mustermann@example.org"
PHONE = "+49 30 5550199"
COMMENT = "Kühlschrank zerbeult geliefert, Quokkaspedition ignoriert Beschwerden"
NEW_DESCRIPTION = "Erika schickte Fotos vom zerbeulten Kühlschrank"
INTAKE = {
    "channel": "web",
    "rating": 1,
    "comment": COMMENT,
    "touchpoint": "delivery",
    "occurred_at": "2026-11-20T09:30:00Z",
    "customer": {"external_id": "C-7781", "email": EMAIL, "name": NAME, "phone": PHONE},
    "metadata": {"order": "SO-4711", "note": f"{NAME} rief zweimal an"},
}


def traces() -> list[str]:
    """What may not be left anywhere: her name and its words, email, phone (also as digits), and
    every word of five letters or more of what she wrote."""
    words = {NAME, *NAME.split(), EMAIL, PHONE, re.sub(r"\D", "", PHONE)}
    return sorted(words | {word for word in re.findall(r"\w{5,}", COMMENT)})


def every_text() -> list[tuple[str, str, str]]:
    """(model, field, value) of every text and JSON field of every row of every model."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = personal_data.text_fields(model)
        for row in model._default_manager.values("pk", *fields):
            for name in fields:
                value = row[name]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                found.append((model._meta.label, name, text))
    return found


def left_behind() -> list[str]:
    return [
        f"{label}.{name} holds {trace!r}: {text[:120]!r}"
        for label, name, text in every_text()
        for trace in traces()
        if trace.casefold() in text.casefold()
    ]


@pytest.fixture
def her_world(api_client, client, agent, manager, intake_user, django_user_model):
    """Her data written through every door the audit found it behind."""
    agent.email, manager.email = "alice@mend.example", "maria@mend.example"
    agent.save(), manager.save()
    with time_machine.travel(COMPLAINED, tick=False):
        answer = api_client(intake_user).post(
            "/api/v1/feedback/", INTAKE, format="json", HTTP_IDEMPOTENCY_KEY="f-1"
        )
    assert answer.status_code == 201, answer.content
    case = RecoveryCase.objects.get(customer__external_id="C-7781")
    case.owner = agent
    case.save()
    other = high_case(title="Waschmaschine tropft", owner=agent)

    # SLA digests listing her case and another customer's (no case of their own), some sent.
    with time_machine.travel(COMPLAINED + timedelta(days=3), tick=False):
        sla_sweep.sweep(now=COMPLAINED + timedelta(days=3))
    digests = Notification.objects.filter(template="sla_digest")
    assert digests.filter(case__isnull=True).exists() and any(COMMENT[:30] in d.body for d in digests)
    outbox.deliver(digests.order_by("pk").first().pk)

    # Stored idempotent answers of the case API, replaying her name, email and phone.
    agent_api = api_client(agent)
    ref = case.reference
    for key, path, body in [
        ("a-1", f"/api/v1/cases/{ref}/actions/acknowledge/", {"note": f"Hallo {NAME}"}),
        ("a-2", f"/api/v1/cases/{ref}/notes/", {"body": f"{NAME} ({PHONE}) wartet"}),
        ("a-3", f"/api/v1/cases/{ref}/gestures/", {"kind": "voucher", "amount": "10.00", "currency": "EUR"}),
    ]:
        assert agent_api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code in (200, 201)
    # A timeline "updated" event holding the old and the new description (the workspace's edit).
    services.edit_case(
        case_id=case.pk, actor=agent, expected_version=None, changes={"description": NEW_DESCRIPTION}
    )

    # An admin log entry of her correction, and an export searching for her surname.
    admin = django_user_model.objects.create_superuser("root", "root@mend.example", "pw-root")
    client.force_login(admin)
    customer = Customer.objects.get(external_id="C-7781")
    changed = client.post(
        f"/admin/feedback/customer/{customer.pk}/change/",
        {"external_id": "C-7781", "name": NAME, "email": EMAIL, "phone": "+49 30 5550199", "segment": "gold"},
    )
    assert changed.status_code == 302 and LogEntry.objects.filter(object_repr__contains="Mustermann").exists()
    client.force_login(manager)
    assert client.get("/cases/export.csv", {"q": "Mustermann"}).status_code == 200
    assert ExportAudit.objects.filter(filters__q=["Mustermann"]).exists()
    assert left_behind(), "the world holds her data before the erasure"
    return {"customer": customer, "case": case, "other": other}


def test_after_an_erasure_no_table_holds_her_name_email_phone_or_words(api_client, manager, her_world):
    response = api_client(manager).post("/api/v1/customers/C-7781/erase/")

    assert response.status_code == 200
    assert left_behind() == []


def test_a_replayed_idempotent_answer_no_longer_names_her(api_client, agent, manager, her_world):
    api_client(manager).post("/api/v1/customers/C-7781/erase/")

    replay = api_client(agent).post(
        f"/api/v1/cases/{her_world['case'].reference}/notes/",
        {"body": f"{NAME} ({PHONE}) wartet"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="a-2",
    )

    assert (replay.status_code, replay.headers["Idempotent-Replayed"]) == (201, "true")
    assert not any(trace.casefold() in replay.content.decode().casefold() for trace in traces())
    stored = json.dumps(list(IdempotentRequest.objects.values_list("body", flat=True)), ensure_ascii=False)
    assert ERASED in stored and "Mustermann" not in stored


def test_sent_emails_keep_only_the_marker_and_pending_ones_lose_only_her_words(
    api_client, manager, her_world
):
    sent_before = set(Notification.objects.filter(status="sent").values_list("pk", flat=True))
    pending_digests = list(
        Notification.objects.filter(status="pending", template="sla_digest", case__isnull=True).values_list(
            "pk", flat=True
        )
    )

    api_client(manager).post("/api/v1/customers/C-7781/erase/")

    assert sent_before
    for email in Notification.objects.filter(pk__in=sent_before):
        assert (email.subject, email.body) == (ERASED, ERASED)
    for email in Notification.objects.filter(pk__in=pending_digests):
        assert email.status == "pending" and "Waschmaschine tropft" in email.body  # the other case stays


def test_the_events_api_serves_no_old_or_new_description_after_erasure(api_client, agent, manager, her_world):
    api_client(manager).post("/api/v1/customers/C-7781/erase/")

    served = api_client(agent).get(f"/api/v1/cases/{her_world['case'].reference}/events/").content.decode()

    assert "Kühlschrank" not in served and "Erika" not in served
    assert '"updated"' in served  # the line stays, without its words


def test_other_customers_keep_their_words(api_client, manager, her_world):
    neighbour = CustomerFactory(external_id="C-1", name="Anabel Mustermannova", email="anabel@example.org")
    search = ExportAudit.objects.create(user=manager, export="cases", filters={"q": ["Mustermannova"]})

    api_client(manager).post("/api/v1/customers/C-7781/erase/")

    neighbour.refresh_from_db()
    search.refresh_from_db()
    assert (neighbour.name, neighbour.email) == ("Anabel Mustermannova", "anabel@example.org")
    assert search.filters == {"q": ["Mustermannova"]}
    assert RecoveryCase.objects.get(pk=her_world["other"].pk).title == "Waschmaschine tropft"


def test_every_model_with_text_or_json_fields_is_classified():
    assert personal_data.unaccounted() == []


@isolate_apps("feedback")
def test_a_new_model_with_text_nobody_classified_is_reported():
    class Scribble(models.Model):  # noqa: DJ008
        note = models.TextField()

    class Counter(models.Model):  # noqa: DJ008
        count = models.IntegerField()

    assert personal_data.unaccounted([Scribble, Counter]) == [
        "feedback.Scribble has text or JSON fields but is not in recovery.personal_data"
    ]


@isolate_apps("feedback")
def test_a_registered_model_that_grows_an_unnamed_text_field_is_reported(monkeypatch):
    class Scribble(models.Model):  # noqa: DJ008
        note = models.TextField()
        added_later = models.JSONField()

    holder = personal_data.Holder(Scribble, personal=("note",), other=(), erase=lambda subject: None)
    monkeypatch.setitem(personal_data.load().holders, Scribble, holder)

    assert personal_data.unaccounted([Scribble]) == [
        "feedback.Scribble does not say whether added_later hold personal data"
    ]
