"""The edge of the case flow's faces: what a request may carry, and that nothing a client sends
answers 500 — NUL bytes, huge numbers, loose JSON types, other media types, bodies too big, the
framework's own refusals — each answered in the one error format."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from onewindow.cases.models import Case
from onewindow.cases.services import case_refuse_at_intake
from onewindow.cases.tests.conftest import resident_id
from onewindow.cases.tests.test_api import client_for, post

API = "/api/cases"
ERROR_KEYS = ["code", "errors", "message", "message_en"]


def intake_body(city, **extra):
    """A valid intake of the lift item, every paper marked received."""
    return {
        "item_id": city.lift.pk,
        "centre_id": city.street_centre.pk,
        "window_id": city.intake_window.pk,
        "applicant": {"id_type": "111", "id_number": resident_id()},
        "materials": [{"name": m.name, "status": "received"} for m in city.lift.materials.all()],
        **extra,
    }


def error_of(response):
    body = response.json()
    assert sorted(body) == ERROR_KEYS
    return body


def field_codes(response):
    return [(e["field"], e["code"]) for e in error_of(response)["errors"]]


def test_progress_page_with_nul_bytes_answers_a_clear_message_not_a_server_error(db):
    response = Client().get("/progress/?number=%00&code=%00")
    # Refused at the edge of every page (core.validation), before the look-up runs.
    assert response.status_code == 400
    assert "不能含有控制字符" in response.content.decode()


def test_progress_api_with_nul_bytes_answers_422_in_the_error_format(db):
    response = Client().post(
        "/api/progress", {"number": "\x00", "code": "\x00"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert field_codes(response) == [
        ("number", "control_characters"),
        ("code", "control_characters"),
    ]


def test_queue_with_an_offset_beyond_any_page_answers_422(city):
    approver = city.approvers[city.lead_department.pk]
    response = client_for(approver).get(f"{API}/queue?offset=99999999999999999999")
    assert response.status_code == 422
    assert field_codes(response) == [("offset", "less_than_equal")]


def test_refusal_with_a_nul_byte_in_the_reasons_answers_422_and_files_nothing(city):
    body = intake_body(city, reasons="材料\x00不全")
    response = post(client_for(city.clerk), "/intake/refuse", body, "refuse-nul")
    assert response.status_code == 422
    assert field_codes(response) == [("reasons", "control_characters")]
    assert Case.objects.count() == 0


def test_supplement_with_a_nul_byte_in_the_note_answers_422_and_files_nothing(city):
    body = intake_body(city, deadline="2030-01-07", note="请\x00补")
    response = post(client_for(city.clerk), "/intake/supplement", body, "supplement-nul")
    assert response.status_code == 422
    assert field_codes(response) == [("note", "control_characters")]
    assert Case.objects.count() == 0


def test_multi_line_reasons_are_kept_with_their_line_breaks(city):
    body = intake_body(city, reasons="一、材料不全；\n二、不属于本机关职权。")
    response = post(client_for(city.clerk), "/intake/refuse", body, "refuse-lines")
    assert response.status_code == 201
    reasons = "一、材料不全；\n二、不属于本机关职权。"
    assert Case.objects.get().events.filter(reason=reasons).count() == 1


def test_a_control_character_in_a_one_line_field_answers_422(city):
    body = intake_body(city)
    body["materials"][0]["name"] = "申请表\n"
    response = post(client_for(city.clerk), "/intake/accept", body, "name-newline")
    assert response.status_code == 422
    assert field_codes(response) == [("materials.0.name", "control_characters")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda body: body["materials"][0].update(copies=True), "materials.0.copies"),
        (lambda body: body.update(promise_signed="yes"), "promise_signed"),
        (lambda body: body.update(item_id="1"), "item_id"),
        (lambda body: body["materials"][0].update(copies=1.0), "materials.0.copies"),
    ],
)
def test_json_types_are_strict(city, change, field):
    body = intake_body(city)
    change(body)
    response = post(client_for(city.clerk), "/intake/accept", body, "strict")
    assert response.status_code == 422
    assert [e["field"] for e in error_of(response)["errors"]] == [field]
    assert Case.objects.count() == 0


def test_an_id_beyond_the_bound_answers_422(city):
    body = intake_body(city, item_id=99999999999999999999)
    response = post(client_for(city.clerk), "/intake/accept", body, "huge-id")
    assert response.status_code == 422
    assert field_codes(response) == [("item_id", "less_than_equal")]


def test_a_date_outside_the_bounds_answers_422(city):
    body = intake_body(city, deadline="9999-12-31")
    response = post(client_for(city.clerk), "/intake/supplement", body, "far-date")
    assert response.status_code == 422
    assert field_codes(response) == [("deadline", "date_out_of_range")]


def test_a_body_that_is_not_json_answers_415(city):
    response = client_for(city.clerk).post(
        f"{API}/intake/accept",
        data={"item_id": "1"},
        headers={"Idempotency-Key": "form"},
    )
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_malformed_json_answers_400_in_the_error_format(city):
    response = client_for(city.clerk).post(
        f"{API}/intake/accept",
        data="{not json",
        content_type="application/json",
        headers={"Idempotency-Key": "broken"},
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_a_body_above_the_limit_answers_413(city, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = intake_body(city, reasons="很长" * 600)
    response = post(client_for(city.clerk), "/intake/refuse", body, "big")
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    assert Case.objects.count() == 0


def test_anonymous_staff_call_answers_401_in_the_error_format(db):
    response = Client().get(f"{API}/queue")
    assert response.status_code == 401
    assert error_of(response)["code"] == "sign_in_required"


def test_a_post_without_the_csrf_token_answers_403_in_the_error_format(city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.clerk)
    response = client.post(
        f"{API}/intake/accept",
        data=json.dumps(intake_body(city)),
        content_type="application/json",
        headers={"Idempotency-Key": "csrf"},
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"
    assert Case.objects.count() == 0


def test_an_unknown_api_address_answers_404_in_the_error_format(db):
    response = Client().get("/api/cases-nothing-here")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_receipt_of_a_case_refused_at_intake_is_a_409_page_in_production_mode(city, settings):
    settings.DEBUG = False
    case = case_refuse_at_intake(intake=city.intake(), reasons="不属于本机关职权")
    client = Client(raise_request_exception=False)
    client.force_login(city.clerk)
    response = client.get(f"/staff/cases/{case.number}/receipt.pdf")
    assert response.status_code == 409
    assert "没有受理回执" in response.content.decode()


# --- pages ----------------------------------------------------------------------------------


def staff_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_opinion_with_a_nul_byte_is_refused_on_the_case_page_and_changes_nothing(city):
    from onewindow.cases.services import case_accept, task_claim

    case = case_accept(intake=city.intake(materials=city.receipts()))
    task = case.tasks.get(kind="review", department=city.lead_department)
    approver = city.approvers[city.lead_department.pk]
    task = task_claim(task=task, actor=approver)
    response = staff_client(approver).post(
        f"/staff/cases/{case.number}/tasks/{task.pk}/complete/",
        {"outcome": "approve", "opinion": "同意\x00", "revision": task.revision},
    )
    assert response.status_code == 422
    task.refresh_from_db()
    assert (task.state, task.opinion) == ("claimed", "")


def test_a_withdrawal_reason_with_a_nul_byte_is_refused_with_a_clear_message(city):
    from onewindow.cases.services import case_accept

    case = case_accept(intake=city.intake(materials=city.receipts()))
    response = staff_client(city.clerk).post(
        f"/staff/cases/{case.number}/withdraw/",
        {"reason": "不办了\x00", "revision": case.revision},
    )
    assert response.status_code == 422
    assert "不能含有控制字符" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "accepted"


def test_text_fields_of_the_staff_forms_refuse_control_characters_and_keep_line_breaks():
    from onewindow.cases.forms import DeliverForm, IntakeDecisionForm

    typed = {"decision": "refuse", "idempotency_key": "k", "output_method": "window"}
    refused = IntakeDecisionForm({**typed, "reasons": "材料\x00不全"})
    kept = IntakeDecisionForm({**typed, "reasons": "一、材料不全；\n二、逾期。"})
    assert (refused.is_valid(), kept.is_valid()) == (False, True)
    assert refused.errors["reasons"][0].startswith("此处除制表符和换行外不能含有控制字符")
    number = DeliverForm({"method": "post", "tracking_number": "SF\n1", "revision": "1"})
    assert number.is_valid() is False
    assert list(number.errors) == ["tracking_number"]


def test_a_body_above_one_mebibyte_answers_413_by_default(city):
    body = intake_body(city, reasons="x" * (1024 * 1024))
    response = post(client_for(city.clerk), "/intake/refuse", body, "huge")
    assert response.status_code == 413
    assert error_of(response)["message_en"] == "The body is larger than 1048576 bytes."


def test_the_progress_look_up_itself_refuses_a_nul_byte_before_any_query(
    db, django_assert_num_queries
):
    from onewindow.cases.progress import progress_lookup
    from onewindow.core.errors import ValidationFailed

    with django_assert_num_queries(0), pytest.raises(ValidationFailed) as refused:
        progress_lookup(number="4401\x00", code="ABC", address="127.0.0.1")
    assert [e.field for e in refused.value.errors] == ["number"]
