"""The deterministic demo city: Liwan district (荔湾区) with its service network and catalogue.

``build_demo_city(seed=2026, scale=1.0)`` writes, in one transaction:

- regions: 荔湾区 → its 22 streets → 2–4 communities each (demo division codes);
- 23 district departments plus the 22 street offices, each with a valid unified social credit
  code;
- the district hall (9 intake, 2 output and 1 special window), a centre per street, community
  service points and three self-service kiosks;
- the life-event topics for individuals and businesses;
- the hotline's knowledge base, seeded from the published catalogue and the department duties
  (``knowledge.services.knowledge_seed``);
- staff for every role with predictable demo logins sharing ``DEMO_PASSWORD``;
- ``600 × scale`` service items: the hand-written ones of ``data/handwritten.toml`` and items
  generated from the templates of ``data/subjects.toml`` and ``data/street_subjects.toml``,
  mostly published, a few drafts and withdrawn ones.

Determinism: everything is first decided as plain data by ``planning.plan_demo_city`` (seeded
``random.Random`` per part, no clock, no set ordering), then written. The same seed and scale
give the same plan and so the same rows (apart from primary keys, timestamps and password
salts). ``planning.plan_digest`` hashes a plan.

Every item goes through the catalogue services: ``item_save(content=..., check=True)`` checks
all rules of ``catalog/rules.py``, records the published version and rebuilds the search
document. That path takes roughly 15 ms per item on SQLite, so scale 1.0 builds in seconds;
departments, centres and staff do not grow with the scale.

Growing the city later (persons, cases): add a ``plan_<part>`` function in ``planning.py`` that
yields plain records in batches from its own ``random.Random(f"{seed}:<part>")`` (never
materialise a million rows at once), sized ``round(PER_SCALE * scale)``, and a ``_write_<part>``
step here that saves each batch with ``Model.objects.bulk_create(batch, batch_size=BATCH_SIZE)``
after the catalogue is written. A separate part seed keeps the existing parts unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.catalog.codes import CaseType, ItemStatus
from onewindow.catalog.models import (
    FeeItem,
    FormField,
    ItemFAQ,
    LifeEventTopic,
    Material,
    ProcessStep,
    ServiceItem,
)
from onewindow.catalog.services import ItemContent, item_save, topic_save
from onewindow.core.errors import ApplicationError, ErrorList
from onewindow.demo import city
from onewindow.demo.hotline import write_hotline_catalogue
from onewindow.demo.planning import (
    HALL_CODE,
    CityPlan,
    ItemPlan,
    plan_centres,
    plan_demo_city,
    plan_departments,
    plan_regions,
    plan_staff,
)
from onewindow.demo.queue import write_service_groups
from onewindow.demo.urban import grid_departments, write_grid_catalogue
from onewindow.knowledge.services import knowledge_seed
from onewindow.org.models import (
    Department,
    Region,
    RegionLevel,
    ServiceCentre,
    Window,
    WindowKind,
)
from onewindow.org.services import centre_create, department_create, region_create, staff_create

DEMO_PASSWORD = "onewindow-demo"
BATCH_SIZE = 1000
MAX_SCALE = 1000.0


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    scale: float
    regions: int
    streets: int
    communities: int
    departments: int
    centres: int
    windows: int
    topics: int
    staff: int
    items: int
    published: int
    drafts: int
    cancelled: int
    instant_items: int
    seconds: float


def demo_usernames() -> list[str]:
    """The usernames of the demo staff; they do not depend on the seed or the scale."""
    regions = plan_regions(0)
    return [s.username for s in plan_staff(0, plan_departments(0), plan_centres(0, regions))]


def demo_city_exists() -> bool:
    return Region.objects.filter(code=city.DISTRICT_CODE).exists()


class TextOutput(Protocol):
    """Where progress goes: a file, ``sys.stdout`` or a management command's ``stdout``."""

    def write(self, text: str, /) -> Any: ...


class _Progress:
    def __init__(self, stdout: TextOutput | None):
        self.stdout = stdout

    def __call__(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")


def build_demo_city(
    *, seed: int = 2026, scale: float = 1.0, stdout: TextOutput | None = None
) -> DemoSummary:
    """Write the whole demo city in one transaction and return what was created.

    Raises ``ValidationFailed`` (nothing written) when the scale is out of range or a
    generated row breaks a rule, and ``ApplicationError`` when the demo district or one of the
    demo usernames exists already. Progress lines go to ``stdout`` when given.
    """
    errors = ErrorList()
    if not 0 < scale <= MAX_SCALE:
        errors.add(
            "scale",
            "out_of_range",
            gettext_lazy("The scale must be above 0 and at most %(max)s."),
            max=MAX_SCALE,
        )
    errors.raise_if_any(gettext_lazy("The demo city cannot be built with these options."))
    say = _Progress(stdout)
    started = time.monotonic()
    plan = plan_demo_city(seed=seed, scale=scale)
    with transaction.atomic():
        if demo_city_exists():
            raise ApplicationError(
                gettext_lazy("The demo district exists already; use an empty database."),
                code="demo_exists",
                status=409,
            )
        taken = sorted(
            get_user_model()
            .objects.filter(username__in=[s.username for s in plan.staff])
            .values_list("username", flat=True)
        )
        if taken:
            raise ApplicationError(
                gettext_lazy(
                    "These usernames of the demo staff are taken already: %(usernames)s. "
                    "Use an empty database."
                ),
                code="demo_users_exist",
                status=409,
                params={"usernames": ", ".join(taken)},
            )
        regions = _write_regions(plan)
        say(_("Regions: %(count)s.") % {"count": len(regions)})
        departments = _write_departments(plan, regions)
        say(_("Departments: %(count)s.") % {"count": len(departments)})
        categories = write_hotline_catalogue(departments, regions)
        write_grid_catalogue(departments, regions, password=DEMO_PASSWORD)
        say(_("12345 dispatch catalogue: %(count)s categories.") % {"count": categories})
        topics = _write_topics()
        centres = _write_centres(plan, regions)
        say(_("Service centres: %(count)s.") % {"count": len(centres)})
        staff_count = _write_staff(plan, departments, centres, regions)
        say(_("Staff accounts: %(count)s.") % {"count": staff_count})
        _write_items(plan, departments, topics, regions, say)
        _delegate_front_desk_seals(centres[HALL_CODE])
        groups = write_service_groups(centres, hall_code=HALL_CODE)
        say(_("Service groups for bookings and queue tickets: %(count)s.") % {"count": groups})
        knowledge = knowledge_seed()
        say(_("Knowledge articles: %(count)s.") % {"count": knowledge.created})
        summary = _summary(plan, staff_count=staff_count, seconds=time.monotonic() - started)
    say(
        _("Demo city ready: %(items)s items (%(published)s published) in %(seconds).1f s.")
        % {"items": summary.items, "published": summary.published, "seconds": summary.seconds}
    )
    return summary


def _write_regions(plan: CityPlan) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for spec in plan.regions:
        regions[spec.code] = region_create(
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            level=spec.level,
            parent=regions[spec.parent_code] if spec.parent_code else None,
        )
    return regions


def _write_departments(plan: CityPlan, regions: dict[str, Region]) -> dict[str, Department]:
    return {
        spec.key: department_create(
            name=spec.name,
            short_name=spec.short_name,
            name_en=spec.name_en,
            uscc=spec.uscc,
            region=regions[spec.region_code],
            phone=city.HOTLINE,
        )
        for spec in plan.departments
    }


def _write_topics() -> dict[str, LifeEventTopic]:
    return {
        spec.code: topic_save(
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            audience=spec.audience,
            description=spec.description,
            order=order,
        )
        for order, spec in enumerate(city.TOPICS, start=1)
    }


def _write_centres(plan: CityPlan, regions: dict[str, Region]) -> dict[str, ServiceCentre]:
    return {
        spec.code: centre_create(
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            level=spec.level,
            region=regions[spec.region_code],
            address=spec.address,
            opening_hours=city.OPENING_HOURS,
            phone=city.HOTLINE,
            windows=list(spec.windows),
        )
        for spec in plan.centres
    }


def _write_staff(
    plan: CityPlan,
    departments: dict[str, Department],
    centres: dict[str, ServiceCentre],
    regions: dict[str, Region],
) -> int:
    scopes: dict[str, dict[str, Any]] = {
        "department": {**departments, **grid_departments()},
        "centre": centres,
        "region": regions,
    }
    user_ids = []
    for spec in plan.staff:
        roles = []
        for role, scope_kind, scope_key in spec.roles:
            entry: dict[str, Any] = {"role": role}
            if scope_kind:
                entry[scope_kind] = scopes[scope_kind][scope_key]
            roles.append(entry)
        # Hashing a password costs ~0.3 s; the accounts are created without one (None gives
        # an unusable password, as in Django's create_user) and get the one shared demo hash
        # below.
        user = staff_create(
            username=spec.username, password=None, full_name=spec.full_name, roles=roles
        )
        user_ids.append(user.pk)
    get_user_model().objects.filter(pk__in=user_ids).update(password=make_password(DEMO_PASSWORD))
    return len(user_ids)


def item_content_from_plan(
    plan: ItemPlan,
    *,
    departments: dict[str, Department],
    topics: dict[str, LifeEventTopic],
    regions: dict[str, Region],
) -> ItemContent:
    """The unsaved ``ItemContent`` of a planned item."""
    item = ServiceItem(department=departments[plan.department], **plan.fields)
    return ItemContent(
        item=item,
        materials=[
            Material(order=index, **spec) for index, spec in enumerate(plan.materials, start=1)
        ],
        fee_items=[FeeItem(**spec) for spec in plan.fee_items],
        steps=[ProcessStep(**spec) for spec in plan.steps] if plan.steps is not None else None,
        faqs=[
            ItemFAQ(question=q, answer=a, order=index)
            for index, (q, a) in enumerate(plan.faqs, start=1)
        ],
        form_fields=[FormField(**spec) for spec in plan.form_fields],
        topic_ids=[topics[code].pk for code in plan.topics],
        joint_department_ids=[departments[key].pk for key in plan.joint],
        region_ids=[regions[code].pk for code in plan.region_codes],
    )


def _write_items(
    plan: CityPlan,
    departments: dict[str, Department],
    topics: dict[str, LifeEventTopic],
    regions: dict[str, Region],
    say: _Progress,
) -> None:
    total = len(plan.items)
    for number, item_plan in enumerate(plan.items, start=1):
        content = item_content_from_plan(
            item_plan, departments=departments, topics=topics, regions=regions
        )
        item = content.item
        withdrawn = item.status == ItemStatus.CANCELLED
        if withdrawn:
            # A withdrawn item was published first, so its published version exists.
            cancel_date = item.cancel_date
            item.status, item.cancel_date = ItemStatus.PUBLISHED, None
        item_save(content=content, check=True, change_note="demo city")
        if withdrawn:
            item.status, item.cancel_date = ItemStatus.CANCELLED, cancel_date
            item_save(content=content, check=True, change_note="demo city: withdrawn")
        if number % 100 == 0 or number == total:
            say(_("Service items: %(done)s of %(total)s.") % {"done": number, "total": total})


def _delegate_front_desk_seals(hall: ServiceCentre) -> None:
    """Departments with instant items have moved their seal to the hall's intake windows."""
    delegating = list(
        Department.objects.filter(
            items__case_type=CaseType.INSTANT,
            items__status=ItemStatus.PUBLISHED,
            region__level=RegionLevel.DISTRICT,
        )
        .distinct()
        .order_by("pk")
    )
    for window in hall.windows.filter(kind=WindowKind.INTAKE).order_by("number"):
        window.delegated_departments.set(delegating)


def _summary(plan: CityPlan, *, staff_count: int, seconds: float) -> DemoSummary:
    items = ServiceItem.objects.all()
    return DemoSummary(
        seed=plan.seed,
        scale=plan.scale,
        regions=Region.objects.count(),
        streets=Region.objects.filter(level=RegionLevel.STREET).count(),
        communities=Region.objects.filter(level=RegionLevel.COMMUNITY).count(),
        departments=Department.objects.count(),
        centres=ServiceCentre.objects.count(),
        windows=Window.objects.count(),
        topics=LifeEventTopic.objects.count(),
        staff=staff_count,
        items=items.count(),
        published=items.filter(status=ItemStatus.PUBLISHED).count(),
        drafts=items.filter(status=ItemStatus.DRAFT).count(),
        cancelled=items.filter(status=ItemStatus.CANCELLED).count(),
        instant_items=items.filter(case_type=CaseType.INSTANT).count(),
        seconds=round(seconds, 2),
    )
