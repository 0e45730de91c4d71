"""The scene of the backup test, run in a separate process on a scratch PostgreSQL database
(``manage.py shell -c``): ``build`` makes a case for a registered person and a media file;
``read`` finds them again in the restored copy. Both print one JSON line."""

from __future__ import annotations

import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

ID_NUMBER = "440103199003070010"  # made by testing.factories.make_resident_id(serial=1)
MEDIA_NAME = "backup-test/form.txt"
MEDIA_TEXT = "申请表 / application form\n"


def build() -> None:
    from onewindow.applicants.services import person_register
    from onewindow.cases.models import MaterialStatus
    from onewindow.cases.services import Intake, MaterialReceipt, case_accept
    from onewindow.org.models import CentreLevel, Role, Window, WindowKind
    from onewindow.testing.factories import (
        CentreFactory,
        DepartmentFactory,
        StreetFactory,
        create_item,
        make_resident_id,
        material,
        staff_with_role,
    )

    assert make_resident_id(serial=1) == ID_NUMBER
    street = StreetFactory()
    centre = CentreFactory(level=CentreLevel.STREET_CENTRE, region=street, name="街道中心")
    window = Window.objects.create(centre=centre, number="01", kind=WindowKind.INTAKE)
    item = create_item(
        name="既有住宅增设电梯",
        department=DepartmentFactory(name="区住房和建设局"),
        materials=[material(name="既有住宅增设电梯申请表")],
    )
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=centre)
    person = person_register(
        id_type="111",
        id_number=ID_NUMBER,
        name="陈大文",
        phone="13800138000",
        identity_check="card_read",
        actor=clerk,
    )
    case = case_accept(
        intake=Intake(
            item=item,
            centre=centre,
            window=window,
            clerk=clerk,
            person=person,
            materials=[
                MaterialReceipt(name=m.name, status=MaterialStatus.RECEIVED)
                for m in item.materials.all()
            ],
        )
    )
    stored = default_storage.save(MEDIA_NAME, ContentFile(MEDIA_TEXT.encode()))
    print(json.dumps({"number": case.number, "media": stored}))


def read(number: str, media: str) -> None:
    from onewindow.applicants.models import (
        ID_NUMBER_INDEX_CONTEXT,
        PERSON_ID_NUMBER_CONTEXT,
        PERSON_PHONE_CONTEXT,
        Person,
    )
    from onewindow.cases.models import Case
    from onewindow.core import crypto

    case = Case.objects.select_related("person", "item").get(number=number)
    found = Person.objects.get(
        id_number_index=crypto.blind_index(ID_NUMBER, context=ID_NUMBER_INDEX_CONTEXT)
    )
    with default_storage.open(media) as handle:
        text = handle.read().decode()
    print(
        json.dumps(
            {
                "item": case.item.name,
                "state": case.state,
                "same_person": found.pk == case.person_id,
                "name": case.person.name,
                "id_number": crypto.decrypt(
                    case.person.id_number_encrypted, context=PERSON_ID_NUMBER_CONTEXT
                ),
                "phone": crypto.decrypt(case.person.phone_encrypted, context=PERSON_PHONE_CONTEXT),
                "media": text,
            },
            ensure_ascii=False,
        )
    )
