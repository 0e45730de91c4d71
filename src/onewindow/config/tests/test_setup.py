"""Setup and every command stay quiet: the bootstrap finds what is installed on every run, the
package metadata is what current setuptools wants, and no library logs its steps on a command."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_the_bootstrap_finds_every_installed_debian_package_on_every_run():
    # `make test` runs `bootstrap.sh --test` first, so nothing may be missing. The old check
    # (`fc-list | grep -q` under pipefail) died of SIGPIPE in most runs and reinstalled fonts.
    for _ in range(10):
        result = subprocess.run(
            ["bash", "scripts/bootstrap.sh", "--test", "--list-missing"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_bootstrap_refuses_an_unknown_option():
    result = subprocess.run(
        ["bash", "scripts/bootstrap.sh", "--tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.endswith("usage: scripts/bootstrap.sh [--test] [--list-missing]\n")


def test_the_package_license_is_an_spdx_expression_as_setuptools_wants():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))


def test_a_command_prints_no_log_line_of_weasyprint_or_fonttools(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(ONEWINDOW_VAR=str(tmp_path), DJANGO_SETTINGS_MODULE="onewindow.config.settings")
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )
