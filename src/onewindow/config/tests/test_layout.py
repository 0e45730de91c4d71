"""The faces of every app are laid out one way (docs/architecture.md), and moving a face
between modules changes nothing a client can see."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from django.test import Client

import onewindow

APPS = sorted(
    path.name for path in Path(onewindow.__file__).parent.iterdir() if (path / "apps.py").exists()
)
# Module names a face must not have at an app's root: pages live in ``views/``, routers in
# ``api/``, addresses in the one ``urls.py``.
STRAY_FACE = re.compile(r"^(views|api|urls)_\w+$")


def test_no_app_names_a_face_outside_the_one_layout():
    stray = {
        f"{app}/{module.name}"
        for app in APPS
        for module in (Path(onewindow.__file__).parent / app).iterdir()
        if STRAY_FACE.match(module.stem) or (module.stem in ("views", "api") and module.is_file())
    }
    assert stray == set()


def test_each_urls_module_publishes_public_and_or_staff_urls_only():
    # The one exception: the hotline's Open311 API (``open311_urls``, at /open311/v2/).
    published = {}
    for app in APPS:
        try:
            urls = importlib.import_module(f"onewindow.{app}.urls")
        except ModuleNotFoundError:
            continue
        published[app] = sorted(
            name for name in ("open311_urls", "public_urls", "staff_urls") if hasattr(urls, name)
        )
        assert not hasattr(urls, "urlpatterns"), app
    assert published == {
        "assess": ["public_urls", "staff_urls"],
        "care": ["public_urls"],
        "cases": ["public_urls", "staff_urls"],
        "catalog": ["public_urls", "staff_urls"],
        "citizens": ["public_urls"],
        "dashboard": ["staff_urls"],
        "grid": ["public_urls", "staff_urls"],
        "hall": ["public_urls", "staff_urls"],
        "hotline": ["open311_urls", "public_urls", "staff_urls"],
        "enforcement": ["staff_urls"],
        "knowledge": ["staff_urls"],
        "online": ["public_urls", "staff_urls"],
        "ratings": ["public_urls", "staff_urls"],
        "staff": ["staff_urls"],
        "urban": ["public_urls", "staff_urls"],
    }


def test_the_api_keeps_the_operation_ids_generated_clients_use(db):
    schema = Client().get("/api/openapi.json").json()
    operations = {
        (method.upper(), path): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert operations == {
        ("GET", "/api/catalog/items"): "onewindow_catalog_api_items_list",
        ("GET", "/api/catalog/items/{item_id}"): "onewindow_catalog_api_items_get",
        ("GET", "/api/catalog/items/{item_id}/versions/{number}"): (
            "onewindow_catalog_api_items_version"
        ),
        ("GET", "/api/catalog/search"): "onewindow_catalog_api_search",
        ("GET", "/api/catalog/topics"): "onewindow_catalog_api_topics",
        ("GET", "/api/catalog/departments"): "onewindow_catalog_api_departments",
        ("POST", "/api/catalog/items/{item_id}/publish"): "onewindow_catalog_api_items_publish",
        ("POST", "/api/cases/intake/accept"): "onewindow_cases_api_intake_accept",
        ("POST", "/api/cases/intake/supplement"): "onewindow_cases_api_intake_supplement",
        ("POST", "/api/cases/intake/refuse"): "onewindow_cases_api_intake_refuse",
        ("POST", "/api/cases/intake/complete-instant"): (
            "onewindow_cases_api_intake_complete_instant"
        ),
        ("GET", "/api/cases/queue"): "onewindow_cases_api_queue",
        ("GET", "/api/cases/supervision"): "onewindow_cases_api_supervision",
        ("GET", "/api/cases/{number}"): "onewindow_cases_api_case_get",
        ("POST", "/api/cases/{number}/papers-received"): "onewindow_cases_api_case_papers_received",
        ("POST", "/api/cases/{number}/suspend"): "onewindow_cases_api_case_suspend_endpoint",
        ("POST", "/api/cases/{number}/resume"): "onewindow_cases_api_case_resume_endpoint",
        ("POST", "/api/cases/{number}/withdraw"): "onewindow_cases_api_case_withdraw_endpoint",
        ("POST", "/api/cases/{number}/deliver"): "onewindow_cases_api_case_deliver_endpoint",
        ("GET", "/api/cases/{number}/papers"): "onewindow_cases_api_case_papers",
        ("POST", "/api/cases/{number}/papers"): "onewindow_cases_api_case_paper_upload",
        (
            "POST",
            "/api/cases/{number}/papers/{paper_id}/remove",
        ): "onewindow_cases_api_case_paper_remove_endpoint",
        (
            "GET",
            "/api/cases/{number}/papers/{paper_id}/file",
        ): "onewindow_cases_api_case_paper_file",
        (
            "GET",
            "/api/cases/{number}/papers/{paper_id}/thumbnail",
        ): "onewindow_cases_api_case_paper_thumbnail",
        ("POST", "/api/cases/tasks/{task_id}/claim"): "onewindow_cases_api_tasks_claim",
        ("POST", "/api/cases/tasks/{task_id}/assign"): "onewindow_cases_api_tasks_assign",
        ("POST", "/api/cases/tasks/{task_id}/complete"): "onewindow_cases_api_tasks_complete",
        ("GET", "/api/progress"): "onewindow_cases_api_public_progress",
        ("POST", "/api/progress"): "onewindow_cases_api_public_progress_lookup_by_code",
        ("POST", "/api/applicants/persons/lookup"): "onewindow_applicants_api_persons_lookup",
        ("POST", "/api/applicants/persons"): "onewindow_applicants_api_persons_register",
        ("POST", "/api/applicants/persons/changes/{change_id}/send-code"): (
            "onewindow_applicants_api_person_changes_send_code"
        ),
        ("POST", "/api/applicants/persons/changes/{change_id}/confirm"): (
            "onewindow_applicants_api_person_changes_confirm"
        ),
        ("POST", "/api/applicants/persons/changes/{change_id}/approve"): (
            "onewindow_applicants_api_person_changes_approve"
        ),
        ("POST", "/api/applicants/organisations/lookup"): (
            "onewindow_applicants_api_organisations_lookup"
        ),
        ("POST", "/api/applicants/organisations"): (
            "onewindow_applicants_api_organisations_register"
        ),
        ("GET", "/api/online/applications"): "onewindow_online_api_applications_list",
        ("POST", "/api/online/applications"): "onewindow_online_api_application_create",
        ("GET", "/api/online/applications/{reference}"): "onewindow_online_api_application_get",
        ("POST", "/api/online/applications/{reference}/answers"): (
            "onewindow_online_api_application_answers"
        ),
        ("POST", "/api/online/applications/{reference}/submit"): (
            "onewindow_online_api_application_submit"
        ),
        ("POST", "/api/citizens/codes"): "onewindow_citizens_api_code_request",
        ("POST", "/api/citizens/tokens"): "onewindow_citizens_api_sign_in",
        ("GET", "/api/citizens/me"): "onewindow_citizens_api_me",
        ("GET", "/api/citizens/me/cases"): "onewindow_citizens_api_my_cases",
        ("GET", "/api/citizens/me/cases/{number}"): "onewindow_citizens_api_my_case",
        ("GET", "/api/citizens/me/messages"): "onewindow_citizens_api_my_messages",
        ("GET", "/api/citizens/me/tokens"): "onewindow_citizens_api_my_tokens",
        ("POST", "/api/citizens/me/tokens/{token_id}/revoke"): (
            "onewindow_citizens_api_token_revoke"
        ),
        ("POST", "/api/citizens/me/sign-out"): "onewindow_citizens_api_sign_out",
        ("GET", "/api/hall/groups/{group_id}/slots"): "onewindow_hall_api_slots",
        ("GET", "/api/hall/bookings"): "onewindow_hall_api_bookings_mine",
        ("POST", "/api/hall/bookings"): "onewindow_hall_api_booking_create",
        ("POST", "/api/hall/bookings/{booking_id}/cancel"): "onewindow_hall_api_booking_cancel",
        ("POST", "/api/citizens/me/real-name/code"): "onewindow_citizens_api_real_name_code",
        ("POST", "/api/citizens/me/real-name"): "onewindow_citizens_api_real_name_bind",
        ("GET", "/api/citizens/me/companies"): "onewindow_citizens_api_my_companies",
        ("POST", "/api/citizens/me/companies"): "onewindow_citizens_api_company_claim",
        ("GET", "/api/citizens/companies/{company_id}/cases"): (
            "onewindow_citizens_api_company_cases"
        ),
        ("GET", "/api/citizens/companies/{company_id}/agents"): (
            "onewindow_citizens_api_agents_list"
        ),
        ("POST", "/api/citizens/companies/{company_id}/agents"): (
            "onewindow_citizens_api_agent_grant"
        ),
        ("POST", "/api/citizens/companies/{company_id}/agents/{grant_id}/revoke"): (
            "onewindow_citizens_api_agent_revoke"
        ),
        ("GET", "/api/ratings/exchange"): "onewindow_ratings_api_exchange_rows",
        ("GET", "/api/ratings/exchange/file"): "onewindow_ratings_api_exchange_file",
        ("POST", "/api/ratings/exchange/reported"): "onewindow_ratings_api_exchange_reported",
        ("POST", "/api/hotline/telephony/calls"): "onewindow_hotline_api_telephony_call",
        ("GET", "/api/knowledge/suggest"): "onewindow_knowledge_api_suggest",
        ("GET", "/api/urban/categories"): "onewindow_urban_api_report_categories",
        ("POST", "/api/urban/reports"): "onewindow_urban_api_report_create",
    }


def test_no_two_api_schemas_share_a_name(db):
    # The OpenAPI document names each schema by its class name alone: a second class of the
    # same name silently replaces the first in every operation that uses it (the citizens'
    # CodeIn once documented the staff's phone-change confirmation as taking a phone).
    from ninja import Schema

    Client().get("/api/openapi.json")  # every router imported
    modules: dict[str, set[str]] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("onewindow."):
                modules.setdefault(sub.__name__, set()).add(sub.__module__)
            walk(sub)

    walk(Schema)
    assert len(modules) > 50
    assert {name: sorted(m) for name, m in modules.items() if len(m) > 1} == {}
