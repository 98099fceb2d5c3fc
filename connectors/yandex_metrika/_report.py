"""Parser of a Reporting API table answer (``GET stat/v1/data``) holding goal reaches.

The answer is ``{"query": {...}, "data": [{"dimensions": [{"name": ..., "id": ...}, ...],
"metrics": [1.0, ...]}, ...], "total_rows": N, "sampled": false,
"contains_sensitive_data": false, "totals": [...]}``; metrics are always doubles. The
dimensions must be, in order, date, traffic source, UTM source, UTM medium, UTM campaign (what
``MetrikaClient.goal_reaches`` asks for); the metrics ``ym:s:goal<ID>reaches``, whose goal ids
are read from ``query.metrics`` (or given by the caller for an export without ``query``).

One row per (date, goal, traffic source, UTM source/medium/campaign) with reaches > 0. Zero
rows are dropped. ``reaches`` is an int: a whole double is converted exactly; a fractional one
is an error unless the answer says it was ``sampled`` (sampled numbers are scaled-up estimates),
in which case it is rounded half up.

A saved answer dropped as a file (``parse_saved_goal_report``) must say everything itself:
goal ids in ``query.metrics``, one counter in ``query.ids``, and the attribution model in
``query.attribution`` [INFERRED: the answer echoes the request's parameters in ``query``, as
in the saved answers seen, e.g. ``"attribution": "cross_device_last_significant"``], or else
inlined in the traffic source dimension name (``ym:s:lastsignTrafficSource``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from connectors._json import (
    json_bool,
    json_decimal,
    json_int,
    json_text,
    load_json,
    shown,
    vendor_error_message,
)
from connectors._result import ParseResult, date_span
from connectors.errors import FormatError

__all__ = [
    "DIMENSION_SUFFIXES",
    "KIND",
    "GoalPage",
    "goal_metric",
    "goal_reach_row",
    "is_goal_report",
    "parse_goal_page",
    "parse_goal_report",
    "parse_saved_goal_report",
]

KIND = "yandex_metrika_goal_reaches"
DIMENSION_SUFFIXES = ("TrafficSource", "UTMSource", "UTMMedium", "UTMCampaign")
"""The attributed dimensions after ``ym:s:date``: ``ym:s:<attribution><suffix>``."""

_GOAL_METRIC = re.compile(r"ym:s:goal(\d+)reaches")
_INLINED_MODEL = re.compile(r"ym:s:([a-z_]+)TrafficSource")


def goal_metric(goal_id: int) -> str:
    """The Reporting API metric counting reaches of ``goal_id``."""
    return f"ym:s:goal{goal_id}reaches"


def _goal_ids_from_query(query: object) -> list[int] | None:
    if not isinstance(query, dict) or not isinstance(query.get("metrics"), list):
        return None
    ids = []
    for index, name in enumerate(query["metrics"]):
        match = _GOAL_METRIC.fullmatch(str(name))
        if match is None:
            raise FormatError(
                f"{shown(name)} is not a goal reaches metric (ym:s:goal<ID>reaches)",
                field=f"query.metrics[{index}]",
            )
        ids.append(int(match.group(1)))
    return ids


def _day(value: object) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{shown(value)} is not a date YYYY-MM-DD")


def _reaches(value: object, sampled: bool) -> int:
    number = json_decimal(value)
    if number is None:
        return 0
    if number < 0:
        raise ValueError(f"{shown(value)} is negative")
    if number == number.to_integral_value():
        return int(number)
    if sampled:
        return int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    raise ValueError(f"{shown(value)} is not a whole number of reaches (and the report is not sampled)")


def _flag(body: dict[str, object], name: str) -> bool:
    try:
        return bool(json_bool(body.get(name)))
    except ValueError as exc:
        raise FormatError(str(exc), field=name) from None


def goal_reach_row(
    *,
    day: date | None,
    counter_id: int | None,
    goal_id: int,
    attribution: str | None,
    traffic_source: str | None,
    traffic_source_name: str | None,
    utm_source: str | None,
    utm_medium: str | None,
    utm_campaign: str | None,
    reaches: int,
    sampled: bool | None,
    contains_sensitive_data: bool | None,
    origin_line: int,
) -> dict[str, object]:
    """One row of goal reaches: the keys every Metrika parser (API reply, export) returns."""
    return {
        "date": day,
        "counter_id": counter_id,
        "goal_id": goal_id,
        # The goal's name and type come from the counter's goal list, not the report (the
        # pipeline's pull fills them; an export leaves them unknown).
        "goal_name": None,
        "goal_type": None,
        "is_automatic": None,
        "attribution": attribution,
        "traffic_source": traffic_source,
        "traffic_source_name": traffic_source_name,
        "utm_source": utm_source,
        "utm_medium": utm_medium,
        "utm_campaign": utm_campaign,
        "reaches": reaches,
        "sampled": sampled,
        "contains_sensitive_data": contains_sensitive_data,
        "_origin_line": origin_line,
    }


def parse_goal_report(
    content: bytes,
    *,
    attribution: str,
    counter_id: int | None = None,
    goal_ids: Sequence[int] | None = None,
    first_row: int = 1,
) -> ParseResult:
    """Rows of a ``stat/v1/data`` JSON answer with goal reaches by date, source and UTM tags.

    ``attribution`` is the model the report was requested with (stored on every row);
    ``counter_id`` defaults to the single id in ``query.ids``; ``goal_ids`` (in metric order)
    is needed only when the answer has no ``query.metrics``. ``first_row`` is the 1-based
    ``offset`` the page was requested with, so ``_origin_line`` is the row's place in the
    whole report. Raises ``FormatError`` naming the record and field of a bad value.
    """
    return parse_goal_page(
        content, attribution=attribution, counter_id=counter_id, goal_ids=goal_ids, first_row=first_row
    ).result


@dataclass(frozen=True)
class GoalPage:
    """One page of a report: its rows, the report's ``total_rows`` and the records on this page."""

    result: ParseResult
    total_rows: int
    records: int


def parse_goal_page(
    content: bytes,
    *,
    attribution: str,
    counter_id: int | None = None,
    goal_ids: Sequence[int] | None = None,
    first_row: int = 1,
) -> GoalPage:
    """``parse_goal_report`` plus the paging facts the client needs (``total_rows``, records)."""
    if not attribution:
        raise ValueError("the attribution model of the report is required")
    body = load_json(content)
    if not isinstance(body, dict):
        raise FormatError("expected a JSON object (a Metrika stat/v1/data answer), found an array or value")
    if "data" not in body:
        message = vendor_error_message(body)
        if message:
            raise FormatError(f"Metrika returned an error instead of a report: {message}")
        raise FormatError('no "data" list: not a Metrika stat/v1/data answer', field="data")
    query = body.get("query")
    ids = _goal_ids_from_query(query)
    if ids is None:
        if goal_ids is None:
            raise FormatError(
                "the answer has no query.metrics and no goal ids were given", field="query.metrics"
            )
        ids = [int(goal_id) for goal_id in goal_ids]
    elif goal_ids is not None and list(goal_ids) != ids:
        raise FormatError(
            f"the report counts goals {ids}, not the {list(goal_ids)} requested", field="query.metrics"
        )
    if counter_id is None:
        counters = query.get("ids") if isinstance(query, dict) else None
        if not isinstance(counters, list) or len(counters) != 1:
            raise FormatError(
                "cannot tell the counter: give counter_id or one id in query.ids", field="query.ids"
            )
        try:
            counter_id = json_int(counters[0])
        except ValueError as exc:
            raise FormatError(str(exc), field="query.ids[0]") from None
    sampled = _flag(body, "sampled")
    sensitive = _flag(body, "contains_sensitive_data")
    data = body["data"]
    if not isinstance(data, list):
        raise FormatError("expected a list of rows", field="data")

    rows: list[dict[str, object]] = []
    for index, record in enumerate(data):
        line = first_row + index
        path = f"data[{index}]"
        if not isinstance(record, dict):
            raise FormatError("expected an object", line=line, field=path)
        dims = record.get("dimensions")
        if not isinstance(dims, list) or len(dims) != 1 + len(DIMENSION_SUFFIXES):
            raise FormatError(
                f"expected {1 + len(DIMENSION_SUFFIXES)} dimensions (date, source, 3 UTM tags)",
                line=line,
                field=f"{path}.dimensions",
            )
        texts: list[str | None] = []
        ident: str | None = None
        for d_index, dim in enumerate(dims):
            d_path = f"{path}.dimensions[{d_index}]"
            if not isinstance(dim, dict):
                raise FormatError("expected an object with a name", line=line, field=d_path)
            try:
                texts.append(json_text(dim.get("name")))
                if d_index == 1:
                    ident = json_text(dim.get("id"))
            except ValueError as exc:
                raise FormatError(str(exc), line=line, field=d_path) from None
        try:
            day = _day(texts[0])
        except ValueError as exc:
            raise FormatError(str(exc), line=line, field=f"{path}.dimensions[0].name") from None
        metrics = record.get("metrics")
        if not isinstance(metrics, list) or len(metrics) != len(ids):
            raise FormatError(
                f"expected {len(ids)} metric values (one per goal)", line=line, field=f"{path}.metrics"
            )
        for goal_id, (m_index, value) in zip(ids, enumerate(metrics), strict=True):
            try:
                reaches = _reaches(value, sampled)
            except ValueError as exc:
                raise FormatError(str(exc), line=line, field=f"{path}.metrics[{m_index}]") from None
            if reaches == 0:
                continue
            rows.append(
                goal_reach_row(
                    day=day,
                    counter_id=counter_id,
                    goal_id=goal_id,
                    attribution=attribution,
                    traffic_source=ident if ident is not None else texts[1],
                    traffic_source_name=texts[1],
                    utm_source=texts[2],
                    utm_medium=texts[3],
                    utm_campaign=texts[4],
                    reaches=reaches,
                    sampled=sampled,
                    contains_sensitive_data=sensitive,
                    origin_line=line,
                )
            )
    date_from, date_to = _period(query)
    if date_from is None:
        date_from, date_to = date_span(row["date"] for row in rows)
    try:
        total = json_int(body.get("total_rows"))
    except ValueError as exc:
        raise FormatError(str(exc), field="total_rows") from None
    if total is None or total < 0:
        raise FormatError("missing or negative", field="total_rows")
    return GoalPage(ParseResult(KIND, rows, date_from, date_to), total, len(data))


def _period(query: object) -> tuple[date | None, date | None]:
    if not isinstance(query, dict):
        return None, None
    try:
        return _day(query.get("date1")), _day(query.get("date2"))
    except ValueError:
        return None, None


def is_goal_report(body: object) -> bool:
    """Whether a JSON body is a ``stat/v1/data`` answer (a ``data`` list and a ``query`` object)."""
    return (
        isinstance(body, dict) and isinstance(body.get("data"), list) and isinstance(body.get("query"), dict)
    )


def _saved_attribution(query: dict[str, object]) -> str:
    model = query.get("attribution")
    if isinstance(model, str) and model.strip():
        return model.strip()
    dimensions = query.get("dimensions")
    for name in dimensions if isinstance(dimensions, list) else []:
        match = _INLINED_MODEL.fullmatch(str(name))
        if match is not None:
            return match.group(1)
    raise FormatError(
        "cannot tell the attribution model: the saved answer has no query.attribution and its "
        "traffic source dimension does not name a model (ym:s:<model>TrafficSource)",
        field="query.attribution",
    )


def parse_saved_goal_report(content: bytes) -> ParseResult:
    """A saved ``stat/v1/data`` answer (a dropped file) -> rows, as ``parse_goal_report``.

    Everything comes from the answer itself: the goal ids from ``query.metrics``, the counter
    from ``query.ids`` (exactly one), the attribution model from ``query.attribution`` or, when
    the request inlined it, from the traffic source dimension (``ym:s:lastsignTrafficSource``).
    """
    body = load_json(content)
    query = body.get("query") if isinstance(body, dict) else None
    if not is_goal_report(body) or not isinstance(query, dict):
        message = vendor_error_message(body)
        if message:
            raise FormatError(f"Metrika returned an error instead of a report: {message}")
        raise FormatError('expected a Metrika stat/v1/data answer (a "data" list and a "query" object)')
    return parse_goal_report(content, attribution=_saved_attribution(query))
