"""Parser of the Calltouch requests journal ("журнал заявок"): form leads captured by Calltouch.

Sources, and how sure each point is:

- [READ vendor page] calltouch.ru/support/vygruzka-zhurnala-zayavok-cherez-api:
  ``GET https://api.calltouch.ru/calls-service/RestAPI/requests`` with ``clientApiId`` and
  ``siteId`` (both required) and ``dateFrom``/``dateTo`` (required) written **mm/dd/yyyy**
  (the calls diary wants dd/mm/yyyy); optional ``timeFrom``/``timeTo`` (hh:mm:ss), not used
  here. The body is JSON; the pages seen stop short of the response field table.
- [READ-3P] ``mg-realcom/calltouch-sdk`` (Go): ``LeadsDateFormat = "01/02/2006"`` (mm/dd/yyyy),
  the body decoded as a bare JSON array, and a ``Lead`` struct whose comments (in Russian, as
  the vendor's docs word them) give: ``date`` = creation time as Unix timestamp in
  **milliseconds**; ``dateStr`` = the same time as ``dd/mm/yyyy hh:mm:ss``; ``requestId`` = the
  request's id in Calltouch (a number); ``requestNumber`` = the site's own id of the request
  (text, as the site sent it); ``subject`` = the name of the form on the site;
  ``targetRequest``/``uniqueRequest``/``uniqTargetRequest`` booleans; ``session`` object
  (``sessionId``, ``source``, ``medium``, ``keywords``, ``city``, ``utmSource``,
  ``utmMedium``, ``utmCampaign``, ``utmContent``, ``utmTerm``, ...); ``client`` object
  (``clientId``, ``fio``, ``phones[{phoneNumber, phoneType}]``,
  ``contacts[{contactType, contactValue}]`` where the comment says the value is the e-mail);
  ``orders[{orderId, orderNumber, status, sum, dateCreated, callId}]``. An older version of
  the same struct also has ``requestType``, ``siteId``, ``status`` and ``requestUrl``.
  Another exporter (``vladbegin/Calltouch_request_API``) sends ``dateFrom``/``dateTo`` as
  ``%m/%d/%Y`` and reads ``requestId``/``dateStr`` from a bare array too.

[INFERRED], not seen in any source:

- ``dateStr`` is the cabinet's local time (as the calls diary's ``date`` is), so it is kept as
  a naive local timestamp and never converted; ``date`` is taken as UTC.
- ``"<не указано>"`` appears in the session's utm/source fields as it does in the calls diary.
- The e-mail is the ``contacts`` entry whose ``contactType`` mentions "mail" (the type's exact
  spelling is not documented), else the first value containing ``@``. The phone is the first
  of ``client.phones``. Both are kept as given: they are personal data, masked downstream.
- ``call_id``: a top-level ``callId`` if the record has one, else the first ``callId`` of its
  orders (a request that turned into a call shares the order with it).
- Only the first order of a request is flattened (``order_*``); ``order_count`` says how many.
- A ``date`` below 10^11 is taken to be seconds sent by mistake (before March 1973 in ms) and
  rejected rather than read as a date in January 1970.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from connectors._json import (
    json_bool,
    json_datetime,
    json_decimal,
    json_int,
    load_json,
    shown,
    vendor_error_message,
)
from connectors._result import ParseResult, convert, date_span
from connectors.calltouch._calls import calltouch_text
from connectors.errors import FormatError

__all__ = ["COLUMNS", "KIND", "format_requests_date", "parse_requests"]

KIND = "calltouch_requests_json"

_DATE_FORMAT = "%m/%d/%Y"
_DATETIME_FORMAT = "%d/%m/%Y %H:%M:%S"
_MIN_MILLISECONDS = 10**11
_EPOCH = datetime(1970, 1, 1)

# raw column -> field of the request object, by kind of value
_TEXTS = {"request_number": "requestNumber", "request_type": "requestType", "subject": "subject"}
_OPTIONAL_TEXTS = {"status": "status", "request_url": "requestUrl"}
_BOOLS = {
    "target_request": "targetRequest",
    "unique_request": "uniqueRequest",
    "uniq_target_request": "uniqTargetRequest",
}
# raw column -> field of ``session``
_SESSION_TEXTS = {
    "source": "source",
    "medium": "medium",
    "keyword": "keywords",
    "utm_source": "utmSource",
    "utm_medium": "utmMedium",
    "utm_campaign": "utmCampaign",
    "utm_content": "utmContent",
    "utm_term": "utmTerm",
    "city": "city",
}

COLUMNS = (
    "request_id",
    "request_number",
    "request_date_local",
    "request_timestamp_utc",
    "request_type",
    "subject",
    "status",
    "request_url",
    "site_id",
    *_BOOLS,
    "session_id",
    *_SESSION_TEXTS,
    "client_phone",
    "client_email",
    "call_id",
    "order_count",
    "order_id",
    "order_number",
    "order_status",
    "order_sum",
)
"""The columns of every row, in order (plus ``_origin_line``)."""


def format_requests_date(d: date) -> str:
    """A date as the requests journal wants it in ``dateFrom``/``dateTo``: ``mm/dd/yyyy``."""
    return d.strftime(_DATE_FORMAT)


def _local_time(value: object) -> datetime | None:
    return json_datetime(value, _DATETIME_FORMAT, "dd/mm/yyyy hh:mm:ss")


def _utc_time(value: object) -> datetime | None:
    milliseconds = json_int(value)
    if milliseconds is None:
        return None
    if abs(milliseconds) < _MIN_MILLISECONDS:
        raise ValueError(f"{shown(value)} looks like Unix seconds; expected Unix milliseconds")
    try:
        return _EPOCH + timedelta(milliseconds=milliseconds)
    except OverflowError:
        raise ValueError(f"{shown(value)} is not a Unix time in milliseconds") from None


def _request_id(value: object) -> int:
    number = json_int(value)
    if number is None:
        raise ValueError("the request id is missing")
    return number


def _object(value: object, path: str) -> dict[str, object]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FormatError(f"expected an object, found {shown(value)}", field=path)
    return value


def _list(value: object, path: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FormatError(f"expected an array, found {shown(value)}", field=path)
    return value


def _phone(client: dict[str, object], path: str) -> str | None:
    for j, phone in enumerate(_list(client.get("phones"), f"{path}.phones")):
        where = f"{path}.phones[{j}]"
        number = convert(
            calltouch_text, _object(phone, where).get("phoneNumber"), field=f"{where}.phoneNumber"
        )
        if number is not None:
            return number
    return None


def _email(client: dict[str, object], path: str) -> str | None:
    typed: str | None = None
    untyped: str | None = None
    for j, contact in enumerate(_list(client.get("contacts"), f"{path}.contacts")):
        where = f"{path}.contacts[{j}]"
        entry = _object(contact, where)
        value = convert(calltouch_text, entry.get("contactValue"), field=f"{where}.contactValue")
        kind = convert(calltouch_text, entry.get("contactType"), field=f"{where}.contactType") or ""
        if value is None:
            continue
        if typed is None and "mail" in kind.lower():
            typed = value
        if untyped is None and "@" in value:
            untyped = value
    return typed or untyped


def _records(body: object) -> list[object]:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        message = vendor_error_message(body)
        if message is None and isinstance(body.get("message"), str):
            message = body["message"].strip() or None
        if message is not None:
            raise FormatError(f"Calltouch returned an error instead of requests: {message}")
    raise FormatError("expected the requests journal (a JSON array of requests), found a JSON value")


def _row(record: object, path: str) -> dict[str, object]:
    if not isinstance(record, dict):
        raise FormatError("expected a request object", field=path)
    row: dict[str, object] = {
        "request_id": convert(_request_id, record.get("requestId"), field=f"{path}.requestId"),
        "request_date_local": convert(_local_time, record.get("dateStr"), field=f"{path}.dateStr"),
        "request_timestamp_utc": convert(_utc_time, record.get("date"), field=f"{path}.date"),
    }
    for column, name in (_TEXTS | _OPTIONAL_TEXTS).items():
        row[column] = convert(calltouch_text, record.get(name), field=f"{path}.{name}")
    row["site_id"] = convert(json_int, record.get("siteId"), field=f"{path}.siteId")
    for column, name in _BOOLS.items():
        row[column] = convert(json_bool, record.get(name), field=f"{path}.{name}")

    session = _object(record.get("session"), f"{path}.session")
    row["session_id"] = convert(json_int, session.get("sessionId"), field=f"{path}.session.sessionId")
    for column, name in _SESSION_TEXTS.items():
        row[column] = convert(calltouch_text, session.get(name), field=f"{path}.session.{name}")

    client = _object(record.get("client"), f"{path}.client")
    row["client_phone"] = _phone(client, f"{path}.client")
    row["client_email"] = _email(client, f"{path}.client")

    orders = _list(record.get("orders"), f"{path}.orders")
    call_id = convert(json_int, record.get("callId"), field=f"{path}.callId")
    first: dict[str, object] = {}
    for j, order in enumerate(orders):
        where = f"{path}.orders[{j}]"
        entry = _object(order, where)
        if j == 0:
            first = entry
        if call_id is None:
            call_id = convert(json_int, entry.get("callId"), field=f"{where}.callId")
    row["call_id"] = call_id
    row["order_count"] = len(orders)
    where = f"{path}.orders[0]"
    row["order_id"] = convert(json_int, first.get("orderId"), field=f"{where}.orderId")
    row["order_number"] = convert(calltouch_text, first.get("orderNumber"), field=f"{where}.orderNumber")
    row["order_status"] = convert(calltouch_text, first.get("status"), field=f"{where}.status")
    row["order_sum"] = convert(json_decimal, first.get("sum"), field=f"{where}.sum")
    return {column: row[column] for column in COLUMNS}


def parse_requests(content: bytes) -> ParseResult:
    """A requests-journal body (a bare JSON array, as the API or an export gives it) -> rows.

    One row per request, columns ``COLUMNS``: ``request_id`` is required (an integer);
    ``request_timestamp_utc`` is ``date`` (Unix ms) as a naive UTC datetime and
    ``request_date_local`` is ``dateStr`` as a naive datetime in the cabinet's time;
    ``"<не указано>"`` and ``""`` become None in every text field. A bad value raises
    ``FormatError`` naming the record and field, e.g. ``field "[3].date"``. The period is the
    first and last local day (the UTC day where ``dateStr`` is missing).
    """
    records = _records(load_json(content))
    rows: list[dict[str, object]] = []
    for i, record in enumerate(records):
        row = _row(record, f"[{i}]")
        row["_origin_line"] = i + 1
        rows.append(row)

    def day(row: dict[str, object]) -> date | None:
        moment = row["request_date_local"] or row["request_timestamp_utc"]
        return moment.date() if isinstance(moment, datetime) else None

    date_from, date_to = date_span(day(row) for row in rows)
    return ParseResult(kind=KIND, rows=rows, date_from=date_from, date_to=date_to)
