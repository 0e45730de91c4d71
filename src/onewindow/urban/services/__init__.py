"""Every write of grid management: permission first, one transaction, the move through
``workflow.mover``, one module per part: ``intake`` (reports) and ``from_hotline`` (12345 and
Open311) — re-exported here —; ``common`` (the lock, a stage's deadline, photos), ``centre``
(the supervision and command centres), ``onsite`` (the grid worker), ``unit`` (the unit's moves
and requests) and ``categories`` (the categories workbook): import those from their modules."""

from onewindow.urban.services.from_hotline import *  # noqa: F403
from onewindow.urban.services.from_hotline import __all__ as _from_hotline
from onewindow.urban.services.intake import *  # noqa: F403
from onewindow.urban.services.intake import __all__ as _intake

__all__ = [*_intake, *_from_hotline]
