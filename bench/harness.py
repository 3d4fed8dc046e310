"""What every benchmark needs: a fresh PostgreSQL database, gunicorn serving Mend, and wrk driving it.

Benchmarks print figures and ratios against a baseline measured in the same run; they never pass or
fail on wall-clock time, because the machines are shared and noisy.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def ensure_wrk() -> str:
    """wrk comes from Debian's packages; install it on first use."""
    path = shutil.which("wrk")
    if path:
        return path
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def bench_env(database: str, **extra: str) -> dict[str, str]:
    """Environment for manage.py and gunicorn: production-like (DEBUG off), ceiling app installed."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        DATABASE_URL=f"{POSTGRES_ADMIN_URL}/{database}",
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MEND_BENCH_CEILING="1",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "memory://"),
        SECURE_SSL_REDIRECT="0",  # wrk speaks plain HTTP to gunicorn, as a TLS proxy would
        # One client token at full speed: rates no benchmark reaches, so the throttles' cost is measured
        # but never a 429.
        MEND_THROTTLE_INTAKE_TOKEN="10000000/min",
        MEND_THROTTLE_INTAKE_IP="10000000/min",
        MEND_THROTTLE_API_TOKEN="10000000/min",
        MEND_THROTTLE_API_IP="10000000/min",
        # The benchmarks sign their manager in with `force_login`, which gives no second factor; what
        # two-factor sign-in costs is measured by bench/sign_in.
        MEND_REQUIRE_2FA="off",
        **extra,
    )
    return env


def recreate_database(database: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{POSTGRES_ADMIN_URL}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{database}"')
    conn.close()


def mark_seeded(database: str, cases: int) -> None:
    """Remember on the database itself how many cases its seed made: benchmarks that post add rows,
    so counting them later cannot tell a reusable database from a half-seeded one."""
    import psycopg2

    conn = psycopg2.connect(f"{POSTGRES_ADMIN_URL}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'COMMENT ON DATABASE "{database}" IS %s', (f"mend seeded {cases}",))
    conn.close()


def seeded_cases(database: str) -> int | None:
    """What `mark_seeded` remembered, or None (no such database, or a seed that never finished)."""
    import psycopg2

    conn = psycopg2.connect(f"{POSTGRES_ADMIN_URL}/postgres")
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (database,)
        )
        row = cursor.fetchone()
    conn.close()
    comment = (row or [None])[0] or ""
    return int(comment.split()[-1]) if comment.startswith("mend seeded ") else None


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, port: int, workers: int = 4):
    """Serve Mend with gunicorn on 127.0.0.1:`port` until the block ends; yields its base URL."""
    with gunicorn_process(env, port=port, workers=workers):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def gunicorn_process(
    env: dict[str, str], *, port: int, workers: int = 4, log_path: Path | None = None, up_within: float = 30
):
    """gunicorn on 127.0.0.1:`port`, answering /healthz, until the block ends; yields its process (the
    chaos scripts kill its workers). Its stderr goes to a file (default var/gunicorn-<port>.log): an
    unread pipe fills up and then stalls every worker that writes to it."""
    log_path = log_path or ROOT / "var" / f"gunicorn-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "recovery.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log_path, timeout=up_within)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited: {log_path.read_text(errors='replace')}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout} s")


@dataclass
class WrkResult:
    label: str
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors plus non-2xx/3xx answers

    def line(self) -> str:
        return (
            f"{self.label:<28} {self.requests_per_second:>9.1f} req/s   p50 {self.p50_ms:>7.2f} ms   "
            f"p99 {self.p99_ms:>7.2f} ms   requests {self.requests:>7}   errors {self.errors}"
        )


def wrk(
    label: str,
    url: str,
    *,
    seconds: int = 20,
    connections: int = 8,
    threads: int = 2,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
    script_env: dict[str, str] | None = None,
) -> WrkResult:
    """Drive `url` with wrk at a fixed concurrency and return its throughput and latency percentiles."""
    command = [
        ensure_wrk(),
        "-t",
        str(min(threads, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    env = {**os.environ, **(script_env or {})}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    return parse_wrk(label, output)


def parse_wrk(label: str, output: str) -> WrkResult:
    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            raise SystemExit(f"wrk printed no {percent}% latency:\n{output}")
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
    return WrkResult(label, requests, rps, latency("50"), latency("99"), errors)


def median_result(results: list[WrkResult]) -> WrkResult:
    """Each figure's median over rounds of one workload (errors: the total)."""
    return WrkResult(
        results[0].label,
        sum(r.requests for r in results),
        statistics.median(r.requests_per_second for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
    )


def ratio_line(name: str, mend: WrkResult, ceiling: WrkResult) -> str:
    return (
        f"{name}: Mend at {mend.requests_per_second / ceiling.requests_per_second:.0%} of the ceiling's "
        f"requests/s; p99 {mend.p99_ms:.1f} ms vs {ceiling.p99_ms:.1f} ms"
    )
