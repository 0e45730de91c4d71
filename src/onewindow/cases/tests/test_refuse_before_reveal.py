"""Permission before anything else: every staff page that names a record, and every API
operation that names one, answers a user of another department the same for "missing" and
for "not yours" — audited, and with nothing changed.

The addresses are discovered, not listed: the URL patterns of ``cases.urls.staff_urls`` and
``catalog.urls.staff_urls`` and the paths of ``/api/openapi.json``. A new one is walked
without an edit here; one naming a record of a kind this test does not know (``RECORDS``)
fails until it is given a missing and a real record.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from onewindow.cases import urls as cases_urls
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services import case_accept
from onewindow.cases.services.papers import case_paper_add
from onewindow.catalog import urls as catalog_urls
from onewindow.catalog.models import CatalogImportJob
from onewindow.core.models import AuditLog
from onewindow.org.models import CentreLevel, Role, Window, WindowKind
from onewindow.papers.samples import sample_pdf
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    create_item,
    staff_with_role,
)

MISSING_NUMBER = "4401039999123199999"
MISSING_ID = 999_999_999

# Pages that name no record (nothing to be missing or not yours), each checked elsewhere.
PAGES_WITHOUT_RECORD = {
    "cases_staff:home",
    "cases_staff:intake",
    "cases_staff:intake_change",
    "cases_staff:intake_desk",
    "cases_staff:intake_desk_choose",
    "cases_staff:intake_identify",
    "cases_staff:intake_register",
    "cases_staff:intake_details",
    "cases_staff:intake_reset",
    "cases_staff:intake_items",
    "cases_staff:queue",
    "cases_staff:queue_export",
    "cases_staff:output",
    "cases_staff:output_find",
    "cases_staff:supervision",
    "cases_staff:supervision_export",
    "catalog_manage:index",
    "catalog_manage:import_upload",
    "catalog_manage:export",
    "catalog_manage:template",
}
# Form fields a page's POST may carry, filled as a real page would fill them.
FORM = {
    "revision": "1",
    "method": "window",
    "collector_id_checked": "on",
    "outcome": "approve",
    "opinion": "同意",
    "reason": "申请人撤回",
    "papers": "申请表",
}
# The citizens' own operations (a citizen's bearer token, not a staff session).
# Operations of citizens (bearer tokens) and public ones (the hall's bookable slots), walked by
# their apps' own tests: citizens/tests, online/tests, hall/tests.
CITIZEN_API = ("/api/citizens/", "/api/online/", "/api/hall/")
# Records a page or an operation names, by parameter name (page and API spell some alike).
RECORD_KINDS = {
    "number": "case",
    "task_id": "task",
    "item_id": "item",
    "job_id": "import_job",
    "change_id": "person_change",
    "paper_id": "paper",
}


def outsider() -> Any:
    """A user of another department holding every role a staff member can hold outside the
    scene's scope: intake and output clerk at another centre, approver and lead of another
    department."""
    street = StreetFactory()
    centre = CentreFactory(level=CentreLevel.STREET_CENTRE, region=street, name="别的街道中心")
    Window.objects.create(centre=centre, number="01", kind=WindowKind.INTAKE)
    department = DepartmentFactory(name="别的部门")
    user = staff_with_role(Role.DEPT_LEAD, department=department)
    from onewindow.org.models import RoleAssignment

    for role, scope in (
        (Role.DEPT_APPROVER, {"department": department}),
        (Role.INTAKE_CLERK, {"centre": centre}),
        (Role.OUTPUT_CLERK, {"centre": centre}),
    ):
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def records(city) -> dict[str, dict[str, Any]]:
    """For each kind of record: a value naming none, and one naming the scene's record."""
    case = case_accept(intake=city.intake(materials=city.receipts()))
    task = case.tasks.filter(department=city.lead_department, kind="review").get()
    draft = create_item(department=city.lead_department, publish=False)
    job = CatalogImportJob.objects.create(original_name="目录.xlsx", file="catalog/imports/x.xlsx")
    paper = case_paper_add(
        case=case,
        upload=SimpleUploadedFile("申请表.pdf", sample_pdf()),
        name="申请表.pdf",
        actor=city.clerk,
    )
    scene = {
        "paper": {"missing": MISSING_ID, "theirs": paper.pk},
        "case": {"missing": MISSING_NUMBER, "theirs": case.number},
        "task": {"missing": MISSING_ID, "theirs": task.pk},
        "item": {"missing": MISSING_ID, "theirs": draft.pk},
        "import_job": {"missing": MISSING_ID, "theirs": job.pk},
    }
    if "personchange" in apps.all_models["applicants"]:
        scene["person_change"] = {"missing": MISSING_ID, "theirs": _person_change(city).pk}
    return scene


def _person_change(city) -> Any:
    """A change of the applicant's phone, waiting for its code, as the applicants service
    stores one (its own tests arrange it through the service)."""
    from onewindow.applicants.models import PERSON_CHANGE_NEW_CONTEXT, PersonChange
    from onewindow.core import crypto

    return PersonChange.objects.create(
        person=city.person,
        field="phone",
        new_value_encrypted=crypto.encrypt(
            "13900005678", context=PERSON_CHANGE_NEW_CONTEXT.format(field="phone")
        ),
        new_value_masked="139****5678",
        reason="换号",
        centre=city.street_centre,
        requested_by=city.clerk,
        requested_at=timezone.now(),
    )


def state_of_the_database() -> dict[str, Any]:
    """Rows of every table but the audit log and sessions, and the cases' and tasks'
    revisions, states and assignees."""
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label not in {"core.AuditLog", "sessions.Session"}
    }
    return {
        "counts": counts,
        "cases": list(Case.objects.order_by("pk").values_list("pk", "revision", "state")),
        "tasks": list(
            CaseTask.objects.order_by("pk").values_list("pk", "revision", "state", "assignee_id")
        ),
    }


def refusals() -> int:
    return AuditLog.objects.filter(allowed=False).count()


def answer(response, url: str) -> tuple[int, str, str]:
    """Status, where it sends to and the body, with the request's own address blanked (a page
    may echo it)."""
    body = response.content.decode().replace(url, "<address>")
    # Tokens that differ from one request to the next.
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r'csrf-token" content="[^"]+"', "", body)
    body = re.sub(r'nonce="[^"]+"', "", body)
    where = response.get("Location", "").replace(url, "<address>")
    return response.status_code, where, body


def probe(user, method, url_for, values_by_variant, **request):
    """The answers and the refusal rows written, for "missing" and for "not yours" (each in a
    fresh session: nothing a previous page left in it shows)."""
    seen = {}
    for variant, values in values_by_variant.items():
        client = Client()
        client.force_login(user)
        before = refusals()
        url = url_for(values)
        response = getattr(client, method)(url, **request)
        seen[variant] = (answer(response, url), refusals() - before)
    return seen


def staff_patterns() -> list[tuple[str, URLPattern]]:
    out = []
    for patterns, namespace in (cases_urls.staff_urls, catalog_urls.staff_urls):
        for pattern in patterns:
            assert isinstance(pattern, URLPattern)
            out.append((f"{namespace}:{pattern.name}", pattern))
    return out


def test_every_staff_page_answers_missing_and_not_yours_alike_audited_changing_nothing(city):
    scene = records(city)
    user = outsider()
    walked = set()
    problems = []
    before = state_of_the_database()
    for name, pattern in staff_patterns():
        parameters = list(pattern.pattern.converters)
        if not parameters:
            assert name in PAGES_WITHOUT_RECORD, f"{name}: a new page; name its record or list it"
            continue
        kinds = {p: RECORD_KINDS.get(p) for p in parameters}
        assert None not in kinds.values(), f"{name}: unknown record parameter in {parameters}"
        # The case's own task, where a page names both.
        variants = {
            variant: {p: scene[kind][variant] for p, kind in kinds.items()}
            for variant in ("missing", "theirs")
        }
        for method, form in (("get", None), ("post", {}), ("post", FORM)):
            seen = probe(
                user,
                method,
                lambda values, name=name: reverse(name, kwargs=values),
                variants,
                **({"data": form} if form is not None else {}),
            )
            (missing, missing_rows), (theirs, theirs_rows) = seen["missing"], seen["theirs"]
            walked.add((name, method))
            status = missing[0]
            if missing != theirs:
                problems.append(f"{method.upper()} {name}: {missing[0]} for missing, {theirs[0]}")
            elif status in (403, 404) and (missing_rows, theirs_rows) != (1, 1):
                problems.append(f"{method.upper()} {name}: audit rows {missing_rows, theirs_rows}")
            elif status not in (302, 403, 404, 405):
                # A redirect before any look-up (no desk or applicant chosen yet) reveals no
                # more than a refusal; anything else must not happen to an outsider.
                problems.append(f"{method.upper()} {name}: answered {status}")
    assert not problems, "\n".join(problems)
    assert state_of_the_database() == before
    assert ("cases_staff:output_deliver", "post") in walked
    assert ("cases_staff:case_receipt", "get") in walked


def body_for(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A body the schema accepts, naming records that do not exist (the largest id) — so that
    only permission can decide the answer."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return body_for(document["components"]["schemas"][name], document)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return body_for(options[0], document)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: body_for(properties[name], document) for name in schema.get("required", [])}
    if kind == "array":
        return [body_for(schema["items"], document)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return schema.get("maximum", MISSING_ID)
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") == "date":
            return "2030-01-07"
        return "申" * max(1, schema.get("minLength", 1))
    raise AssertionError(f"no value for {schema}")


def test_every_api_operation_answers_missing_and_not_yours_alike_audited_changing_nothing(city):
    scene = records(city)
    user = outsider()
    document = Client().get("/api/openapi.json").json()
    problems = []
    walked = set()
    before = state_of_the_database()
    for path, methods in document["paths"].items():
        parameters = re.findall(r"{(\w+)}", path)
        if not parameters or path.startswith(CITIZEN_API):
            # The citizens' own operations (bearer tokens of a citizen account, not a staff
            # session) are walked the same way by citizens/tests, online/tests, hall/tests.
            continue
        kinds = {p: RECORD_KINDS.get(p) for p in parameters}
        # ``/items/{item_id}/versions/{number}``: the version number of the item.
        if path.endswith("/versions/{number}"):
            kinds["number"] = "version"
        assert None not in kinds.values(), f"{path}: unknown record parameter in {parameters}"
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            request: dict[str, Any] = {}
            if "application/json" in content:
                body = json.dumps(body_for(content["application/json"]["schema"], document))
                request = {"content_type": "application/json", "data": body}
            elif "multipart/form-data" in content:
                # An upload: a real file, so that only permission can decide the answer.
                request = {"data": {"file": SimpleUploadedFile("表.pdf", sample_pdf())}}
            else:
                assert not content, f"{path}: a body of {sorted(content)}; say how to send one"
            variants = {}
            for variant in ("missing", "theirs"):
                values = {}
                for parameter, kind in kinds.items():
                    values[parameter] = 1 if kind == "version" else scene[kind][variant]
                variants[variant] = values

            def url_for(values, path=path):
                return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)

            seen = probe(user, method, url_for, variants, **request)
            (missing, missing_rows), (theirs, theirs_rows) = seen["missing"], seen["theirs"]
            walked.add((method.upper(), path))
            if missing != theirs:
                problems.append(f"{method.upper()} {path}: {missing} for missing, {theirs}")
            elif missing[0] != 404:
                problems.append(f"{method.upper()} {path}: answered {missing}")
            elif (missing_rows, theirs_rows) != (1, 1):
                problems.append(f"{method.upper()} {path}: audit rows {missing_rows, theirs_rows}")
    assert not problems, "\n".join(problems)
    assert state_of_the_database() == before
    assert ("POST", "/api/cases/tasks/{task_id}/assign") in walked
    assert ("POST", "/api/cases/{number}/deliver") in walked


@pytest.mark.parametrize("number", [MISSING_NUMBER, None])
def test_deliver_page_refuses_another_departments_user_before_reading_the_form(city, number):
    """The defect the walk found first: the form was read before the case was scoped."""
    case = case_accept(intake=city.intake(materials=city.receipts()))
    client = Client()
    client.force_login(outsider())
    before = refusals()
    response = client.post(reverse("cases_staff:output_deliver", args=[number or case.number]))
    assert (response.status_code, refusals() - before) == (404, 1)
