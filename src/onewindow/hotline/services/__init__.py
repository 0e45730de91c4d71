"""Every write of the hotline (``services/intake.py``, ``dispatch.py``, ``handling.py``,
``callback.py``): permission first, one transaction, the move through ``workflow.mover``."""

from onewindow.hotline.services.callback import *  # noqa: F403
from onewindow.hotline.services.callback import __all__ as _callback
from onewindow.hotline.services.catalogue import *  # noqa: F403
from onewindow.hotline.services.catalogue import __all__ as _catalogue
from onewindow.hotline.services.dispatch import *  # noqa: F403
from onewindow.hotline.services.dispatch import __all__ as _dispatch
from onewindow.hotline.services.from_ratings import *  # noqa: F403
from onewindow.hotline.services.from_ratings import __all__ as _from_ratings
from onewindow.hotline.services.handling import *  # noqa: F403
from onewindow.hotline.services.handling import __all__ as _handling
from onewindow.hotline.services.intake import *  # noqa: F403
from onewindow.hotline.services.intake import __all__ as _intake
from onewindow.hotline.services.telephony import *  # noqa: F403
from onewindow.hotline.services.telephony import __all__ as _telephony

__all__ = [*_intake, *_dispatch, *_handling, *_callback, *_catalogue, *_from_ratings, *_telephony]
