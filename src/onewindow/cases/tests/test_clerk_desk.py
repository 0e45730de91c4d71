"""What a clerk ran into at the intake workstation and the output desk (issue 7, point 14): one
autofocus per page on the field the clerk needs next, a checklist with nothing preselected,
the clerk's own window first, where an item is accepted when it is not here, and the output
desk's search by case number or ID card."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.cases.models import Case, MaterialStatus
from onewindow.cases.services import (
    MaterialReceipt,
    case_accept,
    case_complete_instant,
    case_request_supplement,
)
from onewindow.cases.tests.conftest import resident_id
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.org.models import CentreLevel, Role, RoleAssignment, Window, WindowKind
from onewindow.testing.factories import CentreFactory, CommunityFactory, staff_with_role

pytestmark = pytest.mark.django_db

APPLICATION = "既有住宅增设电梯申请表"
VOTES = "业主表决意见书"
REPORT = "房屋安全鉴定报告"
LIFT_PAPERS = [APPLICATION, VOTES, REPORT]


def url(name: str, *args: object) -> str:
    return reverse(f"cases_staff:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def autofocused(html: str) -> list[str]:
    """The opening tags carrying ``autofocus`` (a page must have exactly one)."""
    return [tag for tag in re.findall(r"<[a-z]+\b[^>]*>", html) if re.search(r"\sautofocus\b", tag)]


def at_window(client, city, window=None) -> None:
    window = window or city.intake_window
    response = client.post(
        url("intake_desk_choose"), {"desk": f"{city.street_centre.pk}:{window.pk}"}
    )
    assert response.status_code == 302


def identified(client, city) -> None:
    client.force_login(city.clerk)
    at_window(client, city)
    response = client.post(url("intake_identify"), {"id_type": "111", "id_number": resident_id()})
    assert response.status_code == 302


def checklist(city, key: str, marks: dict[str, str], decision: str = "accept") -> dict:
    """The checklist form as a browser sends it: an untouched paper sends no status."""
    data = {"idempotency_key": key, "decision": decision, "output_method": "window"}
    for index, name in enumerate(LIFT_PAPERS):
        data.update({f"m{index}-receive_form": "paper", f"m{index}-copies": "1"})
        if name in marks:
            data[f"m{index}-status"] = marks[name]
    return data


# --- (a) one autofocus, on the first empty field of the step --------------------------------


def test_the_id_step_autofocuses_only_the_id_field(client, city):
    client.force_login(city.clerk)
    at_window(client, city)
    tags = autofocused(text(client.get(url("intake"))))
    assert len(tags) == 1 and 'id="id_number"' in tags[0]


def test_after_an_unknown_id_is_read_only_the_name_field_has_the_focus(client, city):
    client.force_login(city.clerk)
    at_window(client, city)
    response = client.post(
        url("intake_identify"), {"id_type": "111", "id_number": resident_id(serial=7)}
    )
    assert response.status_code == 200
    tags = autofocused(text(response))
    assert len(tags) == 1 and 'id="reg-name"' in tags[0]


def test_a_refused_registration_focuses_the_field_to_correct(client, city):
    client.force_login(city.clerk)
    at_window(client, city)
    response = client.post(
        url("intake_register"),
        {"id_type": "111", "id_number": resident_id(serial=7), "name": "李小梅", "phone": "123"},
    )
    assert response.status_code == 422
    tags = autofocused(text(response))
    assert len(tags) == 1 and 'id="reg-phone"' in tags[0]


def test_once_the_applicant_is_known_only_the_item_search_has_the_focus(client, city):
    identified(client, city)
    for response in (
        client.get(url("intake")),
        client.get(url("intake_items"), {"q": "电梯"}),
    ):
        tags = autofocused(text(response))
        assert len(tags) == 1 and 'id="item-q"' in tags[0]
    # The htmx fragment swapped in while typing takes no focus away from the search box.
    fragment = client.get(url("intake_items"), {"q": "电梯"}, HTTP_HX_REQUEST="true")
    assert autofocused(text(fragment)) == []


def test_the_checklist_focuses_the_first_paper_and_a_refusal_its_summary(client, city):
    identified(client, city)
    tags = autofocused(text(client.get(url("intake_item", city.lift.pk))))
    assert len(tags) == 1 and 'name="m0-status"' in tags[0] and 'value="received"' in tags[0]
    marks = {APPLICATION: "received", VOTES: "missing", REPORT: "received"}
    response = client.post(url("intake_item", city.lift.pk), checklist(city, "k-a", marks))
    assert response.status_code == 422
    tags = autofocused(text(response))
    assert len(tags) == 1 and 'id="error-summary"' in tags[0]


def test_the_window_chooser_autofocuses_the_checked_window(client, city):
    client.force_login(city.clerk)
    tags = autofocused(text(client.get(url("intake"))))
    assert len(tags) == 1 and "checked" in tags[0]


# --- (b) nothing preselected; the service refuses untouched papers --------------------------


def test_the_checklist_starts_with_no_paper_marked(client, city):
    identified(client, city)
    page = text(client.get(url("intake_item", city.lift.pk)))
    radios = re.findall(r'<input type="radio" name="m\d-status"[^>]*>', page)
    assert len(radios) == 3 * 3 + 1  # received / missing / faulty, and 容缺 for the report
    assert [r for r in radios if " checked" in r] == []


def test_accept_refuses_papers_nobody_marked_and_names_them_in_both_languages(city):
    receipts = [
        MaterialReceipt(name=APPLICATION, status=MaterialStatus.RECEIVED),
        MaterialReceipt(name=VOTES, status=""),
        MaterialReceipt(name=REPORT, status=""),
    ]
    with pytest.raises(ValidationFailed) as refused:
        case_accept(intake=city.intake(materials=receipts))
    error = refused.value.as_dict()
    assert error["code"] == "materials_not_marked"
    assert error["message"] == f"请先逐项标记每份材料再作决定；尚未标记：{VOTES}、{REPORT}。"
    assert error["message_en"] == (
        f"Mark every paper before deciding; not marked yet: {VOTES}、{REPORT}."
    )
    assert [(e["field"], e["code"]) for e in error["errors"]] == [
        ("materials[1]", "not_marked"),
        ("materials[2]", "not_marked"),
    ]
    assert Case.objects.count() == 0


def test_a_paper_given_without_a_status_is_not_received_by_default(city):
    """``MaterialReceipt`` used to default to "received": any caller that left the status out
    accepted papers nobody ticked. Now the default is "not marked", refused by every intake
    service, naming each paper."""
    assert MaterialReceipt(name=APPLICATION).status == ""
    untouched = [MaterialReceipt(name=name) for name in LIFT_PAPERS]
    for decide in (case_accept, case_request_supplement, case_complete_instant):
        window = city.instant_window if decide is case_complete_instant else city.intake_window
        with pytest.raises(ValidationFailed) as refused:
            if decide is case_request_supplement:
                deadline = timezone.localdate() + dt.timedelta(days=5)
                decide(intake=city.intake(materials=untouched), deadline=deadline)
            else:
                decide(intake=city.intake(materials=untouched, window=window))
        assert refused.value.code == "materials_not_marked"
        assert refused.value.as_dict()["message_en"] == (
            f"Mark every paper before deciding; not marked yet: {'、'.join(LIFT_PAPERS)}."
        )
    assert Case.objects.count() == 0


def test_an_unknown_mark_is_refused_like_no_mark(city):
    receipts = [MaterialReceipt(name=name, status="received") for name in LIFT_PAPERS]
    receipts[0] = MaterialReceipt(name=APPLICATION, status="lost")
    with pytest.raises(ValidationFailed) as refused:
        case_complete_instant(intake=city.intake(materials=receipts, window=city.instant_window))
    assert refused.value.code == "materials_not_marked"
    assert Case.objects.count() == 0


def test_accepting_an_untouched_checklist_on_the_page_is_refused_beside_every_paper(client, city):
    identified(client, city)
    response = client.post(url("intake_item", city.lift.pk), checklist(city, "k-b", {}))
    assert response.status_code == 422
    page = text(response)
    assert f"尚未标记：{APPLICATION}、{VOTES}、{REPORT}" in page
    assert f"not marked yet: {APPLICATION}、{VOTES}、{REPORT}" in page
    assert page.count("paper paper--error") == 3
    assert Case.objects.count() == 0
    marks = dict.fromkeys(LIFT_PAPERS, "received")
    response = client.post(url("intake_item", city.lift.pk), checklist(city, "k-b", marks))
    assert response.status_code == 302
    assert Case.objects.get().materials.filter(status="received").count() == 3


def test_the_api_needs_a_mark_for_every_paper(client, city):
    client.force_login(city.clerk)
    body = {
        "item_id": city.lift.pk,
        "centre_id": city.street_centre.pk,
        "window_id": city.intake_window.pk,
        "applicant": {"person_id": city.person.pk},
        "materials": [{"name": name} for name in LIFT_PAPERS],
    }
    response = client.post(
        "/api/cases/intake/accept",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="api-unmarked",
    )
    assert response.status_code == 422
    errors = [(e["field"], e["code"]) for e in response.json()["errors"]]
    marks = [error for error in errors if error[0].startswith("materials")]
    assert marks == [(f"materials.{index}.status", "missing") for index in range(3)]
    assert Case.objects.count() == 0


# --- (c) the clerk's own window; where an item is accepted ----------------------------------


@pytest.fixture
def community_point(city):
    """A community point of the street, whose code sorts before the street centre's, where
    the street's clerk also takes applications; the lift item is not accepted there."""
    point = CentreFactory(
        code="A0001",
        level=CentreLevel.COMMUNITY_POINT,
        region=CommunityFactory(parent=city.street_centre.region),
        name="幸福社区服务站",
    )
    window = Window.objects.create(centre=point, number="01", kind=WindowKind.INTAKE)
    RoleAssignment.objects.create(user=city.clerk, role=Role.INTAKE_CLERK, centre=point)
    return point, window


def checked_desk(html: str) -> str:
    return re.search(r'name="desk" value="([^"]+)" checked', html).group(1)


def test_the_chooser_offers_a_street_clerk_the_street_window_not_a_community_point(
    client, city, community_point
):
    client.force_login(city.clerk)
    page = text(client.get(url("intake")))
    assert "幸福社区服务站" in page
    assert checked_desk(page) == f"{city.street_centre.pk}:{city.intake_window.pk}"


def test_the_chooser_offers_the_window_of_the_clerks_latest_case(client, city, community_point):
    case_accept(intake=city.intake(window=city.instant_window))
    client.force_login(city.clerk)
    assert checked_desk(text(client.get(url("intake")))) == (
        f"{city.street_centre.pk}:{city.instant_window.pk}"
    )
    # "Change" shows the desk being worked at, whatever the default.
    point, window = community_point
    client.post(url("intake_desk_choose"), {"desk": f"{point.pk}:{window.pk}"})
    assert checked_desk(text(client.get(url("intake_desk")))) == f"{point.pk}:{window.pk}"


def test_an_item_not_accepted_here_says_where_it_is_and_offers_the_clerks_own_desk(
    client, city, community_point
):
    point, window = community_point
    client.force_login(city.clerk)
    client.post(url("intake_desk_choose"), {"desk": f"{point.pk}:{window.pk}"})
    client.post(url("intake_identify"), {"id_type": "111", "id_number": resident_id()})
    response = client.get(url("intake_item", city.lift.pk))
    assert response.status_code == 200
    page = text(response)
    assert "幸福社区服务站不能办理该事项（不在通办范围内）。" in page
    levels = re.search(r'class="elsewhere__levels">([^<]*)<', page).group(1)
    assert levels == "区政务服务大厅、街道（镇）政务服务中心"
    centres = re.search(r'<ul class="plain-list elsewhere__centres">(.*?)</ul>', page, re.S)
    assert re.findall(r"<li>(\S+) ", centres.group(1)) == ["区政务服务中心", "街道中心"]
    assert 'name="m0-status"' not in page  # no checklist to fill in here
    own = f"{city.street_centre.pk}:{city.intake_window.pk}"
    assert f'name="desk" value="{own}"' in page
    tags = autofocused(page)
    assert len(tags) == 1 and f'value="{own}"' in tags[0]
    # One click: work at the street centre and come back to the item's checklist.
    response = client.post(url("intake_desk_choose"), {"desk": own, "item": city.lift.pk})
    assert response["Location"] == url("intake_item", city.lift.pk)
    assert 'name="m0-status"' in text(client.get(response["Location"]))


def test_a_post_for_an_item_not_accepted_here_files_nothing_and_says_where(
    client, city, community_point
):
    point, window = community_point
    client.force_login(city.clerk)
    client.post(url("intake_desk_choose"), {"desk": f"{point.pk}:{window.pk}"})
    client.post(url("intake_identify"), {"id_type": "111", "id_number": resident_id()})
    marks = dict.fromkeys(LIFT_PAPERS, "received")
    response = client.post(url("intake_item", city.lift.pk), checklist(city, "k-c", marks))
    assert response.status_code == 422
    assert "elsewhere__centres" in text(response)
    assert Case.objects.count() == 0


# --- (d) the result page ---------------------------------------------------------------------


def test_the_result_page_focuses_next_applicant_with_the_receipt_just_before_it(client, city):
    identified(client, city)
    marks = dict.fromkeys(LIFT_PAPERS, "received")
    response = client.post(url("intake_item", city.lift.pk), checklist(city, "k-d", marks))
    page = text(client.get(response["Location"]))
    tags = autofocused(page)
    assert len(tags) == 1 and 'id="next-applicant"' in tags[0]
    row = re.search(r'<div class="actions result__next">(.*?)</div>', page, re.S).group(1)
    ids = re.findall(r'id="([a-z-]+)"', row)
    assert ids == ["print-receipt", "next-applicant"]


# --- (e) the output desk's search -------------------------------------------------------------


def decided_case(city) -> Case:
    return case_complete_instant(intake=city.intake(item=city.instant, window=city.instant_window))


def test_the_output_desk_finds_a_result_by_case_number(client, city):
    case = decided_case(city)
    other = decided_case(city)
    client.force_login(city.output_clerk)
    page = text(client.get(url("output")))
    tags = autofocused(page)
    assert len(tags) == 1 and 'id="output-q"' in tags[0]
    response = client.post(url("output_find"), {"q": case.number})
    assert response.status_code == 200
    page = text(response)
    assert f'id="out-{case.number}"' in page and f'id="out-{other.number}"' not in page
    assert not AuditLog.objects.filter(action="applicants.person_lookup").exists()


def test_the_output_desk_finds_a_result_by_id_card_in_an_audited_look_up_shown_masked(client, city):
    case = decided_case(city)
    client.force_login(city.output_clerk)
    response = client.post(url("output_find"), {"q": resident_id()})
    assert response.status_code == 200
    page = text(response)
    assert f'id="out-{case.number}"' in page
    assert resident_id() not in page and "陈大文" not in page
    assert '<span class="output-case__name">陈*文</span>' in page
    assert city.person.id_number_masked in page
    lookup = AuditLog.objects.get(action="applicants.person_lookup", actor=city.output_clerk)
    assert (lookup.detail["purpose"], lookup.detail["found"]) == ("统一出件", True)
    assert resident_id() not in str(lookup.detail)


def test_an_id_card_look_up_shows_only_results_at_the_clerks_own_centres(client, city):
    decided_case(city)
    elsewhere = staff_with_role(Role.OUTPUT_CLERK, centre=city.hall)
    client.force_login(elsewhere)
    page = text(client.post(url("output_find"), {"q": resident_id()}))
    assert 'class="panel output-case"' not in page
    assert AuditLog.objects.filter(action="applicants.person_lookup", actor=elsewhere).count() == 1


def test_an_unknown_or_malformed_id_card_is_said_plainly(client, city):
    decided_case(city)
    client.force_login(city.output_clerk)
    page = text(client.post(url("output_find"), {"q": resident_id(serial=9)}))
    assert "没有登记此证件的申请人。" in page
    assert 'class="panel output-case"' not in page
    good = resident_id()
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    bad = client.post(url("output_find"), {"q": wrong_check})
    assert bad.status_code == 422
    page = text(bad)
    assert 'aria-invalid="true" aria-describedby="output-q-error"' in page
    assert f'value="{wrong_check}"' in page  # kept for the clerk to correct
    tags = autofocused(page)
    assert len(tags) == 1 and 'id="output-q"' in tags[0]


def test_the_output_search_is_for_the_output_desk_roles(client, city):
    client.force_login(city.approvers[city.lead_department.pk])
    assert client.post(url("output_find"), {"q": resident_id()}).status_code == 403
    assert not AuditLog.objects.filter(action="applicants.person_lookup").exists()


def test_a_refused_hand_over_focuses_its_error_and_not_the_search_box(client, city):
    case = decided_case(city)
    client.force_login(city.output_clerk)
    response = client.post(
        url("output_deliver", case.number), {"method": "window", "revision": case.revision}
    )
    assert response.status_code == 422
    tags = autofocused(text(response))
    assert len(tags) == 1 and 'id="error-summary"' in tags[0]
