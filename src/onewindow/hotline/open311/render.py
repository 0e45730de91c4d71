"""The spec's two formats: JSON (a list or an object, ``null`` for nothing) and XML (UTF-8
declaration, one element per field, empty for nothing, booleans as ``true``/``false``)."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


# Characters XML 1.0 cannot carry (controls, surrogates, U+FFFE, U+FFFF): dropped, so one
# stored value can never make the public feed unreadable for every client.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _element(parent: ET.Element, name: str, value: Any, item_names: dict[str, str]) -> None:
    node = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _element(node, key, inner, item_names)
    elif isinstance(value, list):
        for inner in value:
            _element(node, item_names[name], inner, item_names)
    else:
        node.text = _text(value)


def xml_document(root: str, body: Any, item_names: dict[str, str]) -> str:
    """``body``: a list (of ``item_names[root]`` elements) or a dict; nested lists are named
    by ``item_names`` too (``attributes`` → ``attribute``, ``values`` → ``value``)."""
    top = ET.Element(root)
    if isinstance(body, list):
        for item in body:
            _element(top, item_names[root], item, item_names)
    else:
        for key, value in body.items():
            _element(top, key, value, item_names)
    return XML_DECLARATION + ET.tostring(top, encoding="unicode")


def respond(
    fmt: str,
    body: Any,
    *,
    root: str,
    item_names: dict[str, str],
    status: int = 200,
) -> HttpResponse:
    if fmt == "xml":
        content = xml_document(root, body, item_names)
    else:
        content = json.dumps(body, ensure_ascii=False)
    response = HttpResponse(content.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    return response


def errors_response(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    body = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt, body, root="errors", item_names={"errors": "error"}, status=status)
