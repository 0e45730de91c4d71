"""Addresses of care mode, mounted at the site root by ``config/urls.py`` (namespace ``care``)."""

from django.urls import path

from onewindow.care.views import public

public_urls = ([path("care-mode/", public.care_switch, name="switch")], "care")
