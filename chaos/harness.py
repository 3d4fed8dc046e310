"""What every chaos script needs: PRIVATE PostgreSQL and Redis it may kill and restart, gunicorn and a
Celery worker serving Mend against them, fault loops, and a client that retries like real clients.

Private means: own data directories under /tmp, own ports (PostgreSQL 8262, Redis 8263, gunicorn
8252), never the machine's shared servers. Everything started here is stopped by its context manager.
"""

from __future__ import annotations

import collections
import contextlib
import email
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import harness as bench_harness
from bench.harness import manage  # noqa: F401  (the chaos scripts call h.manage)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = int(os.environ.get("CHAOS_PG_PORT", "8262"))
REDIS_PORT = int(os.environ.get("CHAOS_REDIS_PORT", "8263"))
WEB_PORT = int(os.environ.get("CHAOS_PORT", "8252"))
WORK = Path(os.environ.get("CHAOS_DIR", "/tmp/mend-chaos"))


def _exit_on_sigterm(signum, _frame):
    raise SystemExit(128 + signum)


# `timeout` and CI stop a run with SIGTERM; as SystemExit it unwinds the context managers, so no
# private server or worker outlives the script.
signal.signal(signal.SIGTERM, _exit_on_sigterm)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def as_postgres(command: str) -> None:
    subprocess.run(["su", "postgres", "-c", command], check=True, stdout=subprocess.DEVNULL)


class PrivatePostgres:
    def __init__(self) -> None:
        self.data = WORK / "pg"
        self.url = f"postgres://postgres@127.0.0.1:{PG_PORT}/mend_chaos"

    def start(self) -> None:
        as_postgres(
            f"{PG_BIN}/pg_ctl -D {self.data} -l {self.data}/log -w start "
            f"-o '-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200'"
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            as_postgres(f"{PG_BIN}/pg_ctl -D {self.data} -m immediate -w stop")

    def restart(self, *, down_seconds: float = 0) -> None:
        as_postgres(f"{PG_BIN}/pg_ctl -D {self.data} -m fast -w stop")
        time.sleep(down_seconds)  # the outage itself: that is what is being measured
        self.start()

    @contextlib.contextmanager
    def running(self):
        shutil.rmtree(self.data, ignore_errors=True)
        WORK.mkdir(parents=True, exist_ok=True)
        shutil.chown(WORK, "postgres")
        as_postgres(f"{PG_BIN}/initdb -D {self.data} -A trust -U postgres")
        self.start()
        try:
            as_postgres(f"{PG_BIN}/createdb -h 127.0.0.1 -p {PG_PORT} -U postgres mend_chaos")
            yield self
        finally:
            self.stop()


class PrivateRedis:
    def __init__(self) -> None:
        self.url = f"redis://127.0.0.1:{REDIS_PORT}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self, *, down_seconds: float = 2) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    @contextlib.contextmanager
    def running(self):
        self.start()
        try:
            yield self
        finally:
            self.stop()


def mend_env(pg: PrivatePostgres, redis: PrivateRedis, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        DATABASE_URL=pg.url,
        REDIS_URL=redis.url,
        CELERY_BROKER_URL=redis.url,
        SECRET_KEY="chaos-only",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(WORK / "mail"),
        CONN_MAX_AGE="60",
        SECURE_SSL_REDIRECT="0",  # the clients speak plain HTTP to gunicorn, as a TLS proxy would
        # The clients are one token each at rates no real client reaches: what is measured is faults,
        # not the throttles (their own tests cover them).
        MEND_THROTTLE_INTAKE_TOKEN="10000000/min",
        MEND_THROTTLE_INTAKE_IP="10000000/min",
        MEND_THROTTLE_API_TOKEN="10000000/min",
        MEND_THROTTLE_API_IP="10000000/min",
        **extra,
    )
    return env


def sql(env: dict[str, str], query: str) -> list[tuple]:
    import psycopg2

    with contextlib.closing(psycopg2.connect(env["DATABASE_URL"])) as conn, conn.cursor() as cursor:
        cursor.execute(query)
        rows = cursor.fetchall() if cursor.description else []
        conn.commit()
        return rows


def gunicorn(env: dict[str, str], *, workers: int = 4):
    """gunicorn on the private port, logging to the work folder; yields its process."""
    return bench_harness.gunicorn_process(
        env, port=WEB_PORT, workers=workers, log_path=WORK / "gunicorn.log", up_within=60
    )


def celery_worker(env: dict[str, str], *, name: str = "w1", beat: bool = False):
    args = ["worker", "-n", f"{name}@chaos", "--concurrency=2", "--loglevel=WARNING"]
    if beat:
        args += ["--beat", "--schedule", str(WORK / f"beat-{name}")]
    return _celery(env, args, log_name=f"celery-{name}.log", settle=3)


def celery_beat(env: dict[str, str]):
    """Beat in its own process, as the Procfile runs it: a worker's children are then all pool
    processes, so killing one never stops the schedule."""
    args = ["beat", "--loglevel=WARNING", "--schedule", str(WORK / "beat")]
    return _celery(env, args, log_name="celery-beat.log")


class Supervised:
    """A Celery process restarted whenever it exits, as a process manager (systemd `Restart=always`)
    runs it in production: Celery 5.7's worker can exit on a Redis restart ("Unrecoverable error:
    AttributeError ... 'hostname'", a kombu reconnect bug), and Mend's outbox promise rests on a worker
    being there afterwards. `pid` is the current process's; `restarts` counts the exits."""

    def __init__(self, start) -> None:
        self._start = start
        self.process = start()
        self.restarts = 0
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._keep_running, daemon=True)
        self._watch.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _keep_running(self) -> None:
        while not self._stop.wait(0.5):
            if self.process.poll() is not None:
                log(
                    f"Celery process exited ({self.process.returncode}); restarting it, as a supervisor would"
                )
                self.restarts += 1
                self.process = self._start()

    def stop(self) -> None:
        self._stop.set()
        self._watch.join()
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


@contextlib.contextmanager
def _celery(env: dict[str, str], args: list[str], *, log_name: str, settle: float = 0):
    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [str(BIN / "celery"), "-A", "recovery", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(WORK / log_name).open("a"),  # the process outlives this call: it keeps the file
            start_new_session=True,
        )

    (WORK / log_name).write_text("")
    supervised = Supervised(start)
    try:
        time.sleep(settle)
        yield supervised
    finally:
        supervised.stop()


def children(pid: int) -> list[int]:
    """Live child processes of `pid` (a killed one lingers as a zombie until its parent reaps it)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [int(p) for p in path.read_text().split()] if path.exists() else []
    return [p for p in pids if _state(p) not in ("Z", "X", "")]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def kill_a_child(parent: subprocess.Popen, what: str) -> None:
    pids = children(parent.pid)
    if pids:
        victim = random.choice(pids)
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
        log(f"SIGKILLed {what} {victim}")


@contextlib.contextmanager
def every(seconds: float, action):
    """Run `action()` every `seconds` in a thread until the block ends."""
    stop = threading.Event()

    def loop():
        while not stop.wait(seconds):
            action()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to report, not a request to follow: followed, an https redirect sends
    the client's TLS handshake to the plain-HTTP gunicorn, and every retry stalls the run."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def status_of(url: str) -> int:
    """A GET's status; 0 when no answer came within 5 s (a server busy with the load, or down)."""
    try:
        with _opener.open(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return 0


def post(url: str, body: dict, *, token: str, key: str | None = None, timeout: float = 30):
    """One POST: (status, parsed body or None, headers). Connection errors come back as status 0."""
    headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, None, dict(error.headers)
    except (OSError, urllib.error.URLError, http.client.HTTPException, ValueError):
        return 0, None, {}  # the connection died mid-answer (a killed worker): the client retries


def post_until_answered(url: str, body: dict, *, token: str, key: str, give_up_after: float = 120):
    """Retry on any error (connection, 5xx, 409 in flight) with the same key and body, as a client should.
    Any other answer (2xx, 3xx, 4xx) is final."""
    deadline = time.monotonic() + give_up_after
    attempts = 0
    while True:
        attempts += 1
        status, answer, _headers = post(url, body, token=token, key=key)
        if (200 <= status < 500 and status != 409) or time.monotonic() > deadline:
            return status, answer, attempts
        time.sleep(min(0.1 * attempts, 2))


def emails() -> collections.Counter:
    """Every email the file backend wrote, counted by recipient, subject and body: two different
    reminders to one owner can share a subject, but not a body (it names the case)."""
    seen = collections.Counter()
    for path in (WORK / "mail").iterdir():
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip())
                seen[(message["To"], message["Subject"], message.get_payload())] += 1
    return seen
