"""Small CJK fonts in every PDF the platform prints (the intake papers of ``cases``, the reports
of ``reports``): a WeasyPrint finisher that re-packs each embedded CID-keyed CFF font (Noto
CJK) with only the glyphs the page draws.

WeasyPrint subsets a font but keeps every glyph's slot (its content streams name glyphs by
their number in the whole font), so a subset of Noto CJK still carries the metrics, the
charset and an empty outline for each of its ~65,000 glyphs: 85–185 KB per face even for the
300 characters of a receipt. A CID-keyed CFF font maps a character id (CID) to its glyph
through its own charset, and in Noto CJK (``Adobe-Identity-0``) the CID is the glyph's number
in the whole font, which is what WeasyPrint wrote in the page. So the used glyphs are kept
under their CIDs in a compact font (glyphs renumbered, CIDs unchanged), embedded as a bare CFF
program (``FontFile3`` of subtype ``CIDFontType0C``, where every reader selects glyphs by the
charset), and the ``CIDToGIDMap`` WeasyPrint adds (meant for TrueType) is dropped. The page's
text, widths and ``ToUnicode`` map are untouched. A font that is not CID-keyed CFF is left as
WeasyPrint made it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from typing import Any

import pydyf
from fontTools import subset
from fontTools.ttLib import TTFont

logger = logging.getLogger(__name__)

# Part of the cache key of a rendered paper (cases/receipts.py): change it with this module.
FONT_PACKING_VERSION = "1"

# Tables fontTools needs to subset the CFF program; the others (hmtx, vmtx: 4 bytes a glyph)
# are never read, as they are not embedded.
_KEPT_TABLES = {"CFF ", "maxp", "head", "GlyphOrder"}


def _cids(widths: Iterable[Any]) -> set[int]:
    """The CIDs listed in a CIDFont's ``W`` array (``start [w1 w2 …]`` runs, as WeasyPrint
    writes it): every glyph the document draws has its width there."""
    cids: set[int] = set()
    items = list(widths)
    for start, run in zip(items[::2], items[1::2], strict=True):
        cids.update(range(int(start), int(start) + len(run)))
    return cids


def _compact_cff(font_program: bytes, cids: set[int]) -> bytes | None:
    """The bare CFF program of ``font_program`` (OpenType, CID-keyed CFF) with only ``cids``
    (and .notdef), or None when the font is not CID-keyed CFF or a glyph's number is not its
    CID."""
    font = TTFont(io.BytesIO(font_program), lazy=True)
    if "CFF " not in font:
        return None
    for tag in list(font.keys()):
        if tag not in _KEPT_TABLES:
            del font[tag]
    if not hasattr(font["CFF "].cff.topDictIndex[0], "ROS"):
        return None
    order = font.getGlyphOrder()
    used = sorted(cid for cid in cids if cid)
    names = [f"cid{cid:05d}" for cid in used]
    if any(cid >= len(order) or order[cid] != name for cid, name in zip(used, names, strict=True)):
        return None
    options = subset.Options(
        retain_gids=False,
        # WeasyPrint's subset is already without subroutines and hints.
        desubroutinize=False,
        hinting=True,
        notdef_outline=True,
        name_IDs=[],
        layout_features=[],
    )
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=[".notdef", *names])
    subsetter.subset(font)
    if font.getGlyphOrder() != [".notdef", *names]:
        return None  # a glyph was lost: keep WeasyPrint's font
    out = io.BytesIO()
    font["CFF "].cff.compile(out, font)
    return out.getvalue()


def compact_cid_fonts(document: Any, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher (``write_pdf(finisher=…)``): re-pack the document's CID-keyed CFF
    fonts in place, as the module says."""
    objects = {obj.reference: obj for obj in pdf.objects if hasattr(obj, "reference")}
    # One font program may serve several CIDFonts: it keeps the glyphs of all of them.
    users: dict[bytes, list[pydyf.Dictionary]] = {}
    for cid_font in pdf.objects:
        if isinstance(cid_font, pydyf.Dictionary) and cid_font.get("Subtype") == "/CIDFontType0":
            descriptor = objects.get(cid_font.get("FontDescriptor"))
            if isinstance(descriptor, pydyf.Dictionary) and "FontFile3" in descriptor:
                users.setdefault(descriptor["FontFile3"], []).append(cid_font)
    for reference, cid_fonts in users.items():
        program = objects.get(reference)
        if not isinstance(program, pydyf.Stream) or program.extra.get("Subtype") != "/OpenType":
            continue
        if not all("W" in cid_font for cid_font in cid_fonts):
            continue
        cids = set().union(*(_cids(cid_font["W"]) for cid_font in cid_fonts))
        try:
            compact = _compact_cff(b"".join(program.stream), cids)
        except Exception:  # an unexpected font: WeasyPrint's own subset still prints right
            logger.warning(
                "could not re-pack a font of %s", cid_fonts[0].get("BaseFont"), exc_info=True
            )
            continue
        if compact is None:
            continue
        program.stream = [compact]
        program.extra["Subtype"] = "/CIDFontType0C"
        for cid_font in cid_fonts:
            cid_font.pop("CIDToGIDMap", None)
