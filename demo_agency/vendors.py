"""The demo agency's vendor APIs: fake endpoints that answer like the real ones.

:class:`DemoVendors` turns a simulated :class:`~demo_agency.model.Agency` into one
``httpx.MockTransport`` per vendor. Each parses the request exactly as the vendor would (URL,
headers, query or JSON body, paging parameters, the token) and answers with the vendor's
byte format from :mod:`demo_agency.formats`, so the pipeline's real API clients
(``connectors.*``) read the demo agency the way they read a real one:

- Yandex.Direct Reports: ``POST json/v5/reports`` with ``Client-Login``; reports longer than a
  month are built "offline" (HTTP 201, then 200 on the identical request), error 53 for a
  wrong token, 54 for a login that is not the agency's client;
- VK Ads: ``oauth2/token.json`` (agency client grant) -> a token per account,
  ``campaigns.json`` with ``limit``/``offset``, ``statistics/campaigns/day.json``;
- Calltouch: ``{siteId}/calls-diary/calls`` with ``clientApiId``, ``dd/mm/yyyy`` and paging;
- CoMagic/UIS: JSON-RPC ``get.calls_report`` with ``limit``/``offset`` and ``total_items``.

The tokens the fake endpoints accept are :data:`DEMO_CREDENTIALS` (set them as the
environment of the pull, as a real agency sets its own).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import httpx

from demo_agency import formats
from demo_agency._simulate import simulate
from demo_agency.model import AdStat, Agency, Call, Client

__all__ = ["DEMO_CREDENTIALS", "DemoVendors", "load_world"]

DEMO_CREDENTIALS: dict[str, str] = {
    "YANDEX_DIRECT_TOKEN": "demo-direct-oauth-token",
    "VK_ADS_CLIENT_ID": "demo-vk-app",
    "VK_ADS_CLIENT_SECRET": "demo-vk-app-secret",
    "CALLTOUCH_API_TOKEN": "demo-calltouch-client-api-id",
    "COMAGIC_ACCESS_TOKEN": "demo-comagic-access-token",
}

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


class DemoVendors:
    """Fake Direct, VK Ads, Calltouch and CoMagic endpoints over one simulated agency."""

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
        self._pending_reports: set[str] = set()
        self.requests: dict[str, int] = defaultdict(int)
        """Requests served, per vendor (the demo's "API usage")."""

    def transports(self) -> dict[str, httpx.BaseTransport]:
        """One MockTransport per source name of the agency configuration."""
        handlers: dict[str, Handler] = {
            "yandex_direct": self._direct,
            "vk_ads": self._vk,
            "calltouch": self._calltouch,
            "comagic": self._comagic,
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

    def _direct(self, request: httpx.Request) -> httpx.Response:
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


def load_world(path: str | Path) -> Agency:
    """The agency described by a ``demo_world.json`` (written next to the demo's ``agency.yaml``)."""
    world = json.loads(Path(path).read_text(encoding="utf-8"))
    return simulate(
        dt.date.fromisoformat(world["today"]),
        seed=int(world["seed"]),
        months=int(world["months"]),
        n_clients=int(world["clients"]),
    )
