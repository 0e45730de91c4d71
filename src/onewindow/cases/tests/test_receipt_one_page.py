"""A receipt with up to ten papers fits one A4 page (pages counted by poppler's ``pdfinfo``, as
the receipt tests do)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases.models import MaterialStatus
from onewindow.cases.receipts import case_receipt_pdf
from onewindow.cases.services import MaterialReceipt, case_accept
from onewindow.cases.tests.test_receipts import page_count, pdf_text
from onewindow.catalog.codes import MaterialNecessity, MaterialType
from onewindow.testing.factories import create_item, material

# Names as long as real ones: they wrap in the table.
NAMES = [
    "既有住宅增设电梯申请表（含全体业主签名及联系方式）",
    "业主表决意见书（经本单元三分之二以上业主同意）",
    "房屋安全鉴定报告（具备资质的鉴定机构出具）",
    "增设电梯工程设计方案及施工图纸（含结构计算书）",
    "规划许可申请材料及总平面图（加盖设计单位公章）",
    "电梯设备制造许可证及产品合格证明文件复印件",
    "施工单位资质证书及安全生产许可证复印件",
    "资金筹集方案及费用分摊协议（全体出资业主签字）",
    "委托代理人身份证明及授权委托书（如委托办理）",
    "公示材料及公示期间无异议证明（社区居委会盖章）",
]


def big_item(city, *, count: int, deferred: int):
    """An item of ``count`` papers, the last ``deferred`` of them deferrable (容缺)."""
    city.street_centre.address = "广州市荔湾区某某街道某某路一百二十三号政务服务中心一楼大厅"
    city.street_centre.opening_hours = "周一至周五 9:00–12:00，14:00–17:30；周六上午 9:00–12:00"
    city.street_centre.save()
    return create_item(
        name="既有住宅增设电梯",
        department=city.lead_department,
        materials=[
            material(
                name=name,
                material_type=MaterialType.FORM if n == 0 else MaterialType.CERTIFICATE,
                necessity=MaterialNecessity.DEFERRABLE
                if n >= count - deferred
                else MaterialNecessity.REQUIRED,
            )
            for n, name in enumerate(NAMES[:count])
        ],
    )


@pytest.mark.parametrize(("count", "deferred"), [(8, 0), (10, 0), (10, 2)])
def test_a_receipt_of_up_to_ten_papers_is_one_page(city, tmp_path, count, deferred):
    item = big_item(city, count=count, deferred=deferred)
    due = timezone.localdate() + dt.timedelta(days=5)
    receipts = [
        MaterialReceipt(name=m.name, status=MaterialStatus.DEFERRED, due_date=due)
        if n >= count - deferred
        else MaterialReceipt(name=m.name, status=MaterialStatus.RECEIVED, copies=2)
        for n, m in enumerate(item.materials.order_by("order", "id"))
    ]
    case = case_accept(
        intake=city.intake(item=item, materials=receipts, promise_signed=bool(deferred))
    )
    pdf = case_receipt_pdf(case=case)
    text = pdf_text(pdf, tmp_path)
    for name in NAMES[:count]:
        assert "".join(name.split()) in text
    assert case.query_code in text
    assert page_count(pdf, tmp_path) == 1
