"""The assessment's pages: who may open them (anonymous / another centre / the right role, each
leaving nothing changed), the weights (validated, audited with before and after), the honours
(confirmed once, shown on the public board) and constant query counts."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.assess.models import Honour, ScoreWeights
from onewindow.assess.tests.conftest import at, store_case
from onewindow.core.models import AuditLog
from onewindow.org.models import CentreLevel, Role
from onewindow.testing.factories import CentreFactory, StreetFactory, staff_with_role

pytestmark = pytest.mark.django_db

MONTH = "2026-11"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def q(month, **extra) -> str:
    params = {"unit": f"c:{month.centre.code}", "month": MONTH, **extra}
    return "&".join(f"{k}={v}" for k, v in params.items())


def snapshot():
    return (ScoreWeights.objects.count(), Honour.objects.count())


PAGES = ["/staff/assess/", "/staff/assess/efficiency/", "/staff/assess/ranking/"]


def test_anonymous_is_sent_to_the_sign_in_and_nothing_changes(month):
    before = snapshot()
    client = Client()
    for path in [*PAGES, "/staff/assess/cases/?figure=red", "/staff/assess/weights/"]:
        answer = client.get(f"{path}?{q(month)}")
        assert answer.status_code == 302 and "/staff/sign-in/" in answer["Location"]
    answer = client.post("/staff/assess/weights/", {"unit": f"c:{month.centre.code}"})
    assert answer.status_code == 302
    answer = client.post(
        "/staff/assess/honours/confirm/", {"unit": f"c:{month.centre.code}", "kind": "x"}
    )
    assert answer.status_code == 302
    assert snapshot() == before


def test_a_clerk_may_not_open_the_tables(month):
    answer = client_of(month.clerk).get(f"/staff/assess/?{q(month)}")
    assert answer.status_code == 403


def test_another_centres_manager_gets_not_found_and_nothing_changes(month):
    other = CentreFactory(level=CentreLevel.STREET_CENTRE, region=StreetFactory(), name="别处中心")
    outsider = staff_with_role(Role.CENTRE_MANAGER, centre=other)
    stranger = client_of(outsider)
    before = snapshot()
    for path in [*PAGES, "/staff/assess/cases/"]:
        answer = stranger.get(f"{path}?{q(month, figure='red')}")
        assert answer.status_code == 404, path
    # The district is not theirs either; a centre that does not exist answers the same.
    district = month.centre.region.parent.code
    assert stranger.get(f"/staff/assess/?unit=r:{district}").status_code == 404
    assert stranger.get("/staff/assess/?unit=c:NOPE").status_code == 404
    answer = stranger.post(
        "/staff/assess/weights/",
        {"unit": f"c:{month.centre.code}", "volume": 1, "on_time": 1, "accuracy": 1, "rating": 1},
    )
    assert answer.status_code == 404
    answer = stranger.post(
        "/staff/assess/honours/confirm/",
        {"unit": f"c:{month.centre.code}", "month": MONTH, "kind": "service_star"},
    )
    assert answer.status_code == 404
    assert snapshot() == before
    assert AuditLog.objects.filter(allowed=False, actor=outsider).count() == 8


def test_the_manager_sees_the_three_tables_with_links_to_the_cases(month):
    manager = client_of(month.manager)
    page = manager.get(f"/staff/assess/?{q(month)}").content.decode()
    assert 'id="assess-ratings-table"' in page
    assert f'figure=bad&department={month.dept_a.pk}">2</a>' in page
    exported = f"/staff/assess/export/ratings/?unit=c%3A{month.centre.code}&amp;month=2026-11"
    assert f'{exported}&format=xlsx"' in page and f'{exported}&format=pdf"' in page
    page = manager.get(f"/staff/assess/efficiency/?{q(month)}").content.decode()
    assert f'figure=red&department={month.dept_a.pk}">1</a>' in page
    assert 'data-target-met="no"' in page
    page = manager.get(f"/staff/assess/ranking/?{q(month)}").content.decode()
    assert f'figure=taken_in&user={month.clerk.pk}">5</a>' in page
    assert "王小明" in page and "91.4" in page
    # The drill-down lists exactly the cases behind the figure.
    page = manager.get(f"/staff/assess/cases/?{q(month, figure='red')}").content.decode()
    assert f'data-case="{month.cases["A3"].number}"' in page
    assert page.count("data-case=") == 1


def test_the_district_hall_manager_sees_the_district_and_every_centre(month):
    hall_manager = client_of(month.hall_manager)
    district = month.centre.region.parent.code
    page = hall_manager.get(f"/staff/assess/efficiency/?unit=r:{district}&month={MONTH}")
    assert page.status_code == 200
    assert 'id="assess-efficiency-total"' in page.content.decode()
    assert hall_manager.get(f"/staff/assess/?{q(month)}").status_code == 200


def test_a_malformed_month_or_figure_is_refused_clearly(month):
    manager = client_of(month.manager)
    answer = manager.get(f"/staff/assess/?unit=c:{month.centre.code}&month=2026-13")
    assert answer.status_code == 422
    assert "YYYY-MM" in answer.content.decode()
    assert manager.get(f"/staff/assess/cases/?{q(month, figure='nope')}").status_code == 404
    answer = manager.get(f"/staff/assess/cases/?{q(month, figure='taken_in', user='x1')}")
    assert answer.status_code == 404


def test_weights_are_validated_and_every_change_audited(month):
    manager = client_of(month.manager)
    unit = f"c:{month.centre.code}"
    answer = manager.post(
        "/staff/assess/weights/",
        {"unit": unit, "volume": "101", "on_time": "x", "accuracy": "0", "rating": "0"},
    )
    assert answer.status_code == 422
    assert ScoreWeights.objects.count() == 0
    answer = manager.post(
        "/staff/assess/weights/",
        {"unit": unit, "volume": "0", "on_time": "0", "accuracy": "0", "rating": "0"},
    )
    assert answer.status_code == 422 and ScoreWeights.objects.count() == 0
    answer = manager.post(
        "/staff/assess/weights/",
        {"unit": unit, "volume": "0", "on_time": "0", "accuracy": "0", "rating": "100"},
    )
    assert answer.status_code == 302
    manager.post(
        "/staff/assess/weights/",
        {"unit": unit, "volume": "40", "on_time": "20", "accuracy": "20", "rating": "20"},
    )
    rows = list(AuditLog.objects.filter(action="assess.weights_set").order_by("id"))
    assert [row.detail["before"] for row in rows] == [
        {"volume": 30, "on_time": 30, "accuracy": 20, "rating": 20},
        {"volume": 0, "on_time": 0, "accuracy": 0, "rating": 100},
    ]
    assert [row.detail["after"] for row in rows] == [
        {"volume": 0, "on_time": 0, "accuracy": 0, "rating": 100},
        {"volume": 40, "on_time": 20, "accuracy": 20, "rating": 20},
    ]
    assert all(row.actor_id == month.manager.pk for row in rows)
    # The current month's ranking uses the weights in force; November (over before these
    # edits) keeps the weights in force at its end: the defaults.
    current = timezone.localdate().strftime("%Y-%m")
    now_query = f"unit=c:{month.centre.code}&month={current}"
    page = manager.get(f"/staff/assess/ranking/?{now_query}").content.decode()
    assert 'data-weight="volume">工作量 40' in page
    page = manager.get(f"/staff/assess/ranking/?{q(month)}").content.decode()
    assert 'data-weight="volume">工作量 30' in page


def test_weights_may_not_be_set_by_a_department_lead(month):
    lead = client_of(month.lead)
    answer = lead.post(
        "/staff/assess/weights/",
        {"unit": f"c:{month.centre.code}", "volume": 1, "on_time": 1, "accuracy": 1, "rating": 1},
    )
    assert answer.status_code == 403
    assert ScoreWeights.objects.count() == 0


def test_the_manager_confirms_the_service_star_once_and_the_board_shows_it(month):
    manager = client_of(month.manager)
    data = {"unit": f"c:{month.centre.code}", "month": MONTH, "kind": "service_star"}
    answer = manager.post("/staff/assess/honours/confirm/", data)
    assert answer.status_code == 302
    star = Honour.objects.get()
    assert (star.user_id, star.proposed_user_id, str(star.score), star.confirmed_by_id) == (
        month.clerk.pk,
        month.clerk.pk,
        "91.4",
        month.manager.pk,
    )
    assert star.month == dt.date(2026, 11, 1)
    # Again: refused, nothing changed.
    again = manager.post("/staff/assess/honours/confirm/", {**data, "candidate": month.lead.pk})
    assert again.status_code == 409
    assert Honour.objects.count() == 1
    # Someone not in the ranking may not be named.
    flag = {**data, "kind": "model_window", "candidate": month.centre.windows.get(number="09").pk}
    assert manager.post("/staff/assess/honours/confirm/", flag).status_code == 422
    answer = manager.post("/staff/assess/honours/confirm/", {**data, "kind": "model_window"})
    assert answer.status_code == 302
    assert Honour.objects.get(kind="model_window").window_id == month.window_02.pk
    assert AuditLog.objects.filter(action="assess.honour_confirm").count() == 2
    board = Client().get("/honour-board/").content.decode()
    assert "王小明" in board and "02" in board
    assert month.clerk.username not in board


def test_the_manager_may_name_another_from_the_ranking(month):
    manager = client_of(month.manager)
    data = {
        "unit": f"c:{month.centre.code}",
        "month": MONTH,
        "kind": "service_star",
        "candidate": month.approver.pk,
        "note": "群众来信表扬",
    }
    assert manager.post("/staff/assess/honours/confirm/", data).status_code == 302
    star = Honour.objects.get()
    assert (star.user_id, star.proposed_user_id, star.note) == (
        month.approver.pk,
        month.clerk.pk,
        "群众来信表扬",
    )


def test_the_pages_cost_the_same_queries_for_one_case_or_many(month, django_assert_max_num_queries):
    manager = client_of(month.manager)
    paths = [
        f"/staff/assess/?{q(month)}",
        f"/staff/assess/efficiency/?{q(month)}",
        f"/staff/assess/ranking/?{q(month)}",
        f"/staff/assess/cases/?{q(month, figure='taken_in', user=month.clerk.pk)}",
    ]
    counts = {}
    for path in paths:
        manager.get(path)  # warm the session and the calendar
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert manager.get(path).status_code == 200
        counts[path] = len(ctx.captured_queries)
    for n in range(60):
        store_case(
            item=month.city.lift,
            centre=month.centre,
            clerk=month.clerk,
            window=month.window_01,
            person=month.city.person,
            accepted=at("2026-11-24", f"{9 + n % 8:02d}:{n % 60:02d}"),
            due=at("2026-12-01", "23:59:59"),
            limit=5,
            decided=at("2026-11-25"),
        )
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            assert manager.get(path).status_code == 200
    page = manager.get(paths[3]).content.decode()
    assert page.count("data-case=") == 50 and 'id="assess-next-page"' in page


def test_digits_that_are_not_ascii_or_too_many_are_not_found_never_500(month):
    """ "²" is a digit to ``str.isdigit`` but not to ``int``; 20 digits overflow a database
    integer. Both are no id: 404 on the cases page, no honour confirmed."""
    manager = client_of(month.manager)
    for bad in ["%C2%B2", "%D9%A1%D9%A2", "99999999999999999999", "0"]:
        answer = manager.get(f"/staff/assess/cases/?{q(month, figure='rated', department=bad)}")
        assert answer.status_code == 404, bad
        answer = manager.get(f"/staff/assess/cases/?{q(month, figure='rated', user=bad)}")
        assert answer.status_code == 404, bad
    data = {"unit": f"c:{month.centre.code}", "month": MONTH, "kind": "service_star"}
    for bad in ["²", "١٢", "99999999999999999999"]:
        answer = manager.post("/staff/assess/honours/confirm/", {**data, "candidate": bad})
        assert answer.status_code == 404, bad
    assert Honour.objects.count() == 0


def score_of(page: str, user_id: int) -> str:
    row = re.search(
        rf'<tr data-user="{user_id}">.*?<td class="num" data-score>([^<]*)<', page, re.S
    )
    assert row is not None
    return row[1]


def test_a_later_edit_of_the_weights_never_rewrites_a_past_month(month):
    """November is scored with the weights in force at its end: its ranking, its export and
    its confirmed honour agree after the weights are changed in December."""
    manager = client_of(month.manager)
    unit = f"c:{month.centre.code}"
    data = {"unit": unit, "month": MONTH, "kind": "service_star"}
    assert manager.post("/staff/assess/honours/confirm/", data).status_code == 302
    star = Honour.objects.get()
    assert str(star.score) == "91.4"
    before = manager.get(f"/staff/assess/ranking/?{q(month)}").content.decode()
    assert score_of(before, month.clerk.pk) == "91.4"
    weights = {"volume": "0", "on_time": "0", "accuracy": "0", "rating": "100"}
    assert manager.post("/staff/assess/weights/", {"unit": unit, **weights}).status_code == 302
    after = manager.get(f"/staff/assess/ranking/?{q(month)}").content.decode()
    assert score_of(after, month.clerk.pk) == "91.4" == str(star.score)
    assert 'data-weight="rating">评价 20' in after
    # A version set before November's end is November's.
    ScoreWeights.objects.update(set_at=dt.datetime(2026, 11, 30, 23, 0, tzinfo=SHANGHAI))
    page = manager.get(f"/staff/assess/ranking/?{q(month)}").content.decode()
    assert 'data-weight="rating">评价 100' in page


def test_the_honours_of_a_month_not_over_are_refused_409(month):
    manager = client_of(month.manager)
    current = timezone.localdate().strftime("%Y-%m")
    data = {"unit": f"c:{month.centre.code}", "month": current, "kind": "service_star"}
    answer = manager.post("/staff/assess/honours/confirm/", data)
    assert answer.status_code == 409
    assert "The month is not over yet" in answer.content.decode()
    assert Honour.objects.count() == 0


def test_a_manager_opens_on_their_own_centre_where_the_weights_are_set(month):
    """The district hall's manager sees the district, its streets and every centre; the pages
    open on their own hall (the unit whose weights they set), not on the widest region."""
    hall_manager = client_of(month.hall_manager)
    page = hall_manager.get(f"/staff/assess/ranking/?month={MONTH}").content.decode()
    hall = month.hall_manager.role_assignments.get().centre
    assert f'<option value="c:{hall.code}" selected' in page


def test_a_note_with_a_control_character_is_refused_and_nothing_confirmed(month):
    manager = client_of(month.manager)
    data = {
        "unit": f"c:{month.centre.code}",
        "month": MONTH,
        "kind": "service_star",
        "note": "换人\x00",
    }
    answer = manager.post("/staff/assess/honours/confirm/", data)
    assert answer.status_code == 422
    assert Honour.objects.count() == 0


def test_the_current_month_offers_no_confirmation_but_says_when(month):
    """While November runs its ranking is shown with the proposals, but the confirmation waits
    for its end; once December has begun the forms are offered."""
    import time_machine

    manager = client_of(month.manager)
    url = f"/staff/assess/ranking/?unit=c:{month.centre.code}&month={MONTH}"
    with time_machine.travel(dt.datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI), tick=False):
        page = manager.get(url).content.decode()
    assert 'id="assess-confirm-star"' not in page and 'id="assess-confirm-window"' not in page
    assert page.count("评优须在该月结束后按最终排名确认。") == 2
    page = manager.get(url).content.decode()
    assert 'id="assess-confirm-star"' in page and 'id="assess-confirm-window"' in page
    assert "评优须在该月结束后按最终排名确认。" not in page
