"""Staff pages for maintaining the catalogue (import / export)."""

from django.urls import path

app_name = "catalog_manage"
urlpatterns: list = []
