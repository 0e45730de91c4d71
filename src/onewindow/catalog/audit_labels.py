"""Labels of the catalogue's audit actions (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "catalog.item_create": _("Catalogue item created"),
    "catalog.item_update": _("Catalogue item updated"),
    "catalog.item_publish": _("Catalogue item published"),
    "catalog.item_cancel": _("Catalogue item cancelled"),
    "catalog.topic_create": _("Catalogue topic created"),
    "catalog.import": _("Catalogue imported"),
    "catalog.import_start": _("Catalogue import started"),
    "catalog.export": _("Catalogue exported"),
}
