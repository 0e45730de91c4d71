from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "onewindow.hall"
    label = "hall"
    verbose_name = _("Appointments and the queue")

    def ready(self) -> None:
        from onewindow.hall import workstations

        workstations.register()

        from onewindow.citizens.subjects import register_message_subjects

        register_message_subjects(_hall_messages)


def _hall_messages(account: Any) -> dict[str, list[str | int]]:
    """The Bookings of the account, for its "my messages" (one query)."""
    from onewindow.hall.models import Booking
    from onewindow.hall.services import BOOKING_SUBJECT as SUBJECT_TYPE

    return {
        SUBJECT_TYPE: list(Booking.objects.filter(account=account).values_list("pk", flat=True))
    }
