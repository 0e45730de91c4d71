"""The booking SMS shows in the citizen's "my messages" with its code masked."""

from __future__ import annotations

import pytest

from onewindow.citizens.selectors import my_messages
from onewindow.hall.services import booking_create
from onewindow.hall.tests.conftest import at, last_booking_code

pytestmark = pytest.mark.django_db


def test_the_booking_sms_is_in_my_messages_without_the_code(hall, account):
    booking_create(group_id=hall.a.pk, starts_at=at(hall.tomorrow, 9), account=account)
    code = last_booking_code()
    [row] = my_messages(account=account)
    day = hall.tomorrow.isoformat()
    assert row.text == (
        f"【一窗通】预约成功：荔湾区政务服务中心 社保医保，{day} 09:00。预约码 *********，"
        "请凭此码在取号机取号。"
    )
    assert code not in row.text
