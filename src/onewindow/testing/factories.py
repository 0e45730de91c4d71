"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from stdnum.cn import uscc

from onewindow.catalog.codes import (
    CaseType,
    ExerciseLevel,
    ItemStatus,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialType,
    ResultType,
    ServiceObject,
    TimeUnit,
)
from onewindow.catalog.models import FeeItem, FormField, LifeEventTopic, Material, ServiceItem
from onewindow.catalog.services import ItemContent, item_publish, item_save
from onewindow.org.models import (
    CentreLevel,
    Department,
    Region,
    RegionLevel,
    Role,
    RoleAssignment,
    ServiceCentre,
    Window,
    WindowKind,
)


def make_uscc(serial: int, prefix: str = "11440103") -> str:
    """A valid unified social credit code (government organ, Liwan) for test data."""
    body = f"{prefix}{serial:09d}"
    return body + uscc.calc_check_digit(body)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "440103000000"
    name = "荔湾区"
    level = RegionLevel.DISTRICT
    parent = None


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    parent = factory.SubFactory(DistrictFactory)
    # A 12-digit division code has three digits for the street: the sequence of a long test
    # run (over 999 streets made) wraps instead of writing 13 digits, which PostgreSQL
    # refuses (SQLite does not check the length). get_or_create keeps a wrapped code one row.
    code = factory.Sequence(lambda n: f"440103{n % 999 + 1:03d}000")
    name = factory.Sequence(lambda n: f"第{n + 1}街道")
    level = RegionLevel.STREET


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    parent = factory.SubFactory(StreetFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code[:9]}{n % 999 + 1:03d}")
    name = factory.Sequence(lambda n: f"第{n + 1}社区")
    level = RegionLevel.COMMUNITY


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")
    short_name = factory.Sequence(lambda n: f"部门{n}")
    uscc = factory.Sequence(lambda n: make_uscc(100000 + n))
    region = factory.SubFactory(DistrictFactory)


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCentre

    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"测试服务中心{n}")
    level = CentreLevel.DISTRICT_HALL
    region = factory.SubFactory(DistrictFactory)


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    centre = factory.SubFactory(CentreFactory)
    number = factory.Sequence(lambda n: f"{n + 1:02d}")
    kind = WindowKind.INTAKE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "测试用户"
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")


def staff_with_role(role: str, **scope: Any) -> Any:
    """A staff user holding one role with the given scope (department=, centre=, region=)."""
    user: Any = UserFactory(is_superuser=(role == Role.ADMIN))
    user.save()
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeEventTopic

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"主题{n}")
    audience = "natural"


def item_instance(**overrides: Any) -> ServiceItem:
    """An unsaved, rule-abiding promised licensing item; override any field."""
    department = overrides.pop("department", None) or DepartmentFactory()
    seq = ServiceItem.objects.count() + Material.objects.count() + 1
    basic = overrides.pop("basic_code", f"{seq:012d}")
    fields: dict[str, Any] = {
        "basic_code": basic,
        "implementation_code": f"{basic}{department.uscc}",
        "name": f"测试事项{seq}",
        "item_type": ItemType.LICENSING,
        "exercise_level": ExerciseLevel.COUNTY,
        "department": department,
        "service_objects": [ServiceObject.NATURAL_PERSON],
        "legal_basis": "《中华人民共和国行政许可法》",
        "conditions": "符合条件的申请人",
        "case_type": CaseType.PROMISED,
        "statutory_limit": 20,
        "statutory_limit_unit": TimeUnit.WORKING_DAY,
        "promised_limit": 10,
        "promised_limit_unit": TimeUnit.WORKING_DAY,
        "visits": 1,
        "visit_reason": "核验原件",
        "handled_at_levels": [CentreLevel.DISTRICT_HALL, CentreLevel.STREET_CENTRE],
        "result_type": ResultType.LICENCE,
        "result_name": "许可证",
        "status": ItemStatus.DRAFT,
    }
    fields.update(overrides)
    return ServiceItem(**fields)


def material(**overrides: Any) -> Material:
    fields: dict[str, Any] = {
        "name": "申请表",
        "material_type": MaterialType.FORM,
        "form": MaterialForm.PAPER,
        "necessity": MaterialNecessity.REQUIRED,
        "paper_copies": 1,
    }
    fields.update(overrides)
    return Material(**fields)


def fee(**overrides: Any) -> FeeItem:
    fields: dict[str, Any] = {"name": "工本费", "standard": "10元/证", "basis": "价格主管部门文件"}
    fields.update(overrides)
    return FeeItem(**fields)


def form_field(**overrides: Any) -> FormField:
    """An unsaved online-form field (a required text field unless overridden)."""
    fields: dict[str, Any] = {
        "order": 0,
        "key": "name",
        "label": "姓名",
        "label_en": "Name",
        "kind": "text",
        "required": True,
    }
    fields.update(overrides)
    return FormField(**fields)


def create_item(
    *,
    publish: bool = True,
    materials: list[Material] | None = None,
    fee_items: list[FeeItem] | None = None,
    form_fields: list[FormField] | None = None,
    **overrides: Any,
) -> ServiceItem:
    """A stored item with one form and one certificate (and the online-form fields given),
    published unless told otherwise."""
    item = item_instance(**overrides)
    content = ItemContent(
        item=item,
        materials=materials
        if materials is not None
        else [material(), material(name="身份证", material_type=MaterialType.CERTIFICATE)],
        fee_items=fee_items or [],
        form_fields=form_fields or [],
    )
    item = item_save(content=content)
    if publish:
        item_publish(item=item)
        item.refresh_from_db()
    return item


# --- Applicants (natural and legal persons), registered through their services -------------

_resident_serial = iter(range(1, 10**6))


def make_resident_id(
    *, region: str = "440103", birth: str = "19900307", serial: int | None = None
) -> str:
    """A valid 18-character resident ID number (real region code, stdnum check digit).

    ``serial`` is the 3-digit order code: odd for a man, even for a woman.
    """
    from stdnum.cn import ric

    if serial is None:
        serial = next(_resident_serial) % 1000
    body = f"{region}{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def create_person(*, actor: Any = None, **overrides: Any) -> Any:
    """A natural person registered by an intake clerk (``person_register``)."""
    from onewindow.applicants.services import person_register

    fields: dict[str, Any] = {
        "id_type": "111",
        "id_number": make_resident_id(),
        "name": "张三",
        "phone": "13800138000",
        "address": "广东省广州市荔湾区中山八路1号",
        # A new person is registered with an identity check: the card read at the window.
        "identity_check": "card_read",
    }
    fields.update(overrides)
    if actor is None:
        actor = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    return person_register(actor=actor, **fields)


def create_organisation(*, actor: Any = None, **overrides: Any) -> Any:
    """A legal person registered by an intake clerk (``organisation_register``)."""
    from onewindow.applicants.services import organisation_register

    fields: dict[str, Any] = {
        "uscc": make_uscc(next(_resident_serial), prefix="91440103"),
        "name": "广州测试贸易有限公司",
        "legal_representative_name": "李四",
        "legal_representative_id": make_resident_id(birth="19800101"),
        "contact_phone": "020-81234567",
        "address": "广州市荔湾区康王路2号",
    }
    fields.update(overrides)
    if actor is None:
        actor = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    return organisation_register(actor=actor, **fields)
