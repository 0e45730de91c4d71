"""Time limits read as people say them, in both languages (a new user saw "1 working days")."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from onewindow.catalog.codes import TimeUnit, time_limit_text


def test_english_has_singular_and_plural() -> None:
    with translation.override("en"):
        assert time_limit_text(1, TimeUnit.WORKING_DAY) == "1 working day"
        assert time_limit_text(5, TimeUnit.WORKING_DAY) == "5 working days"
        assert time_limit_text(1, TimeUnit.NATURAL_DAY) == "1 natural day"
        assert time_limit_text(2, TimeUnit.HOUR) == "2 hours"
        assert time_limit_text(1, TimeUnit.MINUTE) == "1 minute"
        assert time_limit_text(3, TimeUnit.MONTH) == "3 months"
        assert time_limit_text(None, TimeUnit.MONTH) == ""


def test_chinese_has_its_measure_words() -> None:
    with translation.override("zh-hans"):
        assert time_limit_text(1, TimeUnit.WORKING_DAY) == "1个工作日"
        assert time_limit_text(20, TimeUnit.NATURAL_DAY) == "20个自然日"
        assert time_limit_text(4, TimeUnit.HOUR) == "4小时"
        assert time_limit_text(30, TimeUnit.MINUTE) == "30分钟"
        assert time_limit_text(2, TimeUnit.MONTH) == "2个月"


def test_the_template_filter_says_the_same() -> None:
    template = Template("{% load onewindow_ui %}{{ n|limit_in:unit }}")
    with translation.override("en"):
        assert template.render(Context({"n": 1, "unit": "1"})) == "1 working day"
