"""The benchmark's scratch database and city.

``prepare(options)`` points Django at a database of the benchmark's own — SQLite in a temporary
folder, or the PostgreSQL database ``ow_bench`` on 127.0.0.1 (dropped and created afresh) —
migrates it and builds the city: the demo city (``build_demo_city`` and the demo cases) for
``--scale demo``, or ``onewindow.demo.bulk.build_city_bulk`` for a number of cases. With
``--city-db NAME`` it uses an existing PostgreSQL database built earlier (read-mostly: the
accept benchmarks add a few cases; nothing is dropped) and the keys of ``ONEWINDOW_VAR``.

``describe()`` reports the scale (persons, cases, open cases), the database, the machine and
the git commit, for the JSON file.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("BENCH_PG_PORT", "5432")
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
# Its own name lets two benchmark runs on one server not drop each other's database.
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "ow_bench")
# Not db 0 (the default broker) nor 15 (the test suite's): the bench's queue is its own.
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


@dataclass
class Options:
    db: str = "sqlite"  # sqlite | postgres
    scale: str = "demo"  # demo | a number of cases
    city_db: str = ""
    seed: int = 2026
    keep: bool = False
    # sync: background work (the message an accept starts) runs inline and is timed; celery:
    # it is queued on the bench's own Redis database (BENCH_REDIS_URL), as in production, and
    # never run (no worker), the queue emptied at the start and the end.
    tasks: str = "sync"


@dataclass
class Environment:
    options: Options
    workdir: Path
    database_url: str
    build_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        if self.options.tasks == "celery":
            flush_queue()
        if not self.options.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


def flush_queue() -> None:
    """Empty the bench's own Redis database (the queued tasks nobody runs)."""
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()


def pg_url(database: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def _recreate_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def configure(options: Options) -> Environment:
    """Set the environment for Django (not yet set up) and create the scratch database."""
    workdir = Path(tempfile.mkdtemp(prefix="ow_bench_", dir="/tmp"))
    if options.city_db:
        if options.db != "postgres":
            raise SystemExit("CITY_DB needs DB=postgres / CITY_DB 需要 DB=postgres")
        url = pg_url(options.city_db)
        var_dir = Path(os.environ.get("ONEWINDOW_VAR") or ROOT / "var")
    elif options.db == "postgres":
        _recreate_pg_database(PG_DATABASE)
        url = pg_url(PG_DATABASE)
        var_dir = workdir
    elif options.db == "sqlite":
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        var_dir = workdir
    else:
        raise SystemExit(f"DB must be sqlite or postgres, not {options.db!r}")
    os.environ["DATABASE_URL"] = url
    os.environ["ONEWINDOW_VAR"] = str(var_dir)
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    if options.tasks not in ("sync", "celery"):
        raise SystemExit(f"TASKS must be sync or celery, not {options.tasks!r}")
    os.environ["TASK_BACKEND"] = options.tasks
    if options.tasks == "celery":
        os.environ["CELERY_BROKER_URL"] = BENCH_REDIS_URL
        flush_queue()
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["STAFF_SECOND_FACTOR_ROLES"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    return Environment(options=options, workdir=workdir, database_url=url)


def setup_django() -> None:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import django
    from django.conf import settings

    django.setup()
    # Measure what production runs: no per-query log kept by the debug cursor.
    settings.DEBUG = False


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_city(env: Environment, *, stdout: Any = None) -> None:
    """The demo city and its cases, or the bulk city of ``scale`` cases (``build_city_bulk``
    builds the demo city first, without the demo cases); nothing for an existing
    ``city_db``."""
    from django.conf import settings

    # The city is built with its background work done inline, whatever the benchmarks use.
    settings.TASK_BACKEND = "sync"
    started = time.monotonic()
    options = env.options
    if options.city_db:
        env.notes.append(f"existing city database {options.city_db} (not rebuilt)")
    elif options.scale == "demo":
        build_demo(seed=options.seed, stdout=stdout)
    else:
        cases = int(options.scale)
        try:
            from onewindow.demo.bulk import build_city_bulk, default_persons
        except ImportError as exc:
            raise SystemExit(
                "SCALE=<cases> needs onewindow.demo.bulk.build_city_bulk, which this checkout "
                f"does not have ({exc}); use SCALE=demo. / 此版本没有城市级生成器，请用 SCALE=demo"
            ) from exc
        build_city_bulk(
            seed=options.seed,
            persons=default_persons(cases),
            cases=cases,
            stdout=stdout or sys.stdout,
            progress=True,
        )
    analyse()
    env.build_seconds = time.monotonic() - started
    settings.TASK_BACKEND = options.tasks


def analyse() -> None:
    """Planner statistics for every table, and the case tables vacuumed, before anything is
    measured (PostgreSQL): a server with autovacuum off — or one that has not come round yet —
    would plan the fresh city's joins from empty tables and read the heap for every count, at
    demo scale and at city scale alike."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            # The visibility map of the tables the boards and queues count (index-only scans),
            # as autovacuum keeps it where it runs; a city built or grown since (the accept
            # benchmarks add cases) has pages not yet marked all-visible.
            for table in ("cases_case", "cases_casetask"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")


def build_demo(*, seed: int, scale: float = 1.0, stdout: Any = None) -> None:
    from onewindow.demo.cases import build_demo_cases
    from onewindow.demo.generator import build_demo_city

    build_demo_city(seed=seed, scale=scale, stdout=stdout)
    build_demo_cases(seed=seed)


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def scale_facts() -> dict[str, int]:
    from onewindow.applicants.models import Person
    from onewindow.cases.models import Case, CaseTask
    from onewindow.cases.transitions import CaseState, TaskState
    from onewindow.catalog.models import ServiceItem

    return {
        "persons": Person.objects.count(),
        "cases": Case.objects.count(),
        "open_cases": Case.objects.filter(
            state__in=[CaseState.ACCEPTED, CaseState.SUSPENDED]
        ).count(),
        "open_tasks": CaseTask.objects.filter(
            state__in=[TaskState.OPEN, TaskState.CLAIMED]
        ).count(),
        "items": ServiceItem.objects.count(),
    }


def describe(
    env: Environment | None, *, vendor: str, scale: str, city: dict[str, int]
) -> dict[str, Any]:
    """What the JSON file says about the run; ``city`` is ``scale_facts()`` taken before the
    benchmarks added their cases."""
    from django.db import connection

    version = ""
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        elif vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
    return {
        "database": vendor,
        "database_version": version,
        "database_name": str(connection.settings_dict.get("NAME", "")),
        "scale": scale,
        "city": city,
        "build_seconds": round(env.build_seconds, 1) if env else None,
        "machine": {
            "cores": os.cpu_count(),
            # Other work on the machine while the benchmarks ran (1, 5, 15 minutes).
            "load_average": [round(v, 2) for v in os.getloadavg()],
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "git_commit": git_commit(),
        "notes": list(env.notes) if env else [],
    }
