"""The flow's staff pages: who sees which queue (anonymous, another role, another scope: the
same answers as for anything missing), each queue at a constant number of queries, a case's
page offering exactly the moves the user may make, and the moves posted from the pages."""

from __future__ import annotations

import pytest
from django.utils import timezone

from onewindow.urban.codes import RequestKind
from onewindow.urban.models import CasePhoto, GridCase
from onewindow.urban.services.centre import case_dispatch
from onewindow.urban.services.unit import request_make
from onewindow.urban.tests.conftest import MONDAY, case_in, fresh, jpeg
from onewindow.urban.transitions import CaseState

S = CaseState
BASE = "/staff/urban/"


def body(response) -> str:
    return response.content.decode()


def handling(scene):
    case = case_in(scene, S.TO_DISPATCH)
    return case_dispatch(
        actor=scene.dispatcher, case=case, revision=0, department=scene.sanitation, now=MONDAY
    )


@pytest.mark.parametrize(
    ("page", "role"),
    [
        ("supervision/", "chief"),
        ("command/", "dispatcher"),
        ("unit/", "sanitation_staff"),
        ("tasks/", "worker"),
    ],
)
def test_each_queue_is_for_its_role_only(client, scene, page, role):
    assert client.get(BASE + page).status_code == 302  # to the sign-in
    for other in ("chief", "dispatcher", "sanitation_staff", "worker", "auditor"):
        client.force_login(getattr(scene, other))
        expected = 200 if other == role else 403
        if page == "tasks/" and other == "chief":
            expected = 200  # the 值班长 verifies and checks too (by video)
        assert client.get(BASE + page).status_code == expected, other


def test_the_queues_cost_the_same_queries_for_one_or_many_cases(
    client, scene, django_assert_max_num_queries
):
    def fill(n):
        for _ in range(n):
            case_in(scene, S.TO_FILE)
            case_in(scene, S.TO_CLOSE)
            case_in(scene, S.TO_DISPATCH)
            case_in(scene, S.TO_CHECK)
            row = handling(scene)
            request_make(
                actor=scene.sanitation_staff,
                case=row,
                revision=row.revision,
                kind=RequestKind.EXTENSION,
                reason="多",
                extra=1,
            )

    counts = {}
    for n in (1, 6):
        fill(n if n == 1 else n - 1)
        for page, role in (
            ("supervision/", "chief"),
            ("command/", "dispatcher"),
            ("unit/", "sanitation_staff"),
            ("tasks/", "worker"),
        ):
            client.force_login(getattr(scene, role))
            with django_assert_max_num_queries(20) as ctx:
                response = client.get(BASE + page)
            assert response.status_code == 200
            counts.setdefault(page, []).append(len(ctx.captured_queries))
    for page, (one, many) in counts.items():
        assert one == many, page
    client.force_login(scene.dispatcher)
    page = body(client.get(BASE + "command/"))
    assert page.count(" selected data-proposed") == 6 and "沙面街环卫站" in page


def test_the_case_page_offers_the_moves_of_the_user_and_hides_another_scopes_case(client, scene):
    case = case_in(scene, S.TO_FILE)
    url = f"{BASE}cases/{case.number}/"
    client.force_login(scene.chief)
    page = body(client.get(url))
    assert 'id="move-file"' in page and 'id="move-refuse"' in page and 'id="move-void"' in page
    assert 'id="move-dispatch"' not in page
    client.force_login(scene.worker)
    page = body(client.get(url))
    assert 'class="panel panel--action move"' not in page
    for stranger in (scene.other_worker, scene.sanitation_staff, scene.bureau_staff):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        assert client.get(f"{BASE}cases/WG0000/").status_code == 404
        response = client.post(f"{url}file/", {"revision": "0", "condition_met": "on"})
        assert response.status_code == 404
    assert fresh(case).state == S.TO_FILE


def test_filing_from_the_page_needs_the_checkbox_and_a_fresh_revision(client, scene):
    case = case_in(scene, S.TO_FILE)
    client.force_login(scene.chief)
    url = f"{BASE}cases/{case.number}/file/"
    response = client.post(url, {"revision": "0"})
    assert response.status_code == 422 and 'data-field="condition_met"' in body(response)
    response = client.post(url, {"revision": "7", "condition_met": "on"})
    assert response.status_code == 409
    assert fresh(case).state == S.TO_FILE
    response = client.post(url, {"revision": "0", "condition_met": "on"})
    assert response.status_code == 302 and response["Location"].endswith(BASE + "supervision/")
    assert fresh(case).state == S.TO_DISPATCH


def test_the_worker_checks_with_the_camera_from_the_phone_page(client, scene):
    row = handling(scene)
    row.state, row.revision = S.TO_CHECK, row.revision
    GridCase.objects.filter(pk=row.pk).update(state=S.TO_CHECK)
    client.force_login(scene.worker)
    page = body(client.get(f"{BASE}tasks/{row.number}/"))
    assert 'accept="image/*" capture="environment"' in page
    url = f"{BASE}cases/{row.number}/check/"
    response = client.post(url, {"revision": str(row.revision), "from": "task"})
    assert response.status_code == 422 and 'data-field="photos"' in body(response)
    response = client.post(url, {"revision": str(row.revision), "from": "task", "photos": [jpeg()]})
    assert response.status_code == 302 and response["Location"].endswith(BASE + "tasks/")
    assert fresh(row).state == S.TO_CLOSE
    photo = CasePhoto.objects.get(case=row)
    response = client.get(f"{BASE}cases/{row.number}/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(scene.other_worker)
    assert client.get(f"{BASE}cases/{row.number}/photos/{photo.pk}/").status_code == 404


def test_the_chief_decides_a_request_from_the_case_page(client, scene):
    row = handling(scene)
    asked = request_make(
        actor=scene.sanitation_staff,
        case=row,
        revision=row.revision,
        kind=RequestKind.EXTENSION,
        reason="多",
        extra=1,
        now=MONDAY,
    )
    client.force_login(scene.sanitation_staff)
    assert (
        client.post(f"{BASE}requests/{asked.pk}/decide/", {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(scene.chief)
    page = body(client.get(f"{BASE}cases/{row.number}/"))
    assert 'id="decide-approve"' in page
    response = client.post(f"{BASE}requests/{asked.pk}/decide/", {"decision": "refuse"})
    assert response.status_code == 422
    response = client.post(f"{BASE}requests/{asked.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    assert fresh(row).extension_count == 1
    assert fresh(row).due_at > timezone.make_aware(timezone.datetime(2026, 3, 2, 15, 0))


def test_the_dispatch_choices_leave_out_the_command_centre_and_on_redispatch_the_current_unit(
    client, scene, settings
):
    import re

    from onewindow.hotline.codes import UnitKind
    from onewindow.testing.grid_factories import unit_make

    centre = unit_make(kind=UnitKind.FUNCTIONAL, name=settings.URBAN_COMMAND_CENTRE)
    client.force_login(scene.dispatcher)

    def options(html: str, move: str) -> list[str]:
        select = re.search(rf'<select id="{move}-unit".*?</select>', html, re.S).group(0)
        return re.findall(r'<option value="(\d*)"', select)

    case = case_in(scene, S.TO_DISPATCH)
    page = body(client.get(f"{BASE}cases/{case.number}/"))
    # The proposal first (the category's unit of the street, then the bureau), chosen.
    assert options(page, "dispatch") == [str(scene.sanitation.pk), str(scene.bureau.pk)]
    assert str(centre.pk) not in options(page, "dispatch")
    row = handling(scene)
    page = body(client.get(f"{BASE}cases/{row.number}/"))
    assert options(page, "redispatch") == ["", str(scene.bureau.pk)]


def test_a_redispatch_with_no_unit_chosen_is_refused_and_changes_nothing(client, scene):
    row = handling(scene)
    client.force_login(scene.dispatcher)
    url = f"{BASE}cases/{row.number}/redispatch/"
    response = client.post(url, {"revision": str(row.revision), "department": ""})
    assert response.status_code == 422 and 'data-field="department"' in body(response)
    # The same unit again (a second click on a stale page) is refused too.
    response = client.post(url, {"revision": str(row.revision), "department": scene.sanitation.pk})
    assert response.status_code == 422 and 'data-field="department"' in body(response)
    after = fresh(row)
    assert (after.unit_id, after.revision, after.redispatch_count) == (
        scene.sanitation.pk,
        row.revision,
        0,
    )
