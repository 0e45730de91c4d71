"""``manage.py staff_clean_pending`` (cron, hourly, where no Celery beat or periodic thread runs):
delete enrolments begun and never finished, and unused enrolment codes long expired
(``enrolment.clean_pending``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from onewindow.staff.enrolment import clean_pending


class Command(BaseCommand):
    help = "Delete unconfirmed second-factor devices and unused expired enrolment codes."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = clean_pending()
        self.stdout.write(
            _("Pending enrolments deleted: %(devices)s devices, %(codes)s enrolment codes.")
            % counts
        )
