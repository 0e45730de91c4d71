"""Case flow HTTP API for staff (``/api/cases/``): the same operations as the staff pages,
over the same services.

Each endpoint parses its input, looks up the objects named by id, calls one service (which
checks permission, state and revision) and renders the result; no rule of the flow lives here.
Errors are ``ApplicationError``s rendered by ``config/api.py`` as ``{code, message, message_en,
errors[]}``: 403/404 permission (outsiders get 404 and the refusal is audited), 409 a move the
case's state does not allow (``transition_not_allowed``) or a stale revision (``stale``), 422
invalid input. Field names follow the case records of the national platform (see
STANDARDS.md). Personal data of applicants appears masked only.

Intake operations need an ``Idempotency-Key`` header: a retried request with the same key
returns the case the first one made (200, ``Idempotent-Replay: true``) instead of a second case.

Modules: ``schemas`` (request and response schemas), ``common`` (rendering, unknown ids),
``intake``, ``cases`` (queue, supervision board, one case, moves on a case), ``papers`` (a
case's electronic papers: list, upload, file, thumbnail) and ``tasks``, each
with its own router; ``router`` here mounts them under the ``cases`` tag with session auth, and
``onewindow.cases.api`` publishes it as ``staff_router``.
"""

from ninja import Router
from ninja.security import django_auth

from onewindow.cases.api.staff import cases, intake, papers, tasks
from onewindow.core.openapi import keep_operation_ids

router = Router(tags=["cases"], auth=django_auth)

for _part in (intake.router, cases.router, papers.router, tasks.router):
    # The ids the API published as one module, ``onewindow_cases_api_<function>``, so that
    # generated clients keep their method names.
    router.add_router("", keep_operation_ids(_part, "onewindow_cases_api"))

__all__ = ["router"]
