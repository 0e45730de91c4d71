"""PUBLIC_BASE_URL follows the address served (HOST, PORT) unless it is set."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from onewindow.config.settings import public_base_url


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "9001"}, "http://127.0.0.1:9001"),
        ({"HOST": "192.168.1.20", "PORT": "8080"}, "http://192.168.1.20:8080"),
        ({"HOST": "0.0.0.0", "PORT": "8765"}, "http://127.0.0.1:8765"),
        ({"HOST": "::1", "PORT": "8001"}, "http://[::1]:8001"),
        ({"HOST": "", "PORT": ""}, "http://127.0.0.1:8000"),
        (
            {"PUBLIC_BASE_URL": "https://zwfw.example.gov.cn/", "PORT": "9001"},
            "https://zwfw.example.gov.cn",
        ),
        ({"PUBLIC_BASE_URL": "  ", "PORT": "9002"}, "http://127.0.0.1:9002"),
    ],
)
def test_the_public_address_follows_host_and_port_unless_set(environ, expected):
    assert public_base_url(environ) == expected


@pytest.mark.parametrize("port", ["0", "65536", "80a", "８０８０", "-1"])
def test_a_port_that_is_no_port_is_refused_in_both_languages(port):
    with pytest.raises(ImproperlyConfigured) as refused:
        public_base_url({"PORT": port})
    assert str(refused.value) == (
        f"PORT 必须是 1–65535 之间的数字，而不是 {port!r}"
        f" / PORT must be a number from 1 to 65535, not {port!r}"
    )


def test_make_run_passes_host_and_port_to_the_server_and_the_demo():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[4] / "Makefile").read_text()
    run = makefile.split("\nrun: setup\n", 1)[1].split("\n\n", 1)[0]
    assert "HOST=$(HOST) PORT=$(PORT) ONEWINDOW_PERIODIC_THREAD=1 $(PY) manage.py runserver" in run
    assert "HOST=$(HOST) PORT=$(PORT) $(PY) manage.py demo_city" in run
    assert "HOST=$(HOST) PORT=$(PORT) $(PY) manage.py notify_dispatch" in run
