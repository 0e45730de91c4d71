"""A client no one here wrote: the published ``georeport`` package (a Python wrapper of the
Open311 GeoReport v2 API, on PyPI) reads the live server — the services, a service definition,
the requests and one request, in JSON and in XML. It has no call to post a request, so the
request is posted as any third-party client would, form-encoded over HTTP with ``requests``."""

from __future__ import annotations

import requests
from georeport import GeoReport

from onewindow.hotline.open311.clients import client_issue
from onewindow.org.codes import Role
from onewindow.testing.factories import staff_with_role


def test_the_georeport_client_lists_posts_and_reads_back(transactional_db, live_server, scene):
    _client, key = client_issue(actor=staff_with_role(Role.ADMIN), name="georeport", contact="test")
    root = f"{live_server.url}/open311/v2"
    as_json, as_xml = GeoReport(root), GeoReport(root, output_format="xml")

    services = as_json.get_service_list()
    assert [s["service_code"] for s in services] == ["0101", "0201"]
    assert [s["service_code"] for s in as_xml.get_service_list()] == ["0101", "0201"]
    definition = as_json.get_service_definition("0101")
    assert [a["code"] for a in definition["attributes"]] == [
        "order_type",
        "urgency",
        "confidential",
    ]
    xml_definition = as_xml.get_service_definition("0101")
    assert xml_definition["service_code"] == "0101"
    assert [a["code"] for a in xml_definition["attributes"]["attribute"]] == [
        "order_type",
        "urgency",
        "confidential",
    ]

    posted = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": key,
            "service_code": "0101",
            "description": "沙面大街52号路灯不亮。",
            "lat": "23.1077",
            "long": "113.2435",
            "phone": "13912345678",
            "attribute[order_type]": "help",
        },
        headers={"Idempotency-Key": "gr-1"},
        timeout=30,
    )
    assert posted.status_code == 200, posted.text
    number = posted.json()[0]["service_request_id"]

    one = as_json.get_service_request(number)
    assert (one["service_request_id"], one["status"], one["service_code"]) == (
        number,
        "open",
        "0101",
    )
    assert (one["lat"], one["long"]) == (23.1077, 113.2435)
    xml_one = as_xml.get_service_request(number)
    assert (xml_one["service_request_id"], xml_one["status"]) == (number, "open")
    assert [r["service_request_id"] for r in as_json.get_service_requests(status="open")] == [
        number
    ]
    listed = as_xml.get_service_requests(service_request_id=number, service_code="0101")
    assert listed["service_request_id"] == number  # one request: xmltodict gives the element
    for answer in (one, xml_one):
        assert "13912345678" not in str(answer)
