"""Partition the case events and the audit rows by month: ``manage.py partition_month
[--table events|audit|all] [--apply] [--ahead N]`` (``core.partitioning``; docs/scaling.md,
"Past one box"; ADR 0016).

Without ``--apply`` it only prints the SQL it would run (reading the catalogue and the oldest
row in a read-only transaction). With ``--apply`` it moves an ordinary table to monthly
partitions, or, on a table partitioned already, creates the partitions of this month and the
next ``--ahead`` months that are missing (monthly from cron; the periodic task
``partitions_create_ahead`` does the same twice a day where it runs as the owner). Run it as
the role that owns the tables (the migration role, with ``ONEWINDOW_AUDIT_OWNER_OK=1`` as for
``migrate``), after a backup.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.utils.translation import gettext_lazy as _

from onewindow.core import partitioning
from onewindow.core.management.commands._bilingual import both


class Command(BaseCommand):
    help = "Partition the case events and the audit rows by month (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--table",
            choices=[*partitioning.SPECS, "all"],
            default="all",
            help="events (cases_caseevent), audit (core_auditlog) or all",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--apply", action="store_true", help="run the SQL")
        mode.add_argument("--dry-run", action="store_true", help="print the SQL only (default)")
        parser.add_argument(
            "--ahead",
            type=int,
            default=partitioning.AHEAD_MONTHS,
            help="months of partitions to create after this one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(both(_("Partitioning needs PostgreSQL; nothing was changed.")))
        ahead = options["ahead"]
        if not 0 <= ahead <= 24:
            raise CommandError(both(_("--ahead must be between 0 and 24 months.")))
        keys = list(partitioning.SPECS) if options["table"] == "all" else [options["table"]]
        specs = [partitioning.SPECS[key] for key in keys]
        try:
            if options["apply"]:
                for spec in specs:
                    self._apply(spec, ahead)
            else:
                for spec in specs:
                    self.stdout.write(self._dry(spec, ahead))
                self.stdout.write(
                    "-- "
                    + both(_("Dry run: nothing was changed. Run with --apply to do it.")).replace(
                        "\n", "\n-- "
                    )
                )
        except (partitioning.PartitionError, DatabaseError) as exc:
            raise CommandError(
                both(_("Partitioning stopped; this table was not changed: %(error)s"), error=exc)
            ) from exc

    @staticmethod
    def _dry(spec: partitioning.Spec, ahead: int) -> str:
        def build() -> str:
            if partitioning.relkind(spec.table) == "p":
                statements = partitioning.plan_ahead(spec, ahead=ahead)
                lines = [f"-- {spec.table}: partitioned already"]
                lines.extend(f"{s};" for s in statements)
                return "\n".join(lines)
            return partitioning.plan_move(spec, ahead=ahead).sql()

        return str(partitioning.plan_read_only(build))

    def _apply(self, spec: partitioning.Spec, ahead: int) -> None:
        if partitioning.relkind(spec.table) == "p":
            made = partitioning.partitions_ahead(ahead=ahead, specs=[spec])
            self.stdout.write(
                both(
                    _("%(table)s is partitioned already; partitions created: %(count)s."),
                    table=spec.table,
                    count=len(made),
                )
            )
            return
        outcome = partitioning.move(spec, ahead=ahead, say=self.stderr.write)
        self.stdout.write(
            both(
                _(
                    "%(table)s partitioned by month: %(rows)s rows in %(partitions)s partitions; "
                    "the writes waited %(swap).1f s."
                ),
                table=outcome.table,
                rows=outcome.rows,
                partitions=outcome.partitions,
                swap=outcome.seconds["swap"],
            )
        )
