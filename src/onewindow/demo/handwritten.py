"""Service items of the demo city written out by hand, as a district catalogue team would.

The items are data, in ``data/handwritten.toml`` (written for OneWindow, not copied from any
website): the official text (legal basis, conditions, materials, limits) and a plain-language
guide in everyday Chinese (改官话为民话). This module reads them once, on import, into
``HANDWRITTEN_ITEMS``; ``planning.plan_handwritten_item`` turns each into an item plan, which the
generator checks against every catalogue rule. Departments are referred to by the keys of
``city.DEPARTMENTS``, topics by the codes of ``city.TOPICS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable

from onewindow.catalog.codes import (
    CaseType,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialType,
    OnlineDepth,
    ResultType,
    ServiceObject,
    TimeUnit,
)
from onewindow.demo import city
from onewindow.demo.datafiles import DATA_DIR, Entry, read_data_file, unique
from onewindow.demo.forms import FormFieldSpec, form_specs
from onewindow.org.models import CentreLevel

FILE = "handwritten.toml"
# How the file names the material types: a form to fill in, a certificate, anything else.
MATERIAL_KINDS = {
    "form": MaterialType.FORM,
    "cert": MaterialType.CERTIFICATE,
    "other": MaterialType.OTHER,
}


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """One required paper; the fields are those of ``catalog.models.Material``."""

    name: str
    material_type: MaterialType
    form: MaterialForm
    necessity: MaterialNecessity
    paper_copies: int
    paper_spec: str
    source_channel: str
    acceptance_standard: str
    notes: str
    basis: str


@dataclass(frozen=True, slots=True)
class FeeSpec:
    name: str
    standard: str
    basis: str
    reducible: bool


@dataclass(frozen=True, slots=True)
class Guide:
    """The plain-language guide (办事指南 in everyday words)."""

    summary: str
    you_get: str
    who: str
    bring: str
    how_long: str
    how_much: str


@dataclass(frozen=True, slots=True)
class HandwrittenItem:
    key: str
    department: str  # key of city.DEPARTMENTS
    name: str
    name_en: str
    item_type: ItemType
    service_objects: tuple[ServiceObject, ...]
    legal_basis: str
    conditions: str
    case_type: CaseType
    statutory_limit: int
    statutory_limit_unit: TimeUnit
    statutory_limit_note: str
    promised_limit: int
    promised_limit_unit: TimeUnit
    promised_limit_note: str
    special_procedures: str
    visits: int
    visit_reason: str
    online_depth: tuple[OnlineDepth, ...]
    accepts_post: bool
    handled_at_levels: tuple[CentreLevel, ...]  # centre levels that accept it (通办范围)
    joint_departments: tuple[str, ...]  # department keys
    charges_fee: bool
    fee_basis: str
    supports_online_payment: bool
    supports_kiosk: bool
    result_type: ResultType
    result_name: str
    handling_forms: str
    intermediary_services: str
    topics: tuple[str, ...]  # topic codes
    keywords: str
    guide: Guide
    materials: tuple[MaterialSpec, ...]
    fees: tuple[FeeSpec, ...]
    faqs: tuple[tuple[str, str], ...]  # (question, answer)
    # The online form; empty: the default form of its audience (forms.toml), when online.
    form: tuple[FormFieldSpec, ...] = ()


def _material(entry: Entry) -> MaterialSpec:
    kind = entry.text("kind", one_of=list(MATERIAL_KINDS))
    form = entry.code("form", MaterialForm, MaterialForm.BOTH)
    electronic = form == MaterialForm.ELECTRONIC
    copies = entry.integer("copies", 1)
    paper_spec = entry.text("paper_spec", "A4")
    material = MaterialSpec(
        name=entry.text("name"),
        material_type=MATERIAL_KINDS[kind],
        form=form,
        necessity=entry.code("necessity", MaterialNecessity, MaterialNecessity.REQUIRED),
        # An electronic paper has no paper copies.
        paper_copies=0 if electronic else copies,
        paper_spec="" if electronic else paper_spec,
        source_channel=entry.text("source", "申请人自备"),
        acceptance_standard=entry.text("standard", ""),
        notes=entry.text("notes", ""),
        basis=entry.text("basis", ""),
    )
    entry.finish()
    return material


def _item(entry: Entry, *, departments: list[str], topics: list[str]) -> HandwrittenItem:
    guide_entry = entry.table("guide")
    guide = Guide(
        summary=guide_entry.text("summary"),
        you_get=guide_entry.text("you_get"),
        who=guide_entry.text("who"),
        bring=guide_entry.text("bring"),
        how_long=guide_entry.text("how_long"),
        how_much=guide_entry.text("how_much"),
    )
    guide_entry.finish()
    fees = []
    for fee in entry.tables("fees"):
        fees.append(
            FeeSpec(
                fee.text("name"), fee.text("standard"), fee.text("basis"), fee.flag("reducible")
            )
        )
        fee.finish()
    faqs = []
    for faq in entry.tables("faqs"):
        faqs.append((faq.text("question"), faq.text("answer")))
        faq.finish()
    visits = entry.integer("visits")
    item = HandwrittenItem(
        key=entry.text("key"),
        department=entry.text("department", one_of=departments),
        name=entry.text("name"),
        name_en=entry.text("name_en"),
        item_type=entry.code("item_type", ItemType),
        service_objects=entry.codes("service_objects", ServiceObject),
        legal_basis=entry.text("legal_basis"),
        conditions=entry.text("conditions"),
        case_type=entry.code("case_type", CaseType),
        statutory_limit=entry.integer("statutory_limit"),
        statutory_limit_unit=entry.code("statutory_limit_unit", TimeUnit, TimeUnit.WORKING_DAY),
        statutory_limit_note=entry.text("statutory_limit_note", ""),
        promised_limit=entry.integer("promised_limit"),
        promised_limit_unit=entry.code("promised_limit_unit", TimeUnit, TimeUnit.WORKING_DAY),
        promised_limit_note=entry.text("promised_limit_note", ""),
        special_procedures=entry.text("special_procedures", ""),
        visits=visits,
        visit_reason=entry.text("visit_reason", ""),
        online_depth=entry.codes("online_depth", OnlineDepth),
        # Whoever need not come in can also get the result by post, unless the item says not.
        accepts_post=entry.flag("accepts_post", visits == 0),
        handled_at_levels=entry.codes("handled_at_levels", CentreLevel),
        joint_departments=entry.texts("joint_departments", (), one_of=departments),
        charges_fee=entry.flag("charges_fee", False),
        fee_basis=entry.text("fee_basis", ""),
        supports_online_payment=entry.flag("supports_online_payment", False),
        supports_kiosk=entry.flag("supports_kiosk", False),
        result_type=entry.code("result_type", ResultType),
        result_name=entry.text("result_name"),
        handling_forms=entry.text("handling_forms", ""),
        intermediary_services=entry.text("intermediary_services", ""),
        topics=entry.texts("topics", one_of=topics),
        keywords=entry.text("keywords"),
        guide=guide,
        materials=tuple(_material(m) for m in entry.tables("materials", required=True)),
        fees=tuple(fees),
        faqs=tuple(faqs),
        form=form_specs(entry.tables("form")),
    )
    entry.finish()
    return item


def load_handwritten_items(
    directory: Traversable = DATA_DIR, *, city_data: city.CityData | None = None
) -> list[HandwrittenItem]:
    """Read handwritten.toml from ``directory``. Departments and topics are checked against
    ``city_data`` (by default the city files of the same directory)."""
    city_data = city_data or city.load_city(directory)
    known = [d.key for d in city_data.departments]
    topics = [t.code for t in city_data.topics]
    root = read_data_file(FILE, directory)
    entries = root.tables("item", required=True)
    items = [_item(entry, departments=known, topics=topics) for entry in entries]
    unique(entries, [item.key for item in items], "key")
    root.finish()
    return items


HANDWRITTEN_ITEMS: list[HandwrittenItem] = load_handwritten_items(city_data=city.CITY)
