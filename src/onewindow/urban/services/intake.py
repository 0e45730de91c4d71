"""信息采集: a report comes in — from a grid worker in the street (``report_submit``: to be
filed, or closed at once when handled on the spot), from a citizen on the web
(``public_report_submit``: to be verified on site first).

Each report carries the phone's (or the web form's) key, a UUID under the unique constraint of
``GridCase.client_key``: a report sent twice — the phone's queue retrying after a lost answer,
two tabs, a double tap — is one case; the repeat returns the first and writes nothing, also
when the two arrive together (the constraint settles the race, the loser reads the winner).

Input is checked at the edge, every problem at once, before anything is written: an active
subclass, coordinates in range and inside a grid, the description (``checked_text``), the
photos (JPEG, PNG or WebP by their first bytes, at most ``URBAN_PHOTO_MAX_MB`` each, at most
``URBAN_PHOTOS_MAX``). The photos are kept as electronic papers (``papers.paper_stored``:
re-encoded without EXIF, encrypted) in the case's transaction: a refusal leaves no row and no
file.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.services import query_code_new, sequence_next
from onewindow.core import crypto
from onewindow.core.audit import audit_anonymous_refusal, audit_record
from onewindow.core.client import counted_address
from onewindow.core.errors import ErrorList
from onewindow.core.identifiers import check_phone
from onewindow.core.validation import checked_text
from onewindow.grid.models import Grid
from onewindow.grid.selectors import grid_at
from onewindow.org.permissions import Action, can, require
from onewindow.papers.models import PaperSource
from onewindow.papers.services import paper_stored
from onewindow.urban.codes import PhotoKind, Source
from onewindow.urban.errors import ClientKeyTaken, ReportOutsideArea, TooManyReports
from onewindow.urban.models import (
    NUMBER_PREFIX,
    PHONE_INDEX_CONTEXT,
    REPORTER_PHONE_CONTEXT,
    CasePhoto,
    Category,
    GridCase,
)
from onewindow.urban.transitions import CASE_MACHINE
from onewindow.workflow import mover
from onewindow.workflow.clock import TimeUnit, due_after

logger = logging.getLogger(__name__)

DESCRIPTION_MAX_LENGTH = 2000
PLACE_MAX_LENGTH = 255
NOTE_MAX_LENGTH = 1000
# The web form's keys are kept apart from the phones' ("web:<uuid>"): one column, two spaces.
PUBLIC_KEY_PREFIX = "web:"
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
NOT_SAVED = _("The report is not saved; correct the marked fields.")
OUTSIDE_GRIDS = _(
    "This place is in none of the district's grids: check the location (or set it by hand)."
)

Upload = Any  # an uploaded file: ``name``, ``size``, ``read``/``seek`` (and ``content_type``)


# --- the edge ---------------------------------------------------------------------------------


def case_number_next(*, today: dt.date) -> str:
    """WG + the day + a six-digit daily sequence (one statement, in the caller's transaction:
    call it last)."""
    prefix = f"{NUMBER_PREFIX}{today:%Y%m%d}"
    return f"{prefix}{sequence_next(prefix=prefix):06d}"


def client_key_checked(value: Any) -> str:
    """The report's key as the canonical UUID text, or ``ValidationFailed``."""
    try:
        key = str(uuid.UUID(str(value or "").strip()))
    except ValueError:
        errors = ErrorList()
        errors.add(
            "client_key",
            "invalid",
            _("The report carries no valid key (a UUID made on the phone); start it again."),
        )
        errors.raise_if_any(NOT_SAVED)
        raise AssertionError("unreachable") from None
    return key


def category_checked(errors: ErrorList, value: Any) -> Category | None:
    """An active subclass (小类) by its code (or the row itself)."""
    code = value.code if isinstance(value, Category) else value
    code = checked_text(
        errors,
        "category",
        code,
        max_length=16,
        multiline=False,
        missing=_("Choose the category of the problem."),
    )
    if not code:
        return None
    category = (
        Category.objects.filter(
            code=code, is_active=True, parent__isnull=False, parent__is_active=True
        )
        .select_related("parent")
        .first()
    )
    if category is None:
        errors.add(
            "category",
            "unknown",
            _("No such active category: choose a subclass from the list (it may be retired)."),
        )
    return category


LOCATION_REQUIRED = _("Give the location: tap the map, use your position, or type it.")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _degrees(errors: ErrorList, name: str, value: Any, bound: int) -> float | None:
    if _blank(value):
        errors.add(name, "required", LOCATION_REQUIRED)
        return None
    if isinstance(value, bool):
        number = math.nan
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            number = math.nan
    if not math.isfinite(number):
        errors.add(name, "invalid", _("Give the coordinate as a decimal number of degrees."))
        return None
    if abs(number) > bound:
        errors.add(
            name,
            "out_of_range",
            _("A coordinate must lie between -%(bound)s and %(bound)s."),
            bound=bound,
        )
        return None
    return round(number, 7)


def point_checked(
    errors: ErrorList, longitude: Any, latitude: Any
) -> tuple[float | None, float | None]:
    """The point in degrees. No position at all is one problem (on ``longitude``, the pair's
    first field), not the same sentence twice; each coordinate's own fault is its own."""
    if _blank(longitude) and _blank(latitude):
        errors.add("longitude", "required", LOCATION_REQUIRED)
        return None, None
    return _degrees(errors, "longitude", longitude, 180), _degrees(errors, "latitude", latitude, 90)


def _sniffed(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _as_jpeg(data: bytes) -> bytes | None:
    """A WebP photo re-encoded as JPEG (the papers keep JPEG and PNG); ``None`` if damaged."""
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data), formats=["WEBP"])
        if image.width * image.height > settings.PAPER_MAX_PIXELS:
            return None
        image.load()
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=85)
    except Exception:  # Pillow raises many kinds on a damaged file; each means "unreadable"
        return None
    return out.getvalue()


def photos_checked(
    errors: ErrorList, photos: Sequence[Upload], *, field: str = "photos", required: bool = False
) -> list[ContentFile[bytes]]:
    """The photos read and checked (type by content, size, count): each problem is added to
    ``errors`` with the photo's place (``photos.2``); returns them ready for ``paper_stored``."""
    photos = list(photos or ())
    most = int(settings.URBAN_PHOTOS_MAX)
    limit = int(float(settings.URBAN_PHOTO_MAX_MB) * 1024 * 1024)
    if required and not photos:
        errors.add(field, "required", _("Take at least one photo of the problem."))
    if len(photos) > most:
        errors.add(
            field,
            "too_many",
            _("At most %(max)s photos; this report has %(count)s."),
            max=most,
            count=len(photos),
        )
        return []
    kept = []
    for index, upload in enumerate(photos, start=1):
        where = f"{field}.{index}"
        name = str(getattr(upload, "name", "") or f"photo{index}")
        size = getattr(upload, "size", None)
        if size is not None and int(size) > limit:
            errors.add(
                where,
                "too_large",
                _(
                    "Photo %(index)s is larger than %(limit)s MB: take it again, or choose a "
                    "smaller one."
                ),
                index=index,
                limit=f"{float(settings.URBAN_PHOTO_MAX_MB):g}",
            )
            continue
        upload.seek(0)
        data = upload.read(limit + 1)
        declared = str(getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
        kind = _sniffed(data[:16])
        if (
            not data
            or len(data) > limit
            or kind is None
            or (declared and declared != "application/octet-stream" and declared not in PHOTO_TYPES)
        ):
            errors.add(
                where,
                "not_a_photo" if data and len(data) <= limit else "too_large" if data else "empty",
                _("Photo %(index)s is not a JPEG, PNG or WebP photo of at most %(limit)s MB."),
                index=index,
                limit=f"{float(settings.URBAN_PHOTO_MAX_MB):g}",
            )
            continue
        if kind == "image/webp":
            converted = _as_jpeg(data)
            if converted is None:
                errors.add(
                    where,
                    "unreadable",
                    _("Photo %(index)s cannot be read: take it again."),
                    index=index,
                )
                continue
            data, kind = converted, "image/jpeg"
        stem = name.rsplit(".", 1)[0] if "." in name else name
        kept.append(ContentFile(data, name=f"{stem[:80] or 'photo'}.{PHOTO_TYPES[kind]}"))
    return kept


def _texts(
    errors: ErrorList, *, description: Any, place: Any, note: Any = ""
) -> tuple[str, str, str]:
    return (
        checked_text(
            errors,
            "description",
            description,
            max_length=DESCRIPTION_MAX_LENGTH,
            missing=_("Describe the problem in a few words."),
        ),
        checked_text(
            errors, "place", place, required=False, max_length=PLACE_MAX_LENGTH, multiline=False
        ),
        checked_text(errors, "note", note, required=False, max_length=NOTE_MAX_LENGTH),
    )


def _grid_at(lon: float, lat: float) -> Grid:
    grid = grid_at(lon=lon, lat=lat)
    if grid is None:
        errors = ErrorList()
        errors.add("longitude", "outside_grids", OUTSIDE_GRIDS)
        errors.raise_if_any(NOT_SAVED)
        raise AssertionError("unreachable")
    return grid


# --- writing ----------------------------------------------------------------------------------


def _stored(
    case: GridCase,
    photos: Sequence[tuple[ContentFile[bytes], str]],
    *,
    actor: Any,
    source: str,
    action: str,
    now: dt.datetime,
    reason: str = "",
) -> GridCase:
    """The case, its event and its photos in one transaction (the papers' files are removed
    again if anything in it fails)."""
    with ExitStack() as files:
        papers = [
            (
                files.enter_context(
                    paper_stored(
                        upload=photo, name=photo.name or "photo", source=source, actor=actor
                    )
                ),
                kind,
            )
            for photo, kind in photos
        ]
        with transaction.atomic():
            case.number = case_number_next(today=timezone.localtime(now).date())
            mover.move(
                CASE_MACHINE,
                case,
                action,
                actor=actor,
                now=now,
                reason=reason,
                data={"source": case.source, "photos": len(papers)},
            )
            for paper, kind in papers:
                CasePhoto.objects.create(
                    case=case,
                    paper=paper,
                    kind=kind,
                    added_by=actor if getattr(actor, "is_authenticated", False) else None,
                    added_at=now,
                )
    return case


def _replay(key: str, *, actor: Any = None, public: bool = False) -> GridCase | None:
    """The case an earlier sending of this report made (``None``: the first sending)."""
    case = GridCase.objects.filter(client_key=key).first()
    if case is None:
        return None
    if not public and case.reported_by_id != getattr(actor, "pk", None):
        raise ClientKeyTaken()
    return case


def report_submit(
    *,
    actor: Any,
    category: Category | str,
    description: str,
    longitude: Any,
    latitude: Any,
    place: str = "",
    photos: Sequence[Upload] = (),
    client_key: str,
    self_handled: bool = False,
    note: str = "",
    after_photos: Sequence[Upload] = (),
    now: dt.datetime | None = None,
) -> GridCase:
    """A grid worker's report from the street (监督员上报): the grid is the one holding the
    point, which must be in the worker's area (``urban.report`` on the grid's community);
    at least one photo. The case waits to be filed (``to_file``, ``file_due_at`` in
    ``URBAN_FILE_LIMIT_HOURS`` working hours). ``self_handled``: a small problem the worker
    handled on the spot (自行处置) — closed at once, source ``self``, at least one "after"
    photo (``after_photos``) and the note of what was done.

    A repeat of ``client_key`` by the same worker returns the first case and writes nothing
    (another worker's: ``ClientKeyTaken``). Refusals write nothing: ``PermissionDenied``
    (not a grid worker), ``ValidationFailed`` (the fields, a point outside every grid),
    ``ReportOutsideArea`` (a grid of another community, audited)."""
    require(actor, Action.URBAN_REPORT)
    key = client_key_checked(client_key)
    replayed = _replay(key, actor=actor)
    if replayed is not None:
        return replayed
    errors = ErrorList()
    found = category_checked(errors, category)
    description, place, note = _texts(errors, description=description, place=place, note=note)
    lon, lat = point_checked(errors, longitude, latitude)
    report_photos = photos_checked(errors, photos, required=True)
    after = []
    if self_handled:
        after = photos_checked(errors, after_photos, field="after_photos", required=True)
        if not note:
            errors.add("note", "required", _("Say what you did on the spot."))
    elif after_photos:
        errors.add(
            "after_photos",
            "not_allowed",
            _("Only a problem handled on the spot has an after photo."),
        )
    if len(report_photos) + len(after) > int(settings.URBAN_PHOTOS_MAX):
        errors.add(
            "photos",
            "too_many",
            _("At most %(max)s photos; this report has %(count)s."),
            max=int(settings.URBAN_PHOTOS_MAX),
            count=len(report_photos) + len(after),
        )
    errors.raise_if_any(NOT_SAVED)
    assert found is not None and lon is not None and lat is not None
    grid = _grid_at(lon, lat)
    if not can(actor, Action.URBAN_REPORT, grid):
        audit_record(
            actor=actor,
            action=f"denied:{Action.URBAN_REPORT}",
            obj=grid,
            allowed=False,
            detail={"reason": "outside_area", "grid": grid.code},
        )
        raise ReportOutsideArea(grid=grid.code)
    now = now or timezone.now()
    case = GridCase(
        source=Source.SELF_HANDLED if self_handled else Source.INSPECTOR,
        kind=found.kind,
        category=found,
        description=description,
        place=place,
        longitude=lon,
        latitude=lat,
        grid=grid,
        region_code=grid.community_code,
        client_key=key,
        reported_by=actor,
        reported_at=now,
        state="",
    )
    if self_handled:
        case.handled_at = case.checked_at = case.closed_at = now
        case.handled_on_time = case.closed_on_time = True
        action = "self_handle"
    else:
        case.file_due_at = due_after(now, settings.URBAN_FILE_LIMIT_HOURS, TimeUnit.WORKING_HOUR)
        action = "report"
    photos_kinds = [(p, PhotoKind.REPORT) for p in report_photos]
    photos_kinds += [(p, PhotoKind.AFTER) for p in after]
    try:
        return _stored(
            case,
            photos_kinds,
            actor=actor,
            source=PaperSource.WINDOW,
            action=action,
            now=now,
            reason=note,
        )
    except IntegrityError:
        # The same report arrived twice at once: the other sending made the case.
        replayed = _replay(key, actor=actor)
        if replayed is None:
            raise
        return replayed


# --- the public -------------------------------------------------------------------------------


def public_report_count(*, address: str, now: dt.datetime) -> None:
    """Count one public report from ``address`` (an IPv6 address by its /64): at most
    ``URBAN_PUBLIC_REPORTS_PER_HOUR``; beyond it ``TooManyReports`` (audited). When the cache
    fails the report goes on (the limit only slows abuse) — as the 12345 web form's."""
    limit = int(settings.URBAN_PUBLIC_REPORTS_PER_HOUR)
    if limit <= 0:
        return
    hour = int(now.timestamp() // 3600)
    key = f"urban.public_reports:{counted_address(address or 'unknown')}:{hour}"
    try:
        cache.add(key, 0, timeout=3700)
        posts = int(cache.incr(key))
    except Exception as error:  # any cache backend's own errors
        logger.warning(
            "public grid reports not counted: the cache failed (%s)", type(error).__name__
        )
        return
    if posts > limit:
        audit_anonymous_refusal(
            action="denied:urban.too_many_public_reports",
            address=address or "unknown",
            detail={"reason": "too_many_posts", "limit": limit},
        )
        raise TooManyReports()


def public_report_submit(
    *,
    account: Any = None,
    phone: str = "",
    category: Category | str,
    description: str,
    longitude: Any,
    latitude: Any,
    place: str = "",
    photos: Sequence[Upload] = (),
    client_key: str,
    request_ip: str,
    now: dt.datetime | None = None,
) -> tuple[GridCase, str]:
    """A citizen's report on the web (公众上报): no staff permission, limited per client
    address (``public_report_count``, counted before anything is read). The point must be in a
    grid; the phone (optional: an anonymous report is followed by its query code) is kept
    encrypted with the applicants' blind index and masked. The case waits to be verified on
    site (``to_verify``, ``verify_due_at`` in ``URBAN_VERIFY_LIMIT_HOURS`` working hours).

    Returns ``(case, query code)``; a repeat of ``client_key`` returns the first case and its
    code and writes nothing."""
    now = now or timezone.now()
    public_report_count(address=request_ip, now=now)
    key = PUBLIC_KEY_PREFIX + client_key_checked(client_key)
    replayed = _replay(key, public=True)
    if replayed is not None:
        return replayed, replayed.query_code
    errors = ErrorList()
    found = category_checked(errors, category)
    description, place, _note = _texts(errors, description=description, place=place)
    lon, lat = point_checked(errors, longitude, latitude)
    phone = check_phone(errors, phone=phone or "", field="phone")
    report_photos = photos_checked(errors, photos)
    errors.raise_if_any(NOT_SAVED)
    assert found is not None and lon is not None and lat is not None
    grid = _grid_at(lon, lat)
    code = query_code_new()
    case = GridCase(
        source=Source.PUBLIC,
        kind=found.kind,
        category=found,
        description=description,
        place=place,
        longitude=lon,
        latitude=lat,
        grid=grid,
        region_code=grid.community_code,
        client_key=key,
        reporter_account=account,
        reported_at=now,
        verify_due_at=due_after(now, settings.URBAN_VERIFY_LIMIT_HOURS, TimeUnit.WORKING_HOUR),
        state="",
    )
    case.query_code_set(code)
    if phone:
        case.reporter_phone_encrypted = crypto.encrypt(phone, context=REPORTER_PHONE_CONTEXT)
        case.reporter_phone_index = crypto.blind_index(phone, context=PHONE_INDEX_CONTEXT)
        case.reporter_phone_masked = crypto.mask_phone(phone)
    try:
        _stored(
            case,
            [(p, PhotoKind.REPORT) for p in report_photos],
            actor=None,
            source=PaperSource.ONLINE,
            action="report_public",
            now=now,
        )
    except IntegrityError:
        replayed = _replay(key, public=True)
        if replayed is None:
            raise
        return replayed, replayed.query_code
    return case, code


__all__ = [
    "case_number_next",
    "category_checked",
    "client_key_checked",
    "photos_checked",
    "point_checked",
    "public_report_count",
    "public_report_submit",
    "report_submit",
]
