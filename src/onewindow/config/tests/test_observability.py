"""The production profile's probes: ``/healthz`` (database), ``/readyz`` (database, broker,
worker; shared between workers for a few seconds) and ``/metrics`` (request latency, queue
depth, outbox, cases by state); the last two only for the monitoring system."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from onewindow.cases.services import case_accept, case_refuse_at_intake
from onewindow.cases.tests.conftest import city
from onewindow.config import metrics as metrics_module
from onewindow.core import health as health_module
from onewindow.core.celery_app import app as celery_app
from onewindow.core.models import AuditLog
from onewindow.core.sharedcache import forget
from onewindow.notify.models import Notification
from onewindow.testing.celery import _use_broker, celery_worker

__all__ = ["celery_worker", "city"]  # fixtures, imported to be used here

pytestmark = pytest.mark.django_db
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/15"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def _fresh_counts():
    keys = (metrics_module.METRICS_CACHE_KEY, health_module.READY_CACHE_KEY)
    for key in keys:
        forget(key)
    yield
    for key in keys:
        forget(key)


@pytest.fixture
def broker_down(settings):
    before = (celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    _use_broker(celery_app, CLOSED_PORT_BROKER, before[1])
    settings.TASK_BACKEND = "celery"
    yield
    _use_broker(celery_app, *before)


def test_health_on_the_embedded_backends_checks_the_database_only(client):
    audited = AuditLog.objects.count()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-store" in response["Cache-Control"]
    assert AuditLog.objects.count() == audited  # polled every few seconds: never audited
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "in-process", "worker": "in-process"},
    }


def test_healthz_never_touches_the_broker_so_anyone_asking_it_ties_up_nothing(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_answers_503_when_the_broker_cannot_be_reached(client, broker_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "ok", "broker": "fail", "worker": "fail"},
    }
    assert "no-store" in response["Cache-Control"]
    assert b"6379" not in response.content and b"127.0.0.1" not in response.content


def test_readyz_probes_the_broker_once_for_every_worker_for_a_few_seconds(
    client, broker_down, settings, caplog
):
    settings.HEALTH_CACHE_SECONDS = 3600
    with caplog.at_level("WARNING", logger="onewindow.health"):
        for _ in range(5):
            assert client.get("/readyz").json()["checks"]["broker"] == "fail"
    probed = [r for r in caplog.records if r.getMessage().startswith("health check broker")]
    assert len(probed) == 1  # the answer is shared (the cache), not probed per request
    settings.HEALTH_CACHE_SECONDS = 0
    with caplog.at_level("WARNING", logger="onewindow.health"):
        client.get("/readyz")
    probed = [r for r in caplog.records if r.getMessage().startswith("health check broker")]
    assert len(probed) == 2


def test_readyz_while_another_worker_probes_answers_at_once(client, broker_down, caplog):
    from django.core.cache import cache

    cache.add(f"{health_module.READY_CACHE_KEY}:lock", 1, timeout=60)  # another worker probes
    with caplog.at_level("WARNING", logger="onewindow.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "ok", "broker": "pending", "worker": "pending"},
    }
    assert not [r for r in caplog.records if r.name == "onewindow.health"]  # not probed here


def test_readyz_is_for_the_monitoring_system_only(client, settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8"]
    assert client.get("/readyz", REMOTE_ADDR="192.0.2.7").status_code == 404
    assert client.get("/readyz", REMOTE_ADDR="10.1.2.3").status_code == 200
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    right = {"Authorization": "Bearer s3cret-token-for-prometheus"}
    assert client.get("/readyz", headers=right, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_health_only_answers_reads(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_readiness_on_celery_pings_the_broker_and_a_live_worker(client, celery_worker):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "worker": "ok"},
    }
    # The queue's depth is measured on the broker (empty: the worker has taken everything).
    queue = celery_app.conf.task_default_queue
    assert metrics_module.task_queue_depth() == (queue, 0)
    body = client.get("/metrics").content.decode()
    assert f'onewindow_task_queue_depth{{queue="{queue}"}} 0.0' in body


def gauges(body: str, name: str) -> dict[str, float]:
    values = {}
    for line in body.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            key, _space, value = line.rpartition(" ")
            values[key] = float(value)
    return values


def test_metrics_count_cases_by_state_and_the_pending_outbox_and_time_requests(
    client, city, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BACKEND = "onewindow.notify.tests.conftest.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        case_accept(intake=city.intake())
        case_accept(intake=city.intake())
    with django_capture_on_commit_callbacks(execute=True):
        case_refuse_at_intake(intake=city.intake(), reasons="不属于本中心受理范围")
    client.get("/en/")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    # Open cases by state only: the refused one is closed (a city's closed cases are counted
    # by the reports, not on every scrape).
    assert gauges(body, "onewindow_cases") == {
        'onewindow_cases{state="accepted"}': 2.0,
    }
    # The gateway refused each notice: failed and due again, so still pending.
    assert Notification.objects.filter(status="failed").count() == 3
    assert gauges(body, "onewindow_outbox_pending") == {"onewindow_outbox_pending": 3.0}
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in body
    assert "onewindow_task_queue_depth" not in body  # no broker on the sync backend


def test_metrics_counts_are_cached_for_a_few_seconds(client, city, settings):
    settings.METRICS_CACHE_SECONDS = 3600
    first = gauges(client.get("/metrics").content.decode(), "onewindow_cases")
    case_accept(intake=city.intake())
    assert gauges(client.get("/metrics").content.decode(), "onewindow_cases") == first == {}
    settings.METRICS_CACHE_SECONDS = 0
    assert gauges(client.get("/metrics").content.decode(), "onewindow_cases") == {
        'onewindow_cases{state="accepted"}': 1.0
    }


def test_metrics_counts_are_computed_once_for_all_workers_through_the_shared_cache(
    client, city, settings, django_assert_num_queries
):
    from django.core.cache import cache

    settings.METRICS_CACHE_SECONDS = 3600
    case_accept(intake=city.intake())
    client.get("/metrics")
    # What another gunicorn worker finds: the figures in the shared cache, no query of its own.
    assert cache.get(metrics_module.METRICS_CACHE_KEY)["value"] == ({"accepted": 1}, 0)
    with django_assert_num_queries(0):
        assert metrics_module.database_counts() == ({"accepted": 1}, 0)


def test_metrics_while_another_worker_counts_answer_without_the_counts(
    client, settings, django_assert_num_queries
):
    from django.core.cache import cache

    cache.add(f"{metrics_module.METRICS_CACHE_KEY}:lock", 1, timeout=60)
    with django_assert_num_queries(0):
        assert metrics_module.database_counts() is None
    body = client.get("/metrics").content.decode()
    assert "onewindow_cases" not in body and "onewindow_outbox_pending" not in body


def test_metrics_are_refused_with_a_404_to_any_other_address(client, settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_metrics_with_the_bearer_token_from_anywhere(client, settings):
    settings.METRICS_ALLOWED_ADDRESSES = []
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/metrics", **other).status_code == 404
    wrong = {"Authorization": "Bearer s3cret-token-for-prometheuS"}
    assert client.get("/metrics", headers=wrong, **other).status_code == 404
    right = {"Authorization": "Bearer s3cret-token-for-prometheus"}
    assert client.get("/metrics", headers=right, **other).status_code == 200


def test_metrics_under_several_workers_read_the_shared_directory(client, tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    body = client.get("/metrics").content.decode()
    # Only what the workers wrote to the directory (nothing yet) and the platform's gauges.
    assert gauges(body, "onewindow_outbox_pending") == {"onewindow_outbox_pending": 0.0}
    assert "django_http_requests_latency" not in body


def test_deploy_check_refuses_a_loopback_allow_list_behind_a_proxy_without_trusted_proxies(
    settings,
):
    from onewindow.core.checks import monitoring_not_public

    settings.DEBUG = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []
    settings.METRICS_ALLOWED_ADDRESSES = ["127.0.0.1", "::1"]  # the default
    errors = monitoring_not_public()
    assert [e.id for e in errors] == ["onewindow.core.E005"]
    assert "127.0.0.1, ::1" in errors[0].msg and "对任何人开放" in errors[0].msg
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"  # the loopback entries still admit all
    assert [e.id for e in monitoring_not_public()] == ["onewindow.core.E005"]
    settings.METRICS_ALLOWED_ADDRESSES = []  # the token alone
    assert monitoring_not_public() == []
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.9", "127.0.0.0/7"]
    assert [e.id for e in monitoring_not_public()] == ["onewindow.core.E005"]
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.9"]
    assert monitoring_not_public() == []
    settings.METRICS_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # the proxy's X-Forwarded-For is read
    assert monitoring_not_public() == []
    settings.TRUSTED_PROXIES = []
    del settings.SECURE_PROXY_SSL_HEADER  # no proxy: the client's own address
    assert monitoring_not_public() == []


def test_metrics_and_readyz_are_redirected_to_https_so_the_token_never_goes_in_clear(
    client, settings
):
    settings.SECURE_SSL_REDIRECT = True
    token = {"Authorization": "Bearer s3cret-token-for-prometheus"}
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    for path in ("/metrics", "/readyz"):
        response = client.get(path, headers=token)
        assert response.status_code == 301
        assert response["Location"] == f"https://testserver{path}"
    assert client.get("/metrics", headers=token, secure=True).status_code == 200
    assert client.get("/healthz").status_code == 200  # load balancers: plain HTTP inside


def test_an_empty_metrics_allow_list_means_the_token_alone():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
        " 'onewindow.config.settings'); django.setup(); from django.conf import settings;"
        " print(settings.METRICS_ALLOWED_ADDRESSES)"
    )
    for value, expected in (
        (None, "['127.0.0.1', '::1']"),
        ("", "[]"),
        ("10.0.0.9", "['10.0.0.9']"),
    ):
        env = {k: v for k, v in os.environ.items() if k != "METRICS_ALLOWED_ADDRESSES"}
        if value is not None:
            env["METRICS_ALLOWED_ADDRESSES"] = value
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == expected
