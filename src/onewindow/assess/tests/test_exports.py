"""The tables as export data: the same figures as the pages, percentages as fractions."""

from __future__ import annotations

from decimal import Decimal

from onewindow.assess.exports import efficiency_export, rating_export, staff_export
from onewindow.assess.tables import Period, Unit, efficiency_table, rating_table, staff_table

NOVEMBER = Period(2026, 11)


def test_the_three_tables_as_export_data(month):
    unit = Unit.of_centre(month.centre)
    ratings = rating_export(rating_table(unit=unit, period=NOVEMBER))
    assert [c.key for c in ratings.columns][:3] == ["department", "total", "level_5"]
    a = next(r for r in ratings.rows if r["department"] == "区住房和建设局")
    assert (a["total"], a["bad"], a["satisfaction"], a["rectify_overdue"]) == (
        4,
        2,
        Decimal("0.5"),
        1,
    )
    assert ratings.totals is not None and ratings.totals["satisfaction"] == Decimal("0.571")
    assert str(ratings.totals["department"]) == "合计"
    efficiency = efficiency_export(efficiency_table(unit=unit, period=NOVEMBER))
    assert efficiency.totals is not None
    assert (
        efficiency.totals["on_time_share"],
        efficiency.totals["average_days"],
        efficiency.totals["instant_share"],
    ) == (Decimal("0.857"), Decimal("4.0"), Decimal("0.25"))
    assert "30 %" in str(efficiency.footnotes[0])
    staff = staff_export(staff_table(unit=unit, period=NOVEMBER))
    first = staff.rows[0]
    assert (first["rank"], first["name"], first["score"]) == (
        1,
        "王小明",
        Decimal("91.4"),
    )
    assert staff.rows[0]["on_time_share"] is None and staff.rows[0]["taken_in"] == 5
