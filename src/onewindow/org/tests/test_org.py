import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from onewindow.core.errors import ValidationFailed
from onewindow.org.models import Department, Region, RegionLevel, Role, RoleAssignment
from onewindow.org.services import (
    centre_create,
    department_create,
    region_create,
    region_validate,
    staff_create,
)
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    DistrictFactory,
    make_uscc,
)

pytestmark = pytest.mark.django_db


def codes(errors):
    return sorted((e.field, e.code) for e in errors)


def test_region_tree_is_built_from_codes():
    district = region_create(code="440103000000", name="荔湾区", level=RegionLevel.DISTRICT)
    street = region_create(
        code="440103001000", name="沙面街道", level=RegionLevel.STREET, parent=district
    )
    other_street = region_create(
        code="440103002000", name="岭南街道", level=RegionLevel.STREET, parent=district
    )
    community = region_create(
        code="440103001001", name="沙面社区", level=RegionLevel.COMMUNITY, parent=street
    )
    assert street.prefix == "440103001"
    below_street = Region.objects.filter(code__startswith=street.prefix)
    assert list(below_street) == [street, community]
    below_district = Region.objects.filter(code__startswith=district.prefix)
    assert list(below_district) == [district, street, community, other_street]
    assert list(district.children.all()) == [street, other_street]
    assert community.parent.parent == district


@pytest.mark.parametrize(
    ("code", "level", "parent_code", "expected"),
    [
        ("440103001000", RegionLevel.STREET, "440103000000", []),
        ("44010300100", RegionLevel.STREET, "440103000000", [("code", "invalid_code")]),
        ("440103001007", RegionLevel.STREET, "440103000000", [("code", "code_level_mismatch")]),
        ("440104001000", RegionLevel.STREET, "440103000000", [("code", "code_parent_mismatch")]),
        ("440103001000", RegionLevel.STREET, None, [("parent", "parent_level")]),
        ("440103001001", RegionLevel.COMMUNITY, "440103000000", [("parent", "parent_level")]),
        ("440103000000", RegionLevel.DISTRICT, None, [("code", "duplicate")]),
        ("440103000000", "planet", None, [("level", "invalid_level")]),
    ],
)
def test_region_validation(code, level, parent_code, expected):
    DistrictFactory()
    parent = Region.objects.filter(code=parent_code).first() if parent_code else None
    assert codes(region_validate(code=code, level=level, parent=parent)) == expected


def test_region_create_refuses_bad_input_and_writes_nothing():
    DistrictFactory()
    with pytest.raises(ValidationFailed) as caught:
        region_create(
            code="440199001000", name="错", level=RegionLevel.STREET, parent=Region.objects.get()
        )
    assert [e.code for e in caught.value.errors] == ["code_parent_mismatch"]
    assert Region.objects.count() == 1


def test_department_uscc_is_validated_with_stdnum():
    good = make_uscc(123)
    department = DepartmentFactory(uscc=good)
    department.full_clean()
    bad = Department(
        name="坏代码局",
        uscc=good[:-1] + ("0" if good[-1] != "0" else "1"),
        region=department.region,
    )
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert list(caught.value.message_dict) == ["uscc"]


def test_staff_create_checks_every_role_scope_together():
    department = DepartmentFactory()
    centre = CentreFactory()
    with pytest.raises(ValidationFailed) as caught:
        staff_create(
            username="x",
            password="pw-123456789",
            full_name="某人",
            roles=[
                {"role": Role.DEPT_LEAD},
                {"role": Role.INTAKE_CLERK, "centre": centre, "department": department},
            ],
        )
    assert codes(caught.value.errors) == [
        ("roles[0].department", "scope_required"),
        ("roles[1].department", "scope_not_allowed"),
    ]
    assert RoleAssignment.objects.count() == 0
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="x").exists()


def test_staff_create_makes_a_staff_user_with_roles():
    centre = CentreFactory()
    user = staff_create(
        username="clerk",
        password="pw-123456789",
        full_name="王小明",
        roles=[{"role": Role.INTAKE_CLERK, "centre": centre}],
    )
    assert (user.is_staff, user.is_superuser, user.check_password("pw-123456789")) == (
        True,
        False,
        True,
    )
    assert [(ra.role, ra.centre_id) for ra in user.role_assignments.all()] == [
        (Role.INTAKE_CLERK, centre.pk)
    ]
    admin = staff_create(
        username="root", password="pw-123456789", full_name="管理员", roles=[{"role": Role.ADMIN}]
    )
    # The system administrator's powers come from the matrix, not from a flag that bypasses it.
    assert admin.is_superuser is False


@pytest.mark.parametrize(
    "pair",
    [
        (Role.ADMIN, Role.AUDITOR),
        (Role.SECURITY_ADMIN, Role.AUDITOR),
        (Role.ADMIN, Role.SECURITY_ADMIN),
    ],
)
def test_one_account_never_holds_two_of_the_three_separated_duties(pair):
    with pytest.raises(ValidationFailed) as caught:
        staff_create(
            username="both",
            password="pw-123456789",
            full_name="一人两职",
            roles=[{"role": pair[0]}, {"role": pair[1]}],
        )
    assert [error.code for error in caught.value.errors] == ["separated_duties"]
    assert not get_user_model().objects.filter(username="both").exists()


def test_department_create_checks_the_credit_code_and_writes_nothing_when_bad():
    district = DistrictFactory()
    good = make_uscc(777)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as caught:
        department_create(name="区坏码局", uscc=bad, region=district)
    assert [e.field for e in caught.value.errors] == ["uscc"]
    assert not Department.objects.filter(name="区坏码局").exists()
    department = department_create(name="区好码局", uscc=good, region=district)
    assert department.uscc == good


def test_centre_create_with_windows_is_all_or_nothing():
    from onewindow.org.models import CentreLevel, ServiceCentre, Window, WindowKind

    district = DistrictFactory()
    with pytest.raises(ValidationFailed) as caught:
        centre_create(
            code="H1",
            name="大厅",
            level=CentreLevel.DISTRICT_HALL,
            region=district,
            windows=[("01", WindowKind.INTAKE, ""), ("01", WindowKind.OUTPUT, "")],
        )
    assert [e.code for e in caught.value.errors] == ["duplicate"]
    assert ServiceCentre.objects.count() == 0
    centre = centre_create(
        code="H1",
        name="大厅",
        level=CentreLevel.DISTRICT_HALL,
        region=district,
        windows=[("01", WindowKind.INTAKE, "综合窗口")],
    )
    assert list(Window.objects.filter(centre=centre).values_list("number", "kind")) == [
        ("01", WindowKind.INTAKE)
    ]
