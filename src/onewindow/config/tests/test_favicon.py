"""Every page has an icon, so no browser logs a 404 for /favicon.ico on every page."""

from django.contrib.staticfiles import finders
from django.test import Client


def test_pages_link_the_svg_icon_and_favicon_ico_redirects_to_it(db):
    client = Client()
    home = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in home
    icon = client.get("/favicon.ico")
    assert (icon.status_code, icon["Location"]) == (301, "/static/favicon.svg")
    found = finders.find("favicon.svg")
    assert found is not None
    with open(found, encoding="utf-8") as svg:
        assert svg.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')
