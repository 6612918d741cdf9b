"""ORCID 3.0 work messages in XML and JSON, as the simulator reads and writes them.

Inside the simulator a work is a plain dict (see :func:`empty_work`); these
functions convert between it and ORCID's two wire formats.
"""

import json

from lxml import etree

from invenio_orcid_push import orcid_model as om

W = "{%s}" % om.WORK_NS
C = "{%s}" % om.COMMON_NS
E = "{%s}" % om.ERROR_NS
A = "{%s}" % om.ACTIVITIES_NS
N = "{%s}" % om.NOTIFICATION_NS
ALL_NS = {
    "notification": om.NOTIFICATION_NS,
    "work": om.WORK_NS,
    "common": om.COMMON_NS,
    "activities": om.ACTIVITIES_NS,
    "error": om.ERROR_NS,
}


class MessageError(ValueError):
    """The body is not a well-formed work message."""


def empty_work():
    """The simulator's internal form of a work."""
    return {
        "put_code": None,
        "visibility": None,
        "title": None,
        "subtitle": None,
        "translated_title": None,  # {"value", "language_code"}
        "journal_title": None,
        "short_description": None,
        "citation": None,  # {"type", "value"}
        "type": None,
        "publication_date": None,  # {"year", "month", "day"}
        "external_ids": [],  # [{"type", "value", "url", "relationship"}]
        "url": None,
        "contributors": [],  # [{"orcid", "credit_name", "sequence", "role"}]
        "language_code": None,
        "country": None,
    }


# -- XML -------------------------------------------------------------------


def _text(node, path):
    found = node.find(path, ALL_NS)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def parse_work_xml(body, schema=None):
    """Read a work from ORCID XML; validate against the XSD if ``schema`` is given."""
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError as exc:
        raise MessageError(f"Malformed XML: {exc}") from exc
    if schema is not None and not schema.validate(root):
        raise MessageError(f"Invalid work XML: {schema.error_log.last_error}")
    if root.tag != W + "work":
        raise MessageError(f"Expected a work:work element, got {root.tag}")
    work = empty_work()
    put_code = root.get("put-code")
    work["put_code"] = int(put_code) if put_code and put_code.isdigit() else put_code
    work["visibility"] = root.get("visibility")
    work["title"] = _text(root, "work:title/common:title")
    work["subtitle"] = _text(root, "work:title/common:subtitle")
    translated = root.find("work:title/common:translated-title", ALL_NS)
    if translated is not None:
        work["translated_title"] = {
            "value": (translated.text or "").strip(),
            "language_code": translated.get("language-code"),
        }
    work["journal_title"] = _text(root, "work:journal-title")
    work["short_description"] = _text(root, "work:short-description")
    citation = root.find("work:citation", ALL_NS)
    if citation is not None:
        work["citation"] = {
            "type": _text(citation, "work:citation-type"),
            "value": _text(citation, "work:citation-value"),
        }
    work["type"] = _text(root, "work:type")
    date = root.find("common:publication-date", ALL_NS)
    if date is not None:
        work["publication_date"] = {
            part: _text(date, f"common:{part}") for part in ("year", "month", "day")
        }
    for ext in root.findall("common:external-ids/common:external-id", ALL_NS):
        work["external_ids"].append(
            {
                "type": _text(ext, "common:external-id-type"),
                "value": _text(ext, "common:external-id-value"),
                "url": _text(ext, "common:external-id-url"),
                "relationship": _text(ext, "common:external-id-relationship"),
            }
        )
    work["url"] = _text(root, "common:url")
    for person in root.findall("work:contributors/work:contributor", ALL_NS):
        work["contributors"].append(
            {
                "orcid": _text(person, "common:contributor-orcid/common:path"),
                "credit_name": _text(person, "work:credit-name"),
                "sequence": _text(
                    person, "work:contributor-attributes/work:contributor-sequence"
                ),
                "role": _text(
                    person, "work:contributor-attributes/work:contributor-role"
                ),
            }
        )
    work["language_code"] = _text(root, "common:language-code")
    work["country"] = _text(root, "common:country")
    return work


def parse_permission_notification_xml(body, schema=None):
    """Read a permission notification; validate against the XSD if ``schema`` is given.

    Returns ``{"authorization_url", "subject", "intro", "items"}``, each item
    ``{"type", "name", "external_id"}`` (the last as in a work, or ``None``).
    """
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError as exc:
        raise MessageError(f"Malformed XML: {exc}") from exc
    if schema is not None and not schema.validate(root):
        raise MessageError(f"Invalid notification XML: {schema.error_log.last_error}")
    if root.tag != N + "notification":
        raise MessageError(
            f"Expected a notification:notification element, got {root.tag}"
        )
    url = root.find("notification:authorization-url", ALL_NS)
    return {
        "type": _text(root, "notification:notification-type"),
        "authorization_url": {
            part: _text(url, f"notification:{part}") for part in ("uri", "path", "host")
        },
        "subject": _text(root, "notification:notification-subject"),
        "intro": _text(root, "notification:notification-intro"),
        "items": [
            _notification_item(item)
            for item in root.findall("notification:items/notification:item", ALL_NS)
        ],
    }


def _notification_item(item):
    ext = item.find("common:external-id", ALL_NS)
    return {
        "type": _text(item, "notification:item-type"),
        "name": _text(item, "notification:item-name"),
        "external_id": (
            {
                "type": _text(ext, "common:external-id-type"),
                "value": _text(ext, "common:external-id-value"),
                "url": _text(ext, "common:external-id-url"),
                "relationship": _text(ext, "common:external-id-relationship"),
            }
            if ext is not None
            else None
        ),
    }


def _sub(parent, tag, text=None, **attrs):
    node = etree.SubElement(
        parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()}
    )
    if text is not None:
        node.text = str(text)
    return node


def _meta_xml(node, stored, host):
    _sub(node, C + "created-date", stored.created)
    _sub(node, C + "last-modified-date", stored.modified)
    source = _sub(node, C + "source")
    client = _sub(source, C + "source-client-id")
    _sub(client, C + "uri", f"https://{host}/client/{stored.source_client_id}")
    _sub(client, C + "path", stored.source_client_id)
    _sub(client, C + "host", host)
    _sub(source, C + "source-name", stored.source_name)


def _external_ids_xml(parent, external_ids):
    ids = _sub(parent, C + "external-ids")
    for ext in external_ids:
        node = _sub(ids, C + "external-id")
        _sub(node, C + "external-id-type", ext["type"])
        _sub(node, C + "external-id-value", ext["value"])
        if ext.get("url"):
            _sub(node, C + "external-id-url", ext["url"])
        if ext.get("relationship"):
            _sub(node, C + "external-id-relationship", ext["relationship"])


def _date_xml(parent, date):
    if not date or not date.get("year"):
        return
    node = _sub(parent, C + "publication-date")
    for part in ("year", "month", "day"):
        if date.get(part):
            _sub(node, C + part, date[part])


def _item_attrs(stored):
    return {
        "put-code": str(stored.put_code),
        "path": f"/{stored.orcid}/work/{stored.put_code}",
        "visibility": stored.visibility,
    }


def work_to_xml(stored, host):
    """A stored work as ORCID returns it from ``GET /work/{put-code}``."""
    work = stored.work
    root = etree.Element(W + "work", _item_attrs(stored), nsmap=om.NSMAP)
    _meta_xml(root, stored, host)
    title = _sub(root, W + "title")
    _sub(title, C + "title", work["title"])
    if work["subtitle"]:
        _sub(title, C + "subtitle", work["subtitle"])
    if work["translated_title"]:
        _sub(
            title,
            C + "translated-title",
            work["translated_title"]["value"],
            language_code=work["translated_title"]["language_code"],
        )
    if work["journal_title"]:
        _sub(root, W + "journal-title", work["journal_title"])
    if work["short_description"]:
        _sub(root, W + "short-description", work["short_description"])
    if work["citation"]:
        citation = _sub(root, W + "citation")
        _sub(citation, W + "citation-type", work["citation"]["type"])
        _sub(citation, W + "citation-value", work["citation"]["value"])
    _sub(root, W + "type", work["type"])
    _date_xml(root, work["publication_date"])
    _external_ids_xml(root, work["external_ids"])
    if work["url"]:
        _sub(root, C + "url", work["url"])
    if work["contributors"]:
        contributors = _sub(root, W + "contributors")
        for person in work["contributors"]:
            node = _sub(contributors, W + "contributor")
            if person.get("orcid"):
                orcid = _sub(node, C + "contributor-orcid")
                _sub(orcid, C + "uri", f"https://{host}/{person['orcid']}")
                _sub(orcid, C + "path", person["orcid"])
                _sub(orcid, C + "host", host)
            if person.get("credit_name"):
                _sub(node, W + "credit-name", person["credit_name"])
            if person.get("sequence") or person.get("role"):
                attrs = _sub(node, W + "contributor-attributes")
                if person.get("sequence"):
                    _sub(attrs, W + "contributor-sequence", person["sequence"])
                if person.get("role"):
                    _sub(attrs, W + "contributor-role", person["role"])
    if work["language_code"]:
        _sub(root, C + "language-code", work["language_code"])
    if work["country"]:
        _sub(root, C + "country", work["country"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def works_to_xml(orcid, groups, host):
    """Grouped work summaries as ORCID returns them from ``GET /works``."""
    root = etree.Element(
        A + "works",
        {"path": f"/{orcid}/works"},
        nsmap={**om.NSMAP, "activities": om.ACTIVITIES_NS},
    )
    for group in groups:
        group_node = _sub(root, A + "group")
        _external_ids_xml(group_node, group["external_ids"])
        for stored in group["works"]:
            summary = _sub(group_node, W + "work-summary", **{})
            for key, value in _item_attrs(stored).items():
                summary.set(key, value)
            _meta_xml(summary, stored, host)
            title = _sub(summary, W + "title")
            _sub(title, C + "title", stored.work["title"])
            _external_ids_xml(summary, stored.work["external_ids"])
            if stored.work["url"]:
                _sub(summary, C + "url", stored.work["url"])
            _sub(summary, W + "type", stored.work["type"])
            _date_xml(summary, stored.work["publication_date"])
            if stored.work["journal_title"]:
                _sub(summary, W + "journal-title", stored.work["journal_title"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def error_to_xml(status, error_code, developer_message, user_message):
    """An ORCID error document."""
    root = etree.Element(E + "error", nsmap={"error": om.ERROR_NS})
    _sub(root, E + "response-code", status)
    _sub(root, E + "developer-message", developer_message)
    _sub(root, E + "user-message", user_message)
    _sub(root, E + "error-code", error_code)
    _sub(
        root, E + "more-info", "https://members.orcid.org/api/resources/troubleshooting"
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# -- JSON ------------------------------------------------------------------


def _value(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    if isinstance(obj, dict) and "value" in obj:
        obj = obj["value"]
    return None if obj is None else str(obj).strip()


def parse_work_json(body):
    """Read a work from ORCID JSON."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise MessageError(f"Malformed JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MessageError("Expected a JSON object")
    work = empty_work()
    work["put_code"] = data.get("put-code")
    work["visibility"] = data.get("visibility")
    work["title"] = _value(data, "title", "title")
    work["subtitle"] = _value(data, "title", "subtitle")
    translated = (data.get("title") or {}).get("translated-title")
    if translated:
        work["translated_title"] = {
            "value": _value(translated),
            "language_code": translated.get("language-code"),
        }
    work["journal_title"] = _value(data, "journal-title")
    work["short_description"] = _value(data, "short-description")
    if data.get("citation"):
        work["citation"] = {
            "type": _value(data, "citation", "citation-type"),
            "value": _value(data, "citation", "citation-value"),
        }
    work["type"] = _value(data, "type")
    date = data.get("publication-date")
    if date:
        work["publication_date"] = {
            part: _value(date, part) for part in ("year", "month", "day")
        }
    for ext in ((data.get("external-ids") or {}).get("external-id")) or []:
        work["external_ids"].append(
            {
                "type": _value(ext, "external-id-type"),
                "value": _value(ext, "external-id-value"),
                "url": _value(ext, "external-id-url"),
                "relationship": _value(ext, "external-id-relationship"),
            }
        )
    work["url"] = _value(data, "url")
    for person in ((data.get("contributors") or {}).get("contributor")) or []:
        attrs = person.get("contributor-attributes") or {}
        work["contributors"].append(
            {
                "orcid": _value(person, "contributor-orcid", "path"),
                "credit_name": _value(person, "credit-name"),
                "sequence": _value(attrs, "contributor-sequence"),
                "role": _value(attrs, "contributor-role"),
            }
        )
    work["language_code"] = _value(data, "language-code")
    work["country"] = _value(data, "country")
    return work


def _meta_json(stored, host):
    return {
        "created-date": {"value": stored.created},
        "last-modified-date": {"value": stored.modified},
        "source": {
            "source-client-id": {
                "uri": f"https://{host}/client/{stored.source_client_id}",
                "path": stored.source_client_id,
                "host": host,
            },
            "source-name": {"value": stored.source_name},
        },
        "put-code": stored.put_code,
        "path": f"/{stored.orcid}/work/{stored.put_code}",
        "visibility": stored.visibility,
    }


def _external_ids_json(external_ids):
    return {
        "external-id": [
            {
                "external-id-type": ext["type"],
                "external-id-value": ext["value"],
                "external-id-url": {"value": ext["url"]} if ext.get("url") else None,
                "external-id-relationship": ext.get("relationship"),
            }
            for ext in external_ids
        ]
    }


def _date_json(date):
    if not date or not date.get("year"):
        return None
    return {
        part: ({"value": date[part]} if date.get(part) else None)
        for part in ("year", "month", "day")
    }


def work_to_json(stored, host):
    """A stored work as ORCID JSON."""
    work = stored.work
    out = _meta_json(stored, host)
    out.update(
        {
            "title": {
                "title": {"value": work["title"]},
                "subtitle": {"value": work["subtitle"]} if work["subtitle"] else None,
                "translated-title": (
                    {
                        "value": work["translated_title"]["value"],
                        "language-code": work["translated_title"]["language_code"],
                    }
                    if work["translated_title"]
                    else None
                ),
            },
            "journal-title": (
                {"value": work["journal_title"]} if work["journal_title"] else None
            ),
            "short-description": work["short_description"],
            "citation": (
                {
                    "citation-type": work["citation"]["type"],
                    "citation-value": work["citation"]["value"],
                }
                if work["citation"]
                else None
            ),
            "type": work["type"],
            "publication-date": _date_json(work["publication_date"]),
            "external-ids": _external_ids_json(work["external_ids"]),
            "url": {"value": work["url"]} if work["url"] else None,
            "contributors": {
                "contributor": [
                    {
                        "contributor-orcid": (
                            {
                                "uri": f"https://{host}/{person['orcid']}",
                                "path": person["orcid"],
                                "host": host,
                            }
                            if person.get("orcid")
                            else None
                        ),
                        "credit-name": (
                            {"value": person["credit_name"]}
                            if person.get("credit_name")
                            else None
                        ),
                        "contributor-attributes": {
                            "contributor-sequence": person.get("sequence"),
                            "contributor-role": person.get("role"),
                        },
                    }
                    for person in work["contributors"]
                ]
            },
            "language-code": work["language_code"],
            "country": {"value": work["country"]} if work["country"] else None,
        }
    )
    return json.dumps(out)


def works_to_json(orcid, groups, host):
    """Grouped work summaries as ORCID JSON."""
    out = {"path": f"/{orcid}/works", "group": []}
    for group in groups:
        summaries = []
        for stored in group["works"]:
            summary = _meta_json(stored, host)
            summary.update(
                {
                    "title": {"title": {"value": stored.work["title"]}},
                    "external-ids": _external_ids_json(stored.work["external_ids"]),
                    "url": (
                        {"value": stored.work["url"]} if stored.work["url"] else None
                    ),
                    "type": stored.work["type"],
                    "publication-date": _date_json(stored.work["publication_date"]),
                }
            )
            summaries.append(summary)
        out["group"].append(
            {
                "external-ids": _external_ids_json(group["external_ids"]),
                "work-summary": summaries,
            }
        )
    return json.dumps(out)


def error_to_json(status, error_code, developer_message, user_message):
    """An ORCID error document as JSON."""
    return json.dumps(
        {
            "response-code": status,
            "developer-message": developer_message,
            "user-message": user_message,
            "error-code": error_code,
            "more-info": "https://members.orcid.org/api/resources/troubleshooting",
        }
    )
