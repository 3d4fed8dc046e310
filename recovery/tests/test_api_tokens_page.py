"""`/account/api-tokens/`: a person sees their own API tokens (a prefix and a date, never the key) and
revokes one after a confirmation; the API refuses it from the next request on."""

import pytest
from rest_framework.authtoken.models import Token

from recovery import accounts
from recovery.roles import Role

pytestmark = pytest.mark.django_db


def test_the_page_lists_the_persons_token_by_prefix_and_date_and_never_the_key(client, agent, other_agent):
    key = accounts.issue_token(username="agent", role=Role.AGENT)
    theirs = accounts.issue_token(username="bob", role=Role.AGENT)
    client.force_login(agent)

    page = client.get("/account/api-tokens/").text

    assert f"<code>{key[:8]}…</code>" in page
    assert key not in page and theirs[:8] not in page
    assert Token.objects.get(key=key).created.strftime("%-d %b %Y") in page
    assert f'href="/account/api-tokens/{key[:8]}/revoke/"' in page


def test_a_person_without_tokens_is_told_so(client, agent):
    client.force_login(agent)

    assert "You have no API tokens." in client.get("/account/api-tokens/").text


def test_revoking_asks_first_then_the_api_refuses_the_token_at_once(client, agent, api_client):
    key = accounts.issue_token(username="agent", role=Role.AGENT)
    client.force_login(agent)
    api = api_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/cases/").status_code == 200

    confirm = client.get(f"/account/api-tokens/{key[:8]}/revoke/")
    assert confirm.status_code == 200
    assert "Revoke token" in confirm.text and Token.objects.filter(key=key).exists()  # a GET changes nothing
    done = client.post(f"/account/api-tokens/{key[:8]}/revoke/", follow=True)

    assert done.redirect_chain == [("/account/api-tokens/", 302)]
    assert f"Token {key[:8]}… revoked" in done.text
    assert not Token.objects.filter(key=key).exists()
    assert api.get("/api/v1/cases/").status_code == 401


def test_nobody_can_revoke_another_persons_token_or_guess_with_a_bad_prefix(client, agent, other_agent):
    theirs = accounts.issue_token(username="bob", role=Role.AGENT)
    client.force_login(agent)

    assert client.post(f"/account/api-tokens/{theirs[:8]}/revoke/").status_code == 404
    assert client.post("/account/api-tokens/%00/revoke/").status_code == 404
    assert client.post(f"/account/api-tokens/{theirs[:4]}/revoke/").status_code == 404
    assert Token.objects.filter(key=theirs).exists()


def test_the_pages_are_under_the_persons_name_in_the_frame(client, agent):
    client.force_login(agent)

    frame = client.get("/").text

    assert '<a href="/account/api-tokens/">API tokens</a>' in frame
    assert '<a href="/account/two-factor/">Two-factor sign-in</a>' in frame
