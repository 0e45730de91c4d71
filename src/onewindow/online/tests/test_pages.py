"""The citizen's pages and the centre's pre-review pages, through the test client."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.cases.models import Case
from onewindow.core.audit import AuditLog
from onewindow.online.models import OnlineApplication
from onewindow.online.tests.conftest import (
    APPLICATION_FORM,
    ID_PROOF,
    PHONE,
    filled,
    signed_in,
    upload,
)
from onewindow.online.transitions import OnlineState
from onewindow.papers.samples import sample_pdf, sample_png

pytestmark = pytest.mark.django_db


def test_the_item_guide_offers_apply_online_and_the_citizen_fills_sends_and_sees_it(city):
    client = signed_in(Client(), city.account)
    guide = client.get(f"/items/{city.item.pk}/").content.decode()
    assert f'id="item-apply-online" href="/my/online/start/{city.item.pk}/"' in guide
    page = client.get(f"/my/online/start/{city.item.pk}/").content.decode()
    assert f'<option value="{city.street_centre.pk}">街道中心</option>' in page
    answer = client.post(f"/my/online/start/{city.item.pk}/", {"centre": city.street_centre.pk})
    application = OnlineApplication.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/my/online/{application.reference}/form/"

    form = client.get(answer["Location"]).content.decode()
    # Fill once: the name from the record in clear, the ID and phone from the record masked.
    assert 'id="f-operator_name" name="f_operator_name" value="林晓敏"' in form
    assert 'placeholder="138****8000"' in form
    assert city.id_number not in form and PHONE not in form
    assert AuditLog.objects.filter(action="applicants.citizen_own_read").exists()

    saved = client.post(
        answer["Location"],
        {
            "revision": application.revision,
            "f_operator_name": "林晓敏",
            "f_operator_id": "",
            "f_phone": "",
            "f_shop_name": "晓敏小卖部",
            "f_employees": "2",
            "output_method": "electronic",
            "next": "papers",
        },
    )
    assert saved.status_code == 302, saved.content.decode()
    application.refresh_from_db()
    assert application.answers == {
        "operator_name": "林晓敏",
        "shop_name": "晓敏小卖部",
        "employees": 2,
    }
    assert sorted(application.personal_masked) == ["operator_id", "phone"]

    papers_url = f"/my/online/{application.reference}/papers/"
    for name, data, filename in (
        (APPLICATION_FORM, sample_pdf(), "申请书.pdf"),
        (ID_PROOF, sample_png(), "身份证.png"),
    ):
        application.refresh_from_db()
        sent = client.post(
            papers_url,
            {"material": name, "file": upload(data, filename), "revision": application.revision},
        )
        assert sent.status_code == 302, sent.content.decode()
    review = client.get(f"/my/online/{application.reference}/review/").content.decode()
    key = review.split('name="key" value="')[1].split('"')[0]
    application.refresh_from_db()
    done = client.post(
        f"/my/online/{application.reference}/review/",
        {"key": key, "revision": application.revision},
    )
    assert done.status_code == 302
    again = client.post(
        f"/my/online/{application.reference}/review/",
        {"key": key, "revision": application.revision},
    )
    # The page is not editable any more: the detail page, sent once.
    assert again.status_code == 302
    application.refresh_from_db()
    assert application.state == OnlineState.SUBMITTED
    assert application.submissions.count() == 1
    mine = client.get("/my/online/").content.decode()
    assert f'data-reference="{application.reference}"' in mine
    assert 'id="my-online-link"' in mine
    detail = client.get(f"/my/online/{application.reference}/").content.decode()
    assert detail.count('class="timeline__step"') == 4


def test_the_centre_pre_reviews_asks_for_correction_and_accepts(city):
    application = filled(city)
    citizen = signed_in(Client(), city.account)
    from onewindow.online import services

    services.application_submit(account=city.account, reference=application.reference, key="a")
    staff = Client()
    staff.force_login(city.clerk)
    queue = staff.get("/staff/online/").content.decode()
    assert f'data-reference="{application.reference}"' in queue
    page = staff.get(f"/staff/online/{application.reference}/").content.decode()
    assert "138****8000" in page and PHONE not in page and city.id_number not in page
    link = application.papers.get(material_name=ID_PROOF)
    scan = staff.get(f"/staff/online/{application.reference}/papers/{link.pk}/")
    assert scan.status_code == 200 and scan["Content-Type"] == "image/png"
    assert AuditLog.objects.filter(action="online.paper_read", actor=city.clerk).count() == 1

    application.refresh_from_db()
    asked = staff.post(
        f"/staff/online/{application.reference}/decide/",
        {
            "decision": "correction",
            "revision": application.revision,
            "problem": [f"m:{ID_PROOF}", "f:shop_name"],
            f"reason:m:{ID_PROOF}": "照片模糊",
            "reason:f:shop_name": "字号与经营范围不符",
        },
    )
    assert asked.status_code == 302
    application.refresh_from_db()
    assert application.state == OnlineState.CORRECTION_REQUESTED
    detail = citizen.get(f"/my/online/{application.reference}/").content.decode()
    assert f'<li data-material="{ID_PROOF}">{ID_PROOF}：照片模糊</li>' in detail
    assert '<li data-field="shop_name">字号名称：字号与经营范围不符</li>' in detail

    services.application_submit(account=city.account, reference=application.reference, key="b")
    application.refresh_from_db()
    accepted = staff.post(
        f"/staff/online/{application.reference}/decide/",
        {"decision": "accept", "revision": application.revision},
    )
    case = Case.objects.get()
    assert accepted.status_code == 302
    assert accepted["Location"] == f"/staff/cases/{case.number}/"
    detail = citizen.get(f"/my/online/{application.reference}/").content.decode()
    assert f'id="online-case-link" href="/my/cases/{case.number}/"' in detail
    assert 'id="online-visit"' in detail
