"""``python bench/compare.py a.json b.json``: how each figure grew from run ``a`` to run ``b``.

Run the suite at demo scale and then at a city scale (``make bench SCALE=demo``, ``make bench
DB=postgres SCALE=2000000`` or ``CITY_DB=…``) and compare the two JSON files: for every
benchmark in both, the median and p95 of each run, the growth ``b / a`` of the median and of
the p95 (the issue's "growth shows as a ratio": a page constant in the size of the city stays
near 1×), the growth of its baseline, and the query counts. Prints nothing it cannot pair.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def load(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text())
    if "figures" not in data:
        raise SystemExit(f"{path}: not a benchmark report (no figures)")
    return data


def _growth(new: float | None, old: float | None) -> str:
    if not new or not old:
        return "-"
    return f"{new / old:6.2f}×"


def _ratio(value: float | None) -> str:
    return f"{value:7.2f}×" if value is not None else "      -"


def _city(report: dict[str, Any]) -> str:
    city = report.get("city", {})
    return (
        f"{report.get('database')} scale {report.get('scale')}: {city.get('persons')} persons, "
        f"{city.get('cases')} cases, {city.get('open_cases')} open "
        f"(commit {str(report.get('git_commit', ''))[:12]})"
    )


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    lines = [f"a: {_city(a)}", f"b: {_city(b)}", ""]
    head = (
        f"{'benchmark':<26} {'a median':>9} {'b median':>9} {'growth':>8} {'a p95':>9} "
        f"{'b p95':>9} {'growth':>8} {'base gr.':>8} {'ratio a→b':>16} {'queries a→b':>12}"
    )
    lines += [head, "-" * len(head)]
    old = {f["name"]: f for f in a["figures"]}
    for figure in b["figures"]:
        before = old.get(figure["name"])
        if before is None or figure.get("skipped") or before.get("skipped"):
            continue
        lines.append(
            f"{figure['name']:<26} {before['median_ms']:9.2f} {figure['median_ms']:9.2f} "
            f"{_growth(figure['median_ms'], before['median_ms']):>8} "
            f"{before['p95_ms']:9.2f} {figure['p95_ms']:9.2f} "
            f"{_growth(figure['p95_ms'], before['p95_ms']):>8} "
            f"{_growth(figure['baseline_median_ms'], before['baseline_median_ms']):>8} "
            f"{_ratio(before.get('ratio'))}→{_ratio(figure.get('ratio')):<8} "
            f"{before.get('queries')!s:>5}→{figure.get('queries')!s:<5}"
        )
    lines.append("")
    lines.append(
        "growth = b / a (times in ms); base gr. = growth of the baseline's median; ratio a→b ="
        " subject / baseline in each run (measured interleaved, so less moved by the machine's"
        " other load than the times). A page constant in the city's size shows ~1× growth."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the first report (e.g. demo scale)")
    parser.add_argument("b", help="the second report (e.g. city scale)")
    args = parser.parse_args(argv)
    print(compare(load(args.a), load(args.b)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
