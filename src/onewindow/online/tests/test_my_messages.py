"""The SMS about an online application and about a booking show in the citizen's "my
messages" (registered through citizens.subjects); another account's do not."""

from __future__ import annotations

import pytest

from onewindow.citizens.selectors import my_messages
from onewindow.online import services
from onewindow.online.tests.conftest import filled

pytestmark = pytest.mark.django_db


def test_the_sent_application_s_sms_is_in_my_messages_and_not_in_anothers(
    city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = filled(city)
        services.application_submit(account=city.account, reference=application.reference, key="k")
    mine = [row.text for row in my_messages(account=city.account)]
    assert len(mine) == 1
    assert application.reference in mine[0]
    assert [row.text for row in my_messages(account=city.other_account)] == []
