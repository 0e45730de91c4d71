"""Helpers for the apps' django-ninja routers."""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema


def keep_operation_ids(router: Router, prefix: str) -> Router:
    """Name every operation of ``router`` ``<prefix>_<function name>``.

    django-ninja names an operation after the module its function lives in, so moving an
    endpoint between modules would rename it in the OpenAPI document and in every client
    generated from it. An app calls this on the router it publishes, with the prefix its
    operations have always had, and may then arrange its modules as it likes.
    """
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            operation.operation_id = f"{prefix}_{operation.view_func.__name__}"
    return router


class FieldErrorOut(Schema):
    """One problem with one field (``core.errors.FieldError``)."""

    field: str
    code: str
    message: str
    message_en: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


class ErrorOut(Schema):
    """The one error format of the API (``core.errors.ApplicationError.as_dict``)."""

    code: str
    message: str = Field(description="zh-Hans")
    message_en: str
    errors: list[FieldErrorOut]


# What the API's own handlers (``config/api.py``) may answer for any operation, by what the
# operation takes: a body can be malformed, of another media type or too large; any input can
# be refused by its schema; a signed-in operation refuses the anonymous and, on a write, a
# request without the CSRF token.
FRAMEWORK_ERRORS = {
    "body": {400: "Malformed JSON", 413: "Body too large", 415: "Not application/json"},
    "input": {422: "Input refused by its schema"},
    "auth": {401: "Sign-in required", 403: "Refused (CSRF token, permission)"},
}


def document_framework_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to each operation of an OpenAPI document the error answers the framework gives
    (``FRAMEWORK_ERRORS``), all in the ``ErrorOut`` format; answers an operation declares
    itself are kept as they are."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in error_schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("ErrorOut", error_schema)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            kinds = []
            if "requestBody" in operation:
                kinds += ["body", "input"]
            if operation.get("parameters"):
                kinds.append("input")
            if operation.get("security"):
                kinds.append("auth")
            responses = operation.setdefault("responses", {})
            for kind in kinds:
                for status, description in FRAMEWORK_ERRORS[kind].items():
                    # ninja's own document keys statuses by int
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": description, "content": content}
    return schema
