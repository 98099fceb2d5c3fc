"""Parser of Bitrix24 ``crm.lead.list`` replies (one page, or a saved export) -> lead rows.

Read in the Bitrix24 REST docs (dev.1c-bitrix.ru/rest_help/crm/leads/crm_lead_list.php,
crm_lead_fields.php, general/lists.php, apidocs.bitrix24.ru data types):

- ``crm.lead.list`` returns ``{"result": [<lead>, ...], "total": N, "next": 50, "time": ...}``,
  50 leads per page, the next page asked with ``start=<next>``; the filter has no OR;
- ``select`` masks ``*`` and ``UF_*`` leave out multiple fields: ``PHONE`` and ``EMAIL`` must be
  named, and the ``UTM_*`` fields too (a 1c-bitrix forum thread: they come only when named);
- field names: ``ID``, ``TITLE``, ``DATE_CREATE``, ``DATE_MODIFY``, ``STATUS_ID``,
  ``SOURCE_ID``, ``ASSIGNED_BY_ID``, ``COMPANY_ID``, ``CONTACT_ID``, ``HAS_PHONE``,
  ``HAS_EMAIL``, ``PHONE``, ``EMAIL``, ``UTM_SOURCE``, ``UTM_MEDIUM``, ``UTM_CAMPAIGN``,
  ``UTM_CONTENT``, ``UTM_TERM`` (the English field table misspells some as ``DATA_CREATE`` and
  ``HAS_MAIL``; the filter example and the Russian docs use ``DATE_CREATE``);
- ``datetime`` values are ``YYYY-MM-DDThh:mm:ss±hh:mm``; booleans ``Y``/``N``.

Inferred: ids come as strings (``"ID": "123"``) and ``"0"``/null mean "none"; a multiple
field is a list of ``{"ID", "VALUE_TYPE", "VALUE", "TYPE_ID"}`` and the first ``VALUE`` is
taken. Phones and e-mails are personal data, kept as given: the pipeline masks them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors._json import json_int, json_text, load_json, shown, vendor_error_message
from connectors._result import ParseResult, convert, created_span_result
from connectors.errors import FormatError

__all__ = ["KIND", "LEAD_FIELDS", "lead_row", "parse_leads", "read_lead_page"]

KIND = "bitrix24_leads_json"

LEAD_FIELDS: tuple[str, ...] = (
    "ID",
    "TITLE",
    "DATE_CREATE",
    "DATE_MODIFY",
    "STATUS_ID",
    "SOURCE_ID",
    "ASSIGNED_BY_ID",
    "COMPANY_ID",
    "CONTACT_ID",
    "HAS_PHONE",
    "HAS_EMAIL",
    "PHONE",
    "EMAIL",
    "UTM_SOURCE",
    "UTM_MEDIUM",
    "UTM_CAMPAIGN",
    "UTM_CONTENT",
    "UTM_TERM",
)
"""The lead fields asked for (``select``)."""

_UTMS = ("UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM")


def _utc(value: object) -> datetime | None:
    """ISO 8601 with an offset -> a naive UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(UTC).replace(tzinfo=None)
    raise ValueError(f"{shown(value)} is not a date-time with an offset (YYYY-MM-DDThh:mm:ss±hh:mm)")


def _text(value: object) -> str | None:
    text = json_text(value)
    if text is None:
        return None
    return text.strip() or None


def _ref(value: object) -> int | None:
    number = json_int(value)
    return None if number == 0 else number


def _first_value(value: object) -> str | None:
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not isinstance(value[0], dict):
        raise ValueError(f"{shown(value)} is not a list of {{VALUE}} objects")
    return _text(value[0].get("VALUE"))


def lead_row(record: object, path: str, origin_line: int) -> dict[str, object]:
    """One lead object -> its row; a bad value raises ``FormatError`` naming the lead and field."""
    if not isinstance(record, dict):
        raise FormatError("expected a lead object", field=path)
    lead_id = convert(json_int, record.get("ID"), field=f"{path}.ID")
    if lead_id is None:
        raise FormatError("the lead ID is missing", field=f"{path}.ID")

    def get(name: str, parse: Any) -> Any:
        return convert(parse, record.get(name), field=f"{path}.{name}")

    try:
        created_at = get("DATE_CREATE", _utc)
        if created_at is None:
            raise FormatError("the creation time is missing", field=f"{path}.DATE_CREATE")
        row: dict[str, object] = {
            "lead_id": lead_id,
            "title": get("TITLE", _text),
            "created_at": created_at,
            "updated_at": get("DATE_MODIFY", _utc),
            "status_id": get("STATUS_ID", _text),
            "source_id": get("SOURCE_ID", _text),
            "assigned_by_id": get("ASSIGNED_BY_ID", _ref),
            "company_id": get("COMPANY_ID", _ref),
            "contact_id": get("CONTACT_ID", _ref),
            "phone": get("PHONE", _first_value),
            "email": get("EMAIL", _first_value),
        }
        for name in _UTMS:
            row[name.lower()] = get(name, _text)
    except FormatError as exc:
        raise FormatError(f"lead {lead_id}: {exc.reason}", field=exc.field) from None
    row["_origin_line"] = origin_line
    return row


def read_lead_page(content: bytes) -> tuple[list[object], int | None]:
    """The lead objects of a ``crm.lead.list`` reply (or a saved list) and its ``next``."""
    body = load_json(content)
    if isinstance(body, list):
        return body, None
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not isinstance(result, list):
        message = vendor_error_message(body)
        if message is not None:
            raise FormatError(f"Bitrix24 returned an error instead of leads: {message}")
        raise FormatError('no "result" list: not a Bitrix24 crm.lead.list reply', field="result")
    next_start = body.get("next")
    if next_start is not None and (not isinstance(next_start, int) or isinstance(next_start, bool)):
        raise FormatError(f"{shown(next_start)} is not a position", field="next")
    return result, next_start


def parse_leads(content: bytes) -> ParseResult:
    """A ``crm.lead.list`` reply or a saved export -> one row per lead.

    Rows: lead_id, title, created_at, updated_at (naive UTC from the portal's offset times),
    status_id, source_id (Bitrix24 codes such as ``NEW``, ``CALL``, ``WEB``), assigned_by_id,
    company_id, contact_id (None for none), phone and email (the first of each, as given),
    utm_source, utm_medium, utm_campaign, utm_content, utm_term and ``_origin_line``. The
    period is the first and last creation date (UTC).
    """
    leads, _ = read_lead_page(content)
    prefix = "result" if content.lstrip()[:1] == b"{" else ""
    rows = [lead_row(record, f"{prefix}[{i}]", i + 1) for i, record in enumerate(leads)]
    return created_span_result(KIND, rows)
