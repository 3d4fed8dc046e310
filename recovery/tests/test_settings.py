"""Settings refuse to start in an unsafe shape. Each case runs in a fresh interpreter."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def import_settings(**env):
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import recovery.settings as s; print(s.SECRET_KEY)"],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = import_settings(DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_settings_use_the_given_secret_key():
    result = import_settings(DEBUG="0", SECRET_KEY="from-the-environment")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-the-environment"


def test_debug_mode_falls_back_to_a_development_key():
    result = import_settings(DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("dev-only")
