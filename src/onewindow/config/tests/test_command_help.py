"""Every management command of the project prints its help (a lazy translation handed to
argparse used to crash ``demo_city --help``)."""

from __future__ import annotations

import pytest
from django.core.management import get_commands, load_command_class

PROJECT_COMMANDS = sorted(
    (app, name) for name, app in get_commands().items() if str(app).startswith("onewindow.")
)


def test_the_project_has_its_commands():
    names = {name for _app, name in PROJECT_COMMANDS}
    assert {"demo_city", "demo_logins", "issue_enrolment_code", "security_admin_create"} <= names


@pytest.mark.parametrize(("app", "name"), PROJECT_COMMANDS)
def test_the_help_of_every_command_is_printed(app, name):
    command = load_command_class(app, name)
    text = command.create_parser("manage.py", name).format_help()
    assert text.startswith(f"usage: manage.py {name}")
    assert str(command.help).split()[0] in " ".join(text.split())
