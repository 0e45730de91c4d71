from django.db import migrations, models

from onewindow.core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # The supervision board counts its open cases by light, and a worker's queue counts its
    # open steps, from these partial indexes alone (index-only scans: every column the count
    # and the scope read is in the index); a department's board page and a worker's queue
    # read their first rows in the index's order. Built with CREATE INDEX CONCURRENTLY on
    # PostgreSQL (atomic = False), a plain index on SQLite. Plans in docs/scaling.md.
    atomic = False

    dependencies = [
        ("cases", "0008_casepaper"),
    ]

    operations = [
        AddIndexOnline(
            model_name="case",
            index=models.Index(
                condition=models.Q(("state__in", ["accepted", "suspended"])),
                fields=["department", "state", "due_at", "number", "centre"],
                name="case_open_dept_state_due_idx",
            ),
        ),
        AddIndexOnline(
            model_name="casetask",
            index=models.Index(
                condition=models.Q(("state__in", ["open", "claimed"])),
                fields=["department", "role", "due_at", "state", "assignee"],
                name="task_open_dept_role_due_idx",
            ),
        ),
    ]
