"""The demo agency's vendor APIs: fake endpoints that answer like the real ones.

:class:`DemoVendors` turns a simulated :class:`~demo_agency.model.Agency` into one
``httpx.MockTransport`` per vendor. Each parses the request exactly as the vendor would (URL,
headers, query or JSON body, paging parameters, the token) and answers with the vendor's
byte format from :mod:`demo_agency.formats`, so the pipeline's real API clients
(``connectors.*``) read the demo agency the way they read a real one:

- Yandex.Direct Reports: ``POST json/v5/reports`` with ``Client-Login``; reports longer than a
  month are built "offline" (HTTP 201, then 200 on the identical request), error 53 for a
  wrong token, 54 for a login that is not the agency's client;
- Yandex.Direct balances: ``POST live/v4/json/`` ``AccountManagement`` Get (token in the body,
  ``SelectionCriteria.Logins``): each shared account holds 10-39 days of the client's last 7 days'
  spend, except :func:`low_balance_client`'s, which holds a day and a half; errors at the top
  level (``error_code`` 53 for a wrong token), logins of no client in ``ActionsResult``;
- VK Ads: ``oauth2/token.json`` (agency client grant) -> a token per account,
  ``campaigns.json`` with ``limit``/``offset``, ``statistics/campaigns/day.json``;
- Calltouch: ``{siteId}/calls-diary/calls`` with ``clientApiId``, ``dd/mm/yyyy`` and paging;
  the requests journal ``requests?clientApiId=&siteId=&dateFrom=mm/dd/yyyy&dateTo=mm/dd/yyyy``
  (a bare array; served for the ``calltouch`` and ``calltouch_requests`` transports alike);
- CoMagic/UIS: JSON-RPC ``get.calls_report`` with ``limit``/``offset`` and ``total_items``;
- Yandex Metrika: ``management/v1/counter/{id}/goals`` and ``stat/v1/data`` (``ids``, goal
  reaches metrics, the dimensions asked for, ``attribution``, ``date1``/``date2``,
  ``limit``/1-based ``offset``, ``total_rows``), ``Authorization: OAuth <token>``;
- amoCRM: ``https://<subdomain>.amocrm.ru/api/v4/leads`` (``filter[created_at|updated_at]
  [from|to]``, ``with=contacts``, ``limit`` <= 250, ``page``, ``_links.next``, 204 when
  empty) and ``/api/v4/contacts`` (``filter[id][]``), ``Authorization: Bearer <token>``;
- Bitrix24: ``https://<portal>/rest/<user>/<secret>/crm.lead.list`` (POST JSON or GET query:
  ``filter`` on DATE_CREATE/DATE_MODIFY/STATUS_ID, ``select``, ``order``, ``start`` paging by 50
  with ``next`` and ``total``); times with the portal's offset.

The tokens the fake endpoints accept are :data:`DEMO_CREDENTIALS` (set them as the
environment of the pull, as a real agency sets its own).
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

import httpx

from demo_agency import formats
from demo_agency._catalog import BITRIX24_PORTAL
from demo_agency._simulate import simulate
from demo_agency.model import AdStat, Agency, Call, Client, CrmLead, FormRequest, GoalReaches, MetrikaGoal

__all__ = [
    "BITRIX24_WEBHOOK_SECRET",
    "DEMO_CREDENTIALS",
    "LOW_BALANCE_DAYS",
    "DemoVendors",
    "demo_balances",
    "load_world",
    "low_balance_client",
]

BITRIX24_WEBHOOK_SECRET = "demo-bitrix24-webhook-secret"

DEMO_CREDENTIALS: dict[str, str] = {
    "YANDEX_DIRECT_TOKEN": "demo-direct-oauth-token",
    "VK_ADS_CLIENT_ID": "demo-vk-app",
    "VK_ADS_CLIENT_SECRET": "demo-vk-app-secret",
    "CALLTOUCH_API_TOKEN": "demo-calltouch-client-api-id",
    "COMAGIC_ACCESS_TOKEN": "demo-comagic-access-token",
    "YANDEX_METRIKA_TOKEN": "demo-metrika-oauth-token",
    "AMOCRM_TOKEN": "demo-amocrm-long-lived-token",
    "BITRIX24_LEADS_WEBHOOK_URL": f"https://{BITRIX24_PORTAL}/rest/1/{BITRIX24_WEBHOOK_SECRET}/",
}

LOW_BALANCE_DAYS = Decimal("1.5")
"""Days of spend left on :func:`low_balance_client`'s Direct shared account."""

_MOSCOW = ZoneInfo("Europe/Moscow")
_VK_TOKEN_PREFIX = "demo-vk-token-"

Handler = Callable[[httpx.Request], httpx.Response]


def _json_response(status: int, payload: Any) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


def _ddmmyyyy(text: str) -> dt.date:
    day, month, year = text.split("/")
    return dt.date(int(year), int(month), int(day))


def _mmddyyyy(text: str) -> dt.date:
    """The requests journal's dates: ``mm/dd/yyyy`` (a ``dd/mm`` date fails or reads as another day)."""
    if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):
        raise ValueError(text)
    month, day, year = text.split("/")
    return dt.date(int(year), int(month), int(day))


_METRIKA_MODELS = frozenset(
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
_GOAL_METRIC = re.compile(r"ym:s:goal(\d+)reaches")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
    "!": operator.ne,
}
_AMO_PAGE_LIMIT = 250
_BITRIX_PAGE = 50


def _metrika_error(status: int, kind: str, message: str) -> httpx.Response:
    return _json_response(
        status, {"errors": [{"error_type": kind, "message": message}], "code": status, "message": message}
    )


def _problem(status: int, title: str, detail: str) -> httpx.Response:
    """amoCRM's RFC 7807 error body."""
    return httpx.Response(
        status,
        content=json.dumps(
            {"title": title, "type": f"https://httpstatus.es/{status}", "status": status, "detail": detail},
            ensure_ascii=False,
        ).encode(),
        headers={"Content-Type": "application/problem+json"},
    )


def _bitrix_error(status: int, code: str, description: str) -> httpx.Response:
    return _json_response(status, {"error": code, "error_description": description})


def _php_params(query: httpx.QueryParams) -> dict[str, Any]:
    """``filter[>=DATE_CREATE]=..&select[]=ID&order[ID]=ASC&start=50`` -> the JSON body's shape."""
    body: dict[str, Any] = {}
    for key, value in query.multi_items():
        match = re.fullmatch(r"(\w+)\[([^\]]*)\]", key)
        if match is None:
            body[key] = value
        elif match[2] == "" or match[2].isdigit():
            body.setdefault(match[1], []).append(value)
        else:
            body.setdefault(match[1], {})[match[2]] = value
    return body


class DemoVendors:
    """Fake Direct, VK Ads, Calltouch (calls and requests), CoMagic, Metrika, amoCRM and
    Bitrix24 endpoints over one simulated agency."""

    def __init__(self, agency: Agency) -> None:
        self.agency = agency
        self.campaigns = {c.id: c for c in agency.campaigns}
        self._stats: dict[tuple[str, str], list[AdStat]] = defaultdict(list)
        for stat in agency.ad_stats:
            self._stats[(stat.channel, stat.account_id)].append(stat)
        self._calls: dict[tuple[str, str], list[Call]] = defaultdict(list)
        for call in agency.calls:
            self._calls[(call.tracker, call.account_id)].append(call)
        self._clients: dict[tuple[str, str], Client] = {
            (account.source, account.id): client for client in agency.clients for account in client.accounts
        }
        self._forms: dict[str, list[FormRequest]] = defaultdict(list)
        for form in agency.requests:
            self._forms[form.account_id].append(form)
        self._goals: dict[str, list[MetrikaGoal]] = defaultdict(list)
        for goal in agency.goals:
            self._goals[goal.counter_id].append(goal)
        self._reaches: dict[str, list[GoalReaches]] = defaultdict(list)
        for row in agency.goal_reaches:
            self._reaches[row.counter_id].append(row)
        self._crm: dict[tuple[str, str], list[CrmLead]] = defaultdict(list)
        self._contacts: dict[tuple[str, int], CrmLead] = {}
        for lead in sorted(agency.crm_leads, key=lambda d: d.lead_id):
            self._crm[(lead.system, lead.account_id)].append(lead)
            if lead.system == "amocrm" and lead.contact_id is not None:
                self._contacts.setdefault((lead.account_id, lead.contact_id), lead)
        self._pending_reports: set[str] = set()
        self._balances: dict[str, tuple[int, Decimal]] | None = None
        self.requests: dict[str, int] = defaultdict(int)
        """Requests served, per vendor (the demo's "API usage")."""

    def transports(self) -> dict[str, httpx.BaseTransport]:
        """One MockTransport per source name of the agency configuration."""
        handlers: dict[str, Handler] = {
            "yandex_direct": self._direct,
            "vk_ads": self._vk,
            "calltouch": self._calltouch,
            "calltouch_requests": self._calltouch,  # one Calltouch API: routed by path
            "comagic": self._comagic,
            "yandex_metrika": self._metrika,
            "amocrm": self._amocrm,
            "bitrix24_leads": self._bitrix24,
        }
        return {source: httpx.MockTransport(self._counting(source, h)) for source, h in handlers.items()}

    def _counting(self, source: str, handler: Handler) -> Handler:
        def serve(request: httpx.Request) -> httpx.Response:
            self.requests[source] += 1
            return handler(request)

        return serve

    # -- Yandex.Direct --------------------------------------------------------------------------
    def _direct_error(self, status: int, code: int, message: str, detail: str) -> httpx.Response:
        return _json_response(
            status,
            {
                "error": {
                    "request_id": "4660431846201870137",
                    "error_code": code,
                    "error_string": message,
                    "error_detail": detail,
                }
            },
        )

    def _direct_balances(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("token") != DEMO_CREDENTIALS["YANDEX_DIRECT_TOKEN"]:
            return _json_response(
                200, {"error_code": 53, "error_str": "Ошибка авторизации", "error_detail": "Неверный токен"}
            )
        param = body.get("param") or {}
        if body.get("method") != "AccountManagement" or param.get("Action") != "Get":
            method = str(body.get("method"))
            error = {"error_code": 55, "error_str": "Не найден метод", "error_detail": method}
            return _json_response(200, error)
        if self._balances is None:
            self._balances = demo_balances(self.agency)
        accounts, results = [], []
        for login in (param.get("SelectionCriteria") or {}).get("Logins") or []:
            if login not in self._balances:
                fault = {"FaultCode": 54, "FaultString": "Нет прав", "FaultDetail": f"Логин {login}"}
                results.append({"Login": login, "Errors": [fault]})
                continue
            account_id, amount = self._balances[login]
            accounts.append(
                {
                    "AccountID": account_id,
                    "Amount": float(amount),
                    "AmountAvailableForTransfer": float(amount),
                    "Currency": "RUB",
                    "Login": login,
                    "Discount": 0,
                    "AgencyName": self.agency.settings.name,
                }
            )
        data: dict[str, Any] = {"Accounts": accounts}
        if results:
            data["ActionsResult"] = results
        return _json_response(200, {"data": data})

    def _direct(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/live/v4/json/") and request.method == "POST":
            return self._direct_balances(request)
        if not request.url.path.endswith("/json/v5/reports") or request.method != "POST":
            return self._direct_error(404, 3500, "Не поддерживается", "Неизвестный метод")
        if request.headers.get("Authorization") != f"Bearer {DEMO_CREDENTIALS['YANDEX_DIRECT_TOKEN']}":
            return self._direct_error(403, 53, "Ошибка авторизации", "OAuth-токен не найден или устарел")
        login = request.headers.get("Client-Login", "")
        if ("yandex_direct", login) not in self._clients:
            return self._direct_error(403, 54, "Нет прав", f"Логин {login} не является клиентом агентства")
        params = json.loads(request.content)["params"]
        criteria = params["SelectionCriteria"]
        date_from = dt.date.fromisoformat(criteria["DateFrom"])
        date_to = dt.date.fromisoformat(criteria["DateTo"])
        name = params["ReportName"]
        if (date_to - date_from).days > 31 and name not in self._pending_reports:
            self._pending_reports.add(name)  # a long report is built offline first
            return httpx.Response(201, headers={"retryIn": "0", "reportsInQueue": "1"})
        self._pending_reports.discard(name)
        stats = [s for s in self._stats[("yandex_direct", login)] if date_from <= s.date <= date_to]
        body = formats.yandex_direct_report_tsv(
            stats, self.campaigns, report_name=name, date_from=date_from, date_to=date_to
        )
        return httpx.Response(
            200, content=body.encode(), headers={"Content-Type": "text/tab-separated-values; charset=utf-8"}
        )

    # -- VK Ads ---------------------------------------------------------------------------------
    def _vk(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/oauth2/token.json"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            if (
                form.get("client_id") != DEMO_CREDENTIALS["VK_ADS_CLIENT_ID"]
                or form.get("client_secret") != DEMO_CREDENTIALS["VK_ADS_CLIENT_SECRET"]
            ):
                return _json_response(401, {"error": "invalid_client", "error_description": "Invalid client"})
            name = form.get("agency_client_name", "")
            if ("vk_ads", name) not in self._clients:
                return _json_response(
                    400, {"error": "invalid_request", "error_description": f"Unknown agency client {name}"}
                )
            return _json_response(
                200,
                {"access_token": _VK_TOKEN_PREFIX + name, "token_type": "Bearer", "expires_in": 86400},
            )
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        account = token.removeprefix(_VK_TOKEN_PREFIX)
        if not token.startswith(_VK_TOKEN_PREFIX) or ("vk_ads", account) not in self._clients:
            return _json_response(401, {"error": {"code": "invalid_token", "message": "Invalid token"}})
        query = request.url.params
        if path.endswith("/campaigns.json"):
            ids = sorted(
                {s.campaign_id for s in self._stats[("vk_ads", account)]}
                | {c.id for c in self.agency.campaigns if c.channel == "vk_ads" and c.account_id == account},
                key=int,
            )
            limit, offset = int(query.get("limit", "20")), int(query.get("offset", "0"))
            page = ids[offset : offset + limit]
            return _json_response(
                200, {"count": len(ids), "offset": offset, "items": [{"id": int(i)} for i in page]}
            )
        if path.endswith("/statistics/campaigns/day.json"):
            wanted = set(query.get("id", "").split(","))
            date_from = dt.date.fromisoformat(query["date_from"])
            date_to = dt.date.fromisoformat(query["date_to"])
            stats = [
                s
                for s in self._stats[("vk_ads", account)]
                if s.campaign_id in wanted and date_from <= s.date <= date_to
            ]
            body = formats.vk_ads_statistics_json(stats, money_as_string=date_from.month % 2 == 1)
            return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})
        return _json_response(404, {"error": {"code": "not_found", "message": "Not found"}})

    # -- Calltouch ------------------------------------------------------------------------------
    def _calltouch(self, request: httpx.Request) -> httpx.Response:
        query = request.url.params
        if query.get("clientApiId") != DEMO_CREDENTIALS["CALLTOUCH_API_TOKEN"]:
            return httpx.Response(401, text="Unauthorized")
        parts = request.url.path.rstrip("/").split("/")
        if parts[-1] == "requests":
            return self._calltouch_requests(query)
        site = parts[-3] if parts[-2:] == ["calls-diary", "calls"] else ""
        if ("calltouch", site) not in self._clients:
            return httpx.Response(403, text="Access denied")
        date_from, date_to = _ddmmyyyy(query["dateFrom"]), _ddmmyyyy(query["dateTo"])
        calls = [
            c
            for c in self._calls[("calltouch", site)]
            if date_from <= c.started_at.astimezone(_MOSCOW).date() <= date_to
        ]
        client = self._clients[("calltouch", site)]
        body = formats.calltouch_calls_json(
            calls,
            site_id=site,
            site_name=f"{client.id}.ru",
            redirect_number=f"7495{int(site) * 37 % 10_000_000:07d}",
            page=int(query.get("page", "1")),
            page_size=int(query.get("limit", "1000")),
        )
        return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})

    def _calltouch_requests(self, query: httpx.QueryParams) -> httpx.Response:
        site = query.get("siteId", "")
        if ("calltouch", site) not in self._clients:
            return httpx.Response(403, text="Access denied")
        try:
            date_from, date_to = _mmddyyyy(query.get("dateFrom", "")), _mmddyyyy(query.get("dateTo", ""))
        except ValueError:
            return _json_response(
                400, {"message": "dateFrom and dateTo must be dates in the format mm/dd/yyyy"}
            )
        forms = [
            f for f in self._forms[site] if date_from <= f.created_at.astimezone(_MOSCOW).date() <= date_to
        ]
        client = self._clients[("calltouch", site)]
        body = formats.calltouch_requests_json(forms, site_name=f"{client.id}.ru")
        return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})

    # -- CoMagic / UIS --------------------------------------------------------------------------
    def _comagic(self, request: httpx.Request) -> httpx.Response:
        call = json.loads(request.content)
        params: Mapping[str, Any] = call.get("params", {})
        request_id = call.get("id")
        if params.get("access_token") != DEMO_CREDENTIALS["COMAGIC_ACCESS_TOKEN"]:
            return _json_response(
                200,
                {
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "error": {
                        "code": -32001,
                        "message": "Ошибка аутентификации",
                        "data": {"mnemonic": "auth_error", "field": "access_token", "value": "***"},
                    },
                },
            )
        account = str(params.get("user_id", ""))
        client = self._clients.get(("comagic", account))
        if client is None:
            return _json_response(
                200,
                {
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "error": {
                        "code": -32003,
                        "message": "Доступ запрещён",
                        "data": {"mnemonic": "access_denied", "field": "user_id", "value": account},
                    },
                },
            )
        zone_name = next(client.account_timezone(a) for a in client.accounts if a.source == "comagic")
        zone = ZoneInfo(zone_name)
        start = dt.datetime.fromisoformat(params["date_from"])
        end = dt.datetime.fromisoformat(params["date_till"])
        calls = [
            c
            for c in self._calls[("comagic", account)]
            if start <= c.started_at.astimezone(zone).replace(tzinfo=None) <= end
        ]
        body = formats.comagic_calls_report_json(
            calls,
            timezone=zone_name,
            request_id=str(request_id),
            site=f"{client.id}.ru",
            offset=int(params.get("offset", 0)),
            limit=int(params.get("limit", 10_000)),
        )
        return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})

    # -- Yandex Metrika -------------------------------------------------------------------------
    def _metrika(self, request: httpx.Request) -> httpx.Response:
        token = DEMO_CREDENTIALS["YANDEX_METRIKA_TOKEN"]
        if request.headers.get("Authorization") not in (f"OAuth {token}", f"Bearer {token}"):
            return _metrika_error(401, "invalid_token", "Invalid oauth_token")
        path = request.url.path
        goals = re.search(r"/management/v1/counter/(\d+)/goals$", path)
        if goals is not None:
            counter = goals[1]
            if ("yandex_metrika", counter) not in self._clients:
                return _metrika_error(403, "access_denied", f"Access is denied to counter {counter}")
            body = formats.metrika_goals_json(self._goals[counter])
            return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})
        if not path.endswith("/stat/v1/data"):
            return _metrika_error(404, "not_found", "Not found")
        return self._metrika_data(request.url.params)

    def _metrika_data(self, query: httpx.QueryParams) -> httpx.Response:
        def invalid(message: str) -> httpx.Response:
            return _metrika_error(400, "invalid_parameter", message)

        counter = query.get("ids", "")
        if not counter:
            return _metrika_error(400, "missing_parameter", "Required parameter ids is missing")
        if ("yandex_metrika", counter) not in self._clients:
            return _metrika_error(403, "access_denied", f"Access is denied to counter {counter}")
        metrics = [m.strip() for m in query.get("metrics", "").split(",") if m.strip()]
        if not metrics:
            return _metrika_error(400, "missing_parameter", "Required parameter metrics is missing")
        if len(metrics) > 20:
            return invalid("Too many metrics in the query, the limit is 20")
        known = {g.id for g in self._goals[counter]}
        goal_ids: list[int] = []
        for metric in metrics:
            match = _GOAL_METRIC.fullmatch(metric)
            if match is None or int(match[1]) not in known:
                return invalid(f"Wrong parameter: metrics, value: {metric}")
            goal_ids.append(int(match[1]))
        attribution = query.get("attribution", "lastsign")
        if attribution not in _METRIKA_MODELS:
            return invalid(f"Wrong parameter: attribution, value: {attribution}")
        try:
            date_from = dt.date.fromisoformat(query.get("date1", ""))
            date_to = dt.date.fromisoformat(query.get("date2", ""))
            limit = int(query.get("limit", "100"))
            offset = int(query.get("offset", "1"))
        except ValueError as exc:
            return invalid(f"Wrong parameter: {exc}")
        if date_to < date_from:
            return invalid("date2 must not be earlier than date1")
        if not 1 <= limit <= 100_000 or offset < 1:
            return invalid("limit must be 1..100000 and offset at least 1")
        dimensions = [d.strip() for d in query.get("dimensions", "").split(",") if d.strip()]
        try:
            body = formats.metrika_goal_reaches_json(
                self._reaches[counter],
                counter_id=counter,
                goal_ids=goal_ids,
                dimensions=dimensions,
                attribution=attribution,
                date_from=date_from,
                date_to=date_to,
                offset=offset,
                limit=limit,
            )
        except ValueError as exc:
            return invalid(str(exc))
        return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})

    # -- amoCRM ---------------------------------------------------------------------------------
    def _amocrm(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        subdomain = host.removesuffix(".amocrm.ru")
        if subdomain == host or ("amocrm", subdomain) not in self._clients:
            return _problem(404, "Not Found", f"Account {host} not found")
        if request.headers.get("Authorization") != f"Bearer {DEMO_CREDENTIALS['AMOCRM_TOKEN']}":
            return _problem(401, "Unauthorized", "Unauthorized")
        query = request.url.params
        try:
            limit = int(query.get("limit", "50"))
            page = int(query.get("page", "1"))
        except ValueError:
            return _problem(400, "Bad Request", "limit and page must be numbers")
        if not 1 <= limit <= _AMO_PAGE_LIMIT or page < 1:
            return _problem(400, "Bad Request", f"limit must be 1..{_AMO_PAGE_LIMIT}, page at least 1")
        base = f"https://{host}"
        path = request.url.path.rstrip("/")
        if path == "/api/v4/leads":
            leads = self._crm[("amocrm", subdomain)]
            try:
                for name in ("created_at", "updated_at"):
                    low = query.get(f"filter[{name}][from]")
                    high = query.get(f"filter[{name}][to]")
                    if low is not None:
                        leads = [d for d in leads if int(getattr(d, name).timestamp()) >= int(low)]
                    if high is not None:
                        leads = [d for d in leads if int(getattr(d, name).timestamp()) <= int(high)]
            except ValueError:
                return _problem(400, "Bad Request", "a created_at/updated_at filter is not a Unix time")
            for key, direction in query.multi_items():
                match = re.fullmatch(r"order\[(id|created_at|updated_at)\]", key)
                if match is not None:
                    field = "lead_id" if match[1] == "id" else match[1]
                    leads = sorted(leads, key=lambda d: getattr(d, field), reverse=direction == "desc")
            with_contacts = "contacts" in query.get("with", "").split(",")
            items = [
                formats.amocrm_lead(d, base_url=base, with_contacts=with_contacts)
                for d in leads[(page - 1) * limit : page * limit]
            ]
            entity, more = "leads", page * limit < len(leads)
        elif path == "/api/v4/contacts":
            wanted: set[int] = set()
            for key, value in query.multi_items():
                if re.fullmatch(r"filter\[id\](\[\d*\])?", key):
                    wanted |= {int(v) for v in value.split(",") if v.strip().isdigit()}
            contacts = sorted(
                (lead for (account, cid), lead in self._contacts.items() if account == subdomain)
                if not wanted
                else (self._contacts[(subdomain, c)] for c in wanted if (subdomain, c) in self._contacts),
                key=lambda lead: lead.contact_id or 0,
            )
            items = [
                formats.amocrm_contact(d, base_url=base) for d in contacts[(page - 1) * limit : page * limit]
            ]
            entity, more = "contacts", page * limit < len(contacts)
        else:
            return _problem(404, "Not Found", f"{path} is not a method of this demo")
        if not items:
            return httpx.Response(204)
        params = [(k, v) for k, v in query.multi_items() if k != "page"]
        href = f"{base}{path}?{urlencode([*params, ('page', str(page))])}"
        next_href = f"{base}{path}?{urlencode([*params, ('page', str(page + 1))])}" if more else None
        body = formats.amocrm_page_json(items, entity=entity, page=page, self_href=href, next_href=next_href)
        return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/hal+json"})

    # -- Bitrix24 -------------------------------------------------------------------------------
    def _bitrix24(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        match = re.fullmatch(r"/rest/(\d+)/([^/]+)/([\w.]+?)(?:\.json)?/?", request.url.path)
        client = self._clients.get(("bitrix24_leads", host))
        if match is None or client is None or match[2] != BITRIX24_WEBHOOK_SECRET:
            return _bitrix_error(401, "INVALID_CREDENTIALS", "Invalid request credentials")
        if match[3] != "crm.lead.list":
            return _bitrix_error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
        if request.method == "POST" and request.content:
            params: dict[str, Any] = json.loads(request.content)
        else:
            params = _php_params(request.url.params)
        account = next(a for a in client.accounts if a.source == "bitrix24_leads" and a.id == host)
        zone = ZoneInfo(client.account_timezone(account))
        leads = list(self._crm[("bitrix24_leads", host)])
        filters: Mapping[str, Any] = params.get("filter") or {}
        for key, value in filters.items():
            found = re.fullmatch(r"(>=|<=|>|<|=|!)?(DATE_CREATE|DATE_MODIFY|STATUS_ID)", key)
            if found is None:
                return _bitrix_error(400, "INVALID_ARG_VALUE", f"The demo portal cannot filter by {key}")
            op, field = found[1] or "=", found[2]
            if field == "STATUS_ID":
                wanted = {value} if isinstance(value, str) else set(value)
                leads = [d for d in leads if (d.status in wanted) == (op != "!")]
                continue
            try:
                moment = dt.datetime.fromisoformat(str(value))
            except ValueError:
                return _bitrix_error(400, "INVALID_ARG_VALUE", f"{value!r} is not a date-time")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)  # no offset: the portal's time
            attr = "created_at" if field == "DATE_CREATE" else "updated_at"
            leads = [d for d in leads if _COMPARE[op](getattr(d, attr), moment)]
        order: Mapping[str, str] = params.get("order") or {"ID": "ASC"}
        for key, direction in reversed(list(order.items())):
            by = {"ID": "lead_id", "DATE_CREATE": "created_at", "DATE_MODIFY": "updated_at"}.get(key)
            if by is None:
                return _bitrix_error(400, "INVALID_ARG_VALUE", f"The demo portal cannot order by {key}")
            leads.sort(key=operator.attrgetter(by), reverse=str(direction).upper() == "DESC")
        try:
            start = max(0, int(params.get("start", 0) or 0))
        except (TypeError, ValueError):
            return _bitrix_error(400, "INVALID_ARG_VALUE", "start must be a number")
        select = params.get("select")
        body = formats.bitrix24_lead_list_json(
            leads, zone=zone, select=list(select) if select else None, start=start, page_size=_BITRIX_PAGE
        )
        return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})


def _direct_spend_7d(agency: Agency) -> dict[str, Decimal]:
    first = agency.today - dt.timedelta(days=7)
    spend: dict[str, Decimal] = defaultdict(Decimal)
    for stat in agency.ad_stats:
        if stat.channel == "yandex_direct" and first <= stat.date < agency.today:
            spend[stat.account_id] += stat.cost
    return spend


def low_balance_client(agency: Agency) -> str:
    """The demo client running out of money: the first served client (by id) spending on Direct."""
    spend = _direct_spend_7d(agency)
    for client in sorted(agency.clients, key=lambda c: c.id):
        served = client.end_date is None or client.end_date >= agency.today
        if served and any(a.source == "yandex_direct" and spend.get(a.id) for a in client.accounts):
            return client.id
    raise ValueError("no served client spends on Direct")


def demo_balances(agency: Agency) -> dict[str, tuple[int, Decimal]]:
    """Per Direct login: (its shared account id, the money left in RUB)."""
    spend = _direct_spend_7d(agency)
    low = low_balance_client(agency)
    balances: dict[str, tuple[int, Decimal]] = {}
    for n, client in enumerate(sorted(agency.clients, key=lambda c: c.id)):
        for account in client.accounts:
            if account.source != "yandex_direct":
                continue
            days = LOW_BALANCE_DAYS if client.id == low else Decimal(10 + (n * 7) % 30)
            amount = (spend.get(account.id, Decimal(0)) / 7 * days).quantize(Decimal("0.01"))
            balances[account.id] = (51_000_000 + n, amount)
    return balances


def load_world(path: str | Path) -> Agency:
    """The agency described by a ``demo_world.json`` (written next to the demo's ``agency.yaml``)."""
    world = json.loads(Path(path).read_text(encoding="utf-8"))
    return simulate(
        dt.date.fromisoformat(world["today"]),
        seed=int(world["seed"]),
        months=int(world["months"]),
        n_clients=int(world["clients"]),
    )
