"""The HTTP API (django-ninja, OpenAPI at /api/docs). Each app adds its router here."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from onewindow.core.errors import ApplicationError

api = NinjaAPI(
    title="OneWindow API",
    version="1",
    description="一窗通 HTTP API. Errors: {code, message (zh-Hans), message_en, errors[]}.",
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


from onewindow.catalog.api import router as catalog_router  # noqa: E402

api.add_router("/catalog/", catalog_router)
