"""The team's pages: the queue, one task with its forms, the decision to print; who may open
what (anonymous, another team, the right role), each refusal changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onewindow.core.models import AuditLog
from onewindow.enforcement.models import EnforcementTask, Inspection, RectificationNotice
from onewindow.enforcement.tests.conftest import COMPANY_USCC, PERSON_ID, PHOTO_PNG, person
from onewindow.enforcement.tests.test_services import decide, inspect, notify, reinspect

pytestmark = pytest.mark.django_db
QUEUE = "/staff/enforcement/"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []
    cache.clear()


def task_url(task, rest=""):
    return f"/staff/enforcement/tasks/{task.number}/{rest}"


def page(response) -> str:
    return response.content.decode()


def test_the_queue_lists_the_teams_open_tasks_in_constant_queries(
    client, scene, django_assert_max_num_queries
):
    tasks = [scene.task() for _ in range(3)]
    other = scene.task(team=scene.other_team)
    done = inspect(scene, scene.task(), party=None, violation_found=False)
    client.force_login(scene.officer)
    client.get(QUEUE)
    with django_assert_max_num_queries(8):
        response = client.get(QUEUE)
    text = page(response)
    assert response.status_code == 200
    assert all(f'data-number="{t.number}"' in text for t in tasks)
    assert f'data-number="{other.number}"' not in text
    assert f'data-number="{done.number}"' not in text
    for _ in range(10):
        scene.task()
    with django_assert_max_num_queries(8):
        response = client.get(QUEUE + "?show=all")
    assert page(response).count('<tr class="light-row--') == 14


def test_the_queue_shows_the_nearer_deadline_light(client, scene):
    soon = scene.task(due_at=timezone.now() + dt.timedelta(hours=2))
    late = scene.task(due_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(scene.officer)
    text = page(client.get(QUEUE))
    assert text.index(late.number) < text.index(soon.number)
    assert 'data-light="red"' in text and 'data-light="yellow"' in text


def test_anonymous_is_sent_to_sign_in_and_a_role_without_enforcement_is_refused(client, scene):
    task = scene.task()
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]
    client.force_login(scene.dispatcher)
    assert client.get(QUEUE).status_code == 403
    assert client.get(task_url(task)).status_code == 404


def test_another_teams_task_answers_as_a_missing_one_and_its_forms_change_nothing(client, scene):
    task = scene.task()
    client.force_login(scene.other_officer)
    missing = client.get("/staff/enforcement/tasks/ZF20260101999999/")
    hidden = client.get(task_url(task))
    assert missing.status_code == hidden.status_code == 404
    response = client.post(
        task_url(task, "inspect/"),
        {"revision": task.revision, "at": "2026-12-02T10:00", "officers": [scene.other_officer.pk]},
    )
    assert response.status_code == 404
    task.refresh_from_db()
    assert (task.state, task.revision, Inspection.objects.count()) == ("open", 1, 0)


def test_an_officer_records_the_inspection_through_the_form(client, scene, settings):
    task = scene.task()
    client.force_login(scene.officer)
    text = page(client.get(task_url(task)))
    assert 'id="move-inspect"' in text and 'id="move-drop"' not in text
    assert f'id="inspect-officer-{scene.officer.pk}" checked' in text
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    form = {
        "revision": task.revision,
        "at": now,
        "place": "多宝路88号天台",
        "officers": [scene.officer.pk, scene.officer2.pk],
        "violation": "yes",
        "findings": "新建铁皮房约30平方米。",
        "party_kind": "person",
        "party_name": "王小明",
        "party_id": PERSON_ID,
        "party_phone": "13800138000",
        "photos": SimpleUploadedFile("roof.png", PHOTO_PNG, content_type="image/png"),
    }
    # One officer only: refused at the form, typed text kept, nothing written.
    response = client.post(task_url(task, "inspect/"), {**form, "officers": [scene.officer.pk]})
    assert response.status_code == 422
    assert 'data-field="officers"' in page(response) and "新建铁皮房约30平方米。" in page(response)
    assert Inspection.objects.count() == 0
    form["photos"] = SimpleUploadedFile("roof.png", PHOTO_PNG, content_type="image/png")
    response = client.post(task_url(task, "inspect/"), form)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "inspected"
    text = page(client.get(task_url(task)))
    party = task.inspection.party
    assert party.id_number_masked in text and PERSON_ID not in text and "13800138000" not in text
    assert 'id="move-notify"' in text
    photo = task.photos.get()
    response = client.get(task_url(task, f"photos/{photo.pk}/"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert AuditLog.objects.filter(action="enforcement.photo_read").count() == 1


def test_reading_the_full_id_on_the_page_is_audited(client, scene):
    task = inspect(scene, scene.task(), party=person())
    party = task.inspection.party
    client.force_login(scene.officer2)
    response = client.post(task_url(task, f"parties/{party.pk}/id-number/"))
    assert response.status_code == 200 and PERSON_ID in page(response)
    assert (
        AuditLog.objects.filter(action="enforcement.party_id_read", actor=scene.officer2).count()
        == 1
    )
    client.force_login(scene.chief)
    assert PERSON_ID not in page(client.get(task_url(task)))
    response = client.post(task_url(task, f"parties/{party.pk}/id-number/"))
    assert response.status_code == 404
    assert AuditLog.objects.filter(action="enforcement.party_id_read", allowed=True).count() == 1


def test_a_stale_form_is_refused_with_the_reload_answer(client, scene):
    task = inspect(scene, scene.task())
    client.force_login(scene.officer)
    day = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    form = {
        "revision": 1,
        "deadline": day,
        "requirements": "拆除",
        "law": "条例",
        "article": "第一条",
    }
    response = client.post(task_url(task, "notify/"), form)
    assert response.status_code == 409
    assert RectificationNotice.objects.count() == 0
    response = client.post(task_url(task, "notify/"), {**form, "revision": task.revision})
    assert response.status_code == 302
    assert RectificationNotice.objects.get().deadline.isoformat() == day


def test_only_the_lead_sees_the_penalty_form_and_the_printable_decision(client, scene):
    task = reinspect(scene, notify(scene, inspect(scene, scene.task())), rectified=False)
    client.force_login(scene.officer)
    text = page(client.get(task_url(task)))
    assert 'id="move-penalise"' not in text and 'id="move-drop"' not in text
    response = client.post(
        task_url(task, "penalise/"),
        {
            "revision": task.revision,
            "law": "条例",
            "article": "第一条",
            "facts": "x",
            "kind": "fine",
            "amount": "100",
        },
    )
    assert response.status_code == 404
    client.force_login(scene.lead)
    text = page(client.get(task_url(task)))
    assert 'id="move-penalise"' in text and 'id="move-drop"' in text
    assert client.get(task_url(task, "decision/")).status_code == 404
    task = decide(scene, task)
    response = client.get(task_url(task, "decision/"))
    text = page(response)
    assert response.status_code == 200
    assert task.penalty.number in text and COMPANY_USCC in text and "人民币20000.00元" in text
    assert EnforcementTask.objects.get(pk=task.pk).state == "concluded"


def test_the_decision_is_also_a_pdf_with_the_same_text(client, scene):
    import io

    from pypdf import PdfReader

    task = decide(
        scene, reinspect(scene, notify(scene, inspect(scene, scene.task())), rectified=False)
    )
    client.force_login(scene.officer)
    response = client.get(task_url(task, "decision.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content[:5] == b"%PDF-"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = "".join(text.split())
    assert "行政处罚决定书" in text and task.penalty.number in text
    assert COMPANY_USCC in text and "人民币20000.00元" in text
