"""The form as each language shows it: labels of the page's language only, a choice by its
label (never its stored value), a box as yes or no."""

from __future__ import annotations

import pytest
from django.utils import translation

from onewindow.online.templatetags.online_form import answer_shown, field_label
from onewindow.online.tests.conftest import filled, signed_in

FORM_KIND = {
    "key": "form",
    "label": "组成形式",
    "label_en": "Form",
    "kind": "choice",
    "choices": [
        {"value": "individual", "label": "个人经营", "label_en": "Run by one person"},
        {"value": "family", "label": "家庭经营", "label_en": "Run by a family"},
    ],
}


def test_a_choice_is_shown_by_its_label_in_each_language():
    many = {**FORM_KIND, "kind": "multichoice"}
    box = {"key": "ok", "label": "承诺", "kind": "boolean"}
    with translation.override("zh-hans"):
        assert field_label(FORM_KIND) == "组成形式"
        assert answer_shown("individual", FORM_KIND) == "个人经营"
        assert answer_shown(["individual", "family"], many) == "个人经营、家庭经营"
        assert (answer_shown(True, box), answer_shown(False, box)) == ("是", "否")
        assert answer_shown("", FORM_KIND) == ""
    with translation.override("en"):
        assert field_label(FORM_KIND) == "Form"
        assert field_label(box) == "承诺"  # no English label given
        assert answer_shown("family", FORM_KIND) == "Run by a family"
        assert answer_shown(["individual", "family"], many) == "Run by one person, Run by a family"
        assert answer_shown(True, box) == "Yes"
        assert answer_shown("gone", FORM_KIND) == "gone"


@pytest.mark.django_db
def test_the_review_page_labels_the_fields_in_the_pages_language_only(city, client):
    application = filled(city)
    citizen = signed_in(client, city.account)
    chinese = citizen.get(f"/my/online/{application.reference}/review/").content.decode()
    english = citizen.get(f"/en/my/online/{application.reference}/review/").content.decode()
    assert "<dt>字号名称</dt>" in chinese and "Shop name" not in chinese
    assert "<dt>Shop name</dt>" in english and "字号名称" not in english
