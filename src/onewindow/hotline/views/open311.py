"""The Open311 GeoReport v2 face (``/open311/v2/``, outside the language prefix, no session,
no CSRF token: a client proves itself with ``api_key``). Every answer is the spec's JSON or XML;
every refusal the spec's error array with its status (400 bad input, 403 bad or revoked key,
404 unknown service or request, 429 over the client's limit), audited; nothing answers 500.

Reading is public, as in the spec, and tells public fields only (docs/adr/0022-open311.md);
posting takes ``api_key`` and an optional ``idempotency_key`` (parameter or ``Idempotency-Key``
header): a retry with the same key returns the first post's order."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from onewindow.core.audit import audit_anonymous_refusal
from onewindow.core.client import client_address
from onewindow.core.validation import has_control_characters
from onewindow.hotline.open311 import catalogue, orders
from onewindow.hotline.open311.clients import client_for_key, request_count
from onewindow.hotline.open311.errors import Open311Error
from onewindow.hotline.open311.render import errors_response, respond

BODY_MAX_BYTES = 64 * 1024
FORM = "application/x-www-form-urlencoded"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
KEY_REFUSED = {
    "no_key": _("api_key: give the key issued to your application."),
    "unknown_key": _("api_key: the key is not valid."),
    "revoked": _("api_key: the key has been revoked."),
}
View = Callable[..., HttpResponse]


def _shown_path(request: HttpRequest) -> str:
    """The path for the audit trail, control characters (a NUL, which PostgreSQL's JSON
    cannot hold) shown as "?"."""
    return "".join(c if c.isprintable() else "?" for c in request.path[:200])


def endpoint(*methods: str) -> Callable[[View], View]:
    """The face's frame: the methods allowed, the spec's errors, every refusal audited."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise Open311Error.of(
                        405, _("This address does not take that method."), reason="method"
                    )
                return view(request, fmt, **kwargs)
            except Open311Error as refusal:
                audit_anonymous_refusal(
                    action=f"denied:hotline.open311.{refusal.reason or refusal.status}",
                    address=client_address(request),
                    object_type="open311",
                    detail={"path": _shown_path(request), "status": refusal.status},
                )
                response = errors_response(fmt, refusal.status, refusal.descriptions)
                if refusal.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapped

    return decorate


@endpoint("GET", "HEAD")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    body = {
        "changeset": "2026-12-02T00:00:00+08:00",
        "contact": str(_("The 12345 hotline centre")),
        "key_service": str(_("Ask the hotline centre for an API key.")),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": "2026-12-02T00:00:00+08:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(
        fmt,
        body,
        root="discovery",
        item_names={"endpoints": "endpoint", "formats": "format"},
    )


@endpoint("GET", "HEAD")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    body = [
        {
            "service_code": category.code,
            "service_name": category.name,
            "description": str(category),
            "metadata": True,
            "type": "realtime",
            "keywords": ", ".join(category.keywords.split()),
            "group": category.parent.name if category.parent else "",
        }
        for category in catalogue.services()
    ]
    return respond(fmt, body, root="services", item_names={"services": "service"})


@endpoint("GET", "HEAD")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    usable = len(code) <= 16 and not has_control_characters(code)
    category = catalogue.service_get(code) if usable else None
    if category is None:
        raise Open311Error.of(404, _("service_code: no such service."), reason="unknown_service")
    body = {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": None,
                "order": attribute.order,
                "description": str(attribute.description),
                "values": [{"key": key, "name": str(name)} for key, name in attribute.values],
            }
            for attribute in catalogue.ATTRIBUTES
        ],
    }
    return respond(
        fmt,
        body,
        root="service_definition",
        item_names={"attributes": "attribute", "values": "value"},
    )


def _requests_response(fmt: str, rows: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    return respond(
        fmt,
        rows,
        root="service_requests",
        item_names={"service_requests": "request"},
        status=status,
    )


def _form(request: HttpRequest) -> Any:
    content_type = (request.content_type or "").lower()
    if content_type != FORM:
        raise orders.bad_request(
            _(
                "Send the request form-encoded (application/x-www-form-urlencoded), "
                "not as %(type)s."
            ),
            type=content_type[:60] or "?",
        )
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > BODY_MAX_BYTES:
        raise orders.bad_request(
            _("The request is too large: at most %(max)s bytes."), max=BODY_MAX_BYTES
        )
    try:
        return request.POST
    except (RequestDataTooBig, TooManyFieldsSent):
        raise orders.bad_request(
            _("The request is too large: at most %(max)s bytes."), max=BODY_MAX_BYTES
        ) from None


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    data = _form(request)
    client, why = client_for_key(data.get("api_key", ""))
    if client is None:
        raise Open311Error.of(403, KEY_REFUSED[why], reason=why)
    within, _count = request_count(client, now=timezone.now())
    if not within:
        raise Open311Error.of(
            429,
            _("Too many requests: at most %(limit)s a minute for this key."),
            reason="too_many",
            limit=client.per_minute,
        )
    idempotency_key = (
        data.get("idempotency_key") or request.headers.get("Idempotency-Key") or ""
    ).strip()
    posted = orders.request_post(client=client, data=data, idempotency_key=idempotency_key)
    body = [
        {
            "service_request_id": posted.order.number,
            "service_notice": str(orders.SERVICE_NOTICE),
            "account_id": None,
        }
    ]
    response = _requests_response(fmt, body)
    if not posted.created:
        response["Idempotent-Replayed"] = "true"
    return response


@endpoint("GET", "HEAD", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post(request, fmt)
    found = orders.requests_find(request.GET, now=timezone.now())
    return _requests_response(fmt, [orders.request_public(order) for order in found])


@endpoint("GET", "HEAD")
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    order = orders.request_get(number)
    if order is None:
        raise Open311Error.of(404, _("service_request_id: no such request."), reason="not_found")
    return _requests_response(fmt, [orders.request_public(order)])


FMT = r"\.(?P<fmt>json|xml)$"
URLS: list[URLPattern] = [
    re_path(r"^discovery" + FMT, discovery, name="discovery"),
    re_path(r"^services" + FMT, services, name="services"),
    re_path(r"^services/(?P<code>[^/]{1,64})" + FMT, service_definition, name="service"),
    re_path(r"^requests" + FMT, requests, name="requests"),
    re_path(r"^requests/(?P<number>[^/]{1,64})" + FMT, request_detail, name="request"),
]


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under ``/open311/v2/``: the spec's 404, as XML (the required format)."""
    fmt = "json" if rest.endswith(".json") else "xml"
    audit_anonymous_refusal(
        action="denied:hotline.open311.unknown_address",
        address=client_address(request),
        object_type="open311",
        detail={"path": _shown_path(request), "status": 404},
    )
    return errors_response(fmt, 404, [orders.both_text(_("No such address in this API."))])


URLS.append(re_path(r"^(?P<rest>.*)$", unknown, name="unknown"))
