"""Every workspace page, the survey and every email to a customer, rendered in English, German and
Spanish: none may show a catalogue msgid untranslated or a placeholder left unfilled.

"Untranslated" is judged against the catalogue itself: any msgid of two words or more whose German or
Spanish differs from the English must not appear, in English, on a page rendered in that language."""

import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from cases import outbox, response_templates
from cases.at_risk import services as at_risk
from cases.conversation import outbound
from cases.follow_ups import survey
from cases.gesture_rules import services as gesture_rules
from cases.models import FollowUp, RecoveryCase, ResponseTemplate
from cases.teams.models import AgentStatus, RoutingRule, Team
from cases.tests.factories import GestureFactory, RecoveryCaseFactory, RootCauseFactory
from feedback.models import Sentiment
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "de", "es")
# What a page shows when a placeholder was not filled in: a Python format, a template tag or variable,
# a response template's own braces.
UNFILLED = re.compile(r"%\(\w+\)[sd]|\{\{|\{%")
TEMPLATE_BRACES = re.compile(r"\{(customer_name|reference|agent_name)\}")
TAG = re.compile(r"<[^>]+>")
# The frame's own words: proof the page was rendered in the language asked for.
MY_QUEUE = {"en": "My queue", "de": "Meine Warteschlange", "es": "Mi cola"}
# Pages that name a response template's placeholders on purpose, in their help text.
SHOWS_TEMPLATES = re.compile(r"^/templates/|/notify/$")
# Pages whose own sentences are not all marked yet: the dashboard (rebuilt on another branch) is held
# to the frame's language and to filled placeholders only. Remove it from here once it is marked.
NOT_YET_MARKED = {"/dashboard/"}


def english_msgids(language: str) -> list[str]:
    """The msgids a reader of `language` must never meet in English (phrases, not single words that
    may well be the same in both, like "Chat" or "SLA")."""
    found = []
    for domain in ("django", "djangojs"):
        path = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
        for entry in polib.pofile(str(path)):
            for english, translated in _pairs(entry):
                text = TAG.sub(" ", english)
                if "%" in text or "{" in text or translated == english or len(text.split()) < 2:
                    continue
                found.append(" ".join(text.split()))
    return found


def _pairs(entry):
    if entry.msgid_plural:
        return [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
    return [(entry.msgid, entry.msgstr)]


def visible_text(body: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(TAG.sub(" ", body)).split())


def problems(body: str, language: str, *, shows_templates: bool = False, marked: bool = True) -> list[str]:
    """What is wrong with `body` in `language`. `shows_templates`: the response templates' own pages,
    which show their placeholders as written, on purpose."""
    text = visible_text(body)
    found = [f"unfilled placeholder {match.group(0)!r}" for match in UNFILLED.finditer(body)]
    if not shows_templates:
        found += [f"unfilled placeholder {match.group(0)!r}" for match in TEMPLATE_BRACES.finditer(body)]
    if language != "en" and marked:
        found += [f"untranslated {msgid!r}" for msgid in english_msgids(language) if msgid in text]
    return found


@pytest.fixture
def world(agent, manager):
    customer = CustomerFactory(name="Lucía Pérez", email="lucia@example.com", language="es")
    case = RecoveryCaseFactory(customer=customer, owner=agent, title="Paquete aplastado", acknowledged=True)
    FeedbackFactory(
        customer=customer,
        case=case,
        rating=1,
        comment="El paquete llegó aplastado.",
        comment_language="es",
        sentiment=Sentiment.NEGATIVE,
    )
    case.originating_feedback = case.feedback.get()
    case.save()
    GestureFactory(case=case, requested_by=agent)
    root_cause = RootCauseFactory(title="Carrier drops parcels")
    root_cause.cases.add(case)
    template = response_templates.create(
        actor=manager,
        kind=ResponseTemplate.Kind.APOLOGY,
        name="Sorry for the parcel",
        body="Dear {customer_name}, we are sorry. {agent_name}",
        variants={"de": "Liebe/r {customer_name}, es tut uns leid. {agent_name}"},
    )
    follow_up = FollowUp.objects.create(case=case, due_at=timezone.now())
    team = Team.objects.create(name="Care", slug="care", max_open_per_agent=4, is_default=True)
    team.members.set([agent])  # not the manager: "Maria manager" would read as the msgid "a manager"
    team.leads.set([manager])
    RoutingRule.objects.create(position=1, team=team, conditions={"touchpoint": ["checkout"]})
    AgentStatus.objects.create(user=agent, away_until=timezone.now() + timezone.timedelta(days=2))
    gesture_rule = gesture_rules.create(
        actor=manager,
        values={"name": "Crushed parcel", "conditions": {"touchpoint": ["delivery"]}, "kind": "voucher",
                "amount": "10.00", "currency": "EUR", "monthly_budget": "100.00"},
    )  # fmt: skip
    at_risk.refresh(customer_id=customer.pk)
    return {"case": case, "customer": customer, "template": template, "root_cause": root_cause,
            "follow_up": follow_up, "team": team, "gesture_rule": gesture_rule}  # fmt: skip


def workspace_pages(world) -> list[str]:
    case, customer = world["case"], world["customer"]
    return [
        "/",
        "/cases/",
        f"/cases/{case.reference}/",
        f"/cases/{case.reference}/actions/apologize/",
        f"/cases/{case.reference}/actions/reply/",
        f"/cases/{case.reference}/actions/gesture/",
        f"/cases/{case.reference}/actions/note/",
        f"/customers/{customer.pk}/",
        "/cases/new/",
        "/root-causes/",
        f"/root-causes/{world['root_cause'].pk}/",
        "/templates/",
        "/templates/new/",
        f"/templates/{world['template'].pk}/",
        "/notifications/",
        "/gestures/pending/",
        "/dashboard/",
        "/webhooks/",
        "/account/api-tokens/",
        "/account/two-factor/",
        "/account/preferences/",
        "/teams/",
        "/teams/new/",
        f"/teams/{world['team'].slug}/",
        "/gesture-rules/",
        "/gesture-rules/new/",
        f"/gesture-rules/{world['gesture_rule'].pk}/",
        "/customers/at-risk/",
        "/emerging/",
        f"/root-causes/{world['root_cause'].pk}/notify/",
        "/notifications/settings/",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_workspace_page_is_in_the_language_asked_for(world, manager, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(manager)
    failures = {}
    for path in workspace_pages(world):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert f'<html lang="{language}">' in body, path
        assert MY_QUEUE[language] in body, path
        found = problems(
            body,
            language,
            shows_templates=bool(SHOWS_TEMPLATES.search(path)),
            marked=path not in NOT_YET_MARKED,
        )
        if found:
            failures[path] = found
    assert failures == {}, "; ".join(f"{path}: {found}" for path, found in failures.items())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_previews_are_in_the_language_asked_for(world, manager, language):
    """The sentences only a form's answer shows: a gesture rule's preview of the last 30 days, and the
    email to every customer a root cause hit, counted before it is sent."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(manager)
    rule = {"name": "Delay", "active": "on", "touchpoint": "delivery", "metadata": "", "kind": "voucher",
            "amount": "20.00", "currency": "EUR", "per_customer_90d": "", "monthly_budget": ""}  # fmt: skip
    notify = {"step": "preview", "template": "", "body": "Dear {customer_name}, we are sorry."}
    responses = {
        "/gesture-rules/new/": client.post("/gesture-rules/new/", {**rule, "preview": "1"}),
        f"/root-causes/{world['root_cause'].pk}/notify/": client.post(
            f"/root-causes/{world['root_cause'].pk}/notify/", notify
        ),
    }
    failures = {}
    for path, response in responses.items():
        assert response.status_code == 200, path
        body = response.content.decode()
        assert MY_QUEUE[language] in body, path
        if found := problems(body, language, shows_templates=bool(SHOWS_TEMPLATES.search(path))):
            failures[path] = found
    confirm = {
        "en": "Confirm: send 1 email",
        "de": "Bestätigen: 1 E-Mail senden",
        "es": "Confirmar: enviar 1 correo",
    }
    assert confirm[language] in responses[f"/root-causes/{world['root_cause'].pk}/notify/"].content.decode()
    assert failures == {}, failures


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_page_is_in_the_language_asked_for(language):
    body = Client(HTTP_ACCEPT_LANGUAGE=language).get("/login/").content.decode()

    button = {"en": "Sign in", "de": "Anmelden", "es": "Iniciar sesión"}[language]
    assert f'<button type="submit" class="primary">{button}</button>' in body
    assert problems(body, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_survey_pages_are_in_the_customers_language_whatever_the_browser_asks(world, language):
    customer = world["customer"]
    customer.language = language
    customer.save()
    path = f"/r/{survey.token_for(world['follow_up'].pk)}/"
    client = Client(HTTP_ACCEPT_LANGUAGE="en" if language != "en" else "de")

    form = client.get(path).content.decode()
    thanks = client.post(path, {"rating": "5", "comment": ""}).content.decode()
    used = client.get(path).content.decode()

    title = {"en": "How did we do", "de": "Wie gut haben wir", "es": "Qué tal lo hicimos"}[language]
    assert title in form and f'<html lang="{language}">' in form
    for body in (form, thanks, used):
        assert problems(body, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_to_a_customer_is_in_their_language(
    world, agent, language, django_capture_on_commit_callbacks
):
    customer = world["customer"]
    customer.language = language
    customer.save()
    case = RecoveryCase.objects.get(pk=world["case"].pk)

    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        message = outbound.reply(case_id=case.pk, actor=agent, body="Hola Lucía, lo siento.")
        survey.queue_invitation(world["follow_up"])
    reply = message.notification
    invitation = case.notifications.get(template="follow_up_survey")

    footer = {"en": "Reply to this email", "de": "Antworten Sie einfach", "es": "Responda a este correo"}
    assert footer[language] in reply.body and footer[language] in reply.body_html
    assert f'<html lang="{language}">' in reply.body_html
    greeting = {"en": "Dear Lucía Pérez,", "de": "Guten Tag Lucía Pérez,", "es": "Estimado/a Lucía Pérez:"}
    assert greeting[language] in invitation.body
    for body in (reply.body, reply.body_html, invitation.subject + "\n" + invitation.body):
        assert problems(body, language) == []
    assert len(mail.outbox) == 2


def test_a_customer_in_a_language_mend_does_not_speak_is_written_to_in_the_organisations(world, agent):
    customer = world["customer"]
    customer.language = "fr-CA"
    customer.save()

    message = outbound.reply(case_id=world["case"].pk, actor=agent, body="Bonjour.")

    assert "Reply to this email to answer" in message.notification.body
    assert outbound.reach(customer).language == settings.LANGUAGE_CODE


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", ["case_assignment", "mention", "customer_reply", "case_reopened"])
def test_the_emails_to_agents_are_in_the_language_they_are_written_in(
    world, agent, manager, language, template
):
    """An agent's email is rendered in the language active when it is written, as is the notice it
    carries: no sentence of it stays English."""
    context = {"case": world["case"], "site_url": settings.SITE_URL, "recipient": agent, "author": manager,
               "notice": "RC-1", "body": "@agent"}  # fmt: skip
    with translation.override(language):
        subject, body = outbox.render_email(template, context)

    hello = {"en": "Hello ", "de": "Hallo ", "es": "Hola, "}[language]
    assert body.startswith(hello + (agent.first_name or agent.get_username())), body
    assert problems(subject + "\n" + body, language) == []
