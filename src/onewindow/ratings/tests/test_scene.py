from onewindow.ratings.models import Rectification
from onewindow.ratings.tests.conftest import rating_of
from onewindow.ratings.transitions import RectificationState


def test_a_bad_rating_opens_a_rectification_owned_by_the_window_clerk(instant_case, city):
    rating = rating_of(instant_case, 1)
    rectification = Rectification.objects.get(rating=rating)
    assert rectification.state == RectificationState.CALLBACK
    assert rectification.owner == city.clerk
    assert rectification.department == instant_case.department
    assert rectification.centre == city.street_centre
    assert rectification.events.get().action == "open"
    assert rectification.callback_due_at > rectification.opened_at


def test_a_good_rating_opens_nothing(instant_case):
    rating_of(instant_case, 4)
    assert Rectification.objects.count() == 0
