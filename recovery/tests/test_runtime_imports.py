"""What serves requests and runs tasks loads no development data generator (Faker, time-machine)."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

LOAD_THE_RUNTIME = """
import sys
import django
django.setup()
import recovery.urls, recovery.wsgi, cases.tasks
from django.urls import get_resolver
get_resolver().url_patterns  # every view module the URLconf names
print(sorted(name for name in ("faker", "time_machine", "factory") if name in sys.modules))
"""


def test_the_web_and_task_runtime_imports_neither_faker_nor_time_machine():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", LOAD_THE_RUNTIME],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "recovery.settings", "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
