"""What a report is: a titled table of one unit (单位) for one period, with its columns' kinds,
an optional totals row and footnotes (formulas, limits). ``xlsx.py`` and ``pdf_report.py`` print
it; ``responses.py`` answers it as a download.

A report is plain data built by the app that owns the figures (the supervision board, the queue,
the dashboard's charts, the monthly tables): this app knows nothing of cases or departments.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

Text = str | Promise

# At most this many rows in one export (a bigger one is cut, and says so in a footnote): an
# official report is read by people, and WeasyPrint takes about a second a page (30 rows), so
# a PDF is held to some twenty pages; a workbook is quick to write.
EXPORT_LIMITS = {"xlsx": 5000, "pdf": 500}


def export_limit(fmt: str) -> int:
    """The most rows an export in ``fmt`` holds."""
    return EXPORT_LIMITS[fmt]


class Kind(enum.StrEnum):
    """How a column's values are written: in the workbook as numbers with a format, in the PDF
    as text."""

    TEXT = "text"
    INTEGER = "integer"
    # A fraction (0.853), shown as 85.3%.
    PERCENT = "percent"
    # Two decimals (an average score).
    DECIMAL = "decimal"
    # A duration in days, one decimal.
    DAYS = "days"


# The workbook's number format of each kind (Excel's codes).
NUMBER_FORMATS = {
    Kind.TEXT: "@",
    Kind.INTEGER: "0",
    Kind.PERCENT: "0.0%",
    Kind.DECIMAL: "0.00",
    Kind.DAYS: "0.0",
}

NUMERIC_KINDS = frozenset({Kind.INTEGER, Kind.PERCENT, Kind.DECIMAL, Kind.DAYS})

# What an empty cell shows in the PDF.
EMPTY = "—"


@dataclass(frozen=True)
class Column:
    key: str
    label: Text
    kind: Kind = Kind.TEXT

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


def number(value: Any) -> float | int | None:
    """A cell's value as a number for the workbook (None stays empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return float(value)


def cell_text(value: Any, kind: Kind) -> str:
    """A cell's value as printed in the PDF and measured for the workbook's column widths."""
    if value is None or value == "":
        return EMPTY if kind in NUMERIC_KINDS else ""
    if kind is Kind.INTEGER:
        return str(int(value))
    if kind is Kind.PERCENT:
        return f"{float(value) * 100:.1f}%"
    if kind is Kind.DECIMAL:
        return f"{float(value):.2f}"
    if kind is Kind.DAYS:
        return f"{float(value):.1f}"
    return str(value)


@dataclass(frozen=True)
class Report:
    """One table of an official report.

    ``rows`` and ``totals`` map column keys to values (numbers for the numeric kinds; a
    percent as a fraction). ``period_label`` names the period ("2026年11月", "截至 …"); the
    dates, when given, follow it. ``slug`` is the ASCII start of the file's name (for
    clients that cannot read a UTF-8 name), the title its Chinese name."""

    title: Text
    unit: Text
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]
    slug: str
    period_label: Text = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    generated_at: dt.datetime = field(default_factory=timezone.now)
    totals: Mapping[str, Any] | None = None
    footnotes: Sequence[Text] = ()
    sheet_name: Text = ""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.slug):
            raise ValueError(f"A report's slug is lower-case ASCII: {self.slug!r}")
        keys = [column.key for column in self.columns]
        if len(set(keys)) != len(keys) or not keys:
            raise ValueError(f"A report needs columns with distinct keys: {keys!r}")

    @property
    def unit_line(self) -> str:
        return gettext("Unit: %(unit)s") % {"unit": self.unit}

    @property
    def period_text(self) -> str:
        dates = ""
        if self.period_start and self.period_end:
            dates = gettext("%(start)s to %(end)s") % {
                "start": self.period_start.isoformat(),
                "end": self.period_end.isoformat(),
            }
        label = str(self.period_label)
        if label and dates:
            return gettext("%(label)s (%(dates)s)") % {"label": label, "dates": dates}
        return label or dates

    @property
    def period_line(self) -> str:
        return gettext("Period: %(period)s") % {"period": self.period_text}

    @property
    def generated_line(self) -> str:
        moment = timezone.localtime(self.generated_at)
        return gettext("Generated: %(moment)s") % {"moment": f"{moment:%Y-%m-%d %H:%M}"}

    @property
    def heading_lines(self) -> list[str]:
        """The lines under the title: unit, period (when there is one), generated time."""
        lines = [self.unit_line]
        if self.period_text:
            lines.append(self.period_line)
        lines.append(self.generated_line)
        return lines

    def text_rows(self) -> list[list[str]]:
        """The rows as printed, the totals row last."""
        rows = [*self.rows, *([self.totals] if self.totals is not None else [])]
        return [[cell_text(row.get(c.key), c.kind) for c in self.columns] for row in rows]

    @property
    def page_rows(self) -> list[list[tuple[str, bool]]]:
        """The rows (without totals) as (text, numeric) cells, for a page's table."""
        numeric = [column.numeric for column in self.columns]
        texts = self.text_rows()[: len(self.rows)]
        return [list(zip(cells, numeric, strict=True)) for cells in texts]

    @property
    def page_totals(self) -> list[tuple[str, bool]] | None:
        if self.totals is None:
            return None
        numeric = [column.numeric for column in self.columns]
        return list(zip(self.text_rows()[-1], numeric, strict=True))

    def file_name(self, extension: str) -> str:
        """The file's (Chinese) name: the title and the day it was made."""
        day = timezone.localtime(self.generated_at).date()
        return f"{_safe_name(str(self.title))}_{day:%Y%m%d}.{extension}"

    def ascii_file_name(self, extension: str) -> str:
        day = timezone.localtime(self.generated_at).date()
        return f"{self.slug}_{day:%Y%m%d}.{extension}"


def _safe_name(text: str) -> str:
    """A title as a file name: no path separators, quotes or control characters."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "-", text).strip(" .-") or "report"


def cut_rows(
    rows: Sequence[Mapping[str, Any]], total: int, limit: int
) -> tuple[list[Mapping[str, Any]], list[Text]]:
    """At most ``limit`` of ``rows`` (of ``total`` in all) and, when some were left out, the
    footnote that says so."""
    kept = list(rows[:limit])
    if total <= limit:
        return kept, []
    return kept, [
        _(
            "Only the first %(limit)s of %(total)s rows are exported. Narrow the page's filter "
            "and export each part."
        )
        % {"limit": limit, "total": total}
    ]
