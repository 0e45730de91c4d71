"""A paper's type is decided by its content; limits, damage and EXIF are handled before a byte
is kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from onewindow.core.errors import ValidationFailed, bilingual
from onewindow.papers.inspection import JPEG, PDF, PNG, inspect_paper, sniff
from onewindow.papers.samples import sample_jpeg, sample_pdf, sample_png


def refusal(data: bytes, name: str) -> tuple[str, dict[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        inspect_paper(data=data, name=name)
    error = caught.value
    assert error.code == "paper_refused" and error.status == 422
    assert len(error.errors) == 1 and error.errors[0].field == "file"
    field = error.errors[0]
    return field.code, bilingual(field.message, **field.params)


def test_the_three_kinds_are_told_by_their_first_bytes():
    assert sniff(sample_pdf()[:16]) == PDF
    assert sniff(sample_jpeg()[:16]) == JPEG
    assert sniff(sample_png()[:16]) == PNG
    assert sniff(b"GIF89a........") is None
    assert sniff(b"MZ\x90\x00") is None


def test_a_pdf_is_kept_as_it_came_with_its_pages_counted():
    data = sample_pdf(pages=3)
    found = inspect_paper(data=data, name="申请表.pdf")
    assert (found.content_type, found.pages, found.data, found.thumbnail) == (PDF, 3, data, b"")
    assert (found.width, found.height, found.extension) == (None, None, "pdf")


def test_a_name_without_extension_is_taken_by_its_content():
    assert inspect_paper(data=sample_png(), name="scan").content_type == PNG


def test_a_program_named_pdf_is_not_what_its_name_says():
    code, text = refusal(b"MZ\x90\x00" + b"\x00" * 200, "身份证.pdf")
    assert code == "not_what_its_name_says"
    assert text["zh"] == (
        "文件名为“身份证.pdf”，但其内容不是 PDF、JPEG 或 PNG：与文件名不符。"
        "请选择正确的文件，或重新扫描。"
    )
    assert text["en"] == (
        "The file is named “身份证.pdf” but its content is not a PDF, JPEG or PNG: it is not "
        "what its name says. Choose the right file, or scan the paper again."
    )


def test_a_png_named_pdf_is_refused_naming_what_it_is():
    code, text = refusal(sample_png(), "scan.pdf")
    assert code == "not_what_its_name_says"
    assert "its content is PNG" in text["en"] and "其内容是 PNG" in text["zh"]


def test_a_text_file_is_not_an_allowed_kind():
    code, text = refusal(b"hello, this is text", "notes.txt")
    assert code == "type_not_allowed"
    assert text["en"].startswith("This file is not a PDF, JPEG or PNG")
    assert text["zh"].startswith("此文件不是 PDF、JPEG 或 PNG")


def test_an_empty_and_an_oversized_file_are_refused(settings):
    assert refusal(b"", "a.pdf")[0] == "empty"
    settings.PAPER_MAX_BYTES = 1024 * 1024
    code, text = refusal(b"%PDF-" + b"0" * (2 * 1024 * 1024), "big.pdf")
    assert code == "too_large"
    assert text["en"] == (
        "The file is 2.0 MB; a paper may be at most 1 MB. Scan it at a lower resolution or "
        "split it into several papers."
    )


def test_too_many_pages_damaged_and_password_protected_pdfs_are_refused(settings):
    settings.PAPER_MAX_PAGES = 2
    code, text = refusal(sample_pdf(pages=3), "long.pdf")
    assert code == "too_many_pages" and "has 3 pages" in text["en"] and "at most 2" in text["en"]
    assert refusal(b"%PDF-1.7\n garbage without any object", "cut.pdf")[0] == "unreadable"
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sample_pdf())))
    writer.encrypt("secret")
    locked = io.BytesIO()
    writer.write(locked)
    assert refusal(locked.getvalue(), "locked.pdf")[0] == "pdf_encrypted"


def test_a_damaged_image_and_a_pixel_bomb_are_refused(settings):
    assert refusal(sample_png()[:40], "cut.png")[0] == "unreadable"
    assert refusal(b"\xff\xd8\xff\xe0" + b"\x00" * 50, "cut.jpg")[0] == "unreadable"
    settings.PAPER_MAX_PIXELS = 100 * 100
    code, text = refusal(sample_png(width=200, height=100), "huge.png")
    assert code == "too_many_pixels" and "200 × 100" in text["en"]


def test_a_jpeg_is_turned_upright_stripped_of_exif_and_thumbnailed():
    data = sample_jpeg(width=400, height=200, with_exif=True, orientation=6)
    assert b"SampleCameraMaker" in data
    found = inspect_paper(data=data, name="phone.jpeg")
    assert found.content_type == JPEG and found.extension == "jpg"
    kept = Image.open(io.BytesIO(found.data))
    assert kept.size == (200, 400)  # orientation 6: rotated a quarter turn
    assert dict(kept.getexif()) == {}
    assert b"SampleCameraMaker" not in found.data
    thumb = Image.open(io.BytesIO(found.thumbnail))
    assert thumb.format == "JPEG" and thumb.size == (160, 320)
    assert (found.width, found.height, found.pages) == (200, 400, 1)


def test_a_png_keeps_its_pixels_and_loses_its_text_chunks():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "home address 1 Road")
    out = io.BytesIO()
    Image.new("RGBA", (50, 30), (1, 2, 3, 255)).save(out, format="PNG", pnginfo=info)
    found = inspect_paper(data=out.getvalue(), name="x.PNG")
    assert b"home address" not in found.data
    kept = Image.open(io.BytesIO(found.data))
    assert kept.mode == "RGBA" and kept.getpixel((10, 10)) == (1, 2, 3, 255)
    assert Image.open(io.BytesIO(found.thumbnail)).size == (50, 30)


def test_a_jpeg_comment_and_colour_profiles_are_not_kept():
    """A JPEG's comment segment (COM: a scanner's or phone's free text) and an embedded ICC
    profile (it names the device) are metadata too: neither survives in the kept image nor in
    its thumbnail."""
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (9, 9, 9)).save(
        out, format="JPEG", comment=b"Zhang San 13800138000", icc_profile=b"PhoneProfile" * 20
    )
    found = inspect_paper(data=out.getvalue(), name="scan.jpg")
    for data in (found.data, found.thumbnail):
        assert b"13800138000" not in data and b"PhoneProfile" not in data
        assert {"comment", "icc_profile"} & set(Image.open(io.BytesIO(data)).info) == set()
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (9, 9, 9)).save(out, format="PNG", icc_profile=b"PhoneProfile" * 20)
    found = inspect_paper(data=out.getvalue(), name="scan.png")
    for data in (found.data, found.thumbnail):
        assert "icc_profile" not in Image.open(io.BytesIO(data)).info


def test_a_palette_png_keeps_its_transparency():
    image = Image.new("P", (20, 10), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.putpixel((5, 5), 1)
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=0)
    found = inspect_paper(data=out.getvalue(), name="stamp.png")
    kept = Image.open(io.BytesIO(found.data))
    assert kept.mode == "P" and kept.info.get("transparency") == 0
    assert kept.getpixel((5, 5)) == 1
