"""Parser of amoCRM API v4 lead lists (``GET /api/v4/leads``): one page, or a saved export.

What was read in amoCRM's developer docs (amocrm.ru/developers/content/crm_platform/leads-api,
the English twin at amocrm.com/developers/content/api_v4/leads-2, and kommo.com's filter page):

- a lead has ``id``, ``name``, ``price`` (int), ``responsible_user_id``, ``group_id``,
  ``status_id``, ``pipeline_id``, ``created_at``/``updated_at``/``closed_at`` (Unix seconds;
  ``closed_at`` null while open), ``is_deleted``, ``custom_fields_values`` (null or a list of
  ``{"field_id", "field_name", "field_code", "field_type", "values": [{"value": ...}]}``) and
  ``_embedded.tags`` (``[{"id", "name"}]``); ``with=contacts`` adds ``_embedded.contacts``;
- successful replies are ``application/hal+json``, errors ``application/problem+json``.

What is inferred, not read:

- the list envelope ``{"_page": 1, "_links": {"self": ..., "next": {"href": ...}}, "_embedded":
  {"leads": [...]}}``: the docs' single-lead example shows ``_links``/``_embedded`` and the
  v4 lists follow HAL; integrations in the wild page until ``_links.next`` is gone;
- an empty list is HTTP 204 with no body (documented for v2 events; integrations treat v4
  lists the same way), so empty content parses as "no leads";
- UTM values sit in custom fields whose ``field_code`` is ``UTM_SOURCE``, ``UTM_MEDIUM``,
  ``UTM_CAMPAIGN``, ``UTM_CONTENT``, ``UTM_TERM`` (the tracking fields amoCRM creates; per
  /work/shared/formats.md); the first value is taken;
- a contact in ``_embedded.contacts`` is ``{"id", "is_main", "_links"}``: the main contact is
  taken, else the first.

A saved export is either one page as the API sent it or a JSON list of lead objects. A lead
carries only its contacts' ids: ``contact_phone``/``contact_email`` are None in its row until
``AmoCrmClient.leads`` fills them from the contacts (see ``_contacts``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors._json import json_bool, json_decimal, json_int, json_text, load_json, shown
from connectors._result import ParseResult, convert, created_span_result
from connectors.errors import FormatError

__all__ = ["KIND", "UTM_FIELD_CODES", "parse_leads"]

KIND = "amocrm_leads_json"

UTM_FIELD_CODES: dict[str, str] = {
    "UTM_SOURCE": "utm_source",
    "UTM_MEDIUM": "utm_medium",
    "UTM_CAMPAIGN": "utm_campaign",
    "UTM_CONTENT": "utm_content",
    "UTM_TERM": "utm_term",
}
"""``field_code`` of a lead custom field -> the row column it fills."""


def _utc(value: object) -> datetime | None:
    """Unix seconds -> a naive UTC datetime (the project's convention for UTC timestamps)."""
    seconds = json_int(value)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{shown(value)} is not a Unix time in seconds") from None


def _text(value: object) -> str | None:
    text = json_text(value)
    if text is None:
        return None
    return text.strip() or None


def _embedded(record: dict[str, Any], name: str, path: str) -> list[dict[str, Any]]:
    embedded = record.get("_embedded")
    if embedded is None:
        return []
    if not isinstance(embedded, dict):
        raise FormatError("expected an object", field=f"{path}._embedded")
    items = embedded.get(name)
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise FormatError(f"expected a list of objects, got {shown(items)}", field=f"{path}._embedded.{name}")
    return items


def first_field_values(
    record: dict[str, Any], path: str, columns: Mapping[str, str]
) -> dict[str, str | None]:
    """The first value of each custom field whose ``field_code`` is a key of ``columns``, under
    the column it maps to (None when the record has no such field or it is empty)."""
    found: dict[str, str | None] = dict.fromkeys(columns.values())
    fields = record.get("custom_fields_values")
    if fields is None:
        return found
    if not isinstance(fields, list):
        raise FormatError(f"expected a list, got {shown(fields)}", field=f"{path}.custom_fields_values")
    for j, field in enumerate(fields):
        where = f"{path}.custom_fields_values[{j}]"
        if not isinstance(field, dict):
            raise FormatError("expected an object", field=where)
        code = field.get("field_code")
        column = columns.get(code.upper()) if isinstance(code, str) else None
        if column is None or found[column] is not None:
            continue
        values = field.get("values")
        if not values:
            continue
        if not isinstance(values, list) or not isinstance(values[0], dict):
            reason = f"expected a list of {{value}} objects, got {shown(values)}"
            raise FormatError(reason, field=f"{where}.values")
        found[column] = convert(_text, values[0].get("value"), field=f"{where}.values[0].value")
    return found


def _utms(record: dict[str, Any], path: str) -> dict[str, str | None]:
    return first_field_values(record, path, UTM_FIELD_CODES)


def _contact_id(record: dict[str, Any], path: str) -> int | None:
    contacts = _embedded(record, "contacts", path)
    if not contacts:
        return None
    main = next((i for i, c in enumerate(contacts) if c.get("is_main") is True), 0)
    return convert(json_int, contacts[main].get("id"), field=f"{path}._embedded.contacts[{main}].id")


def _tags(record: dict[str, Any], path: str) -> str | None:
    tags = _embedded(record, "tags", path)
    where = f"{path}._embedded.tags"
    names = [convert(_text, t.get("name"), field=f"{where}[{k}].name") for k, t in enumerate(tags)]
    return json.dumps(names, ensure_ascii=False) if names else None


def lead_row(record: object, path: str, origin_line: int) -> dict[str, object]:
    """One lead object -> its row; a bad value raises ``FormatError`` naming the lead and field."""
    if not isinstance(record, dict):
        raise FormatError("expected a lead object", field=path)
    lead_id = convert(json_int, record.get("id"), field=f"{path}.id")
    if lead_id is None:
        raise FormatError("the lead id is missing", field=f"{path}.id")
    try:
        created_at = convert(_utc, record.get("created_at"), field=f"{path}.created_at")
        if created_at is None:
            raise FormatError("the creation time is missing", field=f"{path}.created_at")
        row: dict[str, object] = {
            "lead_id": lead_id,
            "name": convert(_text, record.get("name"), field=f"{path}.name"),
            "status_id": convert(json_int, record.get("status_id"), field=f"{path}.status_id"),
            "pipeline_id": convert(json_int, record.get("pipeline_id"), field=f"{path}.pipeline_id"),
            "price": convert(json_decimal, record.get("price"), field=f"{path}.price"),
            "created_at": created_at,
            "updated_at": convert(_utc, record.get("updated_at"), field=f"{path}.updated_at"),
            "closed_at": convert(_utc, record.get("closed_at"), field=f"{path}.closed_at"),
            "responsible_user_id": convert(
                json_int, record.get("responsible_user_id"), field=f"{path}.responsible_user_id"
            ),
            "is_deleted": bool(convert(json_bool, record.get("is_deleted"), field=f"{path}.is_deleted")),
            **_utms(record, path),
            "contact_id": _contact_id(record, path),
            "contact_phone": None,
            "contact_email": None,
            "tags": _tags(record, path),
            "_origin_line": origin_line,
        }
    except FormatError as exc:
        raise FormatError(f"lead {lead_id}: {exc.reason}", field=exc.field) from None
    return row


def read_page(content: bytes) -> tuple[list[object], bool]:
    """The lead objects of a reply (or a saved list) and whether ``_links.next`` asks for more."""
    if not content.strip():
        return [], False  # HTTP 204: no leads
    body = load_json(content)
    if isinstance(body, list):
        return body, False
    if not isinstance(body, dict):
        raise FormatError("expected an amoCRM lead list object")
    embedded = body.get("_embedded")
    leads = embedded.get("leads") if isinstance(embedded, dict) else None
    if not isinstance(leads, list):
        reason = 'no "_embedded.leads" list: not an amoCRM /api/v4/leads reply'
        raise FormatError(reason, field="_embedded.leads")
    links = body.get("_links")
    has_next = isinstance(links, dict) and isinstance(links.get("next"), dict)
    return leads, has_next


def parse_leads(content: bytes) -> ParseResult:
    """An ``/api/v4/leads`` reply or a saved export -> one row per lead.

    Rows: lead_id, name, status_id, pipeline_id, price (Decimal), created_at, updated_at,
    closed_at (naive UTC datetimes from Unix seconds), responsible_user_id, is_deleted,
    utm_source, utm_medium, utm_campaign, utm_content, utm_term (custom fields by
    ``field_code``), contact_id (the main, else the first, of ``_embedded.contacts``),
    contact_phone and contact_email (None here: a lead holds only its contacts' ids;
    ``AmoCrmClient.leads`` fills them from ``/api/v4/contacts``), tags (a JSON list of tag
    names, or None) and ``_origin_line`` (1-based index of the lead).
    The period is the first and last creation date (UTC).
    """
    leads, _ = read_page(content)
    prefix = "_embedded.leads" if content.lstrip()[:1] == b"{" else ""
    rows = [lead_row(record, f"{prefix}[{i}]", i + 1) for i, record in enumerate(leads)]
    return created_span_result(KIND, rows)
