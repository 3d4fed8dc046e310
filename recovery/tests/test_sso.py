"""Single sign-on with OpenID Connect against a local provider (recovery/tests/oidc_provider.py) that the
tests start on 127.0.0.1: the whole code flow runs for real, over HTTP, with a signed ID token."""

import pytest
import requests
from django.contrib.auth import get_user_model
from django_otp.oath import totp

from recovery.roles import Role, group_names
from recovery.sso import config
from recovery.tests import oidc_provider
from recovery.two_factor import devices

pytestmark = pytest.mark.django_db

PORT = 18711  # in this worktree's port range


@pytest.fixture(scope="module")
def provider():
    running = oidc_provider.Provider(PORT).start()
    yield running
    running.stop()


@pytest.fixture
def sso(provider, settings):
    """Single sign-on on, configured as an operator would: the issuer, the client, domains and groups."""
    settings.MEND_OIDC_ENABLED = True
    settings.MEND_OIDC_ISSUER = provider.url
    settings.OIDC_RP_CLIENT_ID = oidc_provider.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.CLIENT_SECRET
    settings.MEND_OIDC_ALLOWED_DOMAINS = ["example.com"]
    settings.MEND_OIDC_ROLE_CLAIMS = {"mend-managers": "managers", "mend-agents": "agents"}
    settings.MEND_OIDC_DEFAULT_ROLE = "agents"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "recovery.sso.backend.SingleSignOnBackend",
    ]
    config.discovery.cache_clear()
    provider.id_token_changes = {}
    yield provider
    config.discovery.cache_clear()


def through_the_provider(client, provider, claims: dict, next_url: str = "/cases/"):
    """The browser's trip: Mend -> the provider's authorize page (which signs `claims` in at once) -> back."""
    provider.claims = claims
    start = client.get(f"/sso/start/?next={next_url}")
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.url}/authorize?")
    authorized = requests.get(start["Location"], allow_redirects=False, timeout=10)
    back = authorized.headers["Location"]
    assert back.startswith("http://testserver/sso/callback/?")
    return client.get(back.removeprefix("http://testserver"))


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_the_sign_in_page_offers_sso_only_when_it_is_on(client, settings, sso):
    assert "Sign in with SSO" in client.get("/login/").text
    settings.MEND_OIDC_ENABLED = False
    assert "Sign in with SSO" not in client.get("/login/").text
    assert client.get("/sso/start/").status_code == 404
    assert client.get("/sso/callback/?code=x&state=y").status_code == 404


def test_a_new_person_from_an_allowed_domain_is_created_as_an_agent_and_signed_in(client, sso):
    response = through_the_provider(
        client,
        sso,
        {"sub": "u1", "email": "Ana.Lopez@example.com", "given_name": "Ana", "family_name": "Lopez"},
    )

    assert (response.status_code, response["Location"]) == (302, "/cases/")
    user = signed_in_user(client)
    assert (user.username, user.email, user.get_full_name()) == ("ana.lopez@example.com",) * 2 + (
        "Ana Lopez",
    )
    assert group_names(user) == {Role.AGENT}
    assert not user.has_usable_password()
    assert client.get("/cases/").status_code == 200


def test_a_group_claim_makes_the_person_a_manager_and_staff(client, sso):
    through_the_provider(client, sso, {"email": "boss@example.com", "groups": ["mend-managers", "other"]})

    user = signed_in_user(client)
    assert group_names(user) == {Role.AGENT, Role.MANAGER}
    assert user.is_staff
    assert client.get("/dashboard/").status_code == 200


def test_a_manager_whose_group_is_taken_away_at_the_provider_is_no_longer_one(client, sso):
    through_the_provider(client, sso, {"email": "boss@example.com", "groups": ["mend-managers"]})
    client.post("/logout/")

    through_the_provider(client, sso, {"email": "boss@example.com", "groups": []})

    user = signed_in_user(client)
    assert group_names(user) == {Role.AGENT}
    assert not user.is_staff


def test_a_person_from_a_domain_not_allowed_is_refused_and_nothing_is_stored(client, sso):
    response = through_the_provider(client, sso, {"email": "eve@elsewhere.example"})

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert signed_in_user(client) is None
    assert not get_user_model().objects.filter(email="eve@elsewhere.example").exists()
    page = client.get("/login/").text
    assert "Accounts at elsewhere.example cannot sign in to Mend." in page


def test_an_unverified_email_or_no_role_is_refused(client, sso, settings):
    through_the_provider(client, sso, {"email": "ana@example.com", "email_verified": False})
    assert signed_in_user(client) is None
    settings.MEND_OIDC_DEFAULT_ROLE = ""
    through_the_provider(client, sso, {"email": "ana@example.com", "groups": ["unknown"]})
    assert signed_in_user(client) is None
    assert "Your account has no role in Mend" in client.get("/login/").text
    assert not get_user_model().objects.exists()


def test_an_id_token_for_another_client_is_refused(client, sso):
    sso.id_token_changes = {"aud": "someone-else"}

    through_the_provider(client, sso, {"email": "ana@example.com"})

    assert signed_in_user(client) is None
    assert not get_user_model().objects.exists()


def test_an_existing_account_with_that_email_is_the_one_signed_in(client, sso, agent):
    agent.email = "alice@example.com"
    agent.save()

    through_the_provider(client, sso, {"email": "ALICE@example.com"})

    assert signed_in_user(client) == agent
    assert get_user_model().objects.count() == 1


def test_a_person_with_an_authenticator_still_gives_its_code_after_sso(client, sso, agent):
    agent.email = "alice@example.com"
    agent.save()
    pending = devices.pending_authenticator(agent)
    device, _ = devices.confirm_authenticator(user=agent, code=f"{totp(pending.bin_key):06d}")

    response = through_the_provider(client, sso, {"email": "alice@example.com"}, next_url="/cases/")

    assert response["Location"] == "/login/code/"
    assert signed_in_user(client) is None
    done = client.post("/login/code/", {"code": f"{totp(device.bin_key, drift=1):06d}"})
    assert done["Location"] == "/cases/"
    assert signed_in_user(client) == agent


def test_a_manager_from_sso_without_an_authenticator_must_enrol_when_managers_need_it(client, sso, settings):
    settings.MEND_REQUIRE_2FA = "managers"

    through_the_provider(
        client, sso, {"email": "boss@example.com", "groups": ["mend-managers"]}, "/dashboard/"
    )

    assert client.get("/dashboard/")["Location"] == "/account/two-factor/?next=%2Fdashboard%2F"


def test_a_password_form_cannot_sign_in_through_the_sso_backend(client, sso):
    response = client.post("/login/?code=x&state=y", {"username": "ana@example.com", "password": "x"})

    assert response.status_code == 200
    assert signed_in_user(client) is None


def test_a_provider_that_does_not_answer_gives_a_clear_message(client, sso, settings):
    settings.MEND_OIDC_ISSUER = "http://127.0.0.1:18712"  # nothing listens here

    response = client.get("/sso/start/")

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert "Single sign-on is not answering just now" in client.get("/login/").text


def test_settings_refuse_single_sign_on_without_domains_or_with_an_unknown_role():
    from recovery.tests.test_two_factor import settings_value

    base = {"DEBUG": "1", "MEND_OIDC_CLIENT_ID": "mend", "MEND_OIDC_ISSUER": "https://id.example.com"}
    no_domains = settings_value(**base)
    bad_role = settings_value(
        **base, MEND_OIDC_ALLOWED_DOMAINS="example.com", MEND_OIDC_ROLE_CLAIMS="x=admins"
    )
    fine = settings_value(**base, MEND_OIDC_ALLOWED_DOMAINS="example.com", MEND_OIDC_ROLE_CLAIMS="x=managers")
    off = settings_value(DEBUG="1")

    assert 'MEND_OIDC_ALLOWED_DOMAINS ("*" for any domain)' in no_domains.stderr
    assert "name 'agents' or 'managers'" in bad_role.stderr
    assert fine.returncode == 0 and off.returncode == 0, fine.stderr + off.stderr


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_sign_in_with_sso_lands_a_manager_on_the_dashboard(page, live_server, sso):
    from conftest import screenshot, serious_accessibility_violations

    sso.claims = {"email": "maria@example.com", "given_name": "Maria", "groups": ["mend-managers"]}
    page.goto(f"{live_server.url}/login/?next=/dashboard/")
    screenshot(page, "sso-1-sign-in-page")
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="Sign in with SSO").click()  # to the provider and straight back

    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.get_by_text("Maria").first.is_visible()
    screenshot(page, "sso-2-dashboard")


def test_a_callback_with_a_state_mend_never_sent_signs_nobody_in(client, sso):
    client.get("/sso/start/")  # a real sign-in under way in this browser

    response = client.get("/sso/callback/?code=stolen&state=not-ours")

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert signed_in_user(client) is None
    assert "Single sign-on did not sign you in." in client.get("/login/").text
