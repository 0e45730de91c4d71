"""Concurrent intake (PostgreSQL only): accepts through N app processes against the same
concurrency of raw psycopg clients.

The app: gunicorn with N sync workers on 127.0.0.1 serving the real project (same database,
same keys), and ``clients`` threads posting ``/api/cases/intake/accept`` as signed-in clerks
(one session each), one new connection per request. The baseline: ``clients`` threads, each
with its own psycopg connection, writing the same rows as an accept in one transaction
(``bench/raw.py``). Phases alternate — raw, app, raw, app — each ``seconds`` long; the figure
is the latency of every request (median, p95, p99) and the throughput of each side.

SQLite is not measured: it takes one writer at a time, so there is no concurrent intake to
measure on it (a choice of what to measure, printed as such).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from typing import Any

from bench.suite import Actors, api_accept, api_accept_body, learn_raw_accept
from bench.timing import Figure, count_queries, percentile

PHASES = 2  # raw, app, raw, app
SQLITE_NOTE = (
    "PostgreSQL only — SQLite takes one writer at a time, so concurrent intake is not "
    "measured on it (a measurement choice, not a failure)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _gunicorn() -> str | None:
    candidate = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return candidate if os.path.exists(candidate) else shutil.which("gunicorn")


class Server:
    """gunicorn serving the project with ``workers`` processes."""

    def __init__(self, *, workers: int, env_overrides: dict[str, str]):
        self.port = _free_port()
        self.workers = workers
        env = {**os.environ, **env_overrides}
        src = str(os.path.join(os.path.dirname(os.path.dirname(__file__)), "src"))
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        binary = _gunicorn()
        assert binary is not None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 — closed by stop()
        self.process = subprocess.Popen(
            [
                binary,
                "onewindow.config.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
                # The project is loaded once, before the workers fork.
                "--preload",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            # A file, not a pipe: a full pipe would stop a server that logs errors.
            stderr=self.log,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {self.errors()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/favicon.ico")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def errors(self) -> str:
        """The end of what the server wrote to its error log."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _sessions(user: Any, count: int) -> list[dict[str, str]]:
    """``count`` signed-in sessions of ``user``: the cookie and CSRF header of each."""
    from django.conf import settings
    from django.utils.crypto import get_random_string

    from bench.suite import signed_in

    out = []
    for _ in range(count):
        client = signed_in(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        token = get_random_string(32)
        out.append(
            {
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
                f"{settings.CSRF_COOKIE_NAME}={token}",
                "X-CSRFToken": token,
            }
        )
    return out


def _phase(work: Any, clients: int, seconds: float) -> tuple[list[float], list[int], float]:
    """Run ``work(index)`` in ``clients`` threads for ``seconds``: latencies (ms), errors (a
    count per thread; the first one's text in ``work.first_error``) and the wall time."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    first_error: list[str] = []
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def loop(index: int) -> None:
        state = work.prepare(index) if hasattr(work, "prepare") else None
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                work(index, state)
            except Exception as exc:
                errors[index] += 1
                if not first_error:
                    first_error.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            latencies[index].append((time.perf_counter() - began) * 1000)
        if hasattr(work, "finish"):
            work.finish(state)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    if first_error and not getattr(work, "first_error", ""):
        work.first_error = first_error[0]
    return [v for per in latencies for v in per], errors, time.perf_counter() - began


class RawWork:
    first_error = ""

    def __init__(self, raw: Any, conninfo: str):
        self.raw = raw
        self.conninfo = conninfo

    def prepare(self, index: int) -> Any:
        import psycopg

        return psycopg.connect(self.conninfo, autocommit=True)

    def __call__(self, index: int, conn: Any) -> None:
        with conn.transaction(), conn.cursor() as cursor:
            self.raw.write(cursor)

    def finish(self, conn: Any) -> None:
        conn.close()


class AppWork:
    first_error = ""

    def __init__(self, port: int, sessions: list[dict[str, str]], body: dict[str, Any]):
        self.port = port
        self.sessions = sessions
        self.body = json.dumps(body).encode()

    def __call__(self, index: int, state: Any) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(
                "POST",
                "/api/cases/intake/accept",
                body=self.body,
                headers={
                    **self.sessions[index % len(self.sessions)],
                    "Content-Type": "application/json",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )
            response = conn.getresponse()
            payload = response.read()
            if response.status != 201:
                raise RuntimeError(f"{response.status}: {payload[:200]!r}")
        finally:
            conn.close()


def _database_url(params: dict[str, Any]) -> str:
    """The URL of the database this process is connected to (under pytest: the test
    database), for the app processes."""
    user = params.get("user") or ""
    password = f":{params['password']}" if params.get("password") else ""
    host = params.get("host") or "127.0.0.1"
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgres://{user}{password}@{host}{port}/{params['dbname']}"


def run_concurrent(
    actors: Actors,
    *,
    workers: list[int],
    clients: int,
    seconds: float,
    say: Any = print,
) -> list[Figure]:
    name = "concurrent intake"
    if actors.vendor != "postgresql":
        return [Figure(name=name, subject="", baseline="", skipped=SQLITE_NOTE)]
    if _gunicorn() is None:
        return [
            Figure(
                name=name,
                subject="",
                baseline="",
                skipped="gunicorn is not installed (pip install -e '.[production]')",
            )
        ]
    from django.conf import settings
    from django.db import connection

    raw = learn_raw_accept(actors)
    params = connection.get_connection_params()
    conninfo = " ".join(
        f"{key}={params[key]}"
        for key in ("host", "port", "user", "dbname", "password")
        if params.get(key)
    )
    queries = count_queries(api_accept(actors))
    sessions = _sessions(actors.clerk, clients)
    body = api_accept_body(actors)
    overrides = {
        "DATABASE_URL": _database_url(params),
        "ONEWINDOW_VAR": str(getattr(settings, "VAR_DIR")),  # noqa: B009 — not in the stubs
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TASK_BACKEND": str(getattr(settings, "TASK_BACKEND")),  # noqa: B009
        "CELERY_BROKER_URL": str(getattr(settings, "CELERY_BROKER_URL")),  # noqa: B009
        "LOG_LEVEL": "WARNING",
        "STAFF_SECOND_FACTOR_ROLES": "",
        "DJANGO_SETTINGS_MODULE": "onewindow.config.settings",
    }
    figures = []
    for count in workers:
        say(f"  {name}: {count} app process(es) × {clients} clients …")
        figure = Figure(
            name=f"{name} ({count} proc)",
            subject=(
                f"POST /api/cases/intake/accept: gunicorn, {count} sync worker(s), {clients} "
                f"client threads, {PHASES}×{seconds:g} s"
            ),
            baseline=(
                f"{clients} raw psycopg client threads writing an accept's rows "
                f"({raw.statements} statements), {PHASES}×{seconds:g} s"
            ),
        )
        server = Server(workers=count, env_overrides=overrides)
        try:
            server.wait_ready()
            app = AppWork(server.port, sessions, body)
            for i in range(count * 2):  # every worker loads the project once
                app(i, None)
            raw_work = RawWork(raw, conninfo)
            done = {"app": 0, "raw": 0}
            wall = {"app": 0.0, "raw": 0.0}
            errors = {"app": 0, "raw": 0}
            for _ in range(PHASES):
                for side, work, into in (
                    ("raw", raw_work, figure.baseline_ms),
                    ("app", app, figure.subject_ms),
                ):
                    latencies, failed, elapsed = _phase(work, clients, seconds)
                    into.extend(latencies)
                    done[side] += len(latencies)
                    wall[side] += elapsed
                    errors[side] += sum(failed)
        finally:
            server.stop()
        app_rate = done["app"] / wall["app"] if wall["app"] else 0.0
        raw_rate = done["raw"] / wall["raw"] if wall["raw"] else 0.0
        figure.queries = queries
        figure.baseline_queries = raw.statements
        figure.extra.update(
            {
                "throughput_per_s": round(app_rate, 1),
                "baseline_throughput_per_s": round(raw_rate, 1),
                "throughput_ratio": round(app_rate / raw_rate, 3) if raw_rate else None,
                "p99_ms": round(percentile(figure.subject_ms, 0.99), 1),
                "baseline_p99_ms": round(percentile(figure.baseline_ms, 0.99), 1),
                "errors": errors["app"],
                "baseline_errors": errors["raw"],
            }
        )
        for side, work in (("first_error", app), ("baseline_first_error", raw_work)):
            if work.first_error:
                figure.extra[side] = work.first_error
        if figure.subject_ms:
            figure.extra["mean_ms"] = round(statistics.fmean(figure.subject_ms), 1)
        figures.append(figure)
    return figures
