"""``rating_submit`` and ``ratings_default_sweep``: the national fields, who is rated, every
validation error exactly, the period, one rating per occasion (a race too), the rectification
of a 差评 in the rating's transaction, the defaults, and no trace of the rater."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases.models import CaseEvent
from onewindow.cases.services import case_accept
from onewindow.cases.tests.conftest import resident_id
from onewindow.cases.tests.test_progress import delivered_lift_case
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.ratings.codes import FORM_VERSION, Channel, Occasion, RatedRole
from onewindow.ratings.errors import AlreadyRated, NotRateableYet, RatingClosed
from onewindow.ratings.models import RatedStaff, Rating, Rectification, RectificationEvent
from onewindow.ratings.services import rate
from onewindow.ratings.services.rate import rating_submit, ratings_default_sweep
from onewindow.ratings.tests.conftest import rating_of
from onewindow.ratings.tests.rate.conftest import PERSONAL, dims
from onewindow.ratings.transitions import RectificationState

ONLINE = Occasion.CASE
VISIT = Occasion.VISIT


def submit(case, level=4, *, channel=Channel.SMS, occasion=ONLINE, **overrides):
    values = {
        "case": case,
        "channel": channel,
        "level": level,
        "dimensions": dims(occasion, level if isinstance(level, int) else 3),
        "options": [],
        "comment": "",
    }
    values.update(overrides)
    return rating_submit(**values)


def rated(rating) -> list[tuple[int, str, int | None]]:
    return list(
        RatedStaff.objects.filter(rating=rating)
        .order_by("id")
        .values_list("user_id", "role", "department_id")
    )


def test_an_sms_rating_of_a_delivered_case_carries_the_national_fields(delivered, city):
    rating = submit(delivered, 4, options=["fast", "easy"], comment="  办得很快  ")
    rating.refresh_from_db()
    version = delivered.item_version
    assert rating.occasion_key == f"case:{delivered.pk}"
    assert rating.occasion == ONLINE
    assert rating.channel == Channel.SMS
    assert rating.level == 4
    assert rating.dimensions == {
        "overall": 4,
        "efficiency": 4,
        "guide": 4,
        "convenience": 4,
        "usability": 4,
    }
    assert rating.options == ["fast", "easy"]
    assert rating.comment == "办得很快"
    assert rating.form_version == FORM_VERSION
    assert rating.is_default is False
    assert rating.case_number == delivered.number
    assert rating.case_name == "既有住宅增设电梯"
    assert rating.case_state == "delivered"
    assert rating.item_id == delivered.item_id
    assert rating.item_code == version.snapshot.get("code", "")
    assert rating.item_version_number == 2
    assert rating.department == city.lead_department
    assert rating.centre == city.street_centre
    assert rating.window == city.intake_window
    assert rating.region_code == city.street_centre.region.code
    assert rating.applicant_type == "natural"
    assert Rectification.objects.count() == 0


def test_the_window_clerk_and_every_back_office_assignee_are_rated_once_each(delivered, city):
    rating = submit(delivered, 5)
    lead = city.lead_department
    joint = city.joint_departments
    assert rated(rating) == [
        (city.clerk.pk, RatedRole.WINDOW, None),
        (city.approvers[lead.pk].pk, RatedRole.BACK_OFFICE, lead.pk),
        *[(city.approvers[d.pk].pk, RatedRole.BACK_OFFICE, d.pk) for d in joint],
        # The lead's approver reviewed and completed: rated once; the lead decided.
        (city.leads[lead.pk].pk, RatedRole.BACK_OFFICE, lead.pk),
    ]


def test_a_visit_rates_the_clerk_who_made_the_move_not_the_intake_clerk(instant_case, city):
    event = instant_case.events.get(action="complete_instant")
    CaseEvent.objects.filter(pk=event.pk).update(actor=city.hall_clerk)
    event.refresh_from_db()
    rating = submit(instant_case, 5, channel=Channel.PAD, occasion=VISIT, event=event)
    assert rating.occasion_key == f"visit:{instant_case.pk}:{event.pk}"
    assert rating.occasion == VISIT
    assert rating.dimensions == {
        "overall": 5,
        "service_efficiency": 5,
        "competence": 5,
        "attitude": 5,
    }
    assert rated(rating) == [(city.hall_clerk.pk, RatedRole.WINDOW, None)]


def test_a_visit_rates_the_window_clerk_only_never_the_back_office(delivered, city):
    # The delivered case's intake visit: its steps were done by the back office since.
    event = delivered.events.get(action="accept")
    assert delivered.tasks.filter(assignee__isnull=False).count() > 0
    rating = submit(delivered, 2, channel=Channel.PAD, occasion=VISIT, event=event)
    assert rated(rating) == [(event.actor_id, RatedRole.WINDOW, None)]
    assert rating.rectification.owner_id == event.actor_id


def test_a_clerk_who_is_also_an_assignee_is_rated_once_per_role(delivered, city):
    lead = city.lead_department
    delivered.tasks.filter(department=lead).update(assignee=city.clerk)
    rating = submit(delivered, 5)
    rows = rated(rating)
    assert rows[0] == (city.clerk.pk, RatedRole.WINDOW, None)
    assert [r for r in rows if r[0] == city.clerk.pk] == [
        (city.clerk.pk, RatedRole.WINDOW, None),
        (city.clerk.pk, RatedRole.BACK_OFFICE, lead.pk),
    ]
    assert len(rows) == len(set(rows)) == len({(u, role) for u, role, _d in rows})


def test_an_instant_case_is_rated_online_from_the_moment_it_was_finished(instant_case):
    rating = submit(instant_case, 5)
    assert rating.case_state == "decided"
    assert rating.occasion_key == f"case:{instant_case.pk}"


def test_every_wrong_answer_is_named_at_once_and_nothing_is_stored(delivered):
    with pytest.raises(ValidationFailed) as caught:
        rating_submit(
            case=delivered,
            channel=Channel.SMS,
            level=1,
            dimensions={"overall": 0, "efficiency": "5", "guide": True, "usability": 6, "x": 3},
            options=["fast", "slow", "slow"],
            comment="太慢" * 250 + "\x00",
        )
    assert caught.value.status == 422
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("dimensions.x", "unknown_dimension"),
        ("dimensions.overall", "invalid_level"),
        ("dimensions.efficiency", "invalid_level"),
        ("dimensions.guide", "invalid_level"),
        ("dimensions.convenience", "required"),
        ("dimensions.usability", "invalid_level"),
        ("options", "duplicate_option"),
        ("options", "option_not_offered"),
        ("comment", "too_long"),
        ("comment", "control_characters"),
    ]
    assert caught.value.errors[7].params == {"option": "fast"}
    assert caught.value.errors[8].params == {"max": 500, "length": 501}
    assert Rating.objects.count() == RatedStaff.objects.count() == 0
    assert not AuditLog.objects.filter(action="ratings.rating_give").exists()


@pytest.mark.parametrize("level", [0, 6, "5", 4.0, True, None])
def test_a_level_that_is_not_an_integer_1_to_5_is_refused(delivered, level):
    with pytest.raises(ValidationFailed) as caught:
        submit(delivered, level, dimensions=dims(ONLINE, 3))
    assert [(e.field, e.code) for e in caught.value.errors] == [("level", "invalid_level")]
    assert Rating.objects.count() == 0


def test_the_on_site_form_rates_the_on_site_aspects_only(instant_case):
    event = instant_case.events.get(action="complete_instant")
    with pytest.raises(ValidationFailed) as caught:
        submit(instant_case, 4, channel=Channel.QR, event=event, dimensions=dims(ONLINE, 4))
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("dimensions.efficiency", "unknown_dimension"),
        ("dimensions.guide", "unknown_dimension"),
        ("dimensions.convenience", "unknown_dimension"),
        ("dimensions.usability", "unknown_dimension"),
        ("dimensions.service_efficiency", "required"),
        ("dimensions.competence", "required"),
        ("dimensions.attitude", "required"),
    ]


def test_options_depend_on_the_level_and_comment_and_lists_must_have_their_type(delivered):
    with pytest.raises(ValidationFailed) as caught:
        submit(delivered, 5, options=["slow"], comment=None)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("options", "option_not_offered"),
        ("comment", "invalid"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        submit(delivered, 5, options="fast", dimensions=["overall"])
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("dimensions", "invalid"),
        ("options", "invalid"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        submit(delivered, 5, channel="fax")
    assert [(e.field, e.code) for e in caught.value.errors] == [("channel", "invalid_channel")]


def test_the_comment_may_hold_line_breaks_and_exactly_500_characters(delivered):
    rating = submit(delivered, 3, comment=("好" * 249 + "\n") * 2)
    assert len(rating.comment) == 499  # the outer line break is trimmed


def test_a_case_not_completed_cannot_be_rated_online(city):
    case = case_accept(intake=city.intake())
    with pytest.raises(NotRateableYet):
        submit(case, 5)
    assert Rating.objects.count() == 0


def test_a_visit_rating_needs_a_window_move_of_that_case(delivered, instant_case):
    task_event = delivered.events.filter(action="deliver").get()
    with pytest.raises(NotRateableYet):
        submit(delivered, 5, channel=Channel.PAD, occasion=VISIT, event=task_event)
    other = instant_case.events.get(action="complete_instant")
    with pytest.raises(NotRateableYet):
        submit(delivered, 5, channel=Channel.PAD, occasion=VISIT, event=other)
    with pytest.raises(NotRateableYet):
        submit(delivered, 5, channel=Channel.PAD, occasion=VISIT, event=None)
    assert Rating.objects.count() == 0


def test_the_online_period_ends_rating_period_days_after_the_hand_over(delivered, settings):
    settings.RATING_PERIOD_DAYS = 7
    end = delivered.delivered_at + dt.timedelta(days=7)
    with pytest.raises(RatingClosed):
        submit(delivered, 5, now=end + dt.timedelta(seconds=1))
    assert Rating.objects.count() == 0
    assert submit(delivered, 5, now=end).rated_at == end


def test_the_visit_period_ends_rating_period_days_after_the_visit(instant_case, settings):
    settings.RATING_PERIOD_DAYS = 3
    event = instant_case.events.get(action="complete_instant")
    with pytest.raises(RatingClosed):
        submit(
            instant_case,
            5,
            channel=Channel.QR,
            occasion=VISIT,
            event=event,
            now=event.at + dt.timedelta(days=3, seconds=1),
        )
    assert Rating.objects.count() == 0


def test_one_rating_per_case_and_one_per_visit(instant_case):
    event = instant_case.events.get(action="complete_instant")
    submit(instant_case, 5)
    submit(instant_case, 4, channel=Channel.PAD, occasion=VISIT, event=event)
    with pytest.raises(AlreadyRated):
        submit(instant_case, 1, channel=Channel.PROGRESS)
    with pytest.raises(AlreadyRated):
        submit(instant_case, 1, channel=Channel.QR, occasion=VISIT, event=event)
    assert sorted(Rating.objects.values_list("occasion", "level")) == [
        ("case", 5),
        ("visit", 4),
    ]
    assert Rectification.objects.count() == 0


def test_a_second_rating_racing_the_first_is_refused_by_the_unique_occasion(delivered, monkeypatch):
    first = rating_of(delivered, 2, key=f"case:{delivered.pk}")
    # The second request checked before the first committed: only the constraint stops it.
    monkeypatch.setattr(rate.selectors, "occasion_rated", lambda key: False)
    with pytest.raises(AlreadyRated):
        submit(delivered, 1)
    assert list(Rating.objects.values_list("pk", flat=True)) == [first.pk]
    assert Rectification.objects.count() == 1
    assert RatedStaff.objects.count() == 1
    assert not AuditLog.objects.filter(action="ratings.rating_give").exists()


def test_a_bad_rating_opens_its_rectification_in_the_same_transaction(delivered, city):
    rating = submit(delivered, 1, options=["slow", "more_visits"], comment="跑了三次")
    rectification = Rectification.objects.get(rating=rating)
    assert rectification.state == RectificationState.CALLBACK
    assert rectification.owner == city.clerk
    assert rectification.department == city.lead_department
    assert list(RectificationEvent.objects.values_list("action", flat=True)) == ["open"]


def test_when_the_rectification_cannot_be_opened_no_rating_is_left(delivered, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr(rate, "rectification_open", broken)
    with pytest.raises(RuntimeError):
        submit(delivered, 2)
    assert Rating.objects.count() == RatedStaff.objects.count() == 0
    assert not AuditLog.objects.filter(action="ratings.rating_give").exists()


def test_the_audit_row_names_the_rating_and_nothing_of_the_rater(delivered):
    rating = submit(delivered, 2, comment="联系我 13800138000")
    row = AuditLog.objects.get(action="ratings.rating_give")
    assert row.actor is None
    assert row.object_type == "ratings.rating"
    assert row.object_id == str(rating.pk)
    assert row.object_repr == f"{delivered.number} 2"
    assert row.detail == {
        "case": delivered.number,
        "occasion": "case",
        "channel": "sms",
        "level": 2,
        "default": False,
        "form_version": FORM_VERSION,
    }


def test_nothing_the_rated_staff_can_read_names_the_rater(delivered, city):
    rating = submit(delivered, 1, options=["slow"])
    rectification = Rectification.objects.get(rating=rating)
    readable = [
        *Rating.objects.filter(pk=rating.pk).values().get().values(),
        *[v for row in RatedStaff.objects.filter(rating=rating).values() for v in row.values()],
        *Rectification.objects.filter(pk=rectification.pk).values().get().values(),
        *[v for row in RectificationEvent.objects.values() for v in row.values()],
        *[
            v
            for row in AuditLog.objects.filter(action__startswith="ratings.").values()
            for v in row.values()
        ],
    ]
    text = " ".join(str(value) for value in readable)
    for value in [*PERSONAL, city.person.id_number_masked, resident_id()]:
        assert value not in text


# --- the defaults ------------------------------------------------------------------------


def _delivered_days_ago(case, days: int):
    when = timezone.now() - dt.timedelta(days=days)
    type(case).objects.filter(pk=case.pk).update(delivered_at=when)
    case.refresh_from_db()
    return case


def test_the_sweep_gives_the_default_level_after_the_period_once(delivered, city, settings):
    settings.RATING_PERIOD_DAYS = 7
    settings.RATING_DEFAULT_LEVEL = "5"
    _delivered_days_ago(delivered, 8)
    assert ratings_default_sweep() == 1
    assert ratings_default_sweep() == 0
    rating = Rating.objects.get()
    assert (rating.level, rating.channel, rating.is_default, rating.occasion_key) == (
        5,
        Channel.DEFAULT,
        True,
        f"case:{delivered.pk}",
    )
    assert rating.dimensions == {} and rating.options == [] and rating.comment == ""
    assert rated(rating)[0] == (city.clerk.pk, RatedRole.WINDOW, None)
    assert AuditLog.objects.filter(action="ratings.rating_default").count() == 1
    # The occasion is taken: a late rating is refused, like any second one.
    with pytest.raises(RatingClosed):
        submit(delivered, 1)


def test_the_sweep_leaves_cases_rated_or_still_in_their_period(delivered, city, settings):
    settings.RATING_PERIOD_DAYS = 7
    settings.RATING_DEFAULT_LEVEL = "3"
    submit(delivered, 4)
    _delivered_days_ago(delivered, 30)
    second = _delivered_days_ago(delivered_lift_case(city), 6)
    assert ratings_default_sweep() == 0
    assert not Rating.objects.filter(case=second).exists()
    assert Rating.objects.filter(is_default=True).count() == 0


def test_no_default_when_the_local_rule_gives_none(delivered, settings):
    settings.RATING_DEFAULT_LEVEL = ""
    _delivered_days_ago(delivered, 10)
    assert ratings_default_sweep() == 0
    assert Rating.objects.count() == 0


def test_a_default_never_opens_a_rectification(delivered, settings):
    settings.RATING_DEFAULT_LEVEL = "1"
    _delivered_days_ago(delivered, 10)
    assert ratings_default_sweep() == 1
    assert Rating.objects.get().level == 1
    assert Rectification.objects.count() == 0


def test_an_instant_case_is_defaulted_from_when_it_was_finished(instant_case, settings):
    settings.RATING_PERIOD_DAYS = 7
    settings.RATING_DEFAULT_LEVEL = "5"
    later = instant_case.decided_at + dt.timedelta(days=7, seconds=1)
    assert ratings_default_sweep(now=instant_case.decided_at + dt.timedelta(days=6)) == 0
    assert ratings_default_sweep(now=later) == 1
    assert Rating.objects.get().case_state == "decided"


def test_a_default_is_dated_when_its_period_ended(delivered, settings):
    settings.RATING_PERIOD_DAYS = 7
    settings.RATING_DEFAULT_LEVEL = "5"
    case = _delivered_days_ago(delivered, 10)
    assert ratings_default_sweep() == 1
    assert Rating.objects.get().rated_at == case.delivered_at + dt.timedelta(days=7)


def test_the_first_sweep_leaves_the_history_alone(delivered, city, settings):
    """Empty RATING_DEFAULTS_FROM: only completions within 2 × the period (14 days) are
    defaulted; a set date moves the bound (local midnight), and a malformed one is refused."""
    settings.RATING_PERIOD_DAYS = 7
    settings.RATING_DEFAULT_LEVEL = "5"
    settings.RATING_DEFAULTS_FROM = ""
    old = _delivered_days_ago(delivered, 15)
    recent = _delivered_days_ago(delivered_lift_case(city), 13)
    assert ratings_default_sweep() == 1
    assert list(Rating.objects.values_list("case_id", flat=True)) == [recent.pk]
    local_day = timezone.localtime(old.delivered_at).date()
    settings.RATING_DEFAULTS_FROM = (local_day + dt.timedelta(days=1)).isoformat()
    assert ratings_default_sweep() == 0
    settings.RATING_DEFAULTS_FROM = local_day.isoformat()
    assert ratings_default_sweep() == 1
    default = Rating.objects.get(case=old)
    assert default.rated_at == old.delivered_at + dt.timedelta(days=7)
    settings.RATING_DEFAULTS_FROM = "2026-13-01"
    with pytest.raises(ValueError, match="RATING_DEFAULTS_FROM"):
        ratings_default_sweep()


def test_the_sweep_is_the_periodic_task(delivered, settings):
    from onewindow.core.tasks import periodic_tasks
    from onewindow.ratings.tasks import ratings_defaults_give

    settings.RATING_DEFAULT_LEVEL = "5"
    _delivered_days_ago(delivered, 10)
    assert periodic_tasks()[ratings_defaults_give.name] == 3600
    assert ratings_defaults_give() == 1


def test_a_rating_from_12345_is_the_cases_online_rating(delivered):
    rating = submit(delivered, 3, channel=Channel.HOTLINE, options=["slow"])
    assert (rating.channel, rating.occasion, rating.occasion_key) == (
        "hotline",
        "case",
        f"case:{delivered.pk}",
    )
    with pytest.raises(AlreadyRated):
        submit(delivered, 5, channel=Channel.SMS)
