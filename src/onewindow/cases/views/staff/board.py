"""The e-supervision board: open cases by light, with counts per light and department."""

from __future__ import annotations

from collections import Counter

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from onewindow.cases.selectors import supervision_board
from onewindow.cases.views.staff.common import LIGHT_LABELS, render_page, staff_page
from onewindow.org.permissions import Action, require
from onewindow.workcal.calendar import calendar_gaps
from onewindow.workflow.clock import Light

BOARD_PAGE_SIZE = 50
LIGHTS_SHOWN = (Light.RED, Light.YELLOW, Light.PAUSED, Light.GREEN)


@staff_page
@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    """Open cases by light (red, yellow, paused, green), with counts per light and department."""
    require(request.user, Action.CASE_SUPERVISE)
    rows = supervision_board(user=request.user)
    counts = Counter(row.light for row in rows)
    by_department: dict[str, Counter[str]] = {}
    for row in rows:
        by_department.setdefault(row.case.department.name, Counter())[row.light] += 1
    chosen = request.GET.get("light", "")
    if chosen not in {light.value for light in LIGHTS_SHOWN}:
        chosen = ""
    shown = [row for row in rows if row.light == chosen] if chosen else rows
    page = Paginator(shown, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "supervision.html",
        {
            "page": page,
            "lights": [
                (light, LIGHT_LABELS[light], counts.get(light, 0)) for light in LIGHTS_SHOWN
            ],
            "departments": [
                (name, [counter.get(light, 0) for light in LIGHTS_SHOWN], sum(counter.values()))
                for name, counter in sorted(by_department.items())
            ],
            "chosen": chosen,
            "total": len(rows),
            "query_prefix": f"light={chosen}" if chosen else "",
            "calendar_gaps": calendar_gaps(timezone.localdate()),
        },
    )
