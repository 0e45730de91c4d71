"""``mask_personal``: the numbers that identify a person are masked, the rest kept."""

from __future__ import annotations

import pytest

from onewindow.ratings.masking import mask_personal


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("请回电13800138000。", "请回电***。"),
        ("手机 138 0013 8000 或 139-1234-5678", "手机 *** 或 ***"),
        ("身份证440103199001011234号", "身份证***号"),
        ("证件 44010319900101123X 已核", "证件 *** 已核"),
        ("座机020-83331234转1，或(020)83331234", "座机***转1，或***"),
        ("拨打 0755 2345678 或 83331234", "拨打 *** 或 ***"),
        (
            "增开2个窗口，5个工作日内办结，等候不超过30分钟。",
            "增开2个窗口，5个工作日内办结，等候不超过30分钟。",
        ),
        ("办件编号ZG202610200000001", "办件编号ZG202610200000001"),
        ("", ""),
    ],
)
def test_mobile_id_and_landline_numbers_are_masked_and_nothing_else(text, masked):
    assert mask_personal(text) == masked
