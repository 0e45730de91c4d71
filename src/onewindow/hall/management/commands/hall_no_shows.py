from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onewindow.hall.services import bookings_no_show_sweep


class Command(BaseCommand):
    help = "Mark bookings whose slot ended without a check-in as no-shows (run from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = bookings_no_show_sweep()
        self.stdout.write(f"{moved}")
