"""The Open311 GeoReport v2 face: every endpoint in JSON and XML (exact), the spec's errors
(400, 403, 404, 405, 429) audited, revoked keys, the idempotent retry, and no caller data in
any answer."""

from __future__ import annotations

import json
import zoneinfo
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from onewindow.core.models import AuditLog
from onewindow.hotline.codes import Channel, OrderType, Truth, Urgency
from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.hotline.models import Open311Client, WorkOrder
from onewindow.hotline.open311.clients import client_issue, client_revoke
from onewindow.hotline.open311.orders import SERVICE_NOTICE
from onewindow.hotline.services import (
    ReplyInput,
    order_dispatch,
    order_reply,
    order_sign,
    order_take,
    submitted_answer,
    submitted_take,
)
from onewindow.hotline.tests.conftest import caller, light_input
from onewindow.org.codes import Role
from onewindow.testing.factories import staff_with_role

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
BASE = "/open311/v2"
PHONE = "13912345678"
NO_SERVICE = "service_code: no such service."
POST = {
    "service_code": "0101",
    "description": "沙面大街52号门口的路灯一连三晚不亮。\n晚上路很黑。",
    "address_string": "沙面大街52号",
    "lat": "23.107700",
    "long": "113.243500",
    "first_name": "先生",
    "last_name": "陈",
    "phone": PHONE,
    "email": "chen@example.com",
    "device_id": "phone-1",
    "attribute[order_type]": "complaint",
    "attribute[urgency]": "urgent",
}


@pytest.fixture(autouse=True)
def refusals_counted_afresh():
    """A refusal is written once a minute per address and action (the rest counted in the
    cache): each test starts with an empty count."""
    cache.clear()


@pytest.fixture
def admin(db):
    return staff_with_role(Role.ADMIN)


@pytest.fixture
def issued(scene, admin):
    client, key = client_issue(actor=admin, name="随手拍", contact="app@example.com")
    return client, key


def post(data, fmt="json", **headers):
    return Client().post(
        f"{BASE}/requests.{fmt}",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def xml_of(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(response.content)


def children(element):
    return [(child.tag, child.text or "") for child in element]


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def errors_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


# --- services ------------------------------------------------------------------------------------


def test_services_list_the_active_subcategories_in_json_and_xml(scene):
    scene.vending.parent.children.create(code="0202", name="乱张贴", is_active=False)
    response = Client().get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response.json() == [
        {
            "service_code": "0101",
            "service_name": "路灯",
            "description": "市政设施 › 路灯",
            "metadata": True,
            "type": "realtime",
            "keywords": "路灯, 灯不亮, 黑灯",
            "group": "市政设施",
        },
        {
            "service_code": "0201",
            "service_name": "占道经营",
            "description": "市容环境 › 占道经营",
            "metadata": True,
            "type": "realtime",
            "keywords": "摆摊, 占道, 小贩",
            "group": "市容环境",
        },
    ]
    root = xml_of(Client().get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert [child.tag for child in root] == ["service", "service"]
    assert children(root[0]) == [
        ("service_code", "0101"),
        ("service_name", "路灯"),
        ("description", "市政设施 › 路灯"),
        ("metadata", "true"),
        ("type", "realtime"),
        ("keywords", "路灯, 灯不亮, 黑灯"),
        ("group", "市政设施"),
    ]


def test_a_service_definition_lists_the_fixed_attributes(scene):
    # Outside the language prefix the API answers in the site's language (Chinese).
    response = Client().get(f"{BASE}/services/0101.json")
    assert response.status_code == 200
    body = response.json()
    assert body["service_code"] == "0101"
    assert [a["code"] for a in body["attributes"]] == ["order_type", "urgency", "confidential"]
    first = body["attributes"][0]
    assert {k: v for k, v in first.items() if k != "values"} == {
        "variable": True,
        "code": "order_type",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": None,
        "order": 1,
        "description": zh("Type of call (来电类别)"),
    }
    assert [v["key"] for v in first["values"]] == list(OrderType.values)
    assert body["attributes"][2]["values"] == [
        {"key": "false", "name": "否"},
        {"key": "true", "name": "是"},
    ]
    root = xml_of(Client().get(f"{BASE}/services/0101.xml"))
    assert root.tag == "service_definition"
    assert children(root)[0] == ("service_code", "0101")
    attribute = root.find("attributes/attribute")
    assert [child.tag for child in attribute] == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    assert attribute.findtext("variable") == "true"
    assert attribute.findtext("required") == "false"
    assert attribute.findtext("datatype_description") == ""
    assert [v.findtext("key") for v in attribute.findall("values/value")] == list(OrderType.values)
    assert root.find("attributes/attribute[3]/values/value[2]/key").text == "true"


def test_an_unknown_service_is_the_specs_404_in_both_formats(scene):
    response = Client().get(f"{BASE}/services/9999.json")
    assert response.status_code == 404
    assert errors_json(response) == [
        {
            "code": 404,
            "description": f"{zh(NO_SERVICE)} / {NO_SERVICE}",
        }
    ]
    root = xml_of(Client().get(f"{BASE}/services/0101x.xml"))
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    # A parent category is not a service.
    assert Client().get(f"{BASE}/services/01.json").status_code == 404
    assert AuditLog.objects.filter(action="denied:hotline.open311.unknown_service").exists()


# --- posting -------------------------------------------------------------------------------------


def test_a_post_makes_a_submitted_order_and_answers_its_number(issued):
    _client, key = issued
    response = post({**POST, "api_key": key})
    assert response.status_code == 200
    order = WorkOrder.objects.get()
    assert response.json() == [
        {
            "service_request_id": order.number,
            "service_notice": str(SERVICE_NOTICE),
            "account_id": None,
        }
    ]
    assert (order.state, order.channel, order.source_key) == ("submitted", Channel.OPEN311, None)
    assert (order.order_type, order.urgency, order.category.code) == ("complaint", "urgent", "0101")
    assert order.title == "沙面大街52号门口的路灯一连三晚不亮。"
    assert order.content == POST["description"]
    assert order.place == "沙面大街52号"
    assert (str(order.latitude), str(order.longitude)) == ("23.107700", "113.243500")
    assert (order.confidential, order.wants_reply) == (False, True)
    person = order.callers.get()
    assert (person.name, person.anonymous, person.phone_masked) == ("陈先生", False, "139****5678")
    assert PHONE not in person.phone_encrypted


def test_a_post_answers_xml_and_defaults_the_attributes(issued):
    _client, key = issued
    data = {
        "api_key": key,
        "service_code": "0201",
        "description": "x" * 60,
        "address_string": "沙面南街",
        "attribute[confidential]": "true",
    }
    root = xml_of(post(data, fmt="xml"))
    order = WorkOrder.objects.get()
    assert root.tag == "service_requests"
    assert children(root.find("request")) == [
        ("service_request_id", order.number),
        ("service_notice", str(SERVICE_NOTICE)),
        ("account_id", ""),
    ]
    assert (order.order_type, order.urgency, order.confidential) == ("help", "normal", True)
    assert order.title == "x" * 40
    assert (order.latitude, order.wants_reply) == (None, False)
    assert order.callers.get().anonymous is True


def test_an_idempotent_retry_returns_the_first_order(issued, admin):
    _client, key = issued
    first = post({**POST, "api_key": key}, **{"Idempotency-Key": "req-1"})
    again = post({**POST, "api_key": key, "description": "变了"}, **{"Idempotency-Key": "req-1"})
    by_param = post({**POST, "api_key": key, "idempotency_key": "req-1"})
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert by_param.json() == first.json()
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    order = WorkOrder.objects.get()
    assert order.source_key == f"open311:{_client.pk}:req-1"
    # Another client's same key is another order.
    _other, other_key = client_issue(actor=admin, name="其他", contact="x")
    post({**POST, "api_key": other_key}, **{"Idempotency-Key": "req-1"})
    assert WorkOrder.objects.count() == 2
    bad = post({**POST, "api_key": key}, **{"Idempotency-Key": "键"})
    assert bad.status_code == 400


def test_keys_missing_unknown_and_revoked_are_403_audited(issued, admin):
    client, key = issued
    response = post({**POST})
    assert response.status_code == 403
    assert errors_json(response)[0]["code"] == 403
    assert "api_key" in errors_json(response)[0]["description"]
    assert post({**POST, "api_key": "nope"}, fmt="xml").status_code == 403
    client_revoke(actor=admin, client_id=client.pk)
    response = post({**POST, "api_key": key}, fmt="xml")
    assert response.status_code == 403
    root = xml_of(response)
    assert root.findtext("error/code") == "403"
    assert " / api_key: the key has been revoked." in root.findtext("error/description")
    assert WorkOrder.objects.count() == 0
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "denied:hotline.open311.no_key",
        "denied:hotline.open311.unknown_key",
        "denied:hotline.open311.revoked",
        "hotline.open311_client_issue",
        "hotline.open311_client_revoke",
    } <= actions


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"lat": "91", "long": "10"}, "lat: "),
        ({"lat": "abc", "long": "10"}, "lat: "),
        ({"long": "-180.5"}, "long: "),
        ({"description": ""}, "description: "),
        ({"description": "坏\x00了"}, "description: "),
        ({"address_string": "a\nb"}, "address_string: "),
        ({"address_string": "", "lat": "", "long": ""}, "lat and long"),
        ({"phone": "12"}, "phone: "),
        ({"attribute[order_type]": "praise!"}, "attribute[order_type]"),
        ({"description": "长" * 4001}, "description: "),
        ({"service_code": ""}, "service_code: "),
    ],
)
def test_bad_input_is_400_with_the_error_array_and_writes_nothing(issued, change, needle):
    _client, key = issued
    response = post({**POST, "api_key": key, **change})
    assert response.status_code == 400
    body = errors_json(response)
    assert all(error["code"] == 400 for error in body)
    assert any(needle in error["description"] for error in body), body
    assert all(" / " in error["description"] for error in body)
    assert WorkOrder.objects.count() == 0
    assert AuditLog.objects.filter(action="denied:hotline.open311.invalid").count() == 1


def test_a_json_body_or_an_unknown_service_is_refused(issued):
    _client, key = issued
    response = Client().post(
        f"{BASE}/requests.json",
        json.dumps({**POST, "api_key": key}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "application/x-www-form-urlencoded" in response.json()[0]["description"]
    response = post({**POST, "api_key": key, "service_code": "0999"}, fmt="xml")
    assert response.status_code == 404
    assert xml_of(response).findtext("error/code") == "404"
    big = Client().post(
        f"{BASE}/requests.json",
        "api_key=" + key + "&description=" + "a" * 20000,
        content_type="application/x-www-form-urlencoded",
    )
    assert big.status_code == 400
    assert WorkOrder.objects.count() == 0


def test_over_the_clients_limit_is_429_audited(issued):
    client, key = issued
    Open311Client.objects.filter(pk=client.pk).update(per_minute=2)
    codes = [post({**POST, "api_key": key}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = post({**POST, "api_key": key}, fmt="xml")
    assert response.status_code == 429
    assert xml_of(response).findtext("error/code") == "429"
    assert WorkOrder.objects.count() == 2
    assert AuditLog.objects.filter(action="denied:hotline.open311.too_many").exists()


def test_other_methods_and_addresses_answer_the_error_array(scene):
    response = Client().put(f"{BASE}/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()[0]["code"] == 405
    response = Client().get(f"{BASE}/services.html")
    assert response.status_code == 404
    assert xml_of(response).findtext("error/code") == "404"
    assert AuditLog.objects.filter(action="denied:hotline.open311.unknown_address").exists()
    assert AuditLog.objects.filter(action="denied:hotline.open311.method").exists()


# --- reading -------------------------------------------------------------------------------------


def _posted(key, **change):
    response = post({**POST, "api_key": key, **change})
    assert response.status_code == 200, response.content
    return WorkOrder.objects.get(number=response.json()[0]["service_request_id"])


def test_a_request_read_back_tells_public_fields_only(issued):
    _client, key = issued
    order = _posted(key)
    with translation.override("zh-hans"):
        told = WORK_ORDER_EVENTS.public_label("submit")
    body = Client().get(f"{BASE}/requests/{order.number}.json").json()
    moment = order.received_at.astimezone(SH).replace(microsecond=0).isoformat()
    assert body == [
        {
            "service_request_id": order.number,
            "status": "open",
            "status_notes": told,
            "service_name": "路灯",
            "service_code": "0101",
            "description": "",
            "agency_responsible": "",
            "service_notice": str(SERVICE_NOTICE),
            "requested_datetime": moment,
            "updated_datetime": moment,
            "expected_datetime": None,
            "address": "沙面大街52号",
            "address_id": "",
            "zipcode": "",
            "lat": 23.1077,
            "long": 113.2435,
            "media_url": "",
        }
    ]
    response = Client().get(f"{BASE}/requests/{order.number}.xml")
    root = xml_of(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [tag for tag, _text in children(request)] == list(body[0])
    assert request.findtext("status") == "open"
    assert request.findtext("lat") == "23.1077"
    assert request.findtext("expected_datetime") == ""
    listed = [Client().get(f"{BASE}/requests.{fmt}").content.decode() for fmt in ("json", "xml")]
    assert all(order.number in raw for raw in listed)
    for raw in (response.content.decode(), json.dumps(body, ensure_ascii=False), *listed):
        for secret in (PHONE, "139****5678", "陈先生", "chen@example.com", "一连三晚"):
            assert secret not in raw


def test_a_handled_request_tells_the_unit_its_reply_and_the_deadline(issued, scene):
    s = scene
    _client, key = issued
    order = _posted(key)
    order = submitted_take(actor=s.agent, order=order, expected_revision=order.revision)
    order = order_dispatch(
        actor=s.agent, order=order, expected_revision=order.revision, lead_id=s.cgj.pk
    )
    body = Client().get(f"{BASE}/requests/{order.number}.json").json()[0]
    with translation.override("zh-hans"):
        assert body["status_notes"] == WORK_ORDER_EVENTS.public_label("dispatch")
    assert body["agency_responsible"] == "荔湾区城市管理和综合执法局"
    assert body["expected_datetime"] == order.due_at.astimezone(SH).isoformat()
    order = order_sign(actor=s.cgj_staff, order=order, expected_revision=order.revision)
    order = order_reply(
        actor=s.cgj_staff,
        order=order,
        expected_revision=order.revision,
        reply=ReplyInput(
            truth=Truth.TRUE, solved=True, handling="换灯泡。", public_reply="路灯已修复。"
        ),
    )
    root = xml_of(Client().get(f"{BASE}/requests/{order.number}.xml"))
    assert root.findtext("request/status_notes") == "路灯已修复。"
    assert root.findtext("request/status") == "open"


def test_requests_filter_by_ids_code_status_and_dates(issued, scene):
    s = scene
    _client, key = issued
    light = _posted(key)
    vending = _posted(key, service_code="0201")
    closed = _posted(key)
    submitted_answer(
        actor=s.agent, order=closed, expected_revision=closed.revision, answer="已答复。"
    )
    # A phone call is never told here.
    phoned = order_take(actor=s.agent, data=light_input(), caller=caller())

    def numbers(fmt="json", **params):
        response = Client().get(f"{BASE}/requests.{fmt}", params)
        assert response.status_code == 200, response.content
        if fmt == "xml":
            return [r.findtext("service_request_id") for r in xml_of(response)]
        return [r["service_request_id"] for r in response.json()]

    assert numbers() == [closed.number, vending.number, light.number]
    assert numbers("xml") == [closed.number, vending.number, light.number]
    assert numbers(service_code="0201") == [vending.number]
    assert numbers(status="closed") == [closed.number]
    assert numbers(status="open") == [vending.number, light.number]
    assert numbers(status="open,closed") == [closed.number, vending.number, light.number]
    ids = f"{light.number},{phoned.number},{vending.number}"
    assert numbers(service_request_id=ids, service_code="9999") == [vending.number, light.number]
    assert numbers(start_date="2020-01-01T00:00:00+08:00") == []
    assert numbers(end_date="2020-01-01T00:00:00Z") == []
    assert (
        Client().get(f"{BASE}/requests/{phoned.number}.json").status_code == 404
    )  # not through Open311
    answer = Client().get(f"{BASE}/requests.json", {"service_request_id": closed.number}).json()
    assert answer[0]["status"] == "closed"
    with translation.override("zh-hans"):
        assert answer[0]["status_notes"] == WORK_ORDER_EVENTS.public_label("answer")


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-13-45T00:00:00Z"},
        {"end_date": "0001-01-01T00:00:00Z"},
        {"start_date": "9999-12-31T23:59:59Z"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"service_request_id": "1; DROP"},
        {"service_code": "01\x00"},
    ],
)
def test_bad_filters_are_400(scene, params):
    response = Client().get(f"{BASE}/requests.json", params)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_an_unknown_request_is_404(scene):
    for number in ("GD20260101999999", "nothing"):
        response = Client().get(f"{BASE}/requests/{number}.xml")
        assert response.status_code == 404
        assert xml_of(response).findtext("error/code") == "404"


def test_discovery_names_the_endpoint(scene):
    body = Client().get(f"{BASE}/discovery.json").json()
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    root = xml_of(Client().get(f"{BASE}/discovery.xml"))
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_urgency_values_are_the_hotlines(scene):
    body = Client().get(f"{BASE}/services/0101.json").json()
    assert [v["key"] for v in body["attributes"][1]["values"]] == list(Urgency.values)


def test_control_characters_in_the_address_answer_the_error_array(scene):
    response = Client().get(f"{BASE}/services/01%0001.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    response = Client().get(f"{BASE}/requests/GD%00.xml")
    assert response.status_code == 404
    assert xml_of(response).findtext("error/code") == "404"
