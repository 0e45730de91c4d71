"""The e-supervision board: open cases by light, with counts per light and department."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from onewindow.cases.selectors import supervision_board, supervision_board_counts
from onewindow.cases.staff_selectors import supervision_calendar
from onewindow.cases.views.staff.common import LIGHT_LABELS, render_page, staff_page
from onewindow.catalog.names import local_text
from onewindow.org.permissions import Action, require
from onewindow.workcal.calendar import calendar_gaps
from onewindow.workflow.clock import Light, light_boundaries

BOARD_PAGE_SIZE = 50
LIGHTS_SHOWN = (Light.RED, Light.YELLOW, Light.PAUSED, Light.GREEN)


@staff_page
@require_safe
def supervision(request: HttpRequest) -> HttpResponse:
    """Open cases by light (red, yellow, paused, green), with counts per light and department.

    Counted, sorted and paged by the database: two queries whatever the number of cases."""
    require(request.user, Action.CASE_SUPERVISE)
    now = timezone.now()
    bounds = light_boundaries(now, supervision_calendar(now))
    counts = supervision_board_counts(user=request.user, bounds=bounds)
    chosen = request.GET.get("light", "")
    if chosen not in {light.value for light in LIGHTS_SHOWN}:
        chosen = ""
    shown = counts.lights[Light(chosen)] if chosen else counts.total
    # The page number is checked against the count the database gave; no second count.
    page = Paginator(range(shown), BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = supervision_board(
        user=request.user,
        bounds=bounds,
        light=Light(chosen) if chosen else None,
        offset=(page.number - 1) * BOARD_PAGE_SIZE,
        limit=BOARD_PAGE_SIZE,
    )
    return render_page(
        request,
        "supervision.html",
        {
            "page": page,
            "rows": rows,
            "lights": [
                (light, LIGHT_LABELS[light], counts.lights[light]) for light in LIGHTS_SHOWN
            ],
            "departments": [
                (
                    local_text(department.name, department.name_en),
                    [department.counts[light] for light in LIGHTS_SHOWN],
                    department.total,
                )
                for department in counts.departments
            ],
            "chosen": chosen,
            "total": counts.total,
            "query_prefix": f"light={chosen}" if chosen else "",
            "calendar_gaps": calendar_gaps(timezone.localdate(now)),
        },
    )
