"""The strict Content-Security-Policy holds on the third-party pages too: the API docs (Swagger UI and
ReDoc), the Django admin and the customer's survey work under it, with no violation in the console."""

import pytest
from django.core import signing

from cases.tests.factories import RecoveryCaseFactory
from conftest import ARTIFACTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def console(page):
    """What the browser complained about: console errors (CSP reports land there) and uncaught errors."""
    messages = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(str(e)))
    return messages


# ReDoc's bundle always draws Redocly's logo from its CDN in the sidebar footer; the policy blocks it, as it
# should (Mend loads nothing from a CDN), and the page is whole without it. The one block expected.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def csp_violations(messages, *, expected: tuple[str, ...] = ()) -> list[str]:
    return [
        m
        for m in messages
        if ("Content Security Policy" in m or "Refused to" in m) and not any(url in m for url in expected)
    ]


def test_swagger_ui_renders_the_operations_under_the_policy(page, live_server, console):
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()

    assert page.locator(".opblock").count() > 10
    assert page.get_by_text("/api/v1/feedback/").first.is_visible()
    screenshot(page, "csp-swagger")
    assert csp_violations(console) == []


def test_redoc_renders_the_operations_under_the_policy(page, live_server, console):
    page.goto(f"{live_server.url}/api/redoc/")
    page.locator("h2", has_text="Submit customer feedback").first.wait_for()

    assert page.locator("h2").count() > 10  # one heading per operation

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "csp-redoc.png"))  # the viewport: the whole page is too long
    assert csp_violations(console, expected=(REDOC_LOGO,)) == []


def test_the_admin_works_under_the_policy(page, live_server, admin_user, sign_in, console):
    RecoveryCaseFactory(title="Parcel crushed")
    base = sign_in(page, admin_user)

    page.goto(f"{base}/admin/cases/recoverycase/")
    page.get_by_text("Parcel crushed").wait_for()
    page.goto(f"{base}/admin/cases/rootcause/add/")
    page.get_by_label("Title").fill("Courier")

    screenshot(page, "csp-admin")
    assert csp_violations(console) == []


def test_the_survey_works_under_the_policy(page, live_server, console):
    page.goto(f"{live_server.url}/r/{signing.dumps('x')}/")
    page.get_by_role("heading").first.wait_for()

    assert csp_violations(console) == []
