"""A small city for online applications: a street centre and a district hall that accept
个体工商户设立登记 (with a form and two required papers), a centre elsewhere that does not, its
intake clerks, the department's approver, and a citizen bound to her real name."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.catalog.codes import MaterialNecessity, OnlineDepth
from onewindow.catalog.selectors import form_fields_of
from onewindow.citizens.models import CitizenAccount, TokenKind
from onewindow.citizens.services import phone_index_of, token_issue
from onewindow.core import crypto
from onewindow.org.models import CentreLevel, Role, Window, WindowKind
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    create_item,
    create_person,
    form_field,
    make_resident_id,
    material,
    staff_with_role,
)

PHONE = "13800138000"
OTHER_PHONE = "13900139000"
APPLICATION_FORM = "个体工商户登记申请书"
ID_PROOF = "经营者身份证明"
PREMISES = "经营场所使用证明"


def the_form() -> list[Any]:
    """The online form of the item, as the catalogue defines it (``FormField`` rows)."""
    return [
        form_field(
            order=1,
            key="operator_name",
            label="经营者姓名",
            label_en="Operator's name",
            max_length=64,
            prefill="person.name",
        ),
        form_field(
            order=2,
            key="operator_id",
            label="经营者身份证号",
            label_en="Operator's ID number",
            kind="id_number",
            prefill="person.id_number",
        ),
        form_field(
            order=3,
            key="phone",
            label="联系电话",
            label_en="Phone",
            kind="phone",
            prefill="person.phone",
        ),
        form_field(order=4, key="shop_name", label="字号名称", label_en="Shop name", max_length=60),
        form_field(
            order=5,
            key="employees",
            label="从业人数",
            label_en="Employees",
            kind="integer",
            required=False,
            min_value=0,
            max_value=99,
        ),
    ]


@dataclass
class OnlineCity:
    street_centre: Any
    hall: Any
    elsewhere: Any
    department: Any
    item: Any
    clerk: Any
    hall_clerk: Any
    other_clerk: Any
    approver: Any
    output_clerk: Any
    person: Any
    account: Any
    other_account: Any
    id_number: str = ""


def account_for(person: Any, phone: str) -> CitizenAccount:
    return CitizenAccount.objects.create(
        phone_index=phone_index_of(phone),
        phone_encrypted=crypto.encrypt(phone, context="citizens.account.phone"),
        phone_masked=crypto.mask_phone(phone),
        person=person,
    )


def signed_in(client: Client, account: CitizenAccount) -> Client:
    _token, secret = token_issue(account=account, kind=TokenKind.BROWSER)
    client.cookies["ow_citizen"] = secret
    return client


def app_token(account: CitizenAccount) -> str:
    return token_issue(account=account, kind=TokenKind.APP)[1]


def upload(data: bytes, name: str, content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stream(data: bytes, name: str) -> Any:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@pytest.fixture(autouse=True)
def _online_settings(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.DemoRegistryVerifier"


@pytest.fixture
def city(db) -> OnlineCity:
    street = StreetFactory()
    street_centre = CentreFactory(level=CentreLevel.STREET_CENTRE, region=street, name="街道中心")
    hall = CentreFactory(level=CentreLevel.DISTRICT_HALL, region=street.parent, name="区政务中心")
    elsewhere = CentreFactory(level=CentreLevel.COMMUNITY_POINT, name="社区服务站")
    Window.objects.create(centre=street_centre, number="01", kind=WindowKind.INTAKE)
    department = DepartmentFactory(name="区市场监督管理局")
    item = create_item(
        name="个体工商户设立登记",
        department=department,
        is_online=True,
        online_depth=[OnlineDepth.CONSULT, OnlineDepth.RECEIVE, OnlineDepth.PRE_REVIEW],
        handled_at_levels=[CentreLevel.STREET_CENTRE, CentreLevel.DISTRICT_HALL],
        materials=[
            material(name=APPLICATION_FORM),
            material(name=ID_PROOF),
            material(name=PREMISES, necessity=MaterialNecessity.OPTIONAL),
        ],
        form_fields=the_form(),
    )
    assert [f["key"] for f in form_fields_of(item.versions.get())] == [
        "operator_name",
        "operator_id",
        "phone",
        "shop_name",
        "employees",
    ]
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=street_centre)
    id_number = make_resident_id()
    person = create_person(id_number=id_number, name="林晓敏", phone=PHONE, actor=clerk)
    other = create_person(id_number=make_resident_id(), name="周大伟", phone=OTHER_PHONE)
    return OnlineCity(
        street_centre=street_centre,
        hall=hall,
        elsewhere=elsewhere,
        department=department,
        item=item,
        clerk=clerk,
        hall_clerk=staff_with_role(Role.INTAKE_CLERK, centre=hall),
        other_clerk=staff_with_role(Role.INTAKE_CLERK, centre=elsewhere),
        approver=staff_with_role(Role.DEPT_APPROVER, department=department),
        output_clerk=staff_with_role(Role.OUTPUT_CLERK, centre=street_centre),
        person=person,
        account=account_for(person, PHONE),
        other_account=account_for(other, OTHER_PHONE),
        id_number=id_number,
    )


GOOD_ANSWERS = {"operator_name": "林晓敏", "phone": PHONE, "shop_name": "晓敏小卖部"}


def filled(city: OnlineCity, **answers: Any) -> Any:
    """A draft with every answer and both required papers, ready to send."""
    from onewindow.online import services
    from onewindow.papers.samples import sample_pdf, sample_png

    application = services.application_start(
        account=city.account, item_id=city.item.pk, centre_id=city.street_centre.pk
    )
    values = {**GOOD_ANSWERS, "operator_id": city.id_number, **answers}
    services.application_save(account=city.account, reference=application.reference, answers=values)
    services.paper_upload(
        account=city.account,
        reference=application.reference,
        material_name=APPLICATION_FORM,
        upload=stream(sample_pdf(), "申请书.pdf"),
    )
    services.paper_upload(
        account=city.account,
        reference=application.reference,
        material_name=ID_PROOF,
        upload=stream(sample_png(), "身份证.png"),
    )
    application.refresh_from_db()
    return application
