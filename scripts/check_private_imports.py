"""Fail when one app imports another app's private names or modules.

import-linter checks which modules depend on which; it does not see names. This check adds the
rest of the boundary rule (docs/architecture.md): code of app A may not import an
underscore-prefixed name or module of app B (``from onewindow.b.services import _helper``,
``import onewindow.b._internal``). Tests are exempt. Prints each violation as
``path:line: message`` and exits 1 if there is any.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "onewindow"


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "onewindow" else None


def private(parts: list[str]) -> bool:
    return any(p.startswith("_") and not p.startswith("__") for p in parts)


def violations(path: Path) -> list[str]:
    relative = path.relative_to(ROOT)
    own_app = relative.parts[0] if len(relative.parts) > 1 else None
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            target = app_of(node.module)
            if target is None or target == own_app:
                continue
            names = [alias.name for alias in node.names]
            if private(node.module.split(".")[2:]) or private(names):
                found.append(f"{path}:{node.lineno}: imports a private part of '{target}'")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                target = app_of(alias.name)
                if target and target != own_app and private(alias.name.split(".")[2:]):
                    found.append(f"{path}:{node.lineno}: imports a private part of '{target}'")
    return found


def main() -> int:
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        problems.extend(violations(path))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
