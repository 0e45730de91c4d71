from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView

from onewindow.assess import urls as assess_urls
from onewindow.care import urls as care_urls
from onewindow.cases import urls as cases_urls
from onewindow.catalog import urls as catalog_urls
from onewindow.citizens import urls as citizens_urls
from onewindow.config.api import api, unknown_address
from onewindow.config.metrics import metrics
from onewindow.core.health import healthz, readyz
from onewindow.dashboard import urls as dashboard_urls
from onewindow.enforcement import urls as enforcement_urls
from onewindow.grid import urls as grid_urls
from onewindow.hall import urls as hall_urls
from onewindow.hotline import urls as hotline_urls
from onewindow.knowledge import urls as knowledge_urls
from onewindow.online import urls as online_urls
from onewindow.ratings import urls as ratings_urls
from onewindow.staff import urls as staff_urls
from onewindow.staff.views.staff import admin_sign_in, moved
from onewindow.urban import urls as urban_urls

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
    # Pages without their own icon link (the admin's) and browsers that ask anyway.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("api/", api.urls),
    # The production profile's probes: health for load balancers, metrics for Prometheus
    # (outside the language prefix; no-store; not audited).
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    # The 12345 hotline's Open311 GeoReport v2 API (its own error format, no language prefix).
    path("open311/v2/", include(hotline_urls.open311_urls)),
    # Any other address under /api/ answers the API's 404, as JSON.
    re_path(r"^api/(?P<rest>.*)$", unknown_address),
]
urlpatterns += i18n_patterns(
    # The admin signs in through the staff sign-in (locks, audit, second factor).
    path("admin/login/", admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
    # Each app's ``urls`` module has ``staff_urls`` (mounted under /staff/<app>/, in the staff
    # shell) and/or ``public_urls`` (mounted at the site root).
    path("staff/", include(staff_urls.staff_urls)),
    path("staff/assess/", include(assess_urls.staff_urls)),
    path("staff/cases/", include(cases_urls.staff_urls)),
    path("staff/catalog/", include(catalog_urls.staff_urls)),
    path("staff/dashboard/", include(dashboard_urls.staff_urls)),
    path("staff/enforcement/", include(enforcement_urls.staff_urls)),
    path("staff/grid/", include(grid_urls.staff_urls)),
    path("staff/hall/", include(hall_urls.staff_urls)),
    path("staff/hotline/", include(hotline_urls.staff_urls)),
    path("staff/urban/", include(urban_urls.staff_urls)),
    path("staff/knowledge/", include(knowledge_urls.staff_urls)),
    path("staff/online/", include(online_urls.staff_urls)),
    path("staff/ratings/", include(ratings_urls.staff_urls)),
    *MOVED_PAGES,
    path("my/online/", include(online_urls.public_urls)),
    path("my/", include(citizens_urls.public_urls)),
    path("", include(assess_urls.public_urls)),
    path("", include(care_urls.public_urls)),
    path("", include(cases_urls.public_urls)),
    path("", include(catalog_urls.public_urls)),
    path("", include(grid_urls.public_urls)),
    path("", include(hall_urls.public_urls)),
    path("", include(hotline_urls.public_urls)),
    path("", include(ratings_urls.public_urls)),
    path("", include(urban_urls.public_urls)),
    prefix_default_language=False,
)
# Uploaded and generated files are never served from MEDIA_URL: each is offered by a view of its
# app that checks who may read it (catalogue workbooks, item forms, receipts).
