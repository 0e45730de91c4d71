from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from onewindow.config.api import api
from onewindow.staff.views import moved

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_HEADER

# Chinese-first error pages for staff and public pages (500: Django's handler, 500.html).
handler403 = "onewindow.staff.errors.permission_denied"
handler404 = "onewindow.staff.errors.page_not_found"

# Addresses that moved under the staff shell; GET answers a permanent redirect, query kept.
MOVED_PAGES = [
    re_path(
        r"^staff/(?P<rest>(?:intake|queue|output|supervision)/.*)$",
        moved,
        {"old": "staff/", "new": "staff/cases/"},
    ),
    re_path(
        r"^manage/catalog/(?P<rest>.*)$",
        moved,
        {"old": "manage/catalog/", "new": "staff/catalog/"},
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("staff/", include("onewindow.staff.urls")),
    path("staff/cases/", include("onewindow.cases.urls_staff")),
    path("staff/catalog/", include("onewindow.catalog.urls_manage")),
    *MOVED_PAGES,
    path("", include("onewindow.cases.urls_public")),
    path("", include("onewindow.catalog.urls")),
    prefix_default_language=False,
)
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
