"""Pages of the hotline: public (filled in by issue 11's page work)."""

from __future__ import annotations

from django.urls import URLPattern

URLS: list[URLPattern] = []
