"""Parser of the JSON-RPC 2.0 response to ``get.calls_report``.

::

    {"jsonrpc": "2.0", "id": "req-1",
     "result": {"data": [{"id": 123, "start_time": "2024-03-01 10:00:00", ...}],
                "metadata": {"total_items": 1, "limits": {...}}}}

or, on failure, ``{"jsonrpc": "2.0", "id": null, "error": {"code": -32029, "message": "...",
"data": {"mnemonic": "limit_exceeded", ...}}}`` (HTTP 200 either way). Times are in the
account's time zone, ``YYYY-MM-DD hh:mm:ss``; empty values are ``null``, ``[]`` or ``{}``.
"""

from __future__ import annotations

import json
from datetime import datetime

from connectors._json import json_bool, json_call_id, json_datetime, json_int, json_text, load_json, shown
from connectors._result import ParseResult, convert, date_span
from connectors.comagic._errors import ComagicApiError
from connectors.errors import FormatError

__all__ = ["KIND", "parse_calls_report", "raise_for_error"]

KIND = "comagic_calls_json"

_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_INTS = ("talk_duration", "wait_duration", "total_duration")
_TEXTS = (
    "direction",
    "finish_reason",
    "contact_phone_number",
    "virtual_phone_number",
    "campaign_name",
    "utm_source",
    "utm_medium",
    "utm_campaign",
)


def raise_for_error(body: object) -> None:
    """Raise ``ComagicApiError`` if ``body`` is a JSON-RPC error reply."""
    if not isinstance(body, dict) or body.get("error") is None:
        return
    error = body["error"]
    if not isinstance(error, dict):
        raise ComagicApiError(str(error))
    data = error.get("data")
    data = data if isinstance(data, dict) else {}
    code = error.get("code")
    mnemonic, field = data.get("mnemonic"), data.get("field")
    raise ComagicApiError(
        str(error.get("message") or "no message"),
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        mnemonic=mnemonic if isinstance(mnemonic, str) else None,
        field=field if isinstance(field, str) else None,
    )


def _time(value: object) -> datetime | None:
    return json_datetime(value, _DATETIME_FORMAT, "YYYY-MM-DD hh:mm:ss")


def _text(value: object) -> str | None:
    text = json_text(value)
    return text if text else None


def _tags(value: object) -> str | None:
    if value is None or value == []:
        return None
    if not isinstance(value, list):
        raise ValueError(f"{shown(value)} is not a list of tags")
    return json.dumps(value, ensure_ascii=False, default=str)


def parse_calls_report(content: bytes) -> ParseResult:
    """A ``get.calls_report`` response -> rows of ``comagic_calls``.

    A JSON-RPC error reply raises ``ComagicApiError`` (with ``.mnemonic`` and ``.code``).
    """
    body = load_json(content)
    raise_for_error(body)
    result = body.get("result") if isinstance(body, dict) else None
    data = result.get("data") if isinstance(result, dict) else None
    if not isinstance(data, list):
        raise FormatError("no list of calls: not a get.calls_report response", field="result.data")
    rows: list[dict[str, object]] = []
    for i, record in enumerate(data):
        path = f"result.data[{i}]"
        if not isinstance(record, dict):
            raise FormatError("expected a call object", field=path)
        row: dict[str, object] = {
            "call_id": convert(json_call_id, record.get("id"), field=f"{path}.id"),
            "start_time": convert(_time, record.get("start_time"), field=f"{path}.start_time"),
            "finish_time": convert(_time, record.get("finish_time"), field=f"{path}.finish_time"),
            "is_lost": convert(json_bool, record.get("is_lost"), field=f"{path}.is_lost"),
        }
        for name in _INTS:
            row[name] = convert(json_int, record.get(name), field=f"{path}.{name}")
        for name in _TEXTS:
            row[name] = convert(_text, record.get(name), field=f"{path}.{name}")
        row["tags"] = convert(_tags, record.get("tags"), field=f"{path}.tags")
        row["_origin_line"] = i + 1
        rows.append(row)
    starts = (row["start_time"] for row in rows)
    date_from, date_to = date_span(t.date() for t in starts if isinstance(t, datetime))
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)
