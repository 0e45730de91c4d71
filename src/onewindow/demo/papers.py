"""The demo's electronic papers: the lift case's application form (a PDF), the owners' vote
(a PNG) and the owners' representative's ID card copy (a JPEG), made in code when the demo is
built — no binary file in the repository — and uploaded through ``cases.services.papers`` like
a clerk's scans, so that every department of the joint review can open them on the case
page."""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from onewindow.cases.models import Case
from onewindow.cases.services.papers import case_paper_add

LIFT_FORM = "既有住宅增设电梯申请表"
LIFT_VOTE = "增设电梯业主表决结果及签名名单"
LIFT_ID_CARD = "业主代表居民身份证及授权委托书"


def _font(size: int) -> Any:
    """A CJK font if the machine has one (make run installs fonts-noto-cjk), else Pillow's."""
    path = ""
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"],
            capture_output=True,
            text=True,
            check=False,
        )
        path = found.stdout.strip()
    try:
        return ImageFont.truetype(path, size) if path else ImageFont.load_default()
    except OSError:
        return ImageFont.load_default()


def _sheet(title: str, lines: list[str], size: tuple[int, int], colour: str) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([8, 8, size[0] - 9, size[1] - 9], outline=colour, width=4)
    draw.text((40, 36), title, fill=colour, font=_font(40))
    for n, line in enumerate(lines):
        draw.text((40, 110 + n * 46), line, fill="black", font=_font(28))
    draw.text((40, size[1] - 70), "演示材料 · Demo paper", fill="grey", font=_font(24))
    return image


def lift_form_pdf() -> bytes:
    """A one-page PDF of the application form (an image page: no PDF font needed)."""
    page = _sheet(
        LIFT_FORM,
        [
            "申请人：本单元业主代表",
            "地址：荔湾区某街道某小区 3 栋 2 单元",
            "层数：7 层，拟增设电梯 1 部",
            "出资方式：业主按楼层分摊",
            "联系人签字：（演示）",
        ],
        (1240, 1754),
        "#1f4e79",
    )
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=150)
    return out.getvalue()


def owners_vote_png() -> bytes:
    sheet = _sheet(
        "增设电梯业主表决结果",
        ["参与表决业主：14 户 / 14 户", "同意：12 户（面积占比 86%）", "反对：1 户，弃权：1 户"],
        (1000, 700),
        "#7a2e2e",
    )
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()


def id_card_copy_jpeg() -> bytes:
    sheet = _sheet(
        "居民身份证复印件",
        ["姓名：（演示）", "公民身份号码：440103********123X"],
        (856, 540),
        "#2e5e3e",
    )
    out = io.BytesIO()
    sheet.save(out, format="JPEG", quality=85)
    return out.getvalue()


def demo_lift_papers(*, case: Case, clerk: Any) -> int:
    """Upload the three papers to ``case`` as ``clerk``; returns how many were kept."""
    materials = {m.name: m.pk for m in case.materials.all()}
    papers = [
        ("申请表.pdf", lift_form_pdf(), materials.get(LIFT_FORM)),
        ("业主表决结果.png", owners_vote_png(), materials.get(LIFT_VOTE)),
        ("身份证复印件.jpg", id_card_copy_jpeg(), materials.get(LIFT_ID_CARD)),
    ]
    for name, data, material_id in papers:
        case_paper_add(
            case=case,
            upload=SimpleUploadedFile(name, data),
            name=name,
            actor=clerk,
            material_id=material_id,
        )
    return len(papers)
