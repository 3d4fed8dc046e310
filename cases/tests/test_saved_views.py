"""Saved views: a filtered All cases under a name, for oneself or (managers) everyone, in the nav."""

import html
import re

import pytest
from django.test import Client

from cases import saved_views
from cases.models import SavedView
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in
from recovery.errors import InvalidInput, NotFound, NotPermitted

pytestmark = pytest.mark.django_db


def nav_views(client: Client, page: str = "/") -> list[tuple[str, str]]:
    """The nav's Views menu as it opens on `page`: (link, name) of each view."""
    body = client.get(page).content.decode()
    assert '<details class="nav-views">' in body and 'hx-get="/cases/views/menu/"' in body
    menu = client.get(
        "/cases/views/menu/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}"
    )
    found = re.findall(r'<li><a href="([^"]*)"[^>]*>([^<]*)</a>', menu.content.decode())
    return [(html.unescape(href), html.unescape(name)) for href, name in found]


def current_view(client: Client, page: str) -> list[str]:
    menu = client.get(
        "/cases/views/menu/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}"
    )
    return re.findall(r'aria-current="page">([^<]*)</a>', menu.content.decode())


# The service ------------------------------------------------------------------------------------
def test_a_view_keeps_only_the_filters_of_the_query(agent):
    view = saved_views.save_view(
        actor=agent,
        name="  Breached   high ",
        query="severity=high&sla_state=breached&cursor=abc&page_size=2&q=",
    )

    assert (view.name, view.query, view.shared, view.owner) == (
        "Breached high",
        "severity=high&sla_state=breached",
        False,
        agent,
    )


@pytest.mark.parametrize(
    ("name", "query", "field", "message"),
    [
        ("", "severity=high", "name", "Give the view a name."),
        ("   ", "severity=high", "name", "Give the view a name."),
        ("x" * 61, "severity=high", "name", "A view's name has at most 60 characters."),
        (
            "Urgent",
            "severity=urgent",
            "query",
            "The filter 'severity' could not be read: Select a valid choice.",
        ),
    ],
)
def test_a_view_that_cannot_be_saved_says_why_and_stores_nothing(agent, name, query, field, message):
    with pytest.raises(InvalidInput) as refused:
        saved_views.save_view(actor=agent, name=name, query=query)

    assert refused.value.field == field and refused.value.message.startswith(message)
    assert not SavedView.objects.exists()


def test_names_are_unique_per_owner_whatever_their_case_but_two_people_may_share_one(agent, other_agent):
    saved_views.save_view(actor=agent, name="Breached", query="sla_state=breached")

    with pytest.raises(InvalidInput) as refused:
        saved_views.save_view(actor=agent, name="breached", query="severity=high")

    assert refused.value.field == "name"
    assert refused.value.message == "You already have a view named “breached”. Choose another name."
    assert (
        saved_views.save_view(actor=other_agent, name="Breached", query="severity=high").owner == other_agent
    )
    assert SavedView.objects.count() == 2


def test_only_a_manager_may_share_a_view_with_everyone(agent, manager):
    with pytest.raises(NotPermitted):
        saved_views.save_view(actor=agent, name="Everyone's", query="", shared=True)

    assert saved_views.save_view(actor=manager, name="Everyone's", query="", shared=True).shared
    assert SavedView.objects.count() == 1


def test_each_person_sees_their_own_views_and_the_shared_ones(agent, other_agent, manager):
    mine = saved_views.save_view(actor=agent, name="Mine", query="owner=me")
    saved_views.save_view(actor=other_agent, name="Bob's", query="severity=low")
    shared = saved_views.save_view(actor=manager, name="Team", query="sla_state=breached", shared=True)
    private = saved_views.save_view(actor=manager, name="Maria's", query="severity=critical")

    assert list(saved_views.views_for(agent)) == [mine, shared]
    assert list(saved_views.views_for(manager)) == [private, shared]


def test_the_owner_deletes_a_view_another_agent_cannot_and_a_manager_may_delete_a_shared_one(
    agent, other_agent, manager
):
    mine = saved_views.save_view(actor=agent, name="Mine", query="owner=me")
    shared = saved_views.save_view(actor=manager, name="Team", query="", shared=True)

    with pytest.raises(NotFound):
        saved_views.delete_view(actor=other_agent, view_id=mine.pk)  # not theirs to know of
    with pytest.raises(NotPermitted):
        saved_views.delete_view(actor=agent, view_id=shared.pk)
    assert SavedView.objects.count() == 2

    saved_views.delete_view(actor=agent, view_id=mine.pk)
    other_manager = type(manager).objects.create_user("mgr2")
    other_manager.groups.set(manager.groups.all())
    saved_views.delete_view(actor=other_manager, view_id=shared.pk)
    assert not SavedView.objects.exists()


# The pages --------------------------------------------------------------------------------------
def test_saving_the_filtered_list_puts_it_in_the_nav_on_every_page(agent):
    RecoveryCaseFactory(severity="high")
    client = signed_in(agent)

    response = client.post(
        "/cases/views/", {"name": "High ones", "query": "severity=high&cursor=xyz"}, follow=True
    )

    assert response.redirect_chain == [("/cases/?severity=high", 302)]
    assert "Saved “High ones”: it is in your nav, under Views." in response.content.decode()
    for page in ("/", "/cases/", "/root-causes/"):
        assert nav_views(client, page) == [("/cases/?severity=high", "High ones")]


def test_the_open_view_is_marked_current_in_the_nav(agent):
    saved_views.save_view(actor=agent, name="High ones", query="severity=high")
    client = signed_in(agent)

    assert current_view(client, "/cases/?severity=high") == ["High ones"]
    assert current_view(client, "/cases/?severity=high&cursor=abc") == ["High ones"]
    assert current_view(client, "/cases/?severity=low") == []
    assert current_view(client, "/?severity=high") == []


def test_a_name_to_correct_comes_back_next_to_the_field_with_the_list_and_the_typed_name(agent):
    saved_views.save_view(actor=agent, name="High ones", query="severity=low")
    case = RecoveryCaseFactory(severity="high")

    response = signed_in(agent).post("/cases/views/", {"name": "High ones", "query": "severity=high"})

    body = response.content.decode()
    assert response.status_code == 422
    assert '<details class="save-view" open>' in body
    assert (
        '<ul class="errorlist" id="view-name_error"><li>You already have a view named “High ones”. '
        "Choose another name.</li></ul>"
    ) in body
    assert 'name="name" value="High ones"' in body
    assert f'href="/cases/{case.reference}/?from=cases"' in body  # the list of those filters, still there
    assert SavedView.objects.count() == 1


def test_an_empty_name_is_refused_next_to_the_field(agent):
    response = signed_in(agent).post("/cases/views/", {"name": "", "query": "severity=high"})

    assert response.status_code == 422
    assert (
        '<ul class="errorlist" id="view-name_error"><li>Give the view a name.</li></ul>'
        in response.content.decode()
    )
    assert not SavedView.objects.exists()


def test_only_managers_are_offered_to_share_and_an_agents_share_is_refused(agent, manager):
    assert "Show to everyone" not in signed_in(agent).get("/cases/").content.decode()
    assert "Show to everyone" in signed_in(manager).get("/cases/").content.decode()

    response = signed_in(agent).post("/cases/views/", {"name": "All", "query": "", "shared": "on"})

    assert response.status_code == 422
    assert "Only managers may share a view with everyone." in response.content.decode()
    assert not SavedView.objects.exists()


def test_a_managers_shared_view_appears_in_every_agents_nav(agent, other_agent, manager):
    signed_in(manager).post(
        "/cases/views/", {"name": "Team breaches", "query": "sla_state=breached", "shared": "on"}
    )

    for person in (agent, other_agent):
        assert nav_views(signed_in(person)) == [("/cases/?sla_state=breached", "Team breaches")]


def test_deleting_a_view_takes_it_out_of_the_nav(agent, other_agent):
    view = saved_views.save_view(actor=agent, name="Mine", query="owner=me")
    assert signed_in(other_agent).post(f"/cases/views/{view.pk}/delete/").status_code == 404
    client = signed_in(agent)

    response = client.post(f"/cases/views/{view.pk}/delete/", follow=True)

    assert "View deleted." in response.content.decode()
    assert nav_views(client) == []
    assert "No saved views yet." in client.get("/cases/views/menu/").content.decode()
    assert not SavedView.objects.exists()
