"""Parser of calls-diary bodies (``GET .../RestAPI/{siteId}/calls-diary/calls``).

Two shapes: with ``page``/``limit`` the API answers
``{"page": 1, "pageTotal": N, "pageSize": 1000, "recordsTotal": M, "records": [...]}``,
without them a bare array of calls. ``date`` is local time of the cabinet
(``dd/mm/yyyy HH:MM:SS``), ``timestamp`` Unix seconds UTC. Empty text fields come as
``"<не указано>"``; booleans as JSON booleans or, in older exports, strings ``"True"``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from connectors._json import (
    json_bool,
    json_call_id,
    json_datetime,
    json_int,
    json_text,
    load_json,
    shown,
    vendor_error_message,
)
from connectors._result import ParseResult, convert, date_span
from connectors.errors import FormatError

__all__ = ["KIND", "format_calltouch_date", "parse_calls"]

KIND = "calltouch_calls_json"

NOT_SPECIFIED = "<не указано>"
_DATE_FORMAT = "%d/%m/%Y"
_DATETIME_FORMAT = "%d/%m/%Y %H:%M:%S"

# raw column -> Calltouch field, by kind of value
_INTS = {"duration": "duration", "waiting_connect": "waitingConnect"}
_BOOLS = {
    "successful": "successful",
    "unique_call": "uniqueCall",
    "target_call": "targetCall",
    "uniq_target_call": "uniqTargetCall",
}
_TEXTS = {
    "caller_number": "callerNumber",
    "phone_number": "phoneNumber",
    "source": "source",
    "medium": "medium",
    "utm_source": "utmSource",
    "utm_medium": "utmMedium",
    "utm_campaign": "utmCampaign",
    "utm_content": "utmContent",
    "utm_term": "utmTerm",
    "city": "city",
}


def format_calltouch_date(d: date) -> str:
    """A date as the calls diary wants it in ``dateFrom``/``dateTo``: ``dd/mm/yyyy``."""
    return d.strftime(_DATE_FORMAT)


def _local_time(value: object) -> datetime | None:
    return json_datetime(value, _DATETIME_FORMAT, "dd/mm/yyyy HH:MM:SS")


def _utc_time(value: object) -> datetime | None:
    seconds = json_int(value)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{shown(value)} is not a Unix time in seconds") from None


def calltouch_text(value: object) -> str | None:
    """Text of a Calltouch field; empty and Calltouch's ``<не указано>`` are None."""
    text = json_text(value)
    if text is None or text.strip() in ("", NOT_SPECIFIED):
        return None
    return text


def _records(body: object) -> tuple[list[object], str]:
    if isinstance(body, list):
        return body, ""
    if isinstance(body, dict):
        records = body.get("records")
        if isinstance(records, list):
            return records, "records"
        message = vendor_error_message(body)
        if message is not None:
            raise FormatError(f"Calltouch returned an error instead of calls: {message}")
    found = 'an object without "records"' if isinstance(body, dict) else "a JSON value"
    raise FormatError(
        f'expected the calls diary (a JSON array of calls or an object with "records"), found {found}'
    )


def parse_calls(content: bytes) -> ParseResult:
    """A calls-diary body (paged object or bare array) -> rows of ``calltouch_calls``.

    ``"<не указано>"`` and ``""`` become None in every text field; negative durations are kept;
    ``call_timestamp_utc`` is a naive UTC datetime, ``call_date_local`` the cabinet's local time.
    """
    records, prefix = _records(load_json(content))
    rows: list[dict[str, object]] = []
    for i, record in enumerate(records):
        path = f"{prefix}[{i}]"
        if not isinstance(record, dict):
            raise FormatError("expected a call object", field=path)
        row: dict[str, object] = {
            "call_id": convert(json_call_id, record.get("callId"), field=f"{path}.callId"),
            "call_date_local": convert(_local_time, record.get("date"), field=f"{path}.date"),
            "call_timestamp_utc": convert(_utc_time, record.get("timestamp"), field=f"{path}.timestamp"),
        }
        for column, name in _INTS.items():
            row[column] = convert(json_int, record.get(name), field=f"{path}.{name}")
        for column, name in _BOOLS.items():
            row[column] = convert(json_bool, record.get(name), field=f"{path}.{name}")
        for column, name in _TEXTS.items():
            row[column] = convert(calltouch_text, record.get(name), field=f"{path}.{name}")
        row["_origin_line"] = i + 1
        rows.append(row)
    days = (row["call_date_local"] for row in rows)
    date_from, date_to = date_span(d.date() for d in days if isinstance(d, datetime))
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)
