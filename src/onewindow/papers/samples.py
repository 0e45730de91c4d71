"""Small papers made in code, for the demo city and the tests (no binary file is committed):
a PDF of blank A4 pages, a PNG and a JPEG of one colour (the JPEG optionally with the EXIF a
phone writes: camera, orientation, GPS position)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

A4 = (595, 842)


def sample_pdf(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _n in range(pages):
        writer.add_blank_page(*A4)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _picture(width: int, height: int, colour: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    # A frame and a diagonal, so that a thumbnail visibly shows a "document".
    draw.rectangle([2, 2, width - 3, height - 3], outline=(40, 40, 40), width=2)
    draw.line([0, 0, width, height], fill=(40, 40, 40), width=2)
    return image


def sample_png(
    width: int = 120, height: int = 80, colour: tuple[int, int, int] = (70, 130, 180)
) -> bytes:
    out = io.BytesIO()
    _picture(width, height, colour).save(out, format="PNG")
    return out.getvalue()


def sample_jpeg(
    width: int = 120,
    height: int = 80,
    colour: tuple[int, int, int] = (200, 60, 40),
    *,
    with_exif: bool = False,
    orientation: int = 1,
) -> bytes:
    image = _picture(width, height, colour)
    out = io.BytesIO()
    if with_exif:
        exif = Image.Exif()
        exif[0x010F] = "SampleCameraMaker"  # Make
        exif[0x0112] = orientation  # Orientation
        gps = exif.get_ifd(0x8825)  # GPSInfo
        gps[1] = "N"
        gps[2] = (22.0, 33.0, 1.5)
        image.save(out, format="JPEG", exif=exif.tobytes())
    else:
        image.save(out, format="JPEG")
    return out.getvalue()
