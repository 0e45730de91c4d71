"""``python -m bench`` / ``make bench``: the benchmark suite.

Options (``make bench DB=… SCALE=… ROUNDS=…`` passes them on):

  --db sqlite|postgres   the scratch database: SQLite in a temporary folder, or the PostgreSQL
                         database ``ow_bench`` on 127.0.0.1 (dropped and created afresh)
  --scale demo|<cases>   the demo city with its demo cases, or a bulk-built city of that many
                         cases (``onewindow.demo.bulk.build_city_bulk``)
  --city-db NAME         use an existing bulk-built PostgreSQL database instead (read-mostly;
                         its keys are those of ONEWINDOW_VAR)
  --rounds N             timed rounds per benchmark (baseline and subject in turn)
  --workers 1,2          app processes for the concurrent intake (PostgreSQL only)
  --worker-class gthread gunicorn's worker class for the concurrent intake: gthread (threads per
                         process, keep-alive) or sync (one request at a time per process)
  --threads 4            threads of each gthread worker
  --clients 32           client threads of the concurrent intake
  --seconds 10           length of one phase of the concurrent intake
  --tasks sync|celery    background work inline and timed (sync), or queued on the bench's
                         own Redis database as in production and not run (celery)
  --only concurrency     run only the concurrent intake (the city, then N app processes
                         against raw clients; PostgreSQL), not the in-process benchmarks
  --only board,case      run only these groups of in-process benchmarks (``suite.GROUPS``:
                         board, case, search, receipt, accept, hall, assess, hotline; comma-sep.,
                         with or without concurrency); board, case and assess add no case,
                         so a city database can take them (the accept benchmarks add cases)
  --out DIR              where the JSON goes (var/bench/<timestamp>-<db>-<scale>.json)

Prints a table (median and p95 of subject and baseline, their ratio, the query counts) and
writes every figure with the scale, the database, the machine and the git commit as JSON.
No figure is judged here: targets are read from the table and the JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from bench import environment
from bench.suite import GROUPS
from bench.timing import Figure

CONCURRENCY = "concurrency"  # ``--only``'s name for the concurrent intake

SEP = "-"
TASK_NOTES = {
    "sync": "sync: background work (the message an accept starts) runs inline and is timed",
    "celery": "celery: background work is queued on Redis (as in production) and not run",
}


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("DB") or "sqlite")
    parser.add_argument("--scale", default=os.environ.get("SCALE") or "demo")
    parser.add_argument("--city-db", default=os.environ.get("CITY_DB") or "")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS") or 20))
    parser.add_argument("--workers", default=os.environ.get("WORKERS") or "")
    parser.add_argument(
        "--worker-class",
        default=os.environ.get("WORKER_CLASS") or "gthread",
        choices=["gthread", "sync"],
    )
    parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS") or 4))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("CLIENTS") or 32))
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("PHASE_SECONDS") or 10)
    )
    parser.add_argument("--tasks", default=os.environ.get("TASKS") or "sync")
    parser.add_argument("--only", default=os.environ.get("ONLY") or "")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(environment.ROOT / "var" / "bench"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    if args.db not in ("sqlite", "postgres"):
        parser.error("--db must be sqlite or postgres")
    if args.scale != "demo" and not args.scale.isdigit():
        parser.error("--scale must be demo or a whole number of cases")
    if args.tasks not in ("sync", "celery"):
        parser.error("--tasks must be sync or celery")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    args.only = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = set(args.only) - {CONCURRENCY, *GROUPS}
    if unknown:
        parser.error(
            f"--only takes {', '.join([CONCURRENCY, *GROUPS])}, not {', '.join(sorted(unknown))}"
        )
    return args


def chosen_groups(only: list[str]) -> list[str] | None:
    """The in-process groups ``--only`` names (``None``: all of them; ``[]``: none)."""
    if not only:
        return None
    return [group for group in GROUPS if group in only]


def _ms(value: float) -> str:
    return f"{value:9.2f}" if value < 10000 else f"{value:9.0f}"


def table(figures: list[Figure]) -> str:
    head = (
        f"{'benchmark':<26} {'median':>9} {'p95':>9} {'base med':>9} {'base p95':>9} "
        f"{'ratio':>7} {'queries':>7} {'base q':>6}"
    )
    lines = [head, SEP * len(head)]
    for figure in figures:
        if figure.skipped:
            lines.append(f"{figure.name:<26} skipped: {figure.skipped}")
            continue
        ratio = "-" if figure.ratio is None else f"{figure.ratio:6.2f}×"
        lines.append(
            f"{figure.name:<26} {_ms(figure.median_ms)} {_ms(figure.p95_ms)} "
            f"{_ms(figure.baseline_median_ms)} {_ms(figure.baseline_p95_ms)} {ratio:>7} "
            f"{figure.queries if figure.queries is not None else '-':>7} "
            f"{figure.baseline_queries if figure.baseline_queries is not None else '-':>6}"
        )
        for key, value in figure.extra.items():
            if key in ("raw_rows",):
                continue
            lines.append(f"{'':<26}   {key}: {value}")
    lines.append("")
    lines.append("times in ms; ratio = subject median / baseline median. What each measures:")
    for figure in figures:
        if figure.skipped:
            continue
        lines.append(f"  {figure.name}: {figure.subject}")
        lines.append(f"  {'':<{len(figure.name)}}  baseline: {figure.baseline}")
    return "\n".join(lines)


def write_json(report: dict[str, Any], out_dir: Path, *, db: str, scale: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"{stamp}-{db}-{scale}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    options = environment.Options(
        db=args.db,
        scale=args.scale,
        city_db=args.city_db,
        seed=args.seed,
        keep=args.keep,
        tasks=args.tasks,
    )
    env = environment.configure(options)
    try:
        environment.setup_django()
        print(f"database: {env.database_url}; migrating …", flush=True)
        environment.migrate()
        print(f"building the city (scale {args.scale}) …", flush=True)
        environment.build_city(env, stdout=sys.stdout)
        from bench.concurrency import run_concurrent
        from bench.suite import find_actors, run_suite

        actors = find_actors()
        facts = environment.scale_facts()
        print(
            f"city: {facts['persons']} persons, {facts['cases']} cases, "
            f"{facts['open_cases']} open, {facts['open_tasks']} open tasks; "
            f"{args.rounds} rounds",
            flush=True,
        )
        scale_name = options.city_db or args.scale
        groups = chosen_groups(args.only)
        figures = run_suite(actors, rounds=args.rounds, groups=groups) if groups != [] else []
        workers = (
            [int(w) for w in args.workers.split(",") if w.strip()]
            if args.workers
            else sorted({1, os.cpu_count() or 1})
        )
        if not args.only or CONCURRENCY in args.only:
            figures.extend(
                run_concurrent(
                    actors,
                    workers=workers,
                    clients=args.clients,
                    seconds=args.seconds,
                    worker_class=args.worker_class,
                    threads=args.threads,
                )
            )
        report = {
            **environment.describe(env, vendor=actors.vendor, scale=scale_name, city=facts),
            "scale_after": environment.scale_facts(),
            "rounds": args.rounds,
            "task_backend": TASK_NOTES[args.tasks],
            "figures": [figure.as_dict() for figure in figures],
        }
        print()
        print(
            f"OneWindow benchmarks — {actors.vendor} {report['database_version']}, scale "
            f"{scale_name} ({facts['persons']} persons, {facts['cases']} cases, "
            f"{facts['open_cases']} open), {report['machine']['cores']} cores (load "
            f"{report['machine']['load_average'][0]}), "
            f"commit {report['git_commit'][:12]}; tasks {TASK_NOTES[args.tasks]}"
        )
        print(table(figures))
        path = write_json(report, Path(args.out), db=args.db, scale=scale_name)
        print(f"\nJSON: {path}")
    finally:
        env.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
