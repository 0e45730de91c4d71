"""Staff pages for maintaining the catalogue (import / export), mounted at ``/staff/catalog/``
under the staff shell."""

from django.urls import path

from onewindow.catalog import views_manage

app_name = "catalog_manage"
urlpatterns = [
    path("", views_manage.workbook_home, name="index"),
    path("import/", views_manage.import_upload, name="import_upload"),
    path("import/<int:job_id>/", views_manage.import_job, name="import_job"),
    path(
        "import/<int:job_id>/progress/",
        views_manage.import_job_progress,
        name="import_job_progress",
    ),
    path("export/", views_manage.export_download, name="export"),
    path("template/", views_manage.template_download, name="template"),
]
