"""The partial indexes of migration cases.0006 (and the audit index of core.0004) build with
CREATE INDEX CONCURRENTLY on PostgreSQL, so intake keeps writing while they build, and as plain
indexes on SQLite; the migration state is AddIndex's (``makemigrations --check`` is clean)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from onewindow.core.migration_operations import AddIndexOnline

MIGRATIONS = [
    ("cases", "0006_open_case_and_task_partial_indexes"),
    ("core", "0004_auditlog_actor_action_at"),
]


def states(key):
    """Each operation of migration ``key`` with the project state before and after it."""
    loader = MigrationLoader(connection)
    migration = loader.graph.nodes[key]
    state = loader.project_state(key, at_end=False)
    out = []
    for operation in migration.operations:
        after = state.clone()
        operation.state_forwards(key[0], after)
        out.append((operation, state, after))
        state = after
    return migration, out


def collected_sql(key) -> list[str]:
    migration, steps = states(key)
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        for operation, before, after in steps:
            operation.database_forwards(key[0], editor, before, after)
    return [" ".join(sql.split()) for sql in editor.collected_sql]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", MIGRATIONS)
def test_the_indexes_build_concurrently_on_postgresql_and_plainly_on_sqlite(key):
    migration, steps = states(key)
    assert migration.atomic is False
    assert all(type(operation) is AddIndexOnline for operation, _b, _a in steps)
    creates = [sql for sql in collected_sql(key) if sql.startswith("CREATE")]
    names = [operation.index.name for operation, _b, _a in steps]
    assert len(creates) == len(names)
    for sql, name in zip(creates, names, strict=True):
        if connection.vendor == "postgresql":
            assert sql.startswith(f'CREATE INDEX CONCURRENTLY "{name}" ON '), sql
        else:
            assert sql.startswith(f'CREATE INDEX "{name}" ON '), sql


@pytest.mark.django_db(transaction=True)
def test_an_index_left_invalid_by_an_interrupted_build_is_built_again():
    if connection.vendor != "postgresql":
        # SQLite builds in one statement: there is no half-built index to find.
        assert connection.vendor == "sqlite"
        return
    key = MIGRATIONS[0]
    _migration, steps = states(key)
    operation, before, after = steps[0]
    name = operation.index.name
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", [name]
        )
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards(key[0], editor, before, after)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s",
            [name],
        )
        assert cursor.fetchall() == [(True,)]


def test_the_migration_state_matches_the_models(db):
    call_command("makemigrations", "cases", "core", "--check", "--dry-run", verbosity=0)
