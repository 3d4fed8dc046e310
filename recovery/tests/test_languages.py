"""Mend in the agent's and the customer's language: the customer's language from intake, the widget
and email; the agent's from their choice, else the browser; the API's errors in Accept-Language with
unchanged fields and codes; templates per language; and sentiment that says when it did not read."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from cases import response_templates
from cases.models import ResponseTemplate
from cases.tests.factories import RecoveryCaseFactory
from feedback import triage
from feedback.models import Customer, Feedback
from feedback.tests.factories import CustomerFactory
from feedback.widget import keys
from recovery.errors import InvalidInput
from recovery.languages import detect, services
from recovery.languages.models import AgentPreferences

pytestmark = pytest.mark.django_db

BODY = {
    "channel": "web",
    "rating": 2,
    "comment": "El paquete llegó dos días tarde y la caja estaba aplastada.",
    "customer": {"external_id": "C-77", "email": "lucia@example.com", "language": "es-MX"},
}


def post_feedback(client, body, **extra):
    return client.post("/api/v1/feedback/", json.dumps(body), content_type="application/json", **extra)


# The customer's language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [("es-MX", "es-MX"), ("DE", "de"), ("zh-hant-tw", "zh-Hant-TW"), ("", ""), (None, "")],
)
def test_intake_keeps_the_customers_language_as_a_bcp47_tag(api_client, intake_user, given, stored):
    body = {**BODY, "customer": {**BODY["customer"], "language": given}}

    response = post_feedback(api_client(intake_user), body)

    assert response.status_code == 201, response.json()
    assert Customer.objects.get(external_id="C-77").language == stored


@pytest.mark.parametrize("bad", ["spanish", "es_MX", "e", "es--MX", "x", 42, "a" * 40])
def test_intake_refuses_a_language_that_is_not_bcp47_with_400_naming_the_field(api_client, intake_user, bad):
    body = {**BODY, "customer": {**BODY["customer"], "language": bad}}

    response = post_feedback(api_client(intake_user), body)

    assert response.status_code == 400
    assert list(response.json()["customer"]) == ["language"]
    assert not Feedback.objects.exists()


def test_a_later_submission_without_a_language_keeps_the_one_mend_knows(api_client, intake_user):
    client = api_client(intake_user)
    post_feedback(client, BODY)
    post_feedback(client, {**BODY, "customer": {"external_id": "C-77"}, "comment": "", "rating": 5})

    assert Customer.objects.get(external_id="C-77").language == "es-MX"


def test_the_widget_sends_the_pages_language_and_an_odd_one_is_dropped(api_client):
    key = keys.create_key(
        actor=None, name="Shop", allowed_origins=["https://shop.example"], touchpoint_prefix="w"
    )
    client = api_client()

    def widget(lang, email):
        body = {"rating": 5, "page": "/checkout", "email": email, "lang": lang}
        return client.post(
            "/api/v1/widget/feedback/", body, format="json",
            HTTP_X_MEND_WIDGET_KEY=key.key, HTTP_ORIGIN="https://shop.example",
        )  # fmt: skip

    assert widget("de-AT", "a@example.com").status_code == 201
    assert widget("en_US", "b@example.com").status_code == 201
    assert widget("not a tag", "c@example.com").status_code == 201
    languages = dict(Customer.objects.values_list("email", "language"))
    assert languages == {"a@example.com": "de-AT", "b@example.com": "en-US", "c@example.com": ""}
    keys.forget_origins()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("El pedido llegó tarde y la caja estaba rota. Quiero una solución.", "es"),
        ("Die Lieferung kam zu spät und die Verpackung war kaputt.", "de"),
        ("The parcel arrived two days late and the box was crushed.", "en"),
        ("Hola", ""),  # too short to be sure
        ("ok!!", ""),
    ],
)
def test_the_detector_names_a_language_only_when_it_is_sure(text, language):
    assert detect.language_of(text) == language


def test_a_customer_is_written_to_in_their_language_or_its_base_or_the_organisations():
    assert services.customer_language(Customer(language="es-MX")) == "es"
    assert services.customer_language(Customer(language="de")) == "de"
    assert services.customer_language(Customer(language="fr")) == settings.LANGUAGE_CODE
    assert services.customer_language(Customer(language="")) == settings.LANGUAGE_CODE


# Sentiment that reads English only -----------------------------------------------------------------


def test_a_comment_in_another_language_is_not_scored_and_the_rating_decides(api_client, intake_user):
    response = post_feedback(api_client(intake_user), {**BODY, "rating": 4})

    feedback = Feedback.objects.get()
    assert response.status_code == 201
    assert (feedback.sentiment, feedback.case_id, feedback.comment_language) == ("positive", None, "es")


def test_triage_says_it_did_not_score_a_comment_it_cannot_read():
    decision = triage.decide(rating=2, nps=None, comment="Muy mal, fatal.", comment_language="es")

    assert decision.opens_case
    assert "comment not scored: language es" in decision.reasons
    assert not any(reason.startswith("comment is clearly negative") for reason in decision.reasons)


def test_an_english_comment_is_still_scored():
    decision = triage.decide(rating=None, nps=None, comment="Terrible, awful, the worst service ever.")

    assert decision.opens_case and decision.reasons[0].startswith("comment is clearly negative")


# The agent's language and time zone ------------------------------------------------------------------


def test_before_choosing_the_workspace_follows_the_browser(agent):
    client = Client(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    client.force_login(agent)

    assert "Mi cola" in client.get("/").content.decode()


def test_the_agents_choice_is_remembered_on_every_browser_they_sign_in_on(agent):
    first = Client(HTTP_ACCEPT_LANGUAGE="en")
    first.force_login(agent)
    response = first.post("/account/language/", {"language": "de", "next": "/"})

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert AgentPreferences.objects.get(user=agent).language == "de"
    assert "Meine Warteschlange" in first.get("/").content.decode()
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="es")
    elsewhere.force_login(agent)  # sends user_logged_in, as the sign-in form does
    assert "Meine Warteschlange" in elsewhere.get("/").content.decode()


def test_times_show_in_the_agents_own_time_zone(agent):
    with time_machine.travel(datetime(2026, 12, 6, 8, 30, tzinfo=UTC), tick=False):
        case = RecoveryCaseFactory(owner=agent)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(agent)

    response = client.post(
        "/account/preferences/", {"language": "de", "time_zone": "Asia/Tokyo", "next": "/"}
    )
    page = client.get(f"/cases/{case.reference}/").content.decode()

    assert response.status_code == 302
    assert "6. Dezember 2026 17:30 JST" in page


def test_an_unknown_time_zone_is_refused_next_to_its_field(agent):
    client = Client()
    client.force_login(agent)

    response = client.post("/account/preferences/", {"language": "de", "time_zone": "Mars/Olympus"})

    assert response.status_code == 200  # the form again, with the error by the field
    assert 'id="id_time_zone_error"' in response.content.decode()
    assert not AgentPreferences.objects.exists()


# The API ------------------------------------------------------------------------------------------------


def test_api_errors_follow_accept_language_and_keep_their_fields(api_client, intake_user):
    body = {**BODY, "channel": None, "customer": {**BODY["customer"], "language": "spanish"}}

    english = post_feedback(api_client(intake_user), body, HTTP_ACCEPT_LANGUAGE="en").json()
    german = post_feedback(api_client(intake_user), body, HTTP_ACCEPT_LANGUAGE="de").json()

    assert english.keys() == german.keys() and english["customer"].keys() == german["customer"].keys()
    assert german["customer"]["language"] == [
        "Geben Sie ein BCP-47-Sprachkürzel wie „en“, „de“ oder „es-MX“ an."
    ]
    assert (english["channel"], german["channel"]) == (
        ["This field may not be null."],
        ["Dieses Feld darf nicht null sein."],
    )


# Response templates per language ---------------------------------------------------------------------


def test_inserting_a_template_picks_the_customers_language_and_flags_a_missing_one(manager, agent):
    template = response_templates.create(
        actor=manager, kind=ResponseTemplate.Kind.APOLOGY, name="Sorry", body="Dear {customer_name}, sorry.",
        variants={"de": "Guten Tag {customer_name}, es tut uns leid.", "es": ""},
    )  # fmt: skip
    german = RecoveryCaseFactory(customer=CustomerFactory(name="Jonas", language="de-CH"))
    spanish = RecoveryCaseFactory(customer=CustomerFactory(name="Lucía", language="es"))

    in_german = response_templates.for_customer(template, case=german, agent=agent)
    in_spanish = response_templates.for_customer(template, case=spanish, agent=agent)

    assert (in_german.text, in_german.missing) == ("Guten Tag Jonas, es tut uns leid.", False)
    assert (in_spanish.text, in_spanish.missing, in_spanish.language_name) == (
        "Dear Lucía, sorry.",
        True,
        "español",
    )
    assert template.variants == {"de": "Guten Tag {customer_name}, es tut uns leid."}


def test_a_variant_with_an_unknown_placeholder_is_refused_on_its_own_field(manager):
    with pytest.raises(InvalidInput) as refused:
        response_templates.create(
            actor=manager,
            kind="apology",
            name="Sorry",
            body="Sorry.",
            variants={"es": "Lo siento, {nombre}."},
        )

    assert refused.value.field == "body_es"


def test_the_case_form_shows_which_language_the_message_goes_out_in_and_the_missing_variant(manager, agent):
    response_templates.create(
        actor=manager, kind="apology", name="Sorry", body="Sorry.", variants={"de": "Tut mir leid."}
    )
    case = RecoveryCaseFactory(owner=agent, acknowledged=True, customer=CustomerFactory(language="es"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)

    form = client.get(f"/cases/{case.reference}/actions/apologize/").content.decode()

    assert 'in <strong class="sends-in" lang="es">español</strong>' in form
    assert "(no español text)" in form and "data-missing=" in form
