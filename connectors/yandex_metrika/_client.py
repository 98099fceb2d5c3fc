"""Client of the Yandex Metrika Management and Reporting APIs: a counter's goals and goal reaches.

What was read in Metrika's docs (yandex.com/dev/metrika, via the docs search):
- ``GET https://api-metrika.yandex.net/stat/v1/data`` with ``ids``, ``metrics`` (comma list,
  "Limit: 20 metrics per request"), ``dimensions``, ``date1``/``date2``, ``limit``, ``offset``,
  ``accuracy`` (stat/openapi/data). Header ``Authorization: OAuth <token>`` (management examples).
- Goal metrics are parametrised ``ym:s:goal<goal_id>reaches``; attributed dimensions are
  ``ym:s:<attribution>TrafficSource`` etc. (stat/param, stat/attributes/visits/source). Models:
  first, last, lastsign, last_yandex_direct_click, cross_device_first, cross_device_last,
  cross_device_last_significant, cross_device_last_yandex_direct_click, automatic. From 18/25
  June 2026 the old models are answered with their nearest new analog (RU stat/param note).
- ``contains_sensitive_data`` marks privacy-thresholded answers (faq); ``sampled`` in the answer.
- Quotas: 200 requests per 5 min to stat/v1/data per user, 30 req/s; over quota HTTP 429 (the EN
  page says 420) with the quota in the body. Errors: ``{"errors": [{"error_type", "message"}],
  "code", "message"}``; invalid_parameter/missing_parameter 400, access_denied 403,
  backend_error 503 (intro/quotas, intro/errors, as summarised in formats.md §8).
- ``GET management/v1/counter/{id}/goals`` lists goals with ``id``, ``name``, ``type``
  (addGoal openapi body, addgoal examples). Metrika creates automatic goals (email/phone/
  messenger click, form submit, button click, file download, site search: support
  general/auto-goals) and, after the first upload of tracker calls, call goals ("Call" counts
  any call: support general/call-goal).

Inferred, not confirmed in the docs read:
- The attribution model is passed as the ``attribution`` query parameter with the
  ``<attribution>`` placeholder left in the dimension names (the parametrisation page lists
  ``attribution`` as a request parameter; inlining works for ``ym:s:lastTrafficSource`` but
  underscored model names inlined were not confirmed).
- ``ym:s:<attribution>UTMSource``/``UTMMedium``/``UTMCampaign`` are the UTM dimension names.
- ``offset`` is 1-based (formats.md, Metrika convention); ``limit`` up to 100000 (we use 10000).
- The ``goal_source`` field of a goal (``"user"`` for a goal someone created) and the type names
  ``form``/``phone``/``messenger``/``button``/``email``/``file``/``search``/``call``/
  ``conditional_call``. Hence the conservative rule in :func:`is_automatic`.
- 429 carries no ``Retry-After``: the client waits ``QUOTA_WAIT`` seconds (the 5-minute window
  drains in at most 300 s), unless a ``Retry-After`` is sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from connectors._json import json_int, json_text, load_json
from connectors._result import ParseResult
from connectors.errors import FormatError
from connectors.http import (
    DEFAULT_TIMEOUT,
    AccessDeniedError,
    ApiError,
    AuthError,
    BadRequestError,
    HttpClient,
    RateLimiter,
    RateLimitError,
    ResponseFormatError,
    RetryPolicy,
    ServerError,
    VendorClient,
    classify_status,
    parse_retry_after,
)
from connectors.yandex_metrika._report import DIMENSION_SUFFIXES, KIND, GoalPage, goal_metric, parse_goal_page

__all__ = [
    "ATTRIBUTION_MODELS",
    "AUTOMATIC_GOAL_TYPES",
    "BASE_URL",
    "CALL_GOAL_TYPES",
    "MAX_METRICS",
    "PAGE_LIMIT",
    "QUOTA_WAIT",
    "VENDOR",
    "Goal",
    "MetrikaClient",
    "is_automatic",
    "lead_goals",
]

VENDOR = "yandex_metrika"
BASE_URL = "https://api-metrika.yandex.net/"
MAX_METRICS = 20
"""Most metrics in one stat/v1/data request (documented limit)."""
PAGE_LIMIT = 10_000
"""Rows asked for per page (``limit``)."""
QUOTA_WAIT = 60.0
"""Seconds to wait after a 429 that names no ``Retry-After`` [INFERRED]."""

ATTRIBUTION_MODELS = frozenset(
    {
        "first",
        "last",
        "lastsign",
        "last_yandex_direct_click",
        "cross_device_first",
        "cross_device_last",
        "cross_device_last_significant",
        "cross_device_last_yandex_direct_click",
        "automatic",
    }
)
"""Model names the docs list; the old ones are answered by their nearest new model since June 2026."""

AUTOMATIC_GOAL_TYPES = frozenset({"form", "phone", "messenger", "button", "email", "file", "search"})
"""Types of the goals Metrika creates by itself (auto-goals page); treated as automatic unless
Metrika says a user created the goal (``goal_source == "user"``)."""
CALL_GOAL_TYPES = frozenset({"call", "conditional_call"})
"""Goals Metrika creates from uploaded tracker calls: always automatic (the calls are counted
from the call tracker itself, so counting these too would count each call twice)."""


@dataclass(frozen=True)
class Goal:
    """A counter goal: ``id``, ``name``, ``type`` (``action``, ``url``, ``form``, ``call``...),
    and ``source`` (Metrika's ``goal_source`` when it sends one, else None)."""

    id: int
    name: str
    type: str
    source: str | None = None
    is_retargeting: bool = False


def is_automatic(goal: Goal) -> bool:
    """Whether Metrika created ``goal`` itself; such goals never count as leads.

    The rule: a call goal (``call``, ``conditional_call``) always; a goal whose ``source`` is
    given and is not ``user``; a goal of an auto-goal type (form, phone, messenger, button,
    email, file, search) unless ``source`` is ``user``. Everything else (``action`` JS events,
    ``url``, ``step``, ``number``...) is a goal someone set up.
    """
    kind = goal.type.strip().lower()
    source = (goal.source or "").strip().lower()
    if kind in CALL_GOAL_TYPES:
        return True
    if source:
        return source != "user"
    return kind in AUTOMATIC_GOAL_TYPES


def lead_goals(goals: Iterable[Goal], allowed_ids: Iterable[int]) -> list[Goal]:
    """The goals of ``allowed_ids`` (those a client counts as leads) that are not automatic."""
    allowed = set(allowed_ids)
    return [goal for goal in goals if goal.id in allowed and not is_automatic(goal)]


class _BothLimits(RateLimiter):
    """Waits for every one of ``limiters`` (stat/v1/data spends both the 5-minute and per-second quota)."""

    def __init__(self, *limiters: RateLimiter) -> None:
        self._limiters = limiters

    def __repr__(self) -> str:
        return f"_BothLimits{self._limiters!r}"

    def acquire(self) -> float:
        return sum(limiter.acquire() for limiter in self._limiters)


def _error_body(response: httpx.Response) -> tuple[str | None, str | None]:
    """(first ``error_type``, the messages) of a Metrika error answer."""
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    errors = body.get("errors")
    kinds: list[str] = []
    messages: list[str] = []
    if isinstance(errors, list):
        for error in errors:
            if isinstance(error, dict):
                if error.get("error_type"):
                    kinds.append(str(error["error_type"]))
                if error.get("message"):
                    messages.append(str(error["message"]))
    if not messages and body.get("message"):
        messages.append(str(body["message"]))
    return (kinds[0] if kinds else None), ("; ".join(messages) or None)


def _parse_goals(response: httpx.Response) -> list[Goal]:
    body = load_json(response.content)
    if not isinstance(body, dict) or not isinstance(body.get("goals"), list):
        raise FormatError('no "goals" list: not a Metrika goals answer', field="goals")
    goals = []
    for index, item in enumerate(body["goals"]):
        path = f"goals[{index}]"
        if not isinstance(item, dict):
            raise FormatError("expected an object", line=index + 1, field=path)
        try:
            goal_id = json_int(item.get("id"))
            name = json_text(item.get("name")) or ""
            kind = json_text(item.get("type"))
            source = json_text(item.get("goal_source"))
        except ValueError as exc:
            raise FormatError(str(exc), line=index + 1, field=path) from None
        if goal_id is None or not kind:
            raise FormatError("a goal needs an id and a type", line=index + 1, field=path)
        retargeting = item.get("is_retargeting") in (1, True, "1", "true")
        goals.append(Goal(goal_id, name, kind, source, retargeting))
    return goals


class MetrikaClient(VendorClient):
    """Reads a counter's goals and its goal reaches by day, traffic source and UTM tags.

    ``transport`` replaces the network in tests; ``sleep``/``clock`` replace real waiting. Every
    request waits for 30 requests/s; stat/v1/data requests also for 200 per 5 minutes (per
    user: share ``stat_limiter`` between clients of one token). 429/420 are retried after
    ``Retry-After`` or ``QUOTA_WAIT``; 400 and 403 are never retried.
    """

    def __init__(
        self,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        base_url: str = BASE_URL,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        stat_limiter: RateLimiter | None = None,
        page_limit: int = PAGE_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not token:
            raise ValueError("a Yandex Metrika OAuth token is required")
        if page_limit < 1:
            raise ValueError("page_limit must be at least 1")
        self.base_url = base_url
        self.page_limit = page_limit
        per_second = rate_limiter or RateLimiter(30, 1.0, clock=clock, sleep=sleep)
        per_window = stat_limiter or RateLimiter(200, 300.0, clock=clock, sleep=sleep)
        common: dict[str, Any] = {
            "base_url": base_url,
            "headers": {"Authorization": f"OAuth {token}"},
            "timeout": timeout,
            "transport": transport,
            "retry": retry,
            "classify": self._classify,
            "vendor_wait": self._vendor_wait,
            "secrets": [token],
            "sleep": sleep,
        }
        self._http = HttpClient(VENDOR, rate_limiter=per_second, **common)
        self._stat = HttpClient(VENDOR, rate_limiter=_BothLimits(per_window, per_second), **common)

    def close(self) -> None:
        self._stat.close()
        super().close()

    def goals(self, counter_id: int) -> list[Goal]:
        """Every goal of ``counter_id`` (``GET management/v1/counter/{id}/goals``)."""
        return self._http.request("GET", f"management/v1/counter/{int(counter_id)}/goals", parse=_parse_goals)

    def goal_reaches(
        self,
        counter_id: int,
        goal_ids: Sequence[int],
        date_from: date,
        date_to: date,
        *,
        attribution: str,
    ) -> ParseResult:
        """Reaches of ``goal_ids`` per day, traffic source and UTM source/medium/campaign.

        ``goal_ids`` should be the client's lead goals (see :func:`lead_goals`); they are asked
        for in batches of 20 metrics, each batch paged with ``limit``/``offset`` until
        ``total_rows``. ``attribution`` (required) names the model in every request and is
        stored on every row. Returns the rows of every batch and page in one ``ParseResult``
        (fields: see ``parse_goal_report``).
        """
        if attribution not in ATTRIBUTION_MODELS:
            raise ValueError(
                f"unknown attribution model {attribution!r}; one of {sorted(ATTRIBUTION_MODELS)}"
            )
        if date_to < date_from:
            raise ValueError(f"date_to {date_to} is before date_from {date_from}")
        ids = list(dict.fromkeys(int(goal_id) for goal_id in goal_ids))
        rows: list[dict[str, object]] = []
        for start in range(0, len(ids), MAX_METRICS):
            batch = ids[start : start + MAX_METRICS]
            rows.extend(self._report(counter_id, batch, date_from, date_to, attribution))
        return ParseResult(KIND, rows, date_from, date_to)

    def _report(
        self,
        counter_id: int,
        goal_ids: list[int],
        date_from: date,
        date_to: date,
        attribution: str,
    ) -> list[dict[str, object]]:
        params = {
            "ids": str(int(counter_id)),
            "metrics": ",".join(goal_metric(goal_id) for goal_id in goal_ids),
            "dimensions": ",".join(
                ["ym:s:date", *(f"ym:s:<attribution>{suffix}" for suffix in DIMENSION_SUFFIXES)]
            ),
            "attribution": attribution,
            "date1": date_from.isoformat(),
            "date2": date_to.isoformat(),
            "accuracy": "full",
            "sort": "ym:s:date",
            "limit": str(self.page_limit),
        }
        rows: list[dict[str, object]] = []
        offset = 1
        while True:
            page_params = {**params, "offset": str(offset)}

            def parse(response: httpx.Response, first: int = offset) -> GoalPage:
                return parse_goal_page(
                    response.content,
                    attribution=attribution,
                    counter_id=int(counter_id),
                    goal_ids=goal_ids,
                    first_row=first,
                )

            page = self._stat.request("GET", "stat/v1/data", params=page_params, parse=parse)
            rows.extend(page.result.rows)
            offset += page.records
            if offset > page.total_rows:
                return rows
            if page.records == 0:
                raise ResponseFormatError(
                    VENDOR,
                    f"stat/v1/data returned no rows at offset {offset} of {page.total_rows}",
                )

    def _classify(self, response: httpx.Response) -> ApiError | None:
        status = response.status_code
        if status < 400:
            return None
        kind, message = _error_body(response)
        if kind is None and message is None:
            if status == 420:
                return RateLimitError(VENDOR, "quota exceeded", status=status)
            return classify_status(VENDOR, response)
        common: dict[str, Any] = {"status": status, "vendor_code": kind}
        if status == 401:
            return AuthError(
                VENDOR, message, hint="the OAuth token is invalid or expired: issue a new one", **common
            )
        if status in (420, 429):
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return RateLimitError(VENDOR, message, retry_after=retry_after, **common)
        if status == 403 or kind == "access_denied":
            hint = "the token's user has no access to this counter, or the app lacks metrika:read"
            return AccessDeniedError(VENDOR, message, hint=hint, **common)
        if status >= 500 or kind == "backend_error":
            return ServerError(VENDOR, message, **common)
        return BadRequestError(VENDOR, message, **common)

    @staticmethod
    def _vendor_wait(error: ApiError) -> float | None:
        if isinstance(error, RateLimitError):
            return error.retry_after if error.retry_after is not None else QUOTA_WAIT
        return None
