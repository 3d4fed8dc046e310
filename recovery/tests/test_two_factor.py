"""Two-factor sign-in: the code step after the password, recovery codes, enrolment, and MEND_REQUIRE_2FA
keeping a session without a second factor away from the workspace, the API and the admin."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from recovery.two_factor import devices

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the person's authenticator app shows now (or `steps_ahead` periods of 30 s later)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead)
    return f"{code:06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """`user` with a confirmed authenticator and recovery codes, set up through the service."""
    pending = devices.pending_authenticator(user)
    return devices.confirm_authenticator(user=user, code=code_for(pending))


def password_step(client, username: str, next_url: str = "/"):
    return client.post("/login/", {"username": username, "password": f"pw-{username}", "next": next_url})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# The sign-in's second step ---------------------------------------------------------------------
def test_a_right_password_with_an_authenticator_asks_for_the_code_and_signs_nobody_in_yet(client, agent):
    enrolled(agent)

    response = password_step(client, "agent", "/cases/")

    assert (response.status_code, response["Location"]) == (302, "/login/code/")
    assert not signed_in(client)
    assert client.get("/cases/").status_code == 302  # the workspace still sends them to sign in
    assert client.get("/api/v1/cases/").status_code in (401, 403)  # and the API knows no session
    page = client.get("/login/code/")
    assert page.status_code == 200
    assert '<label for="id_code">Code</label>' in page.text


def test_the_code_from_the_app_signs_in_and_goes_to_the_page_asked_for(client, agent):
    device, _ = enrolled(agent)
    password_step(client, "agent", "/cases/")

    response = client.post("/login/code/", {"code": code_for(device, steps_ahead=1)})

    assert (response.status_code, response["Location"]) == (302, "/cases/")
    assert client.session["_auth_user_id"] == str(agent.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get("/cases/").status_code == 200


def test_a_wrong_code_is_refused_next_to_the_field_and_five_mean_typing_the_password_again(client, agent):
    enrolled(agent)
    password_step(client, "agent")

    first = client.post("/login/code/", {"code": "000000"})

    assert first.status_code == 422
    assert 'id="id_code_error"' in first.text and "That code is not right" in first.text
    assert not signed_in(client)
    TOTPDevice.objects.filter(user=agent).update(throttling_failure_count=0)  # no waiting between tries here
    for _ in range(3):
        client.post("/login/code/", {"code": "000001"})
        TOTPDevice.objects.filter(user=agent).update(throttling_failure_count=0)
    fifth = client.post("/login/code/", {"code": "000002"})
    assert (fifth.status_code, fifth["Location"]) == (302, "/login/")
    assert client.get("/login/code/")["Location"] == "/login/"  # the half sign-in is gone
    assert not signed_in(client)


def test_after_a_wrong_code_django_otp_makes_the_next_try_wait(client, agent):
    device, _ = enrolled(agent)
    password_step(client, "agent")

    # Time stands still, so the one-second wait after the first wrong code cannot run out on a slow machine.
    with time_machine.travel(datetime.now(UTC), tick=False):
        client.post("/login/code/", {"code": "000000"})
        response = client.post("/login/code/", {"code": code_for(device, steps_ahead=1)})

    assert response.status_code == 422
    assert "Too many wrong codes: wait" in response.text
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(client, agent):
    _, codes = enrolled(agent)
    password_step(client, "agent")

    response = client.post("/login/code/", {"code": codes[0].upper()}, follow=True)

    assert signed_in(client)
    assert "9 recovery codes are left" in response.text
    client.post("/logout/")
    password_step(client, "agent")
    again = client.post("/login/code/", {"code": codes[0]})
    assert again.status_code == 422
    assert not signed_in(client)


def test_a_code_from_another_persons_app_does_not_sign_in(client, agent, other_agent):
    enrolled(agent)
    theirs, _ = enrolled(other_agent)
    password_step(client, "agent")

    response = client.post("/login/code/", {"code": code_for(theirs, steps_ahead=1)})

    assert response.status_code == 422
    assert not signed_in(client)


def test_without_an_authenticator_and_with_the_policy_off_a_password_signs_in(client, agent, settings):
    settings.MEND_REQUIRE_2FA = "off"

    response = password_step(client, "agent", "/cases/")

    assert (response.status_code, response["Location"]) == (302, "/cases/")
    assert signed_in(client)


# Enrolment --------------------------------------------------------------------------------------
def test_the_enrolment_page_shows_a_qr_code_and_the_secret_as_text_without_inline_style(client, agent):
    client.force_login(agent)

    page = client.get("/account/two-factor/").text

    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    assert "<svg" in page and "<path" in page
    assert devices.secret_text(device) in page
    assert "style=" not in page and "<script>" not in page
    assert client.get("/account/two-factor/").text.count(devices.secret_text(device)) == 1  # same on reload
    assert TOTPDevice.objects.filter(user=agent).count() == 1


def test_confirming_with_a_wrong_code_keeps_it_off_and_says_so_next_to_the_field(client, agent):
    client.force_login(agent)
    client.get("/account/two-factor/")

    response = client.post("/account/two-factor/", {"code": "123"})

    assert response.status_code == 422
    assert 'id="id_code_error"' in response.text
    assert "That code is not the one your app shows" in response.text
    assert not devices.has_authenticator(agent)
    assert not StaticToken.objects.exists()


def test_confirming_turns_it_on_and_shows_ten_recovery_codes_once(client, agent):
    client.force_login(agent)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=agent)

    response = client.post("/account/two-factor/", {"code": code_for(device)})

    assert response.status_code == 200
    codes = list(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in response.text for code in codes)
    assert devices.has_authenticator(agent)
    assert client.session["otp_device_id"] == device.persistent_id  # this session counts as verified
    later = client.get("/account/two-factor/").text
    assert "Two-factor sign-in is on" in later and "10 recovery codes left" in later
    assert not any(code in later for code in codes)


def test_new_recovery_codes_replace_the_old_ones(client, agent):
    client.force_login(agent)
    client.get("/account/two-factor/")
    client.post("/account/two-factor/", {"code": code_for(TOTPDevice.objects.get(user=agent))})
    old = set(StaticToken.objects.values_list("token", flat=True))

    client.post("/account/two-factor/", {"action": "new-codes"})

    new = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10 and not (old & new)


def test_a_session_without_the_code_cannot_change_an_enrolled_authenticator(client, agent):
    enrolled(agent)
    client.force_login(agent)  # signed in some other way, never gave a code
    old = set(StaticToken.objects.values_list("token", flat=True))

    response = client.post("/account/two-factor/", {"action": "new-codes"})

    assert response.status_code == 302
    assert response["Location"] == "/login/code/?next=%2Faccount%2Ftwo-factor%2F"
    assert set(StaticToken.objects.values_list("token", flat=True)) == old


def test_setting_up_a_new_phone_replaces_the_old_one_only_once_confirmed(client, agent):
    old, _ = enrolled(agent)
    password_step(client, "agent")
    client.post("/login/code/", {"code": code_for(old, steps_ahead=1)})

    client.get("/account/two-factor/?replace=1")
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).get() == old  # still the old one
    new = TOTPDevice.objects.get(user=agent, confirmed=False)
    client.post("/account/two-factor/?replace=1", {"code": code_for(new)})

    assert list(TOTPDevice.objects.filter(user=agent).values_list("pk", "confirmed")) == [(new.pk, True)]


def test_a_person_may_turn_it_off_unless_the_policy_requires_it(client, agent, manager, settings):
    settings.MEND_REQUIRE_2FA = "managers"
    for user in (agent, manager):
        device, _ = enrolled(user)
        client.post("/logout/")
        password_step(client, user.username)
        client.post("/login/code/", {"code": code_for(device, steps_ahead=1)})

        page = client.get("/account/two-factor/").text
        response = client.post("/account/two-factor/", {"action": "turn-off"}, follow=True)

        if user == agent:
            assert "Turn off two-factor sign-in" in page
            assert "Two-factor sign-in is off" in response.text
            assert not devices.has_authenticator(agent)
            assert not StaticToken.objects.filter(device__user=agent).exists()
        else:
            assert "Turn off two-factor sign-in" not in page
            assert "it cannot be turned off" in response.text
            assert devices.has_authenticator(manager)


# MEND_REQUIRE_2FA ---------------------------------------------------------------------------------
def test_a_manager_without_an_authenticator_is_sent_to_enrol_from_every_page_and_the_api(
    client, manager, agent, settings, api_client
):
    settings.MEND_REQUIRE_2FA = "managers"
    response = password_step(client, "manager", "/dashboard/")
    assert signed_in(client)
    assert response["Location"] == "/dashboard/"

    for path in ("/dashboard/", "/cases/", "/admin/", "/account/api-tokens/"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer["Location"] == f"/account/two-factor/?next={path.replace('/', '%2F')}"
    assert client.get("/api/v1/cases/").status_code == 403
    assert client.get("/account/two-factor/").status_code == 200
    assert "Your account needs two-factor sign-in" in client.get("/account/two-factor/").text
    assert api_client(manager).get("/api/v1/cases/").status_code == 200  # a token is its own credential
    other = client.__class__()
    password_step(other, "agent", "/cases/")
    assert other.get("/cases/").status_code == 200  # agents are not asked under "managers"


def test_an_htmx_request_from_such_a_session_is_redirected_by_htmx(client, manager, settings):
    settings.MEND_REQUIRE_2FA = "managers"
    client.force_login(manager)

    response = client.get("/cases/", HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == "/account/two-factor/?next=%2Fcases%2F"


def test_a_poll_from_such_a_session_comes_back_to_its_page_after_the_second_factor(client, manager, settings):
    settings.MEND_REQUIRE_2FA = "managers"
    client.force_login(manager)
    page = {"HTTP_HX_CURRENT_URL": "http://testserver/dashboard/?days=7"}

    response = client.get("/notifications/bell/", HTTP_HX_REQUEST="true", **page)

    assert response["HX-Redirect"] == "/account/two-factor/?next=%2Fdashboard%2F%3Fdays%3D7"


def test_once_enrolled_the_manager_reaches_the_dashboard(client, manager, settings):
    settings.MEND_REQUIRE_2FA = "managers"
    password_step(client, "manager")
    client.get("/account/two-factor/")

    client.post("/account/two-factor/", {"code": code_for(TOTPDevice.objects.get(user=manager))})

    assert client.get("/dashboard/").status_code == 200


def test_all_asks_it_of_agents_too(client, agent, settings):
    settings.MEND_REQUIRE_2FA = "all"
    password_step(client, "agent")

    assert client.get("/cases/")["Location"].startswith("/account/two-factor/")


def test_a_session_signed_in_before_the_policy_gives_its_code_and_goes_on(client, manager, settings):
    device, _ = enrolled(manager)
    settings.MEND_REQUIRE_2FA = "managers"
    client.force_login(manager)

    sent = client.get("/dashboard/")
    assert sent["Location"] == "/login/code/?next=%2Fdashboard%2F"
    response = client.post(sent["Location"], {"code": code_for(device, steps_ahead=1)})

    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


# The admin -----------------------------------------------------------------------------------------
def test_the_admin_login_asks_a_manager_with_an_authenticator_for_the_code(client, manager, settings):
    manager.is_staff = True
    manager.save()
    settings.MEND_REQUIRE_2FA = "managers"
    device, _ = enrolled(manager)

    response = client.post(
        "/admin/login/", {"username": "manager", "password": "pw-manager", "next": "/admin/"}
    )

    assert (response.status_code, response["Location"]) == (302, "/login/code/")
    assert not signed_in(client)
    done = client.post("/login/code/", {"code": code_for(device, steps_ahead=1)})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_treats_staff_without_a_second_factor_as_not_staff(rf, manager, settings):
    manager.is_staff = True
    from django.contrib import admin
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.middleware import OTPMiddleware

    request = rf.get("/admin/")
    request.user, request.session = manager, SessionStore()
    OTPMiddleware(lambda r: None)(request)

    settings.MEND_REQUIRE_2FA = "managers"
    assert not admin.site.has_permission(request)
    settings.MEND_REQUIRE_2FA = "off"
    assert admin.site.has_permission(request)


# The setting -------------------------------------------------------------------------------------
def settings_value(**env) -> subprocess.CompletedProcess:
    dropped = {"DEBUG", "MEND_REQUIRE_2FA", "DJANGO_SETTINGS_MODULE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "-c", "import recovery.settings as s; print(s.MEND_REQUIRE_2FA)"],
        cwd=Path(__file__).resolve().parents[2],
        env={**clean, "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_managers_need_it_by_default_outside_debug_and_nobody_in_debug():
    assert settings_value(DEBUG="0").stdout.strip() == "managers"
    assert settings_value(DEBUG="1").stdout.strip() == "off"
    assert settings_value(DEBUG="1", MEND_REQUIRE_2FA="all").stdout.strip() == "all"
    wrong = settings_value(MEND_REQUIRE_2FA="everyone")
    assert wrong.returncode != 0 and "MEND_REQUIRE_2FA is 'managers', 'all' or 'off'" in wrong.stderr


def test_an_agent_visiting_the_admin_under_managers_is_not_made_to_enrol(client, agent, settings):
    settings.MEND_REQUIRE_2FA = "managers"
    client.force_login(agent)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")  # the admin's own refusal, as before


def test_staff_who_are_not_managers_need_it_for_the_admin_only(client, agent, settings):
    settings.MEND_REQUIRE_2FA = "managers"
    agent.is_staff = True
    agent.save()
    client.force_login(agent)

    assert client.get("/cases/").status_code == 200
    assert client.get("/admin/")["Location"] == "/account/two-factor/?next=%2Fadmin%2F"


def test_the_rule_costs_an_agent_no_query_and_a_signed_in_second_factor_one(
    client, agent, manager, settings, django_assert_max_num_queries
):
    def page_queries() -> int:
        client.get("/cases/")  # warm
        with django_assert_max_num_queries(1000) as captured:
            assert client.get("/cases/").status_code == 200
        return len(captured.captured_queries)

    def agent_under(rule: str) -> int:
        settings.MEND_REQUIRE_2FA = rule
        client.post("/logout/")
        password_step(client, "agent")
        return page_queries()

    assert agent_under("managers") == agent_under("off")
    device, _ = enrolled(manager)
    settings.MEND_REQUIRE_2FA = "managers"
    client.post("/logout/")
    password_step(client, "manager")
    client.post("/login/code/", {"code": code_for(device, steps_ahead=1)})
    with_second_factor = page_queries()
    settings.MEND_REQUIRE_2FA = "off"
    client.post("/logout/")
    client.force_login(manager)  # the same manager, no second factor in this session
    assert with_second_factor == page_queries() + 1  # django-otp reads the session's device
