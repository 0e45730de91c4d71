"""Every public page passes axe-core (no critical or serious violation), in standard mode and in
care mode (关怀模式), on a phone in Debian's Chromium; care mode's sizes are read back from the
browser (22 px type, nothing under 20 px, targets of 48 px, one column) and its text contrast is
held to 7:1 (axe's ``color-contrast-enhanced``).

To add a page to the walk, add one ``PublicPage`` line to ``PUBLIC_PAGES``: a name, a function
from the ``Scene`` to the address, and ``citizen=True`` when it needs the signed-in citizen
(``then=`` for a step after loading, such as sending a form). axe-core comes from npm
(package.json, installed by scripts/bootstrap.sh) and is injected by the test only: it is never
served to visitors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

import onewindow
from onewindow.care.mode import COOKIE, COOKIE_ON
from onewindow.cases.tests.conftest import City, resident_id
from onewindow.cases.tests.conftest import city as city
from onewindow.cases.tests.test_progress import delivered_lift_case
from onewindow.citizens import services as citizen_services
from onewindow.citizens.models import CitizenAccount
from onewindow.citizens.tests.conftest import last_code
from onewindow.papers.models import PaperSource, PersonPaper
from onewindow.papers.samples import sample_png
from onewindow.papers.services import paper_stored
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.testing.factories import TopicFactory, create_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(onewindow.__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("critical", "serious")
CITIZEN_PHONE = "13800138000"  # the city's applicant, 陈大文
CARE_ROOT_PX = 22
CARE_MIN_TEXT_PX = 20
CARE_MIN_TARGET_PX = 48
CARE_MIN_LINE_HEIGHT = 1.6
STANDARD_ROOT_PX = 18


@dataclass
class Scene:
    city: City
    case: Any
    topic: Any
    company: Any = None
    group: Any = None
    ticket: Any = None
    application: Any = None


@dataclass(frozen=True)
class PublicPage:
    name: str
    url: Callable[[Scene], str]
    citizen: bool = False
    then: Callable[[Any, Scene], None] | None = None
    # A page of the hall's own devices (the kiosk, its ticket, the TV's calling screen): built
    # large for everyone, with no personal switch (a cookie on a shared kiosk would change it
    # for the next visitor). axe runs on it in both walks; care mode's class and sizes do not.
    device: bool = False


def _send_progress_form(page: Any, scene: Scene) -> None:
    page.fill("#progress-number", scene.case.number)
    page.fill("#progress-code", scene.case.query_code)
    page.locator("#progress-form button[type=submit]").click()
    page.wait_for_selector(".timeline")


def _ask_for_a_code(page: Any, scene: Scene) -> None:
    page.fill("#sign-in-phone", "13900000001")
    page.locator("#sign-in-send").click()
    page.wait_for_selector("#sign-in-code")


def _refused_form(page: Any, scene: Scene) -> None:
    """A form sent with a stale CSRF token: the site's 403 page for an expired form."""
    page.evaluate("document.querySelector('#care-switch').form.csrfmiddlewaretoken.value = 'x'")
    page.context.clear_cookies(name="csrftoken")
    page.locator("#care-switch").click()
    page.wait_for_selector("#error-title")


def at(name: str, *args: Callable[[Scene], Any], query: str = "") -> Callable[[Scene], str]:
    """The address of the named page, its arguments taken from the scene."""
    return lambda scene: reverse(name, args=[arg(scene) for arg in args]) + query


def path(address: str) -> Callable[[Scene], str]:
    return lambda scene: address


def _rating_link(scene: Scene) -> str:
    from onewindow.ratings.links import rating_path, rating_token

    return rating_path(rating_token(case_id=int(str(scene.case.pk)), channel="sms"))


def _pad_address(name: str) -> Callable[[Scene], str]:
    """A rating pad of the instant window, paired for the walk (any secret for the shape)."""

    def address(scene: Scene) -> str:
        secret = "x"
        if isinstance(scene.city, City):
            from onewindow.org.models import Role
            from onewindow.ratings.services.pad import pad_issue
            from onewindow.testing.factories import staff_with_role

            manager = staff_with_role(Role.CENTRE_MANAGER, centre=scene.city.street_centre)
            _pad, secret = pad_issue(actor=manager, window_id=scene.city.instant_window.pk)
        return reverse(name, kwargs={"secret": secret})

    return address


# The public pages, one line each (new apps add theirs here).
PUBLIC_PAGES: list[PublicPage] = [
    PublicPage("home", at("catalog:home")),
    PublicPage("home in English", path("/en/")),
    PublicPage("search", at("catalog:search", query="?q=电梯")),
    PublicPage("search, nothing found", at("catalog:search", query="?q=无此事项")),
    PublicPage("department", at("catalog:department", lambda s: s.city.lift.department_id)),
    PublicPage("life-event topic", at("catalog:topic", lambda s: s.topic.code)),
    PublicPage("item guide", at("catalog:item", lambda s: s.city.lift.pk)),
    PublicPage("item guide in English", lambda s: f"/en/items/{s.city.lift.pk}/"),
    PublicPage("power list", at("catalog:power_list")),
    PublicPage("published ratings", at("ratings_public:results")),
    PublicPage("honour board", at("assess:honours")),
    PublicPage(
        "ratings of a department",
        at("ratings_public:results_department", lambda s: s.city.lift.department_id),
    ),
    PublicPage("ratings of an item", at("ratings_public:results_item", lambda s: s.city.lift.pk)),
    PublicPage("progress form", at("cases_public:progress")),
    PublicPage("progress of a case", at("cases_public:progress"), then=_send_progress_form),
    PublicPage("not found (404)", path("/no-such-page/")),
    PublicPage("form expired (403)", at("catalog:home"), then=_refused_form),
    PublicPage("not allowed (403)", path("/__a11y__/403")),
    PublicPage("server error (500)", path("/__a11y__/500")),
    PublicPage("citizen sign-in", at("citizens:sign_in")),
    PublicPage("citizen sign-in, code step", at("citizens:sign_in"), then=_ask_for_a_code),
    PublicPage("my cases", at("citizens:home"), citizen=True),
    PublicPage("my case", at("citizens:case", lambda s: s.case.number), citizen=True),
    PublicPage("my messages", at("citizens:messages"), citizen=True),
    PublicPage("my papers", at("citizens:papers"), citizen=True),
    PublicPage("real name", at("citizens:bind"), citizen=True),
    PublicPage("signed-in devices", at("citizens:devices"), citizen=True),
    PublicPage("companies", at("citizens:companies"), citizen=True),
    PublicPage("a company", at("citizens:company", lambda s: s.company.pk), citizen=True),
    PublicPage("apply online", at("online:start", lambda s: s.city.lift.pk), citizen=True),
    PublicPage("my applications", at("online:mine"), citizen=True),
    PublicPage("an application", at("online:detail", lambda s: s.application), citizen=True),
    PublicPage("its form", at("online:form", lambda s: s.application), citizen=True),
    PublicPage("its papers", at("online:papers", lambda s: s.application), citizen=True),
    PublicPage("review and send", at("online:review", lambda s: s.application), citizen=True),
    PublicPage("appointments", at("hall:index")),
    PublicPage("book a visit", at("hall:book"), citizen=True),
    PublicPage("book: a service", lambda s: f"/hall/book/?group={s.group.pk}", citizen=True),
    PublicPage("my bookings", at("hall:bookings"), citizen=True),
    PublicPage("kiosk", at("hall:kiosk", lambda s: s.city.hall.code), device=True),
    PublicPage("queue ticket", at("hall:ticket", lambda s: s.ticket.token), device=True),
    PublicPage("calling screen", at("hall:screen", lambda s: s.city.hall.code), device=True),
    PublicPage("rating form", _rating_link),
    PublicPage("rating form, level chosen", lambda s: _rating_link(s) + "?level=2"),
    PublicPage("rating link not valid", path("/r/not-a-link")),
    PublicPage("rating thanks", at("ratings_public:thanks")),
    PublicPage(
        "rate from my cases",
        at("ratings_public:account_rate", lambda s: s.case.number, query="?level=1"),
        citizen=True,
    ),
    PublicPage("12345 web form", at("hotline_public:form")),
    PublicPage("12345 web form, signed in", at("hotline_public:form"), citizen=True),
    PublicPage("12345 thanks (shown once)", at("hotline_public:thanks")),
    PublicPage("12345 follow a request", at("hotline_public:track")),
    PublicPage("my 12345 requests", at("hotline_public:mine"), citizen=True),
    PublicPage("grid report (公众上报)", at("urban_public:report")),
    PublicPage("grid report thanks (shown once)", at("urban_public:thanks")),
    PublicPage("grid report, follow it", at("urban_public:track")),
    PublicPage("rating pad", _pad_address("ratings_public:pad"), device=True),
    PublicPage("rating pad, thanks", _pad_address("ratings_public:pad_thanks"), device=True),
]

# Named addresses outside the walk on purpose: files, a redirect, POST-only actions.
NOT_PAGES = {
    "catalog:item_result_sample",
    "catalog:item_material_file",
    "cases_public:short_link",
    "citizens:sign_out",
    "citizens:paper_file",
    "citizens:paper_thumbnail",
    "care:switch",
    "hall:cancel",  # POST only
    "online:withdraw",  # POST only
    "online:paper_file",
    "hall:screen_calls",  # the calling screen's fragment, polled by htmx
    "ratings_public:pad_visit",  # the rating pad's fragment, polled by htmx
    "grid_public:outlines",  # GeoJSON the report page's map draws (grid/tests/test_public.py)
}
# Address prefixes that are no public page (staff shell, admin, APIs, language switch, probes).
# Open311 (open311/) is an API in JSON and XML, tested in hotline/tests/test_open311*.py.
NOT_PUBLIC = (
    "staff/",
    "admin/",
    "api/",
    "open311/",
    "i18n/",
    "healthz",
    "readyz",
    "metrics",
    "favicon",
)


class _Anything:
    """Stands for any object of the scene when only the shape of an address matters."""

    def __getattr__(self, name: str) -> _Anything:
        return self

    def __str__(self) -> str:
        return "1"


def public_page_names() -> set[str]:
    """Every named address of the site outside the staff shell, the admin and the API."""
    from django.urls import URLResolver, get_resolver

    names: set[str] = set()

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(NOT_PUBLIC):
                continue
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                walk(pattern.url_patterns, route, inner)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    with translation.override("zh-hans"):
        walk(get_resolver().url_patterns, "", "")
    return names


def test_the_walk_covers_every_public_page_of_every_app():
    """A new public page (of any app) fails here until it has its line in PUBLIC_PAGES."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    anything: Any = _Anything()
    scene = Scene(
        city=anything,
        case=anything,
        topic=anything,
        company=anything,
        group=anything,
        ticket=anything,
        application=anything,
    )
    walked = set()
    for page in PUBLIC_PAGES:
        for language in ("zh-hans", "en"):  # an address resolves in its own language
            with translation.override(language):
                try:
                    walked.add(resolve(urlsplit(page.url(scene)).path).view_name)
                except Resolver404:  # the 404 page, the rendered 403 and 500
                    continue
    assert public_page_names() - NOT_PAGES - walked == set()
    assert "catalog:home" in walked and "citizens:company" in walked


# Collects the sizes care mode promises, for every visible element of the page.
CARE_METRICS = """(limits) => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && r.bottom + window.scrollY > 0
      && el.checkVisibility({visibilityProperty: true}) && !el.closest('.visually-hidden');
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (el.innerText || el.value || '').trim().slice(0, 30) + '"';
  // A link inside a sentence (WCAG 2.5.8's inline exception): text around it in its block.
  const inline = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const parent = el.parentElement;
    return [...parent.childNodes].some((n) => n !== el && n.textContent.trim() !== '');
  };
  const problems = [];
  const root = parseFloat(getComputedStyle(document.documentElement).fontSize);
  if (root !== limits.root) problems.push('root font ' + root + 'px');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const small = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !visible(el)) continue;
    const s = getComputedStyle(el);
    if (parseFloat(s.fontSize) < limits.text) small.add(name(el) + ' ' + s.fontSize);
    if (parseFloat(s.opacity) < 1) small.add(name(el) + ' opacity ' + s.opacity);
  }
  problems.push(...[...small].map((t) => 'small text: ' + t));
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!visible(el) || inline(el)) continue;
    // A check box or radio button is hit through its label as well.
    const h = (el.closest('label') || el).getBoundingClientRect().height;
    if (h < limits.target) problems.push('small target: ' + name(el) + ' ' + h + 'px');
  }
  for (const el of document.querySelectorAll('main p, main dd, main li')) {
    if (!visible(el)) continue;
    const s = getComputedStyle(el);
    const ratio = parseFloat(s.lineHeight) / parseFloat(s.fontSize);
    if (ratio < limits.lineHeight) {
      problems.push('tight lines: ' + name(el) + ' ' + ratio.toFixed(2));
    }
  }
  for (const el of document.querySelectorAll('.tiles, .item-list, .progress-form')) {
    if (!visible(el)) continue;
    const columns = getComputedStyle(el).gridTemplateColumns.split(' ').length;
    if (columns !== 1) problems.push('columns: ' + name(el) + ' ' + columns);
  }
  if (document.scrollingElement.scrollWidth > window.innerWidth) {
    problems.push('sideways scroll: ' + document.scrollingElement.scrollWidth);
  }
  return problems;
}"""


def axe_violations(page: Any, *, care: bool) -> list[dict[str, Any]]:
    """The page's blocking axe-core violations (in care mode: any text under 7:1 contrast too)."""
    if not AXE.is_file():
        raise RuntimeError(f"axe-core not found at {AXE}: run scripts/bootstrap.sh --test.")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async ([tags, care]) => {
          const rules = care ? {'color-contrast-enhanced': {enabled: true}} : {};
          const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules});
          const ran = [...result.passes, ...result.violations, ...result.incomplete]
            .map((r) => r.id);
          const found = result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 6).map((n) => n.target.join(' ') + ': ' + n.failureSummary),
          }));
          if (care && !ran.includes('color-contrast-enhanced')) {
            found.push({id: 'color-contrast-enhanced', impact: 'serious', help: 'did not run'});
          }
          return found;
        }""",
        [AXE_TAGS, care],
    )
    return [
        v for v in violations if v["impact"] in BLOCKING or v["id"] == "color-contrast-enhanced"
    ]


def _hall_group(city: City) -> Any:
    """Group A of the city's hall, open every day around the clock (some slot is left to
    show whenever the walk runs), served at the intake window, with a ticket waiting."""
    import datetime as dt

    from onewindow.hall.models import OpeningPeriod, ServiceGroup

    group = ServiceGroup.objects.create(
        centre=city.hall, letter="A", name="综合受理", name_en="General", slot_minutes=30
    )
    group.items.add(city.lift)
    for weekday in range(7):
        OpeningPeriod.objects.create(
            group=group, weekday=weekday, starts=dt.time(0, 0), ends=dt.time(23, 30)
        )
    return group


@pytest.fixture
def scene(city) -> Scene:
    from onewindow.hall.services import ticket_take

    case = delivered_lift_case(city)
    topic = TopicFactory(name="住房")
    city.lift.topics.add(topic)
    group = _hall_group(city)
    ticket = ticket_take(centre=city.hall, group_id=group.pk)
    return Scene(city=city, case=case, topic=topic, group=group, ticket=ticket)


@pytest.fixture(autouse=True)
def _citizen_settings(settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.DemoRegistryVerifier"
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"


PHONE = {"viewport": PHONE_VIEWPORT, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def _browser_context(browser: Any, live_server: Any, *, care: bool, screen: Any) -> Any:
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        bypass_csp=True,  # axe is injected as a script of the page; the CSP has its own tests
        **screen,
    )
    context.set_default_timeout(10_000)
    if care:
        context.add_cookies([{"name": COOKIE, "value": COOKIE_ON, "url": live_server.url}])
    return context


def _serve_rendered_error_pages(context: Any, live_server: Any, *, care: bool) -> None:
    """403 and 500 as the site's handlers render them, at an address of the live server (no
    public page answers them on purpose)."""
    from django.template.loader import render_to_string

    from onewindow.staff.errors import error_page

    def rendered(status: int) -> str:
        request = RequestFactory().get(f"/__a11y__/{status}")
        if care:
            request.COOKIES[COOKIE] = COOKIE_ON
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        with translation.override("zh-hans"):
            if status == 500:
                return render_to_string("500.html")
            return error_page(request, status).content.decode()

    def answer(status: int) -> Callable[[Any], None]:
        body = rendered(status)
        return lambda route: route.fulfill(
            status=status, body=body, content_type="text/html; charset=utf-8"
        )

    for status in (403, 500):
        context.route(f"{live_server.url}/__a11y__/{status}", answer(status))


def _citizen_signs_in(page: Any, live_server: Any, scene: Scene) -> None:
    """陈大文 signs in by SMS code, binds his real name, holds a company and a kept paper."""
    page.goto(f"{live_server.url}{reverse('citizens:sign_in')}")
    page.fill("#sign-in-phone", CITIZEN_PHONE)
    page.locator("#sign-in-send").click()
    page.wait_for_selector("#sign-in-code")
    page.fill("#sign-in-code", last_code())
    page.locator("#sign-in-submit").click()
    page.wait_for_selector("#my-cases-unbound")
    account = CitizenAccount.objects.get()
    citizen_services.real_name_bind(account=account, id_number=resident_id(), name="陈大文")
    account.refresh_from_db()
    organisation = create_organisation(
        legal_representative_name="陈大文", legal_representative_id=resident_id()
    )
    scene.company = citizen_services.company_claim(account=account, uscc=organisation.uscc)
    with paper_stored(
        upload=_upload("scan.png", sample_png()),
        name="scan.png",
        source=PaperSource.WINDOW,
        actor=None,
    ) as paper:
        pass
    PersonPaper.objects.create(
        person=scene.city.person, paper=paper, label="户口簿", consent_note="2026-12-01 窗口"
    )
    # A draft online application for the lift item, with one paper uploaded.
    from onewindow.catalog.models import ServiceItem
    from onewindow.online.services import application_start, paper_upload

    ServiceItem.objects.filter(pk=scene.city.lift.pk).update(is_online=True)
    application = application_start(account=account, item_id=scene.city.lift.pk)
    first = scene.city.lift.materials.order_by("order", "id").first()
    paper_upload(
        account=account,
        reference=application.reference,
        material_name=first.name,
        upload=_upload("申请表.png", sample_png()),
    )
    scene.application = application.reference


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def _walk(
    browser: Any, live_server: Any, scene: Scene, *, care: bool, screen: Any = PHONE
) -> dict[str, Any]:
    context = _browser_context(browser, live_server, care=care, screen=screen)
    _serve_rendered_error_pages(context, live_server, care=care)
    page = context.new_page()
    problems: dict[str, Any] = {}
    try:
        signed_in = False
        for public_page in PUBLIC_PAGES:
            if public_page.citizen and not signed_in:
                _citizen_signs_in(page, live_server, scene)
                signed_in = True
            page.goto(f"{live_server.url}{public_page.url(scene)}")
            if public_page.then:
                public_page.then(page, scene)
            found: dict[str, Any] = {}
            html_class = page.evaluate("document.documentElement.className")
            # The 500 page renders without the request (no database, no context): standard.
            expect_care = (
                care and public_page.name != "server error (500)" and not public_page.device
            )
            if html_class != ("care" if expect_care else ""):
                found["html class"] = html_class
            violations = axe_violations(page, care=expect_care)
            if violations:
                found["axe"] = violations
            if not expect_care:
                root = page.evaluate("getComputedStyle(document.documentElement).fontSize")
                if root != f"{STANDARD_ROOT_PX}px":
                    found["root font"] = root
            if expect_care:
                metrics = page.evaluate(
                    CARE_METRICS,
                    {
                        "root": CARE_ROOT_PX,
                        "text": CARE_MIN_TEXT_PX,
                        "target": CARE_MIN_TARGET_PX,
                        "lineHeight": CARE_MIN_LINE_HEIGHT,
                    },
                )
                if metrics:
                    found["care sizes"] = metrics
            if found:
                problems[f"{public_page.name} ({page.url})"] = found
    finally:
        context.close()
    return problems


def test_every_public_page_passes_axe_in_standard_mode(browser, live_server, scene):
    problems = _walk(browser, live_server, scene, care=False)
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


def test_every_public_page_passes_axe_and_the_care_sizes_in_care_mode(browser, live_server, scene):
    problems = _walk(browser, live_server, scene, care=True)
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_public_pages_keep_one_column_and_pass_axe_in_care_mode_on_a_wide_screen(
    browser, live_server, scene
):
    problems = _walk(browser, live_server, scene, care=True, screen=DESKTOP)
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
