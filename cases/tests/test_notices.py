"""The notices room: a person's in-app notices, the bell's unread count, and marking read in one click."""

import re

import pytest

from cases import notices
from cases.models import Gesture, Notice, Notification
from cases.notices import selectors
from cases.tests.factories import GestureFactory, RecoveryCaseFactory
from conftest import signed_in
from recovery.errors import NotFound

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
LIST = "/notifications/"


def tell(user, text="Maria approved your refund of 80.00 EUR on RC-000001.", case=None):
    (notice,) = notices.notify([user], kind=Notice.Kind.GESTURE_APPROVED, case=case, text=text)
    return notice


def bell(html: str) -> str:
    (link,) = re.findall(r'<a id="nav-bell".*?</a>', html, flags=re.S)
    return link


def test_notify_writes_one_notice_per_active_person_and_no_email_unless_asked(agent, other_agent):
    other_agent.is_active = False
    other_agent.save()

    written = notices.notify([agent, other_agent], kind=Notice.Kind.GESTURE_REJECTED, case=None, text="No")

    assert [(n.user, n.kind, n.text, n.read_at) for n in written] == [(agent, "gesture_rejected", "No", None)]
    assert Notice.objects.count() == 1
    assert not Notification.objects.exists()


def test_a_long_text_is_cut_to_fit_with_an_ellipsis(agent):
    notice = tell(agent, text="x" * 600)

    assert len(notice.text) == 500 and notice.text.endswith("…")


def test_the_bell_counts_unread_notices_and_links_to_the_list(agent, other_agent):
    tell(agent)
    tell(agent)
    tell(other_agent)  # someone else's
    Notice.objects.filter(pk=tell(agent).pk).update(read_at="2026-12-01T10:00:00Z")

    link = bell(signed_in(agent).get("/").text)

    assert 'href="/notifications/"' in link
    assert '<span class="count">2<span class="visually-hidden"> unread</span></span>' in link
    assert '<span class="visually-hidden">Notifications</span>' in link


def test_with_nothing_unread_the_bell_shows_no_count(agent):
    assert 'class="count"' not in bell(signed_in(agent).get("/").text)


def test_the_bell_asks_for_itself_every_minute_and_shows_a_notice_that_arrived_meanwhile(agent):
    client = signed_in(agent)
    shown = bell(client.get("/").text)
    assert 'hx-get="/notifications/bell/" hx-trigger="every 60s" hx-swap="outerHTML"' in shown
    assert 'class="count"' not in shown

    tell(agent)  # a colleague's news, while the queue stays open
    polled = client.get("/notifications/bell/", HTTP_HX_CURRENT_URL="http://testserver/", **HTMX)

    assert bell(polled.text) == polled.text.strip()  # the bell alone, to replace itself
    assert '<span class="count">1<span class="visually-hidden"> unread</span></span>' in polled.text
    assert "aria-current" not in polled.text


def test_the_polled_bell_stays_the_current_link_on_the_notifications_page(agent):
    current = {"HTTP_HX_CURRENT_URL": "http://testserver/notifications/"}

    polled = signed_in(agent).get("/notifications/bell/", **current, **HTMX).text

    assert 'aria-current="page"' in polled


def test_a_managers_polled_bell_brings_the_approvals_count_out_of_band(manager, agent):
    client = signed_in(manager)
    page = {"HTTP_HX_CURRENT_URL": "http://testserver/gestures/pending/"}
    GestureFactory(status=Gesture.Status.PENDING_APPROVAL, requested_by=agent)  # came to wait meanwhile

    polled = client.get("/notifications/bell/", **page, **HTMX).text

    (link,) = re.findall(r'<a id="nav-approvals".*?</a>', polled, flags=re.S)
    assert 'hx-swap-oob="true"' in link and 'aria-current="page"' in link
    assert '<span class="visually-hidden">, </span>1<span class="visually-hidden"> waiting</span>' in link
    assert "aria-current" not in bell(polled)


def test_an_agents_polled_bell_comes_alone(agent):
    assert "nav-approvals" not in signed_in(agent).get("/notifications/bell/", **HTMX).text


def test_an_intake_client_gets_no_bell(intake_user):
    assert signed_in(intake_user).get("/notifications/bell/", **HTMX).status_code == 403


def test_the_list_shows_the_persons_notices_newest_first_with_their_case(
    agent, other_agent, django_assert_max_num_queries
):
    case = RecoveryCaseFactory()
    older = tell(agent, text="Older news", case=case)
    newer = tell(agent, text="Newer news")
    tell(other_agent, text="Not yours")
    client = signed_in(agent)

    with django_assert_max_num_queries(8):
        html = client.get(LIST).text

    assert html.index("Newer news") < html.index("Older news")
    assert "Not yours" not in html
    assert f'href="/cases/{case.reference}/">{case.reference}</a>' in html
    assert html.count(">Mark read</button>") == 2 and '<strong class="notice-new">New</strong>' in html
    assert f'id="notice-{older.pk}"' in html and f'id="notice-{newer.pk}"' in html


def test_marking_one_read_is_one_click_and_swaps_the_notice_and_the_bell(agent):
    first, second = tell(agent), tell(agent)

    response = signed_in(agent).post(f"/notifications/{first.pk}/read/", **HTMX)

    assert response.status_code == 200
    assert f'<li id="notice-{first.pk}" class="notice">' in response.text
    assert ">Read</span>" in response.text
    link = bell(response.text)
    assert 'hx-swap-oob="true"' in link and '<span class="count">1<' in link
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_without_javascript_marking_read_redirects_to_the_list(agent):
    notice = tell(agent)

    response = signed_in(agent).post(f"/notifications/{notice.pk}/read/")

    assert (response.status_code, response["Location"]) == (302, LIST)
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_marking_read_twice_keeps_the_first_moment(agent):
    notice = tell(agent)
    first = notices.mark_read(notice_id=notice.pk, user=agent).read_at

    assert notices.mark_read(notice_id=notice.pk, user=agent).read_at == first


def test_nobody_marks_anothers_notice(agent, other_agent):
    notice = tell(other_agent)

    assert signed_in(agent).post(f"/notifications/{notice.pk}/read/").status_code == 404
    with pytest.raises(NotFound):
        notices.mark_read(notice_id=notice.pk, user=agent)
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_marks_only_the_persons_own(agent, other_agent):
    tell(agent)
    tell(agent)
    theirs = tell(other_agent)

    response = signed_in(agent).post("/notifications/read-all/")

    assert response["Location"] == LIST
    assert selectors.unread_count(user=agent) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_is_a_post(agent):
    notice = tell(agent)

    assert signed_in(agent).get(f"/notifications/{notice.pk}/read/").status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_list_is_for_agents_and_managers(client, intake_user):
    assert client.get(LIST)["Location"] == f"/login/?next={LIST}"
    client.force_login(intake_user)
    assert client.get(LIST).status_code == 403


def test_an_empty_list_says_so(agent):
    assert "No notifications yet." in signed_in(agent).get(LIST).text
