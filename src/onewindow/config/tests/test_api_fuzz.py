"""Property-based fuzzing of every operation of ``/api/openapi.json`` (schemathesis) against the
live application — Django's WSGI handler, the whole middleware stack, the real database — as
anonymous, as a signed-in intake clerk and as a department lead.

For each operation: ``EXAMPLES`` requests from the schema (valid input), ``NEGATIVE_EXAMPLES``
from its negation (input the schema refuses), and for an operation whose path names a record
the same again with the path pointing at a real one (a case, a task, an item), so that the
checks go past "not found". Generation is derandomized: every run sends the same requests.

Every answer must be no server error, have a status the operation documents, the media type it
documents and a body its schema accepts. Problems are collected over all operations and
reported together.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from onewindow.cases.models import MaterialStatus
from onewindow.cases.services import Intake, MaterialReceipt, case_accept
from onewindow.catalog.codes import MaterialNecessity, MaterialType
from onewindow.config.api import api
from onewindow.org.models import CentreLevel, Role, Window, WindowKind
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    create_item,
    create_person,
    material,
    staff_with_role,
)

EXAMPLES = 10
NEGATIVE_EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CSRF_SECRET = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # 32 characters, as Django's secret

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.fixture
def wsgi_app():
    """Django's own WSGI application, as a server runs it, inside the test's transaction: the
    handler's signals must not close the test's connection (as ``django.test.Client`` does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def a_city() -> dict[str, Any]:
    street = StreetFactory()
    centre = CentreFactory(level=CentreLevel.STREET_CENTRE, region=street)
    window = Window.objects.create(centre=centre, number="01", kind=WindowKind.INTAKE)
    department = DepartmentFactory()
    item = create_item(
        department=department,
        materials=[
            material(name="申请表"),
            material(
                name="鉴定报告",
                material_type=MaterialType.CERTIFICATE,
                necessity=MaterialNecessity.DEFERRABLE,
            ),
        ],
    )
    draft = create_item(department=department, publish=False)
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=centre)
    lead = staff_with_role(Role.DEPT_LEAD, department=department)
    staff_with_role(Role.DEPT_APPROVER, department=department)
    person = create_person(actor=clerk)
    case = case_accept(
        intake=Intake(
            item=item,
            centre=centre,
            window=window,
            clerk=clerk,
            person=person,
            materials=[
                MaterialReceipt(name=m.name, status=MaterialStatus.RECEIVED)
                for m in item.materials.all()
            ],
        )
    )
    # An image paper (with a thumbnail), so that the paper paths reach a real file.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from onewindow.cases.services.papers import case_paper_add
    from onewindow.papers.samples import sample_png

    scan = SimpleUploadedFile("scan.png", sample_png())
    paper = case_paper_add(case=case, upload=scan, name="scan.png", actor=clerk)
    return {
        "users": {"intake_clerk": clerk, "dept_lead": lead},
        # Path parameters that name real records, by parameter name.
        "records": {
            "number": case.number,
            "task_id": case.tasks.order_by("step_order", "id").first().pk,
            "item_id": draft.pk,
            "paper_id": paper.pk,
        },
    }


def signed_in(user: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and cookies of a signed-in browser session with its CSRF token."""
    client = Client()
    client.force_login(user)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_SECRET}
    return {"X-CSRFToken": CSRF_SECRET}, cookies


def fuzz(operation: Any, mode: GenerationMode, examples: int, app: Any, **fixed: Any) -> list:
    headers, cookies = fixed.pop("session")
    problems: list[str] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    def run(case: Any) -> None:
        response = case.call(app=app, headers=headers, cookies=cookies)
        try:
            case.validate_response(response, checks=CHECKS)
        except (FailureGroup, Failure) as found:
            failures = found.exceptions if isinstance(found, FailureGroup) else [found]
            body = response.text[:200] if response.text else ""
            problems.extend(
                f"{operation.label} [{mode.value}] {case.method} {case.formatted_path} "
                f"→ {response.status_code} {failure.title}: {body}"
                for failure in failures
            )

    try:
        run()
    except Unsatisfiable:
        # Only in negative mode, for an operation whose input cannot be negated (no input).
        assert mode == GenerationMode.NEGATIVE, operation.label
    return problems


@pytest.mark.parametrize("who", ["anonymous", "intake_clerk", "dept_lead"])
def test_every_operation_answers_within_its_documented_schema_and_never_500(db, wsgi_app, who):
    city = a_city()
    session = ({}, {}) if who == "anonymous" else signed_in(city["users"][who])
    problems: list[str] = []
    operations = [result.ok() for result in SCHEMA.get_all_operations()]
    assert len(operations) >= 23
    for operation in operations:
        for mode, examples in (
            (GenerationMode.POSITIVE, EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            problems += fuzz(operation, mode, examples, wsgi_app, session=session)
        named = {
            parameter.name: city["records"][parameter.name]
            for parameter in operation.path_parameters
            if parameter.name in city["records"]
        }
        if named:
            problems += fuzz(
                operation,
                GenerationMode.POSITIVE,
                EXAMPLES,
                wsgi_app,
                session=session,
                path_parameters=named,
            )
    assert problems == []
