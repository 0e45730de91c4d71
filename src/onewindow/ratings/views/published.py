"""Public pages of the published 好差评 results (``ratings.published``): the departments with a
month's figures, one department's last 12 months (its items and the fixes made), one item's.

No personal data: the figures are counts and rates; the fixes are the texts staff wrote for
publication (``Rectification.fix_summary`` / ``explanation``). A fixed number of queries per
page, whatever the number of ratings. ``?month=YYYY-MM`` picks the month (default: this one);
a malformed one answers 400 with the reason.
"""

from __future__ import annotations

import datetime as dt
import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.models import ServiceItem
from onewindow.core.errors import bilingual
from onewindow.core.validation import record_id
from onewindow.org.models import Department
from onewindow.ratings import published
from onewindow.staff.errors import error_page

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_MONTH = dt.date(2000, 1, 1)
MONTH_MESSAGE = _(
    "The month must be written YYYY-MM (for example 2026-11), from 2000-01 to this month."
)


class MonthInvalid(ValueError):
    pass


def _month(request: HttpRequest) -> dt.date:
    current = published.this_month()
    text = request.GET.get("month", "").strip()
    if not text:
        return current
    match = MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise MonthInvalid(text)
    month = dt.date(int(match[1]), int(match[2]), 1)
    if not FIRST_MONTH <= month <= current:
        raise MonthInvalid(text)
    return month


def _refused(request: HttpRequest) -> HttpResponse:
    return error_page(request, 400, message=bilingual(MONTH_MESSAGE))


def _nav(month: dt.date) -> dict[str, object]:
    current = published.this_month()
    later = published.add_months(month, 1)
    return {
        "month": month,
        "previous_month": published.add_months(month, -1),
        "next_month": later if later <= current else None,
    }


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    try:
        month = _month(request)
    except MonthInvalid:
        return _refused(request)
    figures = published.by_department(month)
    departments = Department.objects.filter(is_active=True).order_by("name", "id")
    rows = [(d, figures.get(d.pk) or published.Figures(month=month)) for d in departments]
    total = published.Figures(month=month)
    for one in figures.values():
        _add(total, one)
    return render(
        request,
        "ratings/published/index.html",
        {"rows": rows, "total": total, **_nav(month)},
    )


def _add(total: published.Figures, one: published.Figures) -> None:
    total.add(one)


@require_safe
def department(request: HttpRequest, department_id: int) -> HttpResponse:
    if record_id(department_id) is None:  # the path takes any number of digits
        raise Http404
    dept = get_object_or_404(Department, pk=department_id, is_active=True)
    try:
        month = _month(request)
    except MonthInvalid:
        return _refused(request)
    months = published.months_of(month, department_id=dept.pk)
    first = months[-1].month
    per_item = published.by_item(first, month, department_id=dept.pk)
    items = {
        i.pk: i
        for i in ServiceItem.objects.filter(pk__in=per_item).only(
            "id", "name", "name_en", "implementation_code"
        )
    }
    item_rows = sorted(
        ((items[pk], one) for pk, one in per_item.items() if pk in items),
        key=lambda row: (-row[1].ratings, row[0].implementation_code),
    )
    return render(
        request,
        "ratings/published/department.html",
        {
            "department": dept,
            "months": months,
            "first_month": first,
            "item_rows": item_rows,
            "fixes": published.fixes(first, month, department_id=dept.pk),
            **_nav(month),
        },
    )


@require_safe
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    if record_id(item_id) is None:  # the path takes any number of digits
        raise Http404
    service = get_object_or_404(
        ServiceItem.objects.select_related("department").exclude(status=ItemStatus.DRAFT),
        pk=item_id,
    )
    try:
        month = _month(request)
    except MonthInvalid:
        return _refused(request)
    months = published.months_of(month, item_id=service.pk)
    first = months[-1].month
    return render(
        request,
        "ratings/published/item.html",
        {
            "item": service,
            "months": months,
            "first_month": first,
            "fixes": published.fixes(first, month, item_id=service.pk),
            **_nav(month),
        },
    )
