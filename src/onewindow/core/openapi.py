"""Helpers for the apps' django-ninja routers."""

from __future__ import annotations

from ninja import Router


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
