import pytest

from cases.devdata.demo import DEMO_LOGINS

pytestmark = pytest.mark.django_db


def test_home_page_shows_where_things_are(client):
    response = client.get("/")

    assert response.status_code == 200
    for link in ('href="/admin/"', 'href="/api/docs/"', 'href="/readyz"'):
        assert link in response.text


def test_home_page_shows_the_demo_logins_only_in_debug(client, settings):
    settings.DEBUG = True
    shown = client.get("/").text
    settings.DEBUG = False
    hidden = client.get("/").text

    assert all(login.password in shown for login in DEMO_LOGINS)
    assert not any(login.password in hidden for login in DEMO_LOGINS)


def test_home_page_greets_a_signed_in_agent_by_name(client, agent):
    client.force_login(agent)

    assert "Signed in as <strong>agent</strong>" in client.get("/").text
