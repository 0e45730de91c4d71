"""Concurrent intake (PostgreSQL only): accepts through N app processes against the same
concurrency of raw psycopg clients.

The app: gunicorn on 127.0.0.1 serving the real project (same database, same keys; the
second factor off, as in the in-process benchmarks) with the production profile's database
connections (each worker thread keeps its own, ``DATABASE_CONN_MAX_AGE=60``, checked before
reuse, as ``make serve``): N processes of ``worker_class`` — ``gthread`` with ``threads``
threads each (the default, as ``make serve``) or ``sync`` (one request at a time per
process). ``clients`` threads post ``/api/cases/intake/accept`` as signed-in clerks (one
session each). Each client thread keeps one HTTP connection open (keep-alive) for as long as
the server keeps it, as each raw client keeps its one database connection; a ``sync`` worker
closes it after every answer and the client opens a new one (``http_connections`` counts
them). The baseline: ``clients`` threads, each with its own psycopg connection, writing the
same rows as an accept in one transaction (``bench/raw.py``).

Phases alternate — raw, app, raw, app — each ``seconds`` long. The figure: the latency of
every request (median, p95, p99), each side's throughput, and the CPU time one request cost
the app processes, the client threads and the PostgreSQL backends serving the bench's
database (``cpu_ms``, from Linux ``/proc``; a backend that lives less than the 0.2 s between
two samples is missed, so only kept connections are counted in full).

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
from pathlib import Path
from typing import Any

from bench.suite import Actors, api_accept, api_accept_body, learn_raw_accept
from bench.timing import Figure, count_queries, percentile

PHASES = 2  # raw, app, raw, app
WORKER_CLASS = "gthread"
THREADS = 4  # per gthread worker
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
    """gunicorn serving the project with ``workers`` processes of ``worker_class``."""

    def __init__(
        self,
        *,
        workers: int,
        env_overrides: dict[str, str],
        worker_class: str = WORKER_CLASS,
        threads: int = THREADS,
    ):
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
                "--worker-class",
                worker_class,
                "--threads",
                str(threads if worker_class == "gthread" else 1),
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

    def worker_pids(self) -> list[int]:
        """The worker processes (the children of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _cpu_seconds(pid: int | str) -> float | None:
    """User + system CPU seconds of a process so far (Linux ``/proc``), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = os.path.exists(f"/proc/{os.getpid()}/stat")  # Linux: CPU times are read there


class CpuMeter:
    """CPU seconds spent during one phase by the app's worker processes, by this process (the
    client threads) and by the PostgreSQL backends serving ``dbname`` on this machine. The
    backends are sampled every 0.2 s (a backend that comes and goes between two samples is
    missed; the app's and the raw clients' connections both stay open for the phase); the
    sampler's own time is taken off the client's."""

    def __init__(self, *, dbname: str, workers: list[int]):
        self.tag = f" {dbname} ".encode()
        self.workers = workers
        self.ours: dict[str, bool] = {}
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.stopped = threading.Event()
        self.own = 0.0

    def _backends(self) -> dict[str, float]:
        out: dict[str, float] = {}
        if not PROC:
            return out
        for entry in os.scandir("/proc"):
            pid = entry.name
            if not pid.isdigit():
                continue
            if pid not in self.ours:
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                self.ours[pid] = cmdline.startswith(b"postgres:") and self.tag in cmdline
            if self.ours[pid]:
                seconds = _cpu_seconds(pid)
                if seconds is not None:
                    out[pid] = seconds
        return out

    def _sample(self) -> None:
        began = time.thread_time()
        for pid, seconds in self._backends().items():
            self.first.setdefault(pid, 0.0)  # a backend started in the phase: all its time
            self.last[pid] = seconds
        self.own += time.thread_time() - began

    def _loop(self) -> None:
        while not self.stopped.wait(0.2):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self.first = self._backends()
        self.last = dict(self.first)
        self.worker_start = {pid: _cpu_seconds(pid) for pid in self.workers}
        self.client_start = _cpu_seconds(os.getpid()) or 0.0
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()
        self._sample()
        self.client = (_cpu_seconds(os.getpid()) or 0.0) - self.client_start - self.own
        self.app = sum(
            (_cpu_seconds(pid) or start) - start
            for pid, start in self.worker_start.items()
            if start is not None
        )
        self.postgres = sum(self.last[pid] - self.first.get(pid, 0.0) for pid in self.last)


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
    """One accept per call. A client thread (``prepare``) keeps its HTTP connection open
    while the server keeps it (keep-alive; a ``sync`` worker closes it after each answer, and
    the next call opens a new one); called without a state (the warm-up), one connection per
    call. ``connections`` counts the connections opened."""

    first_error = ""

    def __init__(self, port: int, sessions: list[dict[str, str]], body: dict[str, Any]):
        self.port = port
        self.sessions = sessions
        self.body = json.dumps(body).encode()
        self.connections = 0
        self._count = threading.Lock()

    def prepare(self, index: int) -> list[http.client.HTTPConnection | None]:
        return [None]

    def __call__(self, index: int, state: list[http.client.HTTPConnection | None] | None) -> None:
        slot: list[http.client.HTTPConnection | None] = state if state is not None else [None]
        conn = slot[0]
        if conn is None:
            conn = slot[0] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            with self._count:
                self.connections += 1
        keep = False
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
            keep = state is not None and not response.will_close
            if response.status != 201:
                raise RuntimeError(f"{response.status}: {payload[:200]!r}")
        finally:
            if not keep:
                conn.close()
                slot[0] = None

    def finish(self, state: list[http.client.HTTPConnection | None]) -> None:
        if state[0] is not None:
            state[0].close()


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
    worker_class: str = WORKER_CLASS,
    threads: int = THREADS,
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
        # The production profile's database connections (settings: DEBUG=0's default): each
        # worker thread keeps its connection, checked before reuse, instead of one per request.
        "DATABASE_CONN_MAX_AGE": "60",
        "DATABASE_CONN_HEALTH_CHECKS": "1",
    }
    threads = threads if worker_class == "gthread" else 1
    kind = f"{worker_class} ×{threads} threads" if worker_class == "gthread" else worker_class
    figures = []
    for count in workers:
        say(f"  {name}: {count} app process(es) ({kind}) × {clients} clients …")
        figure = Figure(
            name=f"{name} ({count} proc)",
            subject=(
                f"POST /api/cases/intake/accept: gunicorn, {count} {kind} worker(s), kept DB "
                f"connections, "
                f"{clients} client threads (keep-alive), {PHASES}×{seconds:g} s"
            ),
            baseline=(
                f"{clients} raw psycopg client threads writing an accept's rows "
                f"({raw.statements} statements), {PHASES}×{seconds:g} s"
            ),
        )
        server = Server(
            workers=count, env_overrides=overrides, worker_class=worker_class, threads=threads
        )
        try:
            server.wait_ready()
            app = AppWork(server.port, sessions, body)
            for i in range(count * threads * 2):  # every worker loads the project once
                app(i, None)
            app.connections = 0
            raw_work = RawWork(raw, conninfo)
            done = {"app": 0, "raw": 0}
            wall = {"app": 0.0, "raw": 0.0}
            errors = {"app": 0, "raw": 0}
            cpu = {side: {"app": 0.0, "client": 0.0, "postgres": 0.0} for side in done}
            for _ in range(PHASES):
                for side, work, into in (
                    ("raw", raw_work, figure.baseline_ms),
                    ("app", app, figure.subject_ms),
                ):
                    with CpuMeter(dbname=str(params["dbname"]), workers=server.worker_pids()) as m:
                        latencies, failed, elapsed = _phase(work, clients, seconds)
                    into.extend(latencies)
                    done[side] += len(latencies)
                    wall[side] += elapsed
                    errors[side] += sum(failed)
                    cpu[side]["app"] += m.app
                    cpu[side]["client"] += m.client
                    cpu[side]["postgres"] += m.postgres
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
                # CPU milliseconds one request cost each party (app processes, client
                # threads, PostgreSQL backends).
                "cpu_ms": _per_request(cpu["app"], done["app"]),
                "baseline_cpu_ms": _per_request(cpu["raw"], done["raw"]),
                "http_connections": app.connections,
            }
        )
        for side, work in (("first_error", app), ("baseline_first_error", raw_work)):
            if work.first_error:
                figure.extra[side] = work.first_error
        if figure.subject_ms:
            figure.extra["mean_ms"] = round(statistics.fmean(figure.subject_ms), 1)
        figures.append(figure)
    return figures


def _per_request(seconds: dict[str, float], requests: int) -> dict[str, float]:
    return {
        key: round(value * 1000 / requests, 1) if requests else 0.0
        for key, value in seconds.items()
    }
