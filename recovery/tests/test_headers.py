"""Personal data is never cached: every page and API answer says `Cache-Control: no-store`; static files
and the probes may be cached. Production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "path",
    ["/login/", "/api/docs/", "/admin/login/", "/cases/RC-000001/", "/api/v1/cases/", "/r/not-a-token/"],
)
def test_pages_and_api_answers_are_never_stored(client, path):
    response = client.get(path)

    assert "no-store" in response["Cache-Control"]


def test_signed_in_pages_and_api_answers_are_never_stored(client, api_client, agent, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)

    assert "no-store" in client.get("/admin/cases/recoverycase/")["Cache-Control"]
    assert "no-store" in api_client(agent).get("/api/v1/cases/")["Cache-Control"]


@pytest.mark.parametrize("path", ["/healthz", "/static/mend.css"])
def test_probes_and_static_files_may_be_cached(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "DJANGO_SETTINGS"))}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "recovery.settings",
        "SECRET_KEY": "q8v!3k$xv0-m@hz7c2^w9(e1r6t#y5u4i8o0p2a3s7d6f5g4h1j9k8l7z6x5c4",
        "ALLOWED_HOSTS": "mend.example.com",
        **extra,
    }


def test_production_settings_pass_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_turning_hsts_off_fails_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(SECURE_HSTS_SECONDS="0"),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
