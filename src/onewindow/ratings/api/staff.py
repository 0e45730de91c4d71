"""The exchange of ratings (``/api/ratings/``): rating records in the national field list
(``ratings.exchange``) for a period and a scope, as JSON pages or one CSV / Excel file, and the
"reported to the province" mark.

Every operation is for signed-in staff with ``rating.view``, checked before anything of the
request is read (401 not signed in; 403 without the permission, audited as
``denied:rating.view``); the mark writes, so it needs ``rating.report`` instead (the system
administrator only — the auditor reads but never writes), refused the same way as
``denied:rating.report``. Rows are those of the user's scope (``scope_queryset``): a department
or centre outside it gives an empty answer, the same as one without ratings. Every export and
every mark is audited with its period, scope and count.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.security import SessionAuth

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, NotFoundOrForbidden, PermissionDenied
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import Day, JsonId, Offset, RecordId
from onewindow.org.permissions import Action, can, scope_queryset
from onewindow.ratings import exchange
from onewindow.ratings.models import Rating
from onewindow.ratings.rectify_selectors import not_rated

DENIED = f"denied:{Action.RATING_VIEW}"
EXPORTED = "ratings.exchange_export"
REPORTED = "ratings.exchange_reported"
PAGE_MAX = 1000
MARK_MAX = 1000


class RatingViewer(SessionAuth):
    """Session sign-in and ``rating.view`` (or the action given): refused (audited 403) before
    the query or the body is read."""

    def __init__(self, action: Action = Action.RATING_VIEW) -> None:
        super().__init__()
        self.action = action

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if not can(user, self.action):
            audit_record(
                actor=user,
                action=f"denied:{self.action}",
                object_type="ratings.api",
                object_repr=request.path[:255],
                allowed=False,
                detail={"method": request.method, "path": request.path[:255]},
            )
            raise PermissionDenied()
        return user


router = Router(auth=RatingViewer(), tags=["ratings"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
PageLimit = Annotated[int, Field(ge=1, le=PAGE_MAX)]


class PeriodIn(Schema):
    date_from: Day = Field(description="first day rated (YYYY-MM-DD, local time)")
    date_to: Day = Field(description="last day rated, included; at most 366 days after date_from")
    department_id: RecordId | None = Field(None, description="only this department")
    centre_id: RecordId | None = Field(None, description="only this service centre")
    unreported: bool = Field(False, description="only ratings not marked as reported yet")


class StaffOut(Schema):
    name: str
    account: str


class ExchangeRowOut(Schema):
    rating_id: int
    case_number: str
    case_name: str
    item_code: str
    item_version: int
    department_name: str
    department_code: str
    applicant_type: str
    applicant_name: str = Field(description="masked")
    applicant_id_number: str = Field(description="masked")
    applicant_phone: str = Field(description="masked")
    channel: str
    occasion: str
    case_state: str
    region_code: str
    centre_name: str
    window_number: str
    window_staff: list[StaffOut]
    back_office_staff: list[StaffOut]
    rated_at: str
    level: int
    dimensions: dict[str, int]
    options: list[str]
    form_version: str
    is_default: bool
    counts_in_scores: bool
    reported_at: str | None


class ExchangeFieldOut(Schema):
    key: str
    label: str


class ExchangePageOut(Schema):
    fields: list[ExchangeFieldOut]
    count: int
    offset: int
    next_offset: int | None
    rows: list[ExchangeRowOut]


class ReportedIn(Schema):
    ids: list[JsonId] = Field(min_length=1, max_length=MARK_MAX, description="rating ids")


class ReportedOut(Schema):
    marked: int = Field(description="marked now")
    already: int = Field(description="marked before (unchanged)")


def _ratings(user: Any, period: PeriodIn) -> QuerySet[Rating]:
    errors = ErrorList()
    if period.date_to < period.date_from:
        errors.add("date_to", "before_date_from", _("The last day comes before the first day."))
    elif (period.date_to - period.date_from).days >= exchange.MAX_DAYS:
        errors.add(
            "date_to",
            "period_too_long",
            _("One export covers at most %(days)s days: choose a shorter period."),
            days=exchange.MAX_DAYS,
        )
    errors.raise_if_any(_("The period is not valid."), code="period_invalid")
    start, end = exchange.period_bounds(period.date_from, period.date_to)
    ratings = scope_queryset(
        user,
        Action.RATING_VIEW,
        Rating.objects.filter(rated_at__gte=start, rated_at__lt=end),
        department_path="department_id",
        centre_path="centre_id",
        region_code_path="region_code",
    ).filter(not_rated(user, "pk"))  # the rated staff's own ratings are left out
    if period.department_id is not None:
        ratings = ratings.filter(department_id=period.department_id)
    if period.centre_id is not None:
        ratings = ratings.filter(centre_id=period.centre_id)
    if period.unreported:
        ratings = ratings.filter(reported_at__isnull=True)
    return ratings


def _audit(user: Any, action: str, period: PeriodIn, **detail: Any) -> None:
    audit_record(
        actor=user,
        action=action,
        object_type="ratings.exchange",
        object_repr=f"{period.date_from}..{period.date_to}",
        detail={
            "date_from": period.date_from.isoformat(),
            "date_to": period.date_to.isoformat(),
            "department_id": period.department_id,
            "centre_id": period.centre_id,
            "unreported": period.unreported,
            **detail,
        },
    )


@router.get(
    "/exchange",
    response={200: ExchangePageOut, **ERRORS},
    summary="Rating records in the national field list, one page (JSON)",
    description=(
        "The ratings given from `date_from` to `date_to` (local days, both included) in your "
        "scope, oldest first; `offset` and `limit` (1–1000, default 500) choose the page. "
        "Applicant fields are masked."
    ),
)
def exchange_rows(
    request: HttpRequest,
    period: Query[PeriodIn],
    offset: Offset = 0,
    limit: PageLimit = 500,
) -> dict[str, Any]:
    ratings = _ratings(request.user, period)
    count = ratings.count()
    rows = exchange.export_rows(ratings, offset=offset, limit=limit) if offset < count else []
    following = offset + len(rows)
    _audit(request.user, EXPORTED, period, format="json", offset=offset, rows=len(rows))
    return {
        "fields": [{"key": f.key, "label": f.label} for f in exchange.FIELDS],
        "count": count,
        "offset": offset,
        "next_offset": following if following < count else None,
        "rows": rows,
    }


@router.get(
    "/exchange/file",
    response={200: None, **ERRORS},
    summary="Rating records in the national field list as one CSV or Excel file",
    description=(
        "`format`: csv (UTF-8 with BOM; labels on line 1, keys on line 2) or xlsx. At most "
        "50,000 ratings per file: a larger period answers 422."
    ),
)
def exchange_file(
    request: HttpRequest,
    period: Query[PeriodIn],
    format: Literal["csv", "xlsx"] = "csv",
) -> HttpResponse:
    ratings = _ratings(request.user, period)
    count = ratings.count()
    if count > exchange.MAX_FILE_ROWS:
        errors = ErrorList()
        errors.add(
            "date_to",
            "too_many_rows",
            _("%(count)s ratings: one file holds at most %(max)s. Choose a shorter period."),
            count=count,
            max=exchange.MAX_FILE_ROWS,
        )
        errors.raise_if_any(_("The period is not valid."), code="period_invalid")
    rows = exchange.export_rows(ratings)
    if format == "xlsx":
        body = exchange.xlsx_bytes(rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exchange.csv_bytes(rows)
        content_type = "text/csv; charset=utf-8"
    _audit(request.user, EXPORTED, period, format=format, rows=len(rows))
    response = HttpResponse(body, content_type=content_type)
    name = f"ratings-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}.{format}"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/exchange/reported",
    # Writing the mark is not reading: the auditor reads ratings but never writes (三员分立).
    auth=RatingViewer(Action.RATING_REPORT),
    response={200: ReportedOut, **ERRORS},
    summary="Mark ratings as reported to the provincial system (idempotent)",
    description=(
        "Stamps `reported_at` on the ratings named that are not marked yet; ratings marked "
        "before keep their time. Any id missing or outside your scope answers 404 and marks "
        "nothing."
    ),
)
def exchange_reported(request: HttpRequest, payload: ReportedIn) -> dict[str, int]:
    ids = sorted(set(payload.ids))
    ratings = scope_queryset(
        request.user,
        Action.RATING_REPORT,
        Rating.objects.filter(pk__in=ids),
        department_path="department_id",
        centre_path="centre_id",
        region_code_path="region_code",
    ).filter(not_rated(request.user, "pk"))
    if ratings.count() != len(ids):
        raise NotFoundOrForbidden()
    marked, already = exchange.mark_reported(ratings, now=timezone.now())
    audit_record(
        actor=request.user,
        action=REPORTED,
        object_type="ratings.exchange",
        object_repr=f"{len(ids)} ratings",
        detail={"ids": ids[:MARK_MAX], "marked": marked, "already": already},
    )
    return {"marked": marked, "already": already}


__all__ = ["router"]
