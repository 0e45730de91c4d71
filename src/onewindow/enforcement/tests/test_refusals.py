"""Every enforcement page, for another team's officer: a task (or its photo, its party) that
exists answers exactly as one that does not — the same 404 page, one audited refusal each —
and nothing in the database changes."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse

from onewindow.core.models import AuditLog
from onewindow.enforcement import urls
from onewindow.enforcement.tests.conftest import PHOTO_PNG, person
from onewindow.enforcement.tests.test_services import decide, inspect, notify, reinspect

pytestmark = pytest.mark.django_db
PAGES_WITHOUT_RECORD = {"enforcement_staff:queue"}


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []
    cache.clear()


def database() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label not in {"core.AuditLog", "sessions.Session"}
    }


def answer(response, url: str) -> tuple[int, str]:
    body = response.content.decode().replace(url, "<address>")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r'csrf-token" content="[^"]+"', "", body)
    body = re.sub(r'nonce="[^"]+"', "", body)
    return response.status_code, body


def test_every_page_answers_missing_and_another_teams_alike_audited_changing_nothing(scene):
    photo = SimpleUploadedFile("roof.png", PHOTO_PNG, content_type="image/png")
    task = inspect(scene, scene.task(), party=person(), photos=[(photo, "roof.png")])
    task = decide(scene, reinspect(scene, notify(scene, task), rectified=False))
    values = {
        "theirs": {
            "number": task.number,
            "photo_id": task.photos.get().pk,
            "party_id": task.inspection.party.pk,
            "action": "inspect",
        },
        "missing": {
            "number": "ZF20990101999999",
            "photo_id": 999999,
            "party_id": 999999,
            "action": "inspect",
        },
    }
    before = database()
    walked = []
    problems = []
    for pattern in urls.staff_urls[0]:
        assert isinstance(pattern, URLPattern)
        name = f"enforcement_staff:{pattern.name}"
        parameters = list(pattern.pattern.converters)
        if not parameters:
            assert name in PAGES_WITHOUT_RECORD
            continue
        for method in ("get", "post"):
            seen = {}
            for variant in ("missing", "theirs"):
                url = reverse(name, kwargs={p: values[variant][p] for p in parameters})
                client = Client()
                client.force_login(scene.other_officer)
                rows = AuditLog.objects.filter(allowed=False).count()
                response = getattr(client, method)(url, data={"revision": "99"})
                seen[variant] = (
                    answer(response, url),
                    AuditLog.objects.filter(allowed=False).count() - rows,
                )
            walked.append((name, method))
            (missing, missing_rows), (theirs, theirs_rows) = seen["missing"], seen["theirs"]
            if missing != theirs:
                problems.append(f"{method} {name}: {missing[0]} for missing, {theirs[0]}")
            elif missing[0] == 404 and (missing_rows, theirs_rows) != (1, 1):
                problems.append(f"{method} {name}: audit rows {missing_rows, theirs_rows}")
            elif missing[0] not in (404, 405):
                problems.append(f"{method} {name}: answered {missing[0]}")
    assert not problems, "\n".join(problems)
    assert database() == before
    assert len(walked) == 12
