"""Migration operations shared by the apps.

``AddIndexOnline`` adds an index without blocking writes on PostgreSQL: ``CREATE INDEX
CONCURRENTLY`` (django.contrib.postgres's ``AddIndexConcurrently``), so intake and the audit
trail keep writing while an index is built on a table of millions of rows. A migration using it
sets ``atomic = False`` (CONCURRENTLY cannot run in a transaction). Other databases (SQLite)
build a plain index. The migration state is exactly ``AddIndex``'s, so ``makemigrations
--check`` sees no change.

A concurrent build that was interrupted leaves an INVALID index of that name behind; the next
run drops it (concurrently) and builds it again instead of failing on "already exists".
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations import AddIndex


def _is_postgresql(schema_editor: Any) -> bool:
    return bool(schema_editor.connection.vendor == "postgresql")


class AddIndexOnline(AddIndexConcurrently):
    """``AddIndex`` that builds concurrently on PostgreSQL and plainly elsewhere."""

    def describe(self) -> str:
        return f"Create index {self.index.name} (concurrently on PostgreSQL) on {self.model_name}"

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if not _is_postgresql(schema_editor):
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)
            return
        self._ensure_not_in_transaction(schema_editor)
        name = self.index.name
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
                [name],
            )
            row = cursor.fetchone()
        if row is not None and not row[0]:
            # Left INVALID by an interrupted concurrent build: drop it, then build again.
            schema_editor.execute(
                f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}"
            )
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if not _is_postgresql(schema_editor):
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)
