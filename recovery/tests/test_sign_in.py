"""Signing in and out, and what an anonymous visitor can and cannot learn."""

import pytest

from cases.tests.factories import RecoveryCaseFactory
from recovery.sign_in.demo_logins import DEMO_LOGINS

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_to_the_page_they_asked_for(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_a_poll_after_the_session_ended_sends_the_whole_page_to_sign_in_and_back_to_that_page(client):
    # Without this the queue's 30-second poll would swap the sign-in page into the case table.
    polled = client.get(
        "/?show=mine", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/?show=mine"
    )

    assert polled.status_code == 401 and polled.content == b""
    assert polled["HX-Redirect"] == "/login/?next=/%3Fshow%3Dmine"


def test_a_poll_from_a_page_of_another_site_is_sent_to_sign_in_and_then_home(client):
    polled = client.get(
        "/notifications/bell/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/x"
    )

    assert polled["HX-Redirect"] == "/login/?next=/"


def test_an_htmx_request_that_names_no_page_comes_back_to_its_own_path(client):
    polled = client.get("/cases/?severity=high", HTTP_HX_REQUEST="true")

    assert polled["HX-Redirect"] == "/login/?next=/cases/%3Fseverity%3Dhigh"


def test_anonymous_case_links_redirect_alike_whether_or_not_the_case_exists(client):
    case = RecoveryCaseFactory()

    existing = client.get(f"/cases/{case.reference}/")
    missing = client.get("/cases/RC-999999/")
    garbage = client.get("/cases/²/")

    assert [r.status_code for r in (existing, missing, garbage)] == [302, 302, 302]
    assert all(r["Location"].startswith("/login/?next=/cases/") for r in (existing, missing, garbage))
    assert case.title not in existing["Location"]


def test_the_sign_in_page_has_labelled_fields_and_a_sign_in_button(client):
    page = client.get("/login/").text

    assert '<label for="id_username">Username</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert '<button type="submit" class="primary">Sign in</button>' in page


def test_the_sign_in_page_lists_the_demo_logins_only_in_debug(client, settings):
    settings.DEBUG = True
    shown = client.get("/login/").text
    settings.DEBUG = False
    hidden = client.get("/login/").text

    assert all(login.password in shown for login in DEMO_LOGINS)
    assert not any(login.password in hidden for login in DEMO_LOGINS)


def test_a_wrong_password_keeps_the_username_and_says_what_went_wrong(client, agent):
    response = client.post("/login/", {"username": "agent", "password": "nope"})

    assert response.status_code == 200
    assert 'value="agent"' in response.text
    assert "enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_signing_in_leads_to_the_page_asked_for(client, agent):
    response = client.post("/login/", {"username": "agent", "password": "pw-agent", "next": "/cases/"})

    assert (response.status_code, response["Location"]) == (302, "/cases/")
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_signing_in_refuses_to_send_the_agent_off_site(client, agent):
    response = client.post(
        "/login/", {"username": "agent", "password": "pw-agent", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_sign_out_is_a_post_and_ends_the_session(client, agent):
    client.force_login(agent)

    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert "_auth_user_id" not in client.session


def test_probes_the_survey_and_the_api_need_no_session(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/r/not-a-token/").status_code in (400, 404, 410)
    assert client.get("/api/v1/cases/").status_code == 401
