"""Issue 7, points 4, 11 and 12: the query code is never stored or logged in clear, a reused
idempotency key must carry the very same submission, and the output centre must be one that may
handle the item."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from onewindow.cases.models import QUERY_CODE_CONTEXT, Case, OutputMethod
from onewindow.cases.selectors import case_public_progress
from onewindow.cases.services import case_accept, case_refuse_at_intake, case_request_supplement
from onewindow.cases.services.intake import MaterialReceipt
from onewindow.core import crypto
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.notify.models import Notification
from onewindow.notify.tasks import notification_send
from onewindow.org.models import CentreLevel
from onewindow.testing.factories import CentreFactory, StreetFactory


def raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return json.dumps([list(map(str, row)) for row in cursor.fetchall()], ensure_ascii=False)


# --- 4. the query code ---------------------------------------------------------------------


def test_the_query_code_is_stored_only_as_a_blind_index_and_an_encrypted_copy(city):
    case = case_accept(intake=city.intake())
    code = case.query_code
    assert len(code) == 6
    assert code not in raw_rows(Case._meta.db_table)
    row = Case.objects.values("query_code_encrypted", "query_code_index").get(pk=case.pk)
    assert crypto.decrypt(row["query_code_encrypted"], context=QUERY_CODE_CONTEXT) == code
    assert row["query_code_index"] == crypto.blind_index(code, context=QUERY_CODE_CONTEXT)
    # The page still opens with the code as typed (lower case, spaces) and not with another.
    assert case_public_progress(number=case.number, query_code=f" {code.lower()} ").number == (
        case.number
    )
    other = "2" * 6 if code != "2" * 6 else "3" * 6
    with pytest.raises(NotFoundOrForbidden):
        case_public_progress(number=case.number, query_code=other)


@override_settings(NOTIFY_BACKEND="onewindow.notify.backends.LogBackend")
def test_the_code_reaches_the_applicants_sms_but_no_log_line_and_no_clear_column(
    city, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(intake=city.intake())
    code = case.query_code
    message = Notification.objects.get()
    with caplog.at_level(logging.INFO, logger="onewindow.notify"):
        notification_send(notification_id=message.pk)
    sms_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to")]
    assert len(sms_lines) == 1
    assert code not in sms_lines[0] and "******" in sms_lines[0]
    assert case.number in sms_lines[0]
    stored = raw_rows(Notification._meta.db_table)
    assert code not in stored
    message.refresh_from_db()
    assert code not in message.text_shown and "******" in message.text_shown
    assert code not in json.dumps(list(AuditLog.objects.values_list("detail", flat=True)))


# --- 11. idempotency means the same request --------------------------------------------------


def test_the_same_submission_under_its_key_is_replayed_whatever_the_order_of_its_papers(city):
    receipts = city.receipts()
    first = case_accept(intake=city.intake(materials=receipts, idempotency_key="k-1"))
    again = case_accept(
        intake=city.intake(materials=list(reversed(receipts)), idempotency_key="k-1")
    )
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert len(first.submission_fingerprint) == 64


@pytest.mark.parametrize(
    "change",
    ["output_method", "paper_marks", "copies", "promise", "window"],
)
def test_a_used_key_with_any_other_detail_answers_409_and_files_nothing(city, change):
    first = case_accept(intake=city.intake(idempotency_key="k-2"))
    overrides: dict = {"idempotency_key": "k-2"}
    if change == "output_method":
        overrides["output_method"] = OutputMethod.POST
    elif change == "paper_marks":
        overrides["materials"] = city.receipts(
            **{
                "房屋安全鉴定报告": MaterialReceipt(
                    name="房屋安全鉴定报告",
                    status="deferred",
                    due_date=timezone.localdate() + dt.timedelta(days=1),
                )
            }
        )
        overrides["promise_signed"] = True
    elif change == "copies":
        overrides["materials"] = [
            MaterialReceipt(name=r.name, status=r.status, copies=2) for r in city.receipts()
        ]
    elif change == "promise":
        overrides["promise_signed"] = True
    elif change == "window":
        overrides["window"] = None
    with pytest.raises(ApplicationError) as caught:
        case_accept(intake=city.intake(**overrides))
    assert (caught.value.code, caught.value.status) == ("idempotency_key_reused", 409)
    assert list(Case.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_used_key_with_other_reasons_or_another_deadline_is_refused(city):
    refused = case_refuse_at_intake(
        intake=city.intake(idempotency_key="k-3"), reasons="不属于本中心受理范围"
    )
    assert (
        case_refuse_at_intake(
            intake=city.intake(idempotency_key="k-3"), reasons="不属于本中心受理范围"
        ).pk
        == refused.pk
    )
    with pytest.raises(ApplicationError) as caught:
        case_refuse_at_intake(intake=city.intake(idempotency_key="k-3"), reasons="材料不齐")
    assert caught.value.code == "idempotency_key_reused"

    receipts = city.receipts(**{"业主表决意见书": "missing"})
    deadline = timezone.localdate() + dt.timedelta(days=5)
    supplement = case_request_supplement(
        intake=city.intake(materials=receipts, idempotency_key="k-4"), deadline=deadline
    )
    with pytest.raises(ApplicationError) as caught:
        case_request_supplement(
            intake=city.intake(materials=receipts, idempotency_key="k-4"),
            deadline=deadline + dt.timedelta(days=1),
        )
    assert caught.value.code == "idempotency_key_reused"
    assert Case.objects.count() == 2 and supplement.pk != refused.pk


# --- 12. the output centre -----------------------------------------------------------------


def test_an_output_centre_that_may_not_handle_the_item_is_refused_and_nothing_is_filed(city):
    # The lift item is handled at street centres and the district hall (see conftest); a
    # community point of another street is not in its scope.
    elsewhere = CentreFactory(
        level=CentreLevel.COMMUNITY_POINT, region=StreetFactory(), name="别街社区服务站"
    )
    with pytest.raises(ValidationFailed) as caught:
        case_accept(intake=city.intake(output_centre=elsewhere))
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("output_centre", "output_not_handled_there")
    ]
    assert "别街社区服务站" in caught.value.as_dict()["errors"][0]["message"]
    assert Case.objects.count() == 0


def test_the_district_hall_may_be_chosen_to_hand_over_a_street_case(city):
    case = case_accept(intake=city.intake(output_centre=city.hall))
    assert case.output_centre == city.hall
