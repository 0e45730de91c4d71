"""The request id: taken from a well-formed X-Request-ID or made, answered in the header, on
every log line of the request; JSON log lines; LOG_FORMAT read by the settings."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from onewindow.core.requestid import (
    HEADER,
    JsonFormatter,
    RequestIdFilter,
    current_request_id,
    request_id_bound,
    well_formed,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[4]


class Lines(logging.Handler):
    """A handler like the console's (the request id filter, the JSON formatter) that keeps what
    it would have written."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def request_log(settings):
    settings.LOG_REQUESTS = True
    handler = Lines()
    logger = logging.getLogger("onewindow.request")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_well_formed_id_from_a_trusted_proxy_is_answered_and_logged_with_the_request(
    client, request_log, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    response = client.get("/en/", headers={HEADER: "lb-7f3a9c2e:0001"}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 200
    assert response[HEADER] == "lb-7f3a9c2e:0001"
    assert len(request_log) == 1
    line = request_log[0]
    assert line["request_id"] == "lb-7f3a9c2e:0001"
    assert line["logger"] == "onewindow.request"
    assert line["level"] == "INFO"
    assert line["message"].startswith("GET /en/ 200 ")
    assert set(line) == {"time", "level", "logger", "message", "request_id"}
    assert current_request_id() is None  # nothing left behind after the request


@pytest.mark.parametrize(
    "incoming",
    [
        "short",  # under 8 characters
        "x" * 129,  # over 128
        "has space-123",
        "semi;colon-123",
        "汉字汉字汉字汉字",
        "",
    ],
)
def test_a_malformed_incoming_id_is_replaced_by_a_new_one(client, request_log, incoming):
    response = client.get("/en/?q=secret-code", headers={HEADER: incoming})
    made = response[HEADER]
    assert made != incoming
    assert len(made) == 32 and set(made) <= set("0123456789abcdef")
    assert request_log[0]["request_id"] == made
    # The query string (a query code may be in it) is never logged.
    assert "secret-code" not in request_log[0]["message"]


def test_an_id_from_anyone_but_a_trusted_proxy_is_replaced_and_noted_apart(
    client, request_log, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    response = client.get("/en/", headers={HEADER: "lb-7f3a9c2e:0001"}, REMOTE_ADDR="192.0.2.7")
    made = response[HEADER]
    assert made != "lb-7f3a9c2e:0001" and len(made) == 32
    line = request_log[0]
    assert line["request_id"] == made
    assert line["client_request_id"] == "lb-7f3a9c2e:0001"
    assert line["message"].endswith(" client-request-id=lb-7f3a9c2e:0001")
    # Without TRUSTED_PROXIES nobody's id is believed.
    settings.TRUSTED_PROXIES = []
    again = client.get("/en/", headers={HEADER: "lb-7f3a9c2e:0002"}, REMOTE_ADDR="10.0.0.5")
    assert again[HEADER] != "lb-7f3a9c2e:0002"


def test_the_access_line_escapes_what_the_client_chose(client, request_log, settings):
    forged = 'x\r\n{"level": "ERROR"}\x1b[31m'
    client.get("/en/nowhere%0Aforged%20line%0D%1B", headers={HEADER: forged})
    line = request_log[0]
    message = line["message"]
    assert "\n" not in message and "\r" not in message and "\x1b" not in message
    assert message.startswith("GET /en/nowhere\\nforged line\\r\\x1b 400 ")
    assert line["client_request_id"] == 'x\\r\\n{"level": "ERROR"}\\x1b[31m'
    # The plain console format writes the message alone: still one line.
    plain = logging.Formatter("%(message)s")
    record = logging.LogRecord("onewindow.request", logging.INFO, "", 0, message, (), None)
    assert "\n" not in plain.format(record)


def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/en/")[HEADER]
    second = client.get("/en/")[HEADER]
    assert first != second and well_formed(first) and well_formed(second)


def test_health_and_metrics_polls_leave_no_access_line(client, request_log):
    client.get("/healthz")
    client.get("/readyz")
    client.get("/metrics")
    assert request_log == []


def test_the_filter_and_formatter_outside_a_request_and_with_an_exception():
    handler = Lines()
    logger = logging.getLogger("onewindow.tests.requestid")
    logger.addHandler(handler)
    try:
        logger.warning("无请求 %s", 1)
        with request_id_bound("task-abcdef12"):
            try:
                raise ValueError("boom")
            except ValueError:
                logger.exception("失败")
        with request_id_bound("bad id"):  # malformed: dropped
            logger.warning("after")
    finally:
        logger.removeHandler(handler)
    assert [(x["message"], x["request_id"], x["level"]) for x in handler.lines] == [
        ("无请求 1", "-", "WARNING"),
        ("失败", "task-abcdef12", "ERROR"),
        ("after", "-", "WARNING"),
    ]
    assert "ValueError: boom" in handler.lines[1]["exception"]


def _settings_process(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, logging; django.setup(); "
        "from onewindow.core.requestid import request_id_bound\n"
        "with request_id_bound('proc-12345678'):\n"
        "    logging.getLogger('onewindow.probe').warning('probe line')\n"
    )
    environment = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "LOG_REQUESTS"}}
    environment.update(DJANGO_SETTINGS_MODULE="onewindow.config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_log_format_json_makes_the_console_write_json_lines():
    done = _settings_process(LOG_FORMAT="json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    probe = [line for line in lines if line["logger"] == "onewindow.probe"]
    assert [(x["message"], x["request_id"]) for x in probe] == [("probe line", "proc-12345678")]


def test_the_default_console_format_is_the_plain_message_and_a_bad_format_is_refused():
    plain = _settings_process()
    assert plain.returncode == 0, plain.stderr
    assert "probe line" in plain.stderr.splitlines()
    bad = _settings_process(LOG_FORMAT="xml")
    assert bad.returncode != 0
    assert "LOG_FORMAT 只能是 plain 或 json" in bad.stderr
    assert "LOG_FORMAT must be plain or json, not 'xml'" in bad.stderr
