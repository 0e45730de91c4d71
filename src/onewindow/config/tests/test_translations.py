"""Every label a page can show from the data model has its zh-Hans text: the verbose names of
every model and field of the project, the labels of their choices, and the staff and public
labels of every state machine's states and events. A label without a translation would show
in English on a Chinese page (the msgids are English)."""

from __future__ import annotations

import re

from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

from onewindow.core.audit_labels import registry
from onewindow.workflow.machine import machines

CJK = re.compile(r"[\u3400-\u9fff]")


def _untranslated(texts: list[tuple[str, object]]) -> set[tuple[str, str]]:
    with translation.override("zh-hans"):
        return {
            (where, str(text))
            for where, text in texts
            if isinstance(text, Promise) and not CJK.search(str(text))
        }


def test_every_model_field_and_choice_label_has_its_chinese_text():
    texts: list[tuple[str, object]] = []
    for model in apps.get_models():
        if not model.__module__.startswith("onewindow."):
            continue
        where = model._meta.label
        texts.append((where, model._meta.verbose_name))
        # A plural Django derives ("…s") is never shown in Chinese pages; a declared one is.
        texts.append((where, model._meta.original_attrs.get("verbose_name_plural")))
        for field in model._meta.get_fields():
            texts.append((f"{where}.{field.name}", getattr(field, "verbose_name", None)))
            for _value, label in getattr(field, "flatchoices", None) or []:
                texts.append((f"{where}.{field.name}", label))
    assert len(texts) > 500
    assert _untranslated(texts) == set()


def test_every_state_and_event_label_of_every_machine_has_its_chinese_text():
    texts: list[tuple[str, object]] = []
    for machine in machines():
        texts += [(machine.name, label) for _value, label in machine.states.choices]
        for event in machine.events:
            texts += [(machine.name, event.label), (machine.name, event.public_label)]
            texts.append((machine.name, event.verb))
    assert {m.name for m in machines()} >= {"cases.case", "ratings.rectification"}
    assert _untranslated(texts) == set()


def test_every_audit_and_permission_label_has_its_chinese_text():
    labels = registry()
    texts = [(code, label) for code, label in {**labels.actions, **labels.permissions}.items()]
    assert _untranslated(texts) == set()
