"""Every write of grid management: permission first, one transaction, the move through
``workflow.mover``, one module per part (``intake``: reports; ``from_hotline``: 12345 and
Open311; ``categories``: the categories workbook and its data). The intake functions are
re-exported here; import the others from their modules."""

from onewindow.urban.services.from_hotline import *  # noqa: F403
from onewindow.urban.services.from_hotline import __all__ as _from_hotline
from onewindow.urban.services.intake import *  # noqa: F403
from onewindow.urban.services.intake import __all__ as _intake

__all__ = [*_intake, *_from_hotline]
