"""The pages under a person's name, in Chromium. A manager's first sign-in under MEND_REQUIRE_2FA=managers:
password, enrolment with the QR code's secret, recovery codes, then a later sign-in with a code from the
app. And revoking an API token."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from conftest import make_user, screenshot, serious_accessibility_violations
from recovery import accounts
from recovery.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret_text: str, steps_ahead: int = 0) -> str:
    """What an authenticator app that was given `secret_text` (as the page shows it) shows now."""
    secret = secret_text.replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


@pytest.fixture
def console(page):
    messages = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(str(e)))
    return messages


def sign_in_with_password(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_role("button", name="Sign in").click()


def test_a_manager_enrols_then_signs_in_with_a_code_from_the_app(
    page, live_server, django_user_model, settings, console
):
    settings.MEND_REQUIRE_2FA = "managers"
    make_user(django_user_model, "maria", Role.MANAGER, first_name="Maria", is_staff=True)
    base = live_server.url

    sign_in_with_password(page, base, "maria")
    page.wait_for_url("**/account/two-factor/**")
    assert page.get_by_role("alert").inner_text() == (
        "Your account needs two-factor sign-in. Set it up to continue to Mend."
    )
    assert page.get_by_role("img", name="QR code to add Mend to your authenticator app").is_visible()
    screenshot(page, "two-factor-1-enrol")
    assert serious_accessibility_violations(page) == []

    page.goto(f"{base}/dashboard/")  # nothing else opens before enrolment
    page.wait_for_url("**/account/two-factor/?next=%2Fdashboard%2F")
    secret = page.locator("#secret").inner_text()
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert "That code is not the one your app shows" in page.locator("#id_code_error").inner_text()
    page.get_by_label("Code from the app").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    codes = page.get_by_role("list", name="Recovery codes").locator("li")
    codes.first.wait_for()
    assert codes.count() == 10
    screenshot(page, "two-factor-2-recovery-codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(f"{base}/dashboard/")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")
    sign_in_with_password(page, base, "maria")
    page.wait_for_url("**/login/code/")
    screenshot(page, "two-factor-3-code-step")
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Code", exact=True).fill(
        app_code(secret, steps_ahead=1)
    )  # the next one: each code counts once
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/")

    page.get_by_text("Maria").first.click()  # the menu under the person's name
    expect(page.get_by_role("link", name="Two-factor sign-in")).to_be_visible()
    screenshot(page, "two-factor-4-signed-in-menu")
    page.get_by_role("link", name="Two-factor sign-in").click()
    assert "Two-factor sign-in is on" in page.locator("main").inner_text()
    assert [m for m in console if "Content Security Policy" in m or "Refused to" in m] == []


def test_an_agent_revokes_an_api_token_after_confirming(page, live_server, agent, sign_in, console):
    key = accounts.issue_token(username="agent", role=Role.AGENT)
    base = sign_in(page, agent)

    page.goto(f"{base}/")
    page.get_by_text("Alice").first.click()
    page.get_by_role("link", name="API tokens").click()
    row = page.get_by_role("row", name=f"{key[:8]}…")
    expect(row).to_be_visible()  # the click starts a page load: wait for its rows
    screenshot(page, "api-tokens-1-list")
    assert serious_accessibility_violations(page) == []
    row.get_by_role("link", name=f"Revoke token {key[:8]}").click()
    screenshot(page, "api-tokens-2-confirm")
    page.get_by_role("button", name="Revoke token").click()

    page.wait_for_url(f"{base}/account/api-tokens/")
    assert f"Token {key[:8]}… revoked" in page.get_by_role("status").inner_text()
    assert page.get_by_text("You have no API tokens.").is_visible()
    screenshot(page, "api-tokens-3-revoked")
    assert [m for m in console if "Content Security Policy" in m or "Refused to" in m] == []
