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


# Two processes that each read, then write, in one transaction: the shape of a sweep next to a
# notification being sent in `make run`, where web, worker and beat share one SQLite file.
READ_THEN_WRITE = """
import time
import django
django.setup()
from django.db import connection, transaction
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sweeps")
        time.sleep(0.5)
        cursor.execute("INSERT INTO sweeps VALUES (1)")
print("written")
"""


def test_writers_sharing_the_development_sqlite_file_wait_for_each_other(tmp_path):
    import sqlite3

    database = tmp_path / "mend.sqlite3"
    # As `make run` leaves it: `migrate`, alone, has already switched the file to WAL (a switch needs
    # the file to itself, so two processes racing to make it can fail, which `make run` never does).
    created = sqlite3.connect(database)
    created.execute("PRAGMA journal_mode=WAL")
    created.execute("CREATE TABLE sweeps (n integer)")
    created.commit()
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env = {
        **clean,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "recovery.settings",
    }
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", READ_THEN_WRITE],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [writer.communicate(timeout=60) for writer in writers]

    assert [out.strip() for out, _ in results] == ["written", "written"], [err for _, err in results]
    assert sqlite3.connect(database).execute("SELECT count(*) FROM sweeps").fetchone() == (2,)
