"""The public rating pages (好差评): the form of a rating link (``/r/<token>``: the SMS, the
receipt's QR code, the progress page), the signed-in citizen's rating of one of their cases
(``/my/ratings/<number>/``), the thank-you page, and the rating pad at a window
(``/rate/pad/<secret>/``: waits, polled by htmx, and shows the on-site form after a visit).

The form works without JavaScript in two steps: the five levels as big buttons (a GET that
names the level), then the aspects (each preset to the level chosen, changeable) and the
reasons shown for that level, with a comment, sent by POST (CSRF-protected). An invalid or
unknown link and one naming a missing case get one answer (404); an expired link, a used one, a
closed period have their own clear pages. Public POSTs are limited per address
(``RATING_POSTS_PER_MINUTE``). Every answer is ``no-store``; no inline script (the CSP).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.cases.models import Case, CaseEvent
from onewindow.catalog.names import english_active, local_text
from onewindow.citizens.auth import citizen_page
from onewindow.core.client import client_address
from onewindow.core.errors import (
    ApplicationError,
    NotFoundOrForbidden,
    ValidationFailed,
    bilingual,
)
from onewindow.core.validation import record_id
from onewindow.ratings import selectors
from onewindow.ratings.codes import (
    FORM_VERSION,
    Channel,
    Level,
    Occasion,
    dimensions_for,
    options_for,
)
from onewindow.ratings.errors import AlreadyRated, NotRateableYet, PadNotFound, RatingClosed
from onewindow.ratings.limits import TooManyRatingPosts, rating_post_count
from onewindow.ratings.links import LinkExpired, LinkInvalid, rating_token_read
from onewindow.ratings.services.pad import pad_for_secret
from onewindow.ratings.services.rate import COMMENT_MAX_LENGTH, rating_submit

View = Callable[..., HttpResponse]
OPTIONS_MAX = 20


def _texts(error: ApplicationError) -> dict[str, Any]:
    """The error in the page's language: Chinese first with English too, or English only on
    English pages."""
    data = error.as_dict()
    english = english_active()
    key = "message_en" if english else "message"
    return {
        "message": data[key],
        "message_en": "" if english else data["message_en"],
        "fields": {e["field"]: e[key] for e in data["errors"]},
        "code": data["code"],
    }


def _small_int(raw: Any) -> Any:
    """A posted number as an int when it is one or two ASCII digits; else the text as it came
    (the service refuses it with its field's message)."""
    text = str(raw or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else text[:8]


def _answers(post: QueryDict) -> dict[str, Any]:
    dimensions = {
        key[4:][:40]: _small_int(value)
        for key, value in list(post.items())[:40]
        if key.startswith("dim_")
    }
    return {
        "level": _small_int(post.get("level")),
        "dimensions": dimensions,
        "options": [str(o)[:40] for o in post.getlist("option")[:OPTIONS_MAX]],
        "comment": str(post.get("comment", "")),
    }


def _level_of(raw: Any) -> int | None:
    value = _small_int(raw)
    return value if isinstance(value, int) and 1 <= value <= 5 else None


def _form(
    *,
    occasion: str,
    level: int | None,
    answers: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the form template shows: the levels, and after a level its aspects and reasons."""
    answers = answers or {}
    fields = (error or {}).get("fields", {})
    chosen = answers.get("dimensions", {})
    ticked = set(answers.get("options", []))
    form: dict[str, Any] = {
        "levels": [{"value": v, "label": label} for v, label in Level.choices],
        "level": level,
        "level_label": Level(level).label if level else "",
        "comment_max": COMMENT_MAX_LENGTH,
        "comment": answers.get("comment", ""),
        "comment_error": fields.get("comment", ""),
        "options_error": fields.get("options", ""),
        "level_error": fields.get("level", ""),
    }
    if level:
        form["dimensions"] = [
            {
                "code": str(d),
                "label": d.label,
                "value": chosen.get(str(d), level) if answers else level,
                "error": fields.get(f"dimensions.{d}", ""),
            }
            for d in dimensions_for(occasion)
        ]
        form["options"] = [
            {"code": o.code, "label": o.label, "checked": o.code in ticked}
            for o in options_for(occasion, level, FORM_VERSION)
        ]
    return form


def _what(case: Case) -> dict[str, Any]:
    """What is rated, as the form names it (no personal data)."""
    snapshot = case.item_version.snapshot
    name = local_text(str(snapshot.get("name", "")), str(snapshot.get("name_en", "") or ""))
    return {
        "case_name": name,
        "number": case.number,
        "item": name,
        "centre": local_text(case.centre.name, getattr(case.centre, "name_en", "") or ""),
        "department": local_text(case.department.name, case.department.name_en or ""),
    }


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Referrer-Policy"] = "same-origin"
    return response


STATE_PAGES: dict[str, tuple[int, Any, Any]] = {
    "invalid": (
        404,
        _("This rating link does not work"),
        _(
            "The link is incomplete or not one of ours. Open the whole link from the SMS, or "
            "rate from the progress page with your case number and query code."
        ),
    ),
    "expired": (
        410,
        _("This rating link has expired"),
        _(
            "Rating links are valid for the rating period only. If something went wrong, call "
            "the 12345 hotline or tell the centre."
        ),
    ),
    "used": (409, _("Rated already"), AlreadyRated().message),
    "closed": (410, _("The time to rate has passed"), RatingClosed().message),
    "not_yet": (409, _("Not yet to be rated"), NotRateableYet().message),
    "too_many": (429, _("Too many ratings just now"), TooManyRatingPosts().message),
}


def _bilingual(message: Any) -> dict[str, str]:
    text = bilingual(message)
    return (
        {"message": text["en"], "message_en": ""}
        if english_active()
        else {
            "message": text["zh"],
            "message_en": text["en"],
        }
    )


def _state_page(request: HttpRequest, state: str) -> HttpResponse:
    status, title, message = STATE_PAGES[state]
    context = {"state": state, "title": title, **_bilingual(message)}
    return _page(request, "ratings/link_state.html", context, status=status)


def _refusal_state(error: ApplicationError) -> str | None:
    if isinstance(error, AlreadyRated):
        return "used"
    if isinstance(error, RatingClosed):
        return "closed"
    if isinstance(error, NotRateableYet):
        return "not_yet"
    if isinstance(error, TooManyRatingPosts):
        return "too_many"
    return None


def _rate_flow(
    request: HttpRequest,
    *,
    case: Case,
    channel: str,
    event: CaseEvent | None,
    action: str,
    template: str = "ratings/rate.html",
    extra: dict[str, Any] | None = None,
    done: str | None = None,
    hidden: dict[str, Any] | None = None,
    pad: Any = None,
) -> HttpResponse:
    """The two steps of the form for one occasion, and the POST that stores the rating (a pad's
    posts are counted per pad, the others per address)."""
    occasion = Occasion.VISIT if event is not None else Occasion.CASE
    key = (
        selectors.visit_occasion_key(case.pk, event.pk)
        if event is not None
        else selectors.case_occasion_key(case.pk)
    )
    context: dict[str, Any] = {
        "what": _what(case),
        "occasion": occasion,
        "action": action,
        # The level step is a GET form: its action's query is not sent, these fields are.
        "level_action": action.split("?")[0],
        "hidden": hidden or {},
        "change_url": action.split("?")[0] + ("?" + urlencode(hidden) if hidden else ""),
        "error": None,
        **(extra or {}),
    }
    if request.method == "POST":
        answers = _answers(request.POST)
        try:
            rating_post_count(
                address=client_address(request),
                now=timezone.now(),
                pad_id=pad.pk if pad is not None else None,
            )
            rating = rating_submit(
                case=case,
                channel=channel,
                event=event,
                pad=pad,
                level=answers["level"],
                dimensions=answers["dimensions"],
                options=answers["options"],
                comment=answers["comment"],
            )
        except ValidationFailed as error:
            texts = _texts(error)
            level = _level_of(answers["level"])
            context.update(
                error=texts,
                form=_form(occasion=occasion, level=level, answers=answers, error=texts),
            )
            return _page(request, template, context, status=422)
        except ApplicationError as error:
            state = _refusal_state(error)
            if state is None:
                raise
            return _state_page(request, state)
        # A 差评 is told of the call-back to come; any other rating is thanked only.
        thanks = reverse("ratings_public:thanks") + ("?bad=1" if rating.is_bad else "")
        return HttpResponseRedirect(done or thanks)
    if selectors.occasion_rated(key):
        return _state_page(request, "used")
    start = event.at if event is not None else selectors.case_completed_at(case)
    if start is None:
        return _state_page(request, "not_yet")
    if timezone.now() > start + selectors.rating_period():
        return _state_page(request, "closed")
    context["form"] = _form(occasion=occasion, level=_level_of(request.GET.get("level")))
    return _page(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """``/r/<token>``: the rating form of the occasion the signed link names."""
    try:
        link = rating_token_read(token)
    except LinkExpired:
        return _state_page(request, "expired")
    except LinkInvalid:
        return _state_page(request, "invalid")
    case = (
        Case.objects.select_related("item_version", "centre__region", "department")
        .filter(pk=link.case_id)
        .first()
    )
    if case is None:
        return _state_page(request, "invalid")
    event = None
    if link.event_id is not None:
        event = selectors.visit_event(case=case, event_id=link.event_id)
        if event is None:
            return _state_page(request, "invalid")
    return _rate_flow(
        request,
        case=case,
        channel=link.channel,
        event=event,
        action=reverse("ratings_public:rate", kwargs={"token": token}),
    )


@require_safe
@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    return _page(request, "ratings/thanks.html", {"bad": request.GET.get("bad") == "1"})


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@citizen_page
def account_rate(request: HttpRequest, number: str) -> HttpResponse:
    """``/my/ratings/<number>/``: the account's own case (or a case of a company it may see the
    cases of, ``?company=``) rated online; any other number: the one 404, audited."""
    account = request.citizen  # type: ignore[attr-defined]
    raw_company = str(request.GET.get("company", ""))
    company_id = record_id(raw_company)
    if raw_company and company_id is None:
        raise NotFoundOrForbidden()  # a company asked for that is no id: as one not theirs
    case = selectors.account_case(account=account, number=number, company_id=company_id)
    action = reverse("ratings_public:account_rate", kwargs={"number": case.number})
    if company_id:
        action = f"{action}?company={company_id}"
    return _rate_flow(
        request,
        case=case,
        channel=Channel.ACCOUNT,
        event=None,
        action=action,
        hidden={"company": company_id} if company_id else None,
    )


# --- the rating pad -------------------------------------------------------------------------


def _pad(view: View) -> View:
    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, secret: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            pad = pad_for_secret(secret)
        except PadNotFound:
            return _page(request, "ratings/pad_unknown.html", {}, status=404)
        response = view(request, pad, secret, *args, **kwargs)
        # The pad's address holds its secret: never sent to another site as a referrer
        # (same-origin, not no-referrer: the form's POST needs its Origin for the CSRF check).
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def _pad_context(pad: Any, secret: str) -> dict[str, Any]:
    visit = selectors.pad_visit(window=pad.window)
    return {
        "pad": pad,
        "window": pad.window,
        "visit": visit,
        "form": _form(occasion=Occasion.VISIT, level=None) if visit else None,
        "poll_url": reverse("ratings_public:pad_visit", kwargs={"secret": secret}),
        "pad_url": reverse("ratings_public:pad", kwargs={"secret": secret}),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@_pad
def pad(request: HttpRequest, pad: Any, secret: str) -> HttpResponse:
    """The pad: waiting (polled), or — after a level was chosen for the visit it showed — the
    aspects and reasons of the on-site form, sent by POST; then thanks, and waiting again."""
    pad_url = reverse("ratings_public:pad", kwargs={"secret": secret})
    event_id = _small_event(
        request.POST.get("event") if request.method == "POST" else request.GET.get("event")
    )
    if event_id is None and request.method != "POST":
        return _page(request, "ratings/pad.html", _pad_context(pad, secret))
    event = selectors.pad_event(window=pad.window, event_id=event_id)
    if event is None:
        # The visit is no longer this window's current one (rated, too old, another window's).
        return HttpResponseRedirect(pad_url)
    extra = {
        "pad": pad,
        "window": pad.window,
        "pad_url": pad_url,
        "poll_url": reverse("ratings_public:pad_visit", kwargs={"secret": secret}),
    }
    return _rate_flow(
        request,
        case=event.case,
        channel=Channel.PAD,
        event=event,
        action=pad_url,
        template="ratings/pad_rate.html",
        extra=extra,
        done=reverse("ratings_public:pad_thanks", kwargs={"secret": secret}),
        hidden={"event": event.pk},
        pad=pad,
    )


def _small_event(raw: Any) -> int | None:
    text = str(raw or "")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 10 else None


@require_safe
@_pad
def pad_visit(request: HttpRequest, pad: Any, secret: str) -> HttpResponse:
    """The pad's polled fragment: waiting, or the levels of the visit just made at its window."""
    return _page(request, "ratings/_pad_visit.html", _pad_context(pad, secret))


@require_safe
@_pad
def pad_thanks(request: HttpRequest, pad: Any, secret: str) -> HttpResponse:
    return _page(
        request,
        "ratings/pad_thanks.html",
        {
            "window": pad.window,
            "pad_url": reverse("ratings_public:pad", kwargs={"secret": secret}),
            "poll_url": reverse("ratings_public:pad_visit", kwargs={"secret": secret}),
        },
    )
