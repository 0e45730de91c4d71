"""Pages of the hotline: staff_unit (filled in by issue 11's page work)."""

from __future__ import annotations

from django.urls import URLPattern

URLS: list[URLPattern] = []
