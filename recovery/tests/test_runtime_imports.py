"""What serves requests and runs tasks loads no development data generator (Faker, time-machine)."""

import ast
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


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_recovery_imports_no_app_that_builds_on_it():
    # recovery/ is the project's wiring and shared plumbing; the apps (cases, feedback) build on it.
    # An import the other way would make every app load every other. Its tests may use the apps.
    upward = {
        f"{path.relative_to(BASE_DIR)}: {name}"
        for path in (BASE_DIR / "recovery").rglob("*.py")
        if "tests" not in path.parts
        for name in _imported_modules(path)
        if name.split(".")[0] in {"cases", "feedback"}
    }

    assert upward == set()


def test_the_import_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from cases.models import Gesture\n\nimport feedback.models as fm\n")

    assert _imported_modules(module) == {"cases.models", "feedback.models"}
