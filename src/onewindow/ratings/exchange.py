"""The exchange of ratings with a provincial 好差评 system: rating records in the national field
list (国办发〔2019〕51号; ``../shared/STANDARDS.md``, Rating), as JSON rows, CSV (UTF-8 with a
BOM, so that Excel opens it in Chinese) or an Excel workbook.

``FIELDS`` names every column once: a stable ASCII key (the JSON rows' keys) and the Chinese
label of the national list; a CSV or workbook has the labels on its first line and the keys on
its second.
The rater's personal data (the applicant's name, ID number and phone are applicant fields of
the national list) is exported **masked only** (``陈*文``, ``440103********123X``,
``138****8000``), as stored beside the encrypted value; the clear values never leave the
platform through this export. Staff are named by full name and staff account (``username``).

``export_rows`` runs three queries whatever the number of ratings (ratings joined with case,
applicant, department, window; the rated staff prefetched). ``mark_reported`` stamps
``Rating.reported_at`` once (a second call changes nothing).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from onewindow.applicants.identifiers import mask_name
from onewindow.cases.models import ApplicantType
from onewindow.catalog.codes import ServiceObject
from onewindow.ratings.codes import RatedRole
from onewindow.ratings.models import RatedStaff, Rating

# The longest period one export covers, and the most rows one file holds.
MAX_DAYS = 366
MAX_FILE_ROWS = 50_000


@dataclass(frozen=True)
class ExchangeField:
    key: str
    label: str


FIELDS: tuple[ExchangeField, ...] = (
    ExchangeField("rating_id", "评价编号"),
    ExchangeField("case_number", "办件编号"),
    ExchangeField("case_name", "办件名称"),
    ExchangeField("item_code", "事项编码"),
    ExchangeField("item_version", "事项版本"),
    ExchangeField("department_name", "实施部门名称"),
    ExchangeField("department_code", "实施部门统一社会信用代码"),
    ExchangeField("applicant_type", "申请人类型"),
    ExchangeField("applicant_name", "申请人名称（脱敏）"),
    ExchangeField("applicant_id_number", "申请人证件号码（脱敏）"),
    ExchangeField("applicant_phone", "申请人联系电话（脱敏）"),
    ExchangeField("channel", "评价渠道"),
    ExchangeField("occasion", "评价对象"),
    ExchangeField("case_state", "评价时办件状态"),
    ExchangeField("region_code", "行政区划代码"),
    ExchangeField("centre_name", "服务场所名称"),
    ExchangeField("window_number", "窗口编号"),
    ExchangeField("window_staff", "窗口人员"),
    ExchangeField("back_office_staff", "后台办理人员"),
    ExchangeField("rated_at", "评价时间"),
    ExchangeField("level", "评价等级"),
    ExchangeField("dimensions", "评价维度"),
    ExchangeField("options", "评价选项"),
    ExchangeField("form_version", "评价表版本"),
    ExchangeField("is_default", "是否默认评价"),
    ExchangeField("counts_in_scores", "是否计入评价结果"),
    ExchangeField("reported_at", "上报时间"),
)
KEYS = tuple(f.key for f in FIELDS)

# Case.applicant_type → the national code of the service object (catalog.codes.ServiceObject).
APPLICANT_TYPE_CODES: dict[str, str] = {
    ApplicantType.NATURAL_PERSON: ServiceObject.NATURAL_PERSON.value,  # "1"
    ApplicantType.LEGAL_PERSON: ServiceObject.ENTERPRISE.value,  # "2"
}


def export_queryset(ratings: QuerySet[Rating]) -> QuerySet[Rating]:
    """``ratings`` with what a row needs joined or prefetched, oldest first."""
    staff = RatedStaff.objects.select_related("user").order_by("role", "id")
    return (
        ratings.select_related(
            "case__person", "case__organisation", "department", "window", "centre"
        )
        .prefetch_related(Prefetch("rated_staff", queryset=staff))
        .order_by("rated_at", "id")
    )


def _staff(rated: Iterable[RatedStaff], role: str) -> list[dict[str, str]]:
    return [
        {"name": r.user.first_name or r.user.username, "account": r.user.username}
        for r in rated
        if r.role == role
    ]


def _applicant(rating: Rating) -> tuple[str, str, str]:
    case = rating.case
    person, org = case.person, case.organisation
    if person is not None:
        return mask_name(person.name), person.id_number_masked, person.phone_masked
    if org is not None:
        # An organisation's name and credit code are public register data.
        return org.name, org.uscc, org.contact_phone_masked
    return "", "", ""


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def row_of(rating: Rating) -> dict[str, Any]:
    """One rating as a record of the national field list (keys: ``KEYS``)."""
    name, id_number, phone = _applicant(rating)
    rated = list(rating.rated_staff.all())
    return {
        "rating_id": rating.pk,
        "case_number": rating.case_number,
        "case_name": rating.case_name,
        "item_code": rating.item_code,
        "item_version": rating.item_version_number,
        "department_name": rating.department.name,
        "department_code": rating.department.uscc,
        "applicant_type": APPLICANT_TYPE_CODES.get(rating.applicant_type, rating.applicant_type),
        "applicant_name": name,
        "applicant_id_number": id_number,
        "applicant_phone": phone,
        "channel": rating.channel,
        "occasion": rating.occasion,
        "case_state": rating.case_state,
        "region_code": rating.region_code,
        "centre_name": rating.centre.name,
        "window_number": rating.window.number if rating.window is not None else "",
        "window_staff": _staff(rated, RatedRole.WINDOW),
        "back_office_staff": _staff(rated, RatedRole.BACK_OFFICE),
        "rated_at": _iso(rating.rated_at),
        "level": rating.level,
        "dimensions": dict(rating.dimensions or {}),
        "options": list(rating.options or []),
        "form_version": rating.form_version,
        "is_default": rating.is_default,
        "counts_in_scores": rating.counts_in_scores,
        "reported_at": _iso(rating.reported_at),
    }


def export_rows(
    ratings: QuerySet[Rating], *, offset: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    """The rows of ``ratings``, oldest first; ``offset``/``limit`` choose a page."""
    ordered = export_queryset(ratings)
    page = ordered[offset : offset + limit] if limit is not None else ordered[offset:]
    return [row_of(r) for r in page]


def _flat(value: Any) -> Any:
    """A value of a row as one spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return ";".join(f"{s['name']}({s['account']})" for s in value)
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _cell_text(value: Any) -> Any:
    """Spreadsheet programs run a cell that starts with = + - @ as a formula: such text is
    written with a leading apostrophe (numbers stay numbers)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_bytes(rows: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.label for f in FIELDS])
    writer.writerow(KEYS)
    for row in rows:
        writer.writerow([_cell_text(_flat(row[key])) for key in KEYS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: Sequence[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("好差评")
    sheet.append([f.label for f in FIELDS])
    sheet.append(list(KEYS))
    for row in rows:
        sheet.append([_cell_text(_flat(row[key])) for key in KEYS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def period_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From ``first`` 00:00 to the end of ``last`` (local time), as aware instants."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


@transaction.atomic
def mark_reported(ratings: QuerySet[Rating], *, now: dt.datetime) -> tuple[int, int]:
    """Stamp ``reported_at`` on the ratings not reported yet: (newly marked, already marked)."""
    already = ratings.filter(reported_at__isnull=False).count()
    marked = ratings.filter(reported_at__isnull=True).update(reported_at=now)
    return marked, already


__all__ = [
    "APPLICANT_TYPE_CODES",
    "FIELDS",
    "KEYS",
    "MAX_DAYS",
    "MAX_FILE_ROWS",
    "csv_bytes",
    "export_queryset",
    "export_rows",
    "mark_reported",
    "period_bounds",
    "row_of",
    "xlsx_bytes",
]
