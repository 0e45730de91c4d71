"""Production mode (DEBUG=0): ``check --deploy`` passes with no warning at all, and insecure
transport settings stop every command with one bilingual error, Chinese first."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
# Every variable the settings read for transport security; the parent's values never leak in.
SECURITY_VARIABLES = (
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "ONEWINDOW_ALLOW_INSECURE",
)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SECURITY_VARIABLES}
    # The browser fixture's async switch is for the test process only (async.E001 in deploy).
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # SQLite in tmp_path: the settings are under test, not the database role of a test run.
    env.pop("DATABASE_URL", None)
    key = base64.urlsafe_b64encode(b"k" * 32).decode()
    env.update(
        DEBUG="0",
        SECRET_KEY="a-production-secret-key-" + "x7Qp2Lm9Zr4Tw8Ys1Vb6Nc3Hd5Jf0Kg" * 2,
        DATA_ENCRYPTION_KEYS=key,
        BLIND_INDEX_KEY=base64.urlsafe_b64encode(b"b" * 32).decode(),
        AUDIT_CHAIN_KEY=base64.urlsafe_b64encode(b"c" * 32).decode(),
        ALLOWED_HOSTS="onewindow.example.gov.cn",
        ONEWINDOW_VAR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="onewindow.config.settings",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_deploy_in_production_mode_prints_no_warning_at_all(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )


def test_behind_a_tls_proxy_redirect_and_hsts_may_be_left_to_the_proxy(tmp_path):
    # The proxy is named (TRUSTED_PROXIES): else every client would read as the proxy's
    # address, and /metrics would be open to all (onewindow.core.E005).
    env = production_env(
        tmp_path,
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        TRUSTED_PROXIES="127.0.0.1",
    )
    result = manage(env, "check", "--deploy")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (2 silenced).\n",
        "",
    )


@pytest.mark.parametrize(
    ("extra", "listed"),
    [
        ({"SESSION_COOKIE_SECURE": "0"}, "SESSION_COOKIE_SECURE=0"),
        (
            {"CSRF_COOKIE_SECURE": "0", "SECURE_SSL_REDIRECT": "0"},
            "CSRF_COOKIE_SECURE=0, SECURE_SSL_REDIRECT=0",
        ),
        ({"SECURE_HSTS_SECONDS": "0"}, "SECURE_HSTS_SECONDS=0"),
        # A TLS proxy excuses the redirect, never a cookie sent over plain HTTP.
        (
            {"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https", "CSRF_COOKIE_SECURE": "0"},
            "CSRF_COOKIE_SECURE=0",
        ),
    ],
)
def test_production_mode_with_insecure_settings_refuses_to_start_with_a_bilingual_error(
    tmp_path, extra, listed
):
    result = manage(production_env(tmp_path, **extra), "check")
    assert result.returncode == 1
    assert result.stdout == ""
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "django.core.exceptions.ImproperlyConfigured: "
        f"生产模式（DEBUG=0）拒绝在不安全的设置下启动：{listed}。"
        "请通过 HTTPS 提供服务；若由终结 TLS 的代理转发，请设置 SECURE_PROXY_SSL_HEADER；"
        "仅在明知风险的测试环境中可设置 ONEWINDOW_ALLOW_INSECURE=1。"
        f" / Production mode (DEBUG=0) refuses to start with insecure settings: {listed}."
        " Serve over HTTPS; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER;"
        " only on a test machine, knowing the risk, set ONEWINDOW_ALLOW_INSECURE=1."
    )


def test_insecure_production_settings_start_only_when_allowed_on_purpose(tmp_path):
    env = production_env(tmp_path, SESSION_COOKIE_SECURE="0", ONEWINDOW_ALLOW_INSECURE="1")
    assert manage(env, "check").returncode == 0
    # check --deploy still tells the truth about it.
    result = manage(env, "check", "--deploy")
    assert result.returncode == 0
    assert "security.W012" in result.stderr


def test_production_mode_without_an_audit_chain_key_refuses_to_start_with_a_bilingual_error(
    tmp_path,
):
    """A key derived from SECRET_KEY lives wherever SECRET_KEY does; the chain's key must be
    set on purpose and kept with the application servers."""
    result = manage(production_env(tmp_path, AUDIT_CHAIN_KEY=""), "check")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "生产模式（DEBUG=0）拒绝在未设置 AUDIT_CHAIN_KEY 时启动："
        "审计链的密钥须与应用服务器一同保管，"
        "不得由 SECRET_KEY 推导（URL 安全的 base64，至少 32 字节）。"
        " / Production mode (DEBUG=0) refuses to start without AUDIT_CHAIN_KEY: the audit"
        " chain's key is kept with the application servers, never derived from SECRET_KEY"
        " (url-safe base64, at least 32 bytes)."
    )


def database_connections(tmp_path: Path, **given: str) -> str:
    """``CONN_MAX_AGE CONN_HEALTH_CHECKS`` of the default database in production mode with
    ``given`` variables (the parent's DATABASE_CONN_* never leak in)."""
    env = {k: v for k, v in production_env(tmp_path).items() if not k.startswith("DATABASE_CONN_")}
    env.update(given)
    result = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_keeps_database_connections_and_checks_them_before_reuse(tmp_path):
    """gunicorn's threads and Celery's workers live long: with DEBUG=0 each keeps its
    connection a minute instead of opening one per request, and checks it before reusing it;
    the embedded server (a thread per request) opens one per request; the environment
    overrides both."""
    assert database_connections(tmp_path) == "60 True"
    assert database_connections(tmp_path, DEBUG="1") == "0 False"
    assert database_connections(tmp_path, DATABASE_CONN_MAX_AGE="0") == "0 False"
    assert (
        database_connections(tmp_path, DATABASE_CONN_MAX_AGE="300", DATABASE_CONN_HEALTH_CHECKS="0")
        == "300 False"
    )
