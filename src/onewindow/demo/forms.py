"""The online application forms of the demo city (``data/forms.toml``).

A form is a tuple of ``FormFieldSpec`` (the fields of ``catalog.models.FormField``). An item
that can be handled online gets its own form (``[[item.form]]`` in handwritten.toml) or the
default form of its audience; the catalogue rules (``catalog.formschema``) check every field
when the generator stores the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any

from onewindow.catalog.codes import FormFieldKind, FormPrefill
from onewindow.demo.datafiles import DATA_DIR, Entry, read_data_file, unique

FILE = "forms.toml"
KINDS = [str(k) for k in FormFieldKind.values]
# The file writes a prefill source with _ (person_name) for person.name.
PREFILLS = {value.replace(".", "_"): value for value in FormPrefill.values if value}


@dataclass(frozen=True, slots=True)
class FormFieldSpec:
    key: str
    label: str
    label_en: str
    kind: str
    required: bool
    prefill: str
    help_text: str
    help_text_en: str
    max_length: int | None
    min_value: int | None
    max_value: int | None
    choices: tuple[tuple[str, str, str], ...]  # (value, label, label_en)

    def model_fields(self, order: int) -> dict[str, Any]:
        """The keyword arguments of ``FormField`` for this field at position ``order``."""
        return {
            "order": order,
            "key": self.key,
            "label": self.label,
            "label_en": self.label_en,
            "kind": self.kind,
            "required": self.required,
            "prefill": self.prefill,
            "help_text": self.help_text,
            "help_text_en": self.help_text_en,
            "max_length": self.max_length,
            "min_value": self.min_value,
            "max_value": self.max_value,
            "choices": [
                {"value": value, "label": label, "label_en": label_en}
                for value, label, label_en in self.choices
            ],
        }


def _optional_integer(entry: Entry, key: str) -> int | None:
    return entry.integer(key) if entry.has(key) else None


def form_field_spec(entry: Entry) -> FormFieldSpec:
    choices = []
    for choice in entry.tables("choices"):
        choices.append((choice.text("value"), choice.text("label"), choice.text("label_en", "")))
        choice.finish()
    prefill = entry.text("prefill", "", one_of=["", *PREFILLS])
    spec = FormFieldSpec(
        key=entry.text("key"),
        label=entry.text("label"),
        label_en=entry.text("label_en", ""),
        kind=entry.text("kind", FormFieldKind.TEXT, one_of=KINDS),
        required=entry.flag("required", True),
        prefill=PREFILLS.get(prefill, ""),
        help_text=entry.text("help", ""),
        help_text_en=entry.text("help_en", ""),
        max_length=_optional_integer(entry, "max_length"),
        min_value=_optional_integer(entry, "min"),
        max_value=_optional_integer(entry, "max"),
        choices=tuple(choices),
    )
    entry.finish()
    return spec


def form_specs(entries: list[Entry]) -> tuple[FormFieldSpec, ...]:
    """The fields of one form, each key once."""
    specs = [form_field_spec(entry) for entry in entries]
    unique(entries, [spec.key for spec in specs], "key")
    return tuple(specs)


@dataclass(frozen=True, slots=True)
class DefaultForms:
    natural: tuple[FormFieldSpec, ...]  # items of individuals
    legal: tuple[FormFieldSpec, ...]  # items of businesses and organisations


def load_default_forms(directory: Traversable = DATA_DIR) -> DefaultForms:
    root = read_data_file(FILE, directory)
    forms = DefaultForms(
        natural=form_specs(root.tables("natural", required=True)),
        legal=form_specs(root.tables("legal", required=True)),
    )
    root.finish()
    return forms


DEFAULT_FORMS = load_default_forms()
