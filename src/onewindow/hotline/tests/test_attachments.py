"""An order's attachments (附件): the lead unit's files sent with its handling form in one
transaction (a refused file refuses the whole reply, nothing left behind), the agent's intake
attachments, who opens them (the centre; units holding the order; not a confidential order's
intake files at a unit; not the auditor), every read audited, and the order pages' queries
constant whatever the number of attachments."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.core.audit import AuditLog
from onewindow.core.errors import NotFoundOrForbidden, ValidationFailed
from onewindow.hotline.codes import AttachmentKind
from onewindow.hotline.models import HandlingReply, OrderAttachment, WorkOrder
from onewindow.hotline.services import ReplyInput, order_dispatch, order_sign, order_take
from onewindow.hotline.services.attachments import (
    ATTACHMENTS_MAX,
    attachment_add,
    attachment_bytes,
    attachment_open,
    attachments_shown,
    order_reply_with_attachments,
)
from onewindow.hotline.tests.conftest import caller, light_input
from onewindow.hotline.transitions import OrderState
from onewindow.papers.models import Paper
from onewindow.papers.samples import sample_jpeg, sample_pdf, sample_png

UNIT = "/staff/hotline/unit/orders/"
CENTRE = "/staff/hotline/orders/"


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "papers"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def taken(scene, **overrides):
    return order_take(actor=scene.agent, data=light_input(**overrides), caller=caller())


def handling(scene, *, assists=(), **overrides):
    order = taken(scene, **overrides)
    order = order_dispatch(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=scene.cgj.pk,
        assist_ids=[a.pk for a in assists],
        note="请尽快修复。",
    )
    return order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


def reply_form(order, **extra):
    return {
        "revision": str(order.revision),
        "truth": "true",
        "solved": "yes",
        "handling": "已更换灯泡并检修线路。",
        "public_reply": "路灯已修复，感谢您的反映。",
        **extra,
    }


def reads() -> int:
    return AuditLog.objects.filter(action="hotline.attachment_read", allowed=True).count()


# --- the unit's reply with its files -----------------------------------------------------------


def test_the_unit_sends_its_reply_with_a_pdf_and_a_photo(client, scene):
    order = handling(scene)
    client.force_login(scene.cgj_staff)
    response = client.post(
        f"{UNIT}{order.number}/reply/",
        reply_form(
            order,
            files=[
                upload("整改报告.pdf", sample_pdf(2)),
                upload("现场.jpg", sample_jpeg(with_exif=True)),
            ],
        ),
    )
    assert response.status_code == 302
    assert fresh(order).state == OrderState.REPLIED
    reply = HandlingReply.objects.get(order=order)
    rows = list(OrderAttachment.objects.filter(order=order).select_related("paper"))
    assert [(a.paper.original_name, a.kind, a.reply_id, a.department_id) for a in rows] == [
        ("整改报告.pdf", AttachmentKind.HANDLING, reply.pk, scene.cgj.pk),
        ("现场.jpg", AttachmentKind.HANDLING, reply.pk, scene.cgj.pk),
    ]
    assert rows[0].paper.pages == 2 and rows[1].paper.content_type == "image/jpeg"
    assert len(stored_files()) == 3  # the PDF, the photo and its thumbnail
    assert AuditLog.objects.filter(action="hotline.attachment_add").count() == 2


def test_the_reply_page_has_a_multipart_form_with_a_file_input(client, scene):
    order = handling(scene)
    client.force_login(scene.cgj_staff)
    text = client.get(f"{UNIT}{order.number}/").content.decode()
    assert 'enctype="multipart/form-data"' in text
    assert 'name="files" type="file"' in text and "multiple" in text
    assert 'id="attach-form"' in text  # the lead unit may add a file without replying


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("报告.pdf", sample_png(), "not_what_its_name_says"),
        ("报告.pdf", b"MZ\x90\x00 not a paper at all", "not_what_its_name_says"),
        ("报告.exe", b"MZ\x90\x00 not a paper at all", "type_not_allowed"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_refuses_the_whole_reply(
    client, scene, name, data, code
):
    order = handling(scene)
    client.force_login(scene.cgj_staff)
    response = client.post(
        f"{UNIT}{order.number}/reply/",
        reply_form(order, files=[upload("好的.png", sample_png()), upload(name, data)]),
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert 'data-field="file"' in text
    assert "已更换灯泡并检修线路。" in text  # the typed reply comes back
    assert fresh(order).state == OrderState.HANDLING
    assert not HandlingReply.objects.exists()
    assert not OrderAttachment.objects.exists()
    assert not Paper.objects.exists()
    assert stored_files() == []
    refused = response.context["error"]
    assert [e["code"] for e in refused["errors"]] == [code]


def test_an_empty_file_is_refused_as_empty(scene):
    order = handling(scene)
    with pytest.raises(ValidationFailed) as caught:
        order_reply_with_attachments(
            actor=scene.cgj_staff,
            order=order,
            expected_revision=order.revision,
            reply=ReplyInput(
                truth="true", solved=True, handling="已修复。", public_reply="已修复。"
            ),
            uploads=[(upload("空.pdf", b""), "空.pdf")],
        )
    assert caught.value.as_dict()["errors"][0]["code"] == "empty"
    assert not HandlingReply.objects.exists() and stored_files() == []


def test_a_file_too_big_refuses_the_whole_reply(client, scene, settings):
    order = handling(scene)
    pdf = sample_pdf()
    settings.PAPER_MAX_BYTES = len(pdf) - 1
    client.force_login(scene.cgj_staff)
    response = client.post(
        f"{UNIT}{order.number}/reply/", reply_form(order, files=[upload("报告.pdf", pdf)])
    )
    assert response.status_code == 422
    assert response.context["error"]["errors"][0]["code"] == "too_large"
    assert fresh(order).state == OrderState.HANDLING
    assert not HandlingReply.objects.exists() and not Paper.objects.exists()
    assert stored_files() == []


def test_a_refused_reply_keeps_no_file_either(client, scene):
    order = handling(scene)
    client.force_login(scene.cgj_staff)
    response = client.post(
        f"{UNIT}{order.number}/reply/",
        reply_form(order, handling="", files=[upload("报告.pdf", sample_pdf())]),
    )
    assert response.status_code == 422
    assert not HandlingReply.objects.exists() and not Paper.objects.exists()
    assert stored_files() == []


def test_a_stale_reply_keeps_no_file(scene):
    order = handling(scene)
    with pytest.raises(Exception) as caught:
        order_reply_with_attachments(
            actor=scene.cgj_staff,
            order=order,
            expected_revision=order.revision - 1,
            reply=ReplyInput(
                truth="true", solved=True, handling="已修复。", public_reply="已修复。"
            ),
            uploads=[(upload("报告.pdf", sample_pdf()), "报告.pdf")],
        )
    assert caught.value.status == 409  # type: ignore[attr-defined]
    assert not Paper.objects.exists() and stored_files() == []


def test_a_reply_body_above_the_request_limit_answers_413_with_nothing_written(
    client, scene, settings
):
    order = handling(scene)
    pdf = sample_pdf()
    settings.REQUEST_BODY_MAX_BYTES = len(pdf) // 2  # the multipart body is larger than this
    client.force_login(scene.cgj_staff)
    response = client.post(
        f"{UNIT}{order.number}/reply/", reply_form(order, files=[upload("报告.pdf", pdf)])
    )
    assert response.status_code == 413
    assert fresh(order).state == OrderState.HANDLING
    assert not HandlingReply.objects.exists() and stored_files() == []


def test_an_order_takes_at_most_the_limit_of_attachments(scene):
    order = handling(scene)
    for n in range(ATTACHMENTS_MAX):
        attachment_add(
            actor=scene.cgj_staff,
            order=order,
            upload=upload("p.png", sample_png()),
            name=f"{n}.png",
        )
    with pytest.raises(ValidationFailed) as caught:
        order_reply_with_attachments(
            actor=scene.cgj_staff,
            order=order,
            expected_revision=fresh(order).revision,
            reply=ReplyInput(
                truth="true", solved=True, handling="已修复。", public_reply="已修复。"
            ),
            uploads=[(upload("报告.pdf", sample_pdf()), "报告.pdf")],
        )
    assert caught.value.as_dict()["errors"][0]["code"] == "too_many"
    assert not HandlingReply.objects.exists()
    assert OrderAttachment.objects.count() == Paper.objects.count() == ATTACHMENTS_MAX


# --- who adds ----------------------------------------------------------------------------------


def test_the_agent_adds_an_intake_attachment_from_the_order_page(client, scene):
    order = taken(scene)
    client.force_login(scene.agent)
    response = client.post(
        f"{CENTRE}{order.number}/attachments/add/", {"file": upload("来信.jpg", sample_jpeg())}
    )
    assert response.status_code == 302
    row = OrderAttachment.objects.select_related("paper").get(order=order)
    assert (row.kind, row.department_id, row.reply_id) == (AttachmentKind.INTAKE, None, None)
    text = client.get(f"{CENTRE}{order.number}/").content.decode()
    assert f'data-attachment="{row.pk}"' in text and "来信.jpg" in text


def test_the_agent_is_told_when_no_file_or_a_bad_file_is_sent(client, scene):
    order = taken(scene)
    client.force_login(scene.agent)
    response = client.post(f"{CENTRE}{order.number}/attachments/add/", {})
    assert response.status_code == 422 and 'data-field="file"' in response.content.decode()
    response = client.post(
        f"{CENTRE}{order.number}/attachments/add/", {"file": upload("来信.jpg", sample_pdf())}
    )
    assert response.status_code == 422
    assert not OrderAttachment.objects.exists() and stored_files() == []


def test_no_attachment_is_added_to_a_closed_order(scene):
    from onewindow.hotline.services import order_answer

    order = order_answer(
        actor=scene.agent, data=light_input(), caller=caller(), answer="请拨打96123。"
    )
    with pytest.raises(Exception) as caught:
        attachment_add(
            actor=scene.agent, order=order, upload=upload("a.png", sample_png()), name="a.png"
        )
    assert caught.value.status == 409  # type: ignore[attr-defined]
    assert "添加附件" in caught.value.as_dict()["message"]  # type: ignore[attr-defined]
    assert stored_files() == []


def test_only_the_lead_unit_holding_the_order_adds_to_it(scene):
    order = handling(scene, assists=[scene.zjj])
    for outsider in (scene.zjj_staff, scene.street_staff, scene.auditor):
        with pytest.raises(NotFoundOrForbidden):
            attachment_add(
                actor=outsider, order=order, upload=upload("a.png", sample_png()), name="a.png"
            )
    assert stored_files() == []
    row = attachment_add(
        actor=scene.cgj_staff, order=order, upload=upload("a.png", sample_png()), name="a.png"
    )
    assert (row.kind, row.department_id) == (AttachmentKind.HANDLING, scene.cgj.pk)


# --- who opens ---------------------------------------------------------------------------------


def test_the_unit_opens_its_pdf_as_a_download_and_every_open_is_audited(client, scene):
    order = handling(scene)
    row = attachment_add(
        actor=scene.cgj_staff,
        order=order,
        upload=upload("整改报告.pdf", sample_pdf()),
        name="整改报告.pdf",
    )
    client.force_login(scene.cgj_staff)
    for expected in (1, 2):
        response = client.get(f"{UNIT}{order.number}/attachments/{row.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Cache-Control"] == "no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.content.startswith(b"%PDF-")
        assert reads() == expected
    audit = AuditLog.objects.filter(action="hotline.attachment_read").latest("id")
    assert audit.object_repr == order.number
    assert audit.detail["sha256"] == row.paper.sha256


def test_an_image_opens_inline_at_the_centre(client, scene):
    order = handling(scene)
    row = attachment_add(
        actor=scene.cgj_staff, order=order, upload=upload("现场.png", sample_png()), name="现场.png"
    )
    client.force_login(scene.agent)
    response = client.get(f"{CENTRE}{order.number}/attachments/{row.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert reads() == 1


def test_another_unit_the_auditor_and_a_wrong_order_get_the_same_404(client, scene):
    order = handling(scene)
    other = handling(scene, title="另一张工单")
    row = attachment_add(
        actor=scene.cgj_staff, order=order, upload=upload("报告.pdf", sample_pdf()), name="报告.pdf"
    )
    for user, url in (
        (scene.zjj_staff, f"{UNIT}{order.number}/attachments/{row.pk}/"),
        (scene.auditor, f"{UNIT}{order.number}/attachments/{row.pk}/"),
        (scene.auditor, f"{CENTRE}{order.number}/attachments/{row.pk}/"),
        (scene.cgj_staff, f"{UNIT}{other.number}/attachments/{row.pk}/"),
        (scene.cgj_staff, f"{UNIT}{order.number}/attachments/{row.pk + 99}/"),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 404, (user, url)
    assert reads() == 0
    assert AuditLog.objects.filter(action="denied:hotline.attachment_read").count() == 4
    for user in (scene.zjj_staff, scene.auditor):
        assert attachments_shown(user, order) == []


def test_a_unit_that_returned_the_order_no_longer_opens_its_files(scene):
    from onewindow.hotline.services import order_return

    order = handling(scene)
    row = attachment_add(
        actor=scene.cgj_staff, order=order, upload=upload("报告.pdf", sample_pdf()), name="报告.pdf"
    )
    order_return(
        actor=scene.cgj_staff,
        order=fresh(order),
        expected_revision=fresh(order).revision,
        reason="不是本单位职责，应由住建局办理。",
    )
    with pytest.raises(NotFoundOrForbidden):
        attachment_open(actor=scene.cgj_staff, number=order.number, attachment_id=row.pk)
    assert attachment_bytes(actor=scene.agent, attachment=row).startswith(b"%PDF-")


def test_a_unit_cannot_open_a_confidential_orders_intake_attachment(client, scene):
    order = taken(scene, confidential=True)
    intake = attachment_add(
        actor=scene.agent, order=order, upload=upload("来信.jpg", sample_jpeg()), name="来信.jpg"
    )
    order = handling_from(scene, order)
    own = attachment_add(
        actor=scene.cgj_staff, order=order, upload=upload("现场.png", sample_png()), name="现场.png"
    )
    assert attachments_shown(scene.cgj_staff, order) == [own]
    assert attachments_shown(scene.agent, order) == [intake, own]
    client.force_login(scene.cgj_staff)
    assert client.get(f"{UNIT}{order.number}/attachments/{intake.pk}/").status_code == 404
    assert client.get(f"{UNIT}{order.number}/attachments/{own.pk}/").status_code == 200
    text = client.get(f"{UNIT}{order.number}/").content.decode()
    assert f'data-attachment="{intake.pk}"' not in text and "来信.jpg" not in text
    assert f'data-attachment="{own.pk}"' in text
    client.force_login(scene.agent)
    assert client.get(f"{CENTRE}{order.number}/attachments/{intake.pk}/").status_code == 200


def test_a_unit_sees_the_intake_attachment_of_an_ordinary_order(scene):
    order = taken(scene)
    intake = attachment_add(
        actor=scene.agent, order=order, upload=upload("现场.jpg", sample_jpeg()), name="现场.jpg"
    )
    order = handling_from(scene, order)
    assert attachments_shown(scene.cgj_staff, order) == [intake]
    assert attachment_bytes(actor=scene.cgj_staff, attachment=intake)[:3] == b"\xff\xd8\xff"


def handling_from(scene, order):
    order = order_dispatch(
        actor=scene.agent,
        order=fresh(order),
        expected_revision=fresh(order).revision,
        lead_id=scene.cgj.pk,
        assist_ids=[],
        note="",
    )
    return order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)


# --- the pages' queries ----------------------------------------------------------------------


@pytest.mark.parametrize("face", ["unit", "centre"])
def test_the_order_pages_cost_the_same_queries_with_one_or_many_attachments(
    client, scene, face, django_assert_max_num_queries
):
    order = handling(scene)
    add = lambda n: attachment_add(  # noqa: E731
        actor=scene.cgj_staff, order=order, upload=upload("p.png", sample_png()), name=f"{n}.png"
    )
    add(0)
    user, url = (
        (scene.cgj_staff, f"{UNIT}{order.number}/")
        if face == "unit"
        else (scene.agent, f"{CENTRE}{order.number}/")
    )
    client.force_login(user)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(1, 6):
        add(n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-attachment=") == 6


def test_the_lead_unit_adds_a_file_from_its_page_and_a_bad_one_is_shown_at_the_form(client, scene):
    order = handling(scene)
    client.force_login(scene.cgj_staff)
    url = f"{UNIT}{order.number}/attachments/add/"
    response = client.post(url, {"file": upload("现场.png", sample_jpeg())})
    assert response.status_code == 422
    text = response.content.decode()
    section = text[text.index('id="attachments"') :]
    assert 'data-field="file"' in section[: section.index("</section>")]
    assert not OrderAttachment.objects.exists() and stored_files() == []
    response = client.post(url, {"file": upload("现场.jpg", sample_jpeg())})
    assert response.status_code == 302
    assert response["Location"].endswith(f"{order.number}/#attachments")
    assert OrderAttachment.objects.get().kind == AttachmentKind.HANDLING
    client.force_login(scene.zjj_staff)
    assert client.post(url, {"file": upload("现场.jpg", sample_jpeg())}).status_code == 404
    assert OrderAttachment.objects.count() == 1
