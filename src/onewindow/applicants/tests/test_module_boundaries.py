"""Modules of ``applicants`` share helpers by public names only: a module importing another
module's underscore names would break when that module renames what it considers its own."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent


def private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "onewindow.applicants."
        ):
            found += [
                f"{path.name}:{node.lineno}: {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_")
            ]
    return found


def test_no_applicants_module_imports_another_ones_private_names():
    modules = sorted(p for p in APP.rglob("*.py") if "tests" not in p.parts)
    assert any(p.name == "selectors.py" for p in modules)
    assert [hit for path in modules for hit in private_imports(path)] == []
