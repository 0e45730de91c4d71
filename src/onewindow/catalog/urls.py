"""Addresses of the catalogue's pages, mounted by ``config/urls.py``.

``public_urls`` — the public catalogue at the site root (namespace ``catalog``);
``staff_urls`` — the workbook pages under ``/staff/catalog/`` in the staff shell
(``catalog_manage``).
"""

from django.urls import path

from onewindow.catalog.views import public, staff

public_urls = (
    [
        path("", public.home, name="home"),
        path("search/", public.search, name="search"),
        path("departments/<int:department_id>/", public.department_items, name="department"),
        path("topics/<str:code>/", public.topic_items, name="topic"),
        path("items/<int:item_id>/", public.item_detail, name="item"),
        path("power-list/", public.power_list, name="power_list"),
        # Files of an item's guide, only while the guide itself may be read (no /media/).
        path("items/<int:item_id>/result-sample/", public.item_file, name="item_result_sample"),
        path(
            "items/<int:item_id>/materials/<int:material_id>/<str:kind>/",
            public.item_file,
            name="item_material_file",
        ),
    ],
    "catalog",
)

staff_urls = (
    [
        path("", staff.workbook_home, name="index"),
        path("import/", staff.import_upload, name="import_upload"),
        path("import/<int:job_id>/", staff.import_job, name="import_job"),
        path(
            "import/<int:job_id>/progress/",
            staff.import_job_progress,
            name="import_job_progress",
        ),
        path(
            "import/<int:job_id>/workbook/",
            staff.import_job_workbook,
            name="import_job_workbook",
        ),
        path("export/", staff.export_download, name="export"),
        path("template/", staff.template_download, name="template"),
    ],
    "catalog_manage",
)
