"""Render views of the simulated world in the vendors' real export formats.

Pure functions from model objects to text or bytes: no file system, no file names. The inbox
writer and the fake vendor APIs (:mod:`demo_agency.vendors`) return the same bodies. Formats
follow ``formats.md``: Direct Reports TSV (§1.2), VK Ads statistics JSON (§2.2), Calltouch calls
diary JSON (§5.2), CoMagic ``get.calls_report`` JSON-RPC response (§6), a cabinet CSV and the 1C
invoice register CSV (§9.2); for leads, the shapes the connectors' parsers document: the
Calltouch requests journal (a bare array), Metrika goals and ``stat/v1/data``, amoCRM v4 HAL
pages of leads and contacts, Bitrix24 ``crm.lead.list``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from demo_agency.model import (
    AdStat,
    Call,
    Campaign,
    Client,
    CrmLead,
    FormRequest,
    GoalReaches,
    Invoice,
    MetrikaGoal,
    money,
)

__all__ = [
    "NOT_SPECIFIED",
    "amocrm_contact",
    "amocrm_lead",
    "amocrm_page_json",
    "bitrix24_lead",
    "bitrix24_lead_list_json",
    "cabinet_csv",
    "calltouch_calls_json",
    "calltouch_requests_json",
    "comagic_calls_report_json",
    "invoice_register_csv",
    "metrika_goal_reaches_json",
    "metrika_goals_json",
    "ru_money",
    "vk_ads_statistics_json",
    "yandex_direct_report_tsv",
]

NOT_SPECIFIED = "<не указано>"
"""Calltouch's placeholder for an empty utm / keyword field."""

NBSP = "\u00a0"
_ZERO = Decimal("0.00")


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# --- Yandex.Direct ---------------------------------------------------------------------------


def yandex_direct_report_tsv(
    stats: Iterable[AdStat],
    campaigns: Mapping[str, Campaign],
    *,
    report_name: str,
    date_from: dt.date,
    date_to: dt.date,
    skip_report_header: bool = False,
    skip_report_summary: bool = False,
) -> str:
    """A CAMPAIGN_PERFORMANCE_REPORT body as the Reports service returns it (money in micros).

    Title line ``"<name> (<from> - <to>)"`` unless ``skip_report_header``; the column header;
    rows ordered by date then campaign; ``Total rows: N`` unless ``skip_report_summary``; a final
    newline. Cost is micros (kopecks x 10 000); ``--`` where a campaign reports no conversions.
    """
    lines: list[str] = []
    if not skip_report_header:
        lines.append(f'"{report_name} ({date_from.isoformat()} - {date_to.isoformat()})"')
    lines.append("Date\tCampaignId\tCampaignName\tCampaignType\tImpressions\tClicks\tCost\tConversions")
    rows = sorted(stats, key=lambda s: (s.date, int(s.campaign_id)))
    for s in rows:
        campaign = campaigns[s.campaign_id]
        micros = int(s.cost * 100) * 10_000
        conversions = "--" if s.conversions is None else str(s.conversions)
        lines.append(
            f"{s.date.isoformat()}\t{s.campaign_id}\t{campaign.name}\t{campaign.campaign_type}\t"
            f"{s.impressions}\t{s.clicks}\t{micros}\t{conversions}"
        )
    if not skip_report_summary:
        lines.append(f"Total rows: {len(rows)}")
    return "\n".join(lines) + "\n"


# --- VK Ads ----------------------------------------------------------------------------------


def _vk_base(shows: int, clicks: int, goals: int, spent: Decimal, money_as_string: bool) -> dict[str, Any]:
    def amount(value: Decimal) -> str | float:
        value = money(value)
        return f"{value:.2f}" if money_as_string else float(value)

    cpm = spent / shows * 1000 if shows else _ZERO
    cpc = spent / clicks if clicks else _ZERO
    cpa = spent / goals if goals else _ZERO
    ctr = round(clicks / shows * 100, 4) if shows else 0.0
    cr = round(goals / clicks * 100, 4) if clicks else 0.0
    return {
        "shows": shows,
        "clicks": clicks,
        "goals": goals,
        "spent": amount(spent),
        "cpm": amount(cpm),
        "cpc": amount(cpc),
        "cpa": amount(cpa),
        "ctr": ctr,
        "cr": cr,
        "vk": {"goals": goals, "cpa": amount(cpa), "cr": cr},
    }


def vk_ads_statistics_json(stats: Iterable[AdStat], *, money_as_string: bool = True) -> str:
    """``GET /api/v2/statistics/ad_plans/day.json?metrics=base`` response: items per campaign.

    Money (``spent``, ``cpm``, ``cpc``, ``cpa``) as decimal strings (``"500.00"``) or, with
    ``money_as_string=False``, as JSON numbers, the two shapes seen in the wild.
    """
    by_campaign: dict[str, list[AdStat]] = defaultdict(list)
    for s in stats:
        by_campaign[s.campaign_id].append(s)
    items: list[dict[str, Any]] = []
    all_shows = all_clicks = all_goals = 0
    all_spent = _ZERO
    for campaign_id in sorted(by_campaign, key=int):
        rows = sorted(by_campaign[campaign_id], key=lambda s: s.date)
        shows = sum(s.impressions for s in rows)
        clicks = sum(s.clicks for s in rows)
        goals = sum(s.conversions or 0 for s in rows)
        spent = sum((s.cost for s in rows), _ZERO)
        items.append(
            {
                "id": int(campaign_id),
                "rows": [
                    {
                        "date": s.date.isoformat(),
                        "base": _vk_base(
                            s.impressions, s.clicks, s.conversions or 0, s.cost, money_as_string
                        ),
                    }
                    for s in rows
                ],
                "total": {"base": _vk_base(shows, clicks, goals, spent, money_as_string)},
            }
        )
        all_shows, all_clicks, all_goals = all_shows + shows, all_clicks + clicks, all_goals + goals
        all_spent += spent
    total = _vk_base(all_shows, all_clicks, all_goals, all_spent, money_as_string)
    return _json({"items": items, "total": {"base": total}})


# --- Calltouch -------------------------------------------------------------------------------

_CALLTOUCH_ZONE = ZoneInfo("Europe/Moscow")


def _ct_text(value: str | None) -> str:
    return value if value else NOT_SPECIFIED


def _calltouch_record(call: Call, *, site_id: str, site_name: str, redirect_number: str) -> dict[str, Any]:
    local = call.started_at.astimezone(_CALLTOUCH_ZONE)
    session = local - dt.timedelta(minutes=3 + call.call_id % 40)
    answered = call.answered
    tags: list[dict[str, Any]] = [{"category": "", "type": "AUTO-PN", "names": ["звонок"]}]
    if call.tags:
        tags.append({"category": "", "type": "MANUAL", "names": list(call.tags)})
    paid_direct = call.utm_source == "yandex" and call.utm_medium == "cpc" and call.utm_campaign
    return {
        "callId": call.call_id,
        "callphase": "calldisconnected",
        "attribution": 1,
        "date": local.strftime("%d/%m/%Y %H:%M:%S"),
        "timestamp": int(call.started_at.timestamp()),
        "duration": call.talk_seconds,
        "waitingConnect": call.wait_seconds if answered else None,
        "callerNumber": call.caller_number,
        "phoneNumber": call.tracking_number,
        "redirectNumber": redirect_number,
        "successful": answered,
        "uniqueCall": bool(call.tracker_unique),
        "targetCall": bool(call.target_flag),
        "uniqTargetCall": bool(call.tracker_unique) and bool(call.target_flag),
        "callbackCall": False,
        "source": call.source or "",
        "medium": call.medium or "",
        "keyword": _ct_text(call.utm_term),
        "utmSource": _ct_text(call.utm_source),
        "utmMedium": _ct_text(call.utm_medium),
        "utmCampaign": _ct_text(call.utm_campaign),
        "utmContent": _ct_text(call.utm_content),
        "utmTerm": _ct_text(call.utm_term),
        "city": call.city,
        "sessionId": call.call_id * 7 + 1_000_000_000,
        # Real exports show the session time on a 12-hour clock without AM/PM.
        "sessionDate": session.strftime("%d/%m/%Y %I:%M:%S"),
        "ctCallerId": f"{call.call_id:x}{site_id}",
        "callTags": tags,
        "yandexDirect": {
            "campaignId": int(call.utm_campaign),
            "adGroupId": None,
            "adId": None,
            "criteriaId": None,
        }
        if paid_direct and call.utm_campaign and call.utm_campaign.isdigit()
        else None,
        "siteId": int(site_id),
        "siteName": site_name,
        "subPoolName": "Основной",
        "statusDetails": "Connected. The disconnect came from the callers side" if answered else "No answer",
        "device": "mobile" if call.call_id % 3 else "desktop",
        "orders": [],
    }


def calltouch_calls_json(
    calls: Iterable[Call],
    *,
    site_id: str,
    site_name: str,
    redirect_number: str,
    paged: bool = True,
    page: int = 1,
    page_size: int | None = None,
) -> str:
    """The calls diary: the paged object (``page``/``pageTotal``/``records``) or a bare array.

    ``date`` is the Calltouch cabinet's Moscow time (``dd/mm/yyyy HH:MM:SS``), ``timestamp``
    unix seconds UTC; empty utm fields read ``<не указано>``. With ``page_size`` only that
    page of the calls (oldest first) is written, as the API serves it.
    """
    ordered = sorted(calls, key=lambda c: (c.started_at, c.call_id))
    size = page_size or max(len(ordered), 1)
    page_total = max(1, -(-len(ordered) // size))
    chosen = ordered[(page - 1) * size : page * size] if page_size else ordered
    records = [
        _calltouch_record(c, site_id=site_id, site_name=site_name, redirect_number=redirect_number)
        for c in chosen
    ]
    if not paged:
        return _json(records)
    return _json(
        {
            "page": page,
            "pageTotal": page_total,
            "pageSize": size if page_size else len(records),
            "recordsTotal": len(ordered),
            "records": records,
        }
    )


# --- CoMagic / UIS ---------------------------------------------------------------------------


def _comagic_channel(call: Call) -> str | None:
    medium = (call.utm_medium or "").lower()
    if medium in ("cpc", "cpm"):
        return "paid"
    if medium in ("organic", "referral", "social", "email"):
        return medium
    return "direct" if not call.utm_source else None


def _comagic_record(call: Call, zone: ZoneInfo, site: str) -> dict[str, Any]:
    start = call.started_at.astimezone(zone)
    total = call.wait_seconds + max(call.talk_seconds, 0)
    finish = start + dt.timedelta(seconds=total)
    fmt = "%Y-%m-%d %H:%M:%S"
    return {
        "id": call.call_id,
        "start_time": start.strftime(fmt),
        "finish_time": finish.strftime(fmt),
        "finish_reason": ("subscriber_disconnects" if call.call_id % 2 else "operator_disconnects")
        if call.answered
        else "operator_not_responsible",
        "direction": "in",
        "source": "dynamic_call_tracking",
        "is_lost": not call.answered,
        "communication_id": call.call_id + 7_000_000,
        "communication_type": "call",
        "contact_phone_number": call.caller_number,
        "virtual_phone_number": call.tracking_number,
        "wait_duration": call.wait_seconds,
        "total_wait_duration": call.wait_seconds,
        "talk_duration": call.talk_seconds,
        "clean_talk_duration": max(call.talk_seconds - 2, 0) if call.answered else 0,
        "total_duration": total,
        "call_records": [f"{call.call_id:x}"] if call.answered else [],
        "campaign_name": "Динамический коллтрекинг" if call.utm_source else "Статический номер",
        "site_domain_name": site,
        "utm_source": call.utm_source,
        "utm_medium": call.utm_medium,
        "utm_campaign": call.utm_campaign,
        "utm_term": call.utm_term,
        "utm_content": call.utm_content,
        "channel": _comagic_channel(call),
        "tags": [
            {
                "tag_id": 100 + i,
                "tag_name": name,
                "tag_type": "manual",
                "tag_change_time": finish.strftime(fmt),
            }
            for i, name in enumerate(call.tags)
        ],
        "visitor_city": call.city,
    }


def comagic_calls_report_json(
    calls: Iterable[Call],
    *,
    timezone: str,
    request_id: str,
    site: str,
    offset: int = 0,
    limit: int | None = None,
) -> str:
    """A ``get.calls_report`` JSON-RPC result; times are in the account's ``timezone``.

    ``offset``/``limit`` cut one page out of the calls (oldest first); ``total_items`` counts them all.
    """
    zone = ZoneInfo(timezone)
    ordered = sorted(calls, key=lambda c: (c.started_at, c.call_id))
    page = ordered[offset : offset + limit] if limit is not None else ordered[offset:]
    data = [_comagic_record(c, zone, site) for c in page]
    return _json(
        {
            "jsonrpc": "2.0",
            "id": request_id,
            "result": {
                "data": data,
                "metadata": {
                    "api_version": "2.0",
                    "total_items": len(ordered),
                    "limits": {
                        "day_limit": 10000,
                        "day_remaining": 9987,
                        "day_reset": 41218,
                        "minute_limit": 100,
                        "minute_remaining": 99,
                        "minute_reset": 51,
                    },
                },
            },
        }
    )


# --- cabinet CSV -----------------------------------------------------------------------------


def _comma(value: Decimal) -> str:
    return f"{money(value):.2f}".replace(".", ",")


def cabinet_csv(stats: Iterable[AdStat], campaigns: Mapping[str, Campaign]) -> bytes:
    """A Russian-locale cabinet export: ``Дата;Кампания;Показы;Клики;Расход``, Windows-1251.

    DD.MM.YYYY dates, decimal comma, ``\\r\\n`` line ends and an ``Итого`` footer row. Spend is
    net of VAT.
    """
    rows = sorted(stats, key=lambda s: (s.date, campaigns[s.campaign_id].name))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Дата", "Кампания", "Показы", "Клики", "Расход"])
    for s in rows:
        writer.writerow(
            [
                s.date.strftime("%d.%m.%Y"),
                campaigns[s.campaign_id].name,
                s.impressions,
                s.clicks,
                _comma(s.cost),
            ]
        )
    writer.writerow(
        [
            "Итого",
            "",
            sum(s.impressions for s in rows),
            sum(s.clicks for s in rows),
            _comma(sum((s.cost for s in rows), _ZERO)),
        ]
    )
    return out.getvalue().encode("cp1251")


# --- 1C invoice register ---------------------------------------------------------------------


def ru_money(value: Decimal, thousands: str = NBSP) -> str:
    """``125 500,50``: decimal comma, groups of three split by ``thousands``."""
    sign = "-" if value < 0 else ""
    whole, frac = f"{abs(money(value)):.2f}".split(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{thousands.join(groups)},{frac}"


def invoice_register_csv(
    invoices: Sequence[Invoice],
    clients: Mapping[str, Client],
    *,
    organisation: str,
    period_from: dt.date,
    period_to: dt.date,
    encoding: Literal["cp1251", "utf-8-sig"] = "cp1251",
    thousands: str = NBSP,
) -> bytes:
    """A 1C "Реестр счетов на оплату" saved as CSV: preamble, header, rows, ``Итого`` footer.

    ``;``-separated, ``\\r\\n``, DD.MM.YYYY, money like ``125 500,50``; Оплачено / Дата оплаты /
    Статус оплаты show each invoice's payments known to the model (its state as of ``today``).
    """
    out = io.StringIO()
    out.write("Реестр счетов на оплату;;;\r\n")
    out.write(f"Организация: {organisation};;\r\n")
    out.write(f"Период: {period_from:%d.%m.%Y} - {period_to:%d.%m.%Y}\r\n")
    out.write("\r\n")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Дата",
            "Номер",
            "Контрагент",
            "ИНН",
            "Сумма без НДС",
            "Ставка НДС",
            "НДС",
            "Итого",
            "Срок оплаты",
            "Оплачено",
            "Дата оплаты",
            "Статус оплаты",
        ]
    )
    rows = sorted(invoices, key=lambda i: (i.issued_on, int(i.number)))
    for inv in rows:
        client = clients[inv.client_id]
        writer.writerow(
            [
                f"{inv.issued_on:%d.%m.%Y}",
                inv.number,
                client.register_name,
                client.inn,
                ru_money(inv.amount_net, thousands),
                f"{inv.vat_rate}%",
                ru_money(inv.vat_amount, thousands),
                ru_money(inv.amount, thousands),
                f"{inv.due_on:%d.%m.%Y}",
                ru_money(inv.paid_amount, thousands),
                f"{inv.paid_on:%d.%m.%Y}" if inv.paid_on else "",
                inv.status,
            ]
        )

    def total(values: Iterable[Decimal]) -> str:
        return ru_money(sum(values, _ZERO), thousands)

    writer.writerow(
        [
            "Итого",
            "",
            "",
            "",
            total(i.amount_net for i in rows),
            "",
            total(i.vat_amount for i in rows),
            total(i.amount for i in rows),
            "",
            total(i.paid_amount for i in rows),
            "",
            "",
        ]
    )
    return out.getvalue().encode(encoding)


# --- Calltouch requests journal --------------------------------------------------------------


def _calltouch_request(request: FormRequest, *, site_name: str) -> dict[str, Any]:
    local = request.created_at.astimezone(_CALLTOUCH_ZONE)
    flags = request.request_type != "chat"
    session_start = local - dt.timedelta(minutes=2 + request.request_id % 30)
    return {
        "requestId": request.request_id,
        "requestNumber": request.request_number,
        "requestType": request.request_type,
        "subject": request.subject,
        "date": int(request.created_at.timestamp()) * 1000,
        "dateStr": local.strftime("%d/%m/%Y %H:%M:%S"),
        "siteId": int(request.account_id),
        "siteName": site_name,
        "status": "processed" if request.request_id % 4 else "new",
        "requestUrl": request.url,
        "targetRequest": request.target if flags else None,
        "uniqueRequest": request.unique if flags else None,
        "uniqTargetRequest": request.uniq_target if flags else None,
        "manager": None,
        "ctClientId": request.session_id * 3 + 11,
        "session": {
            "sessionId": request.session_id,
            "keywords": _ct_text(request.utm_term),
            "city": request.city,
            "source": request.source or "",
            "medium": request.medium or "",
            "ref": "https://yandex.ru/" if request.source == "yandex" else "",
            "url": request.url,
            "utmSource": _ct_text(request.utm_source),
            "utmMedium": _ct_text(request.utm_medium),
            "utmCampaign": _ct_text(request.utm_campaign),
            "utmContent": _ct_text(request.utm_content),
            "utmTerm": _ct_text(request.utm_term),
            "attribution": 1,
            "browser": "Chrome" if request.session_id % 3 else "Safari",
            "sessionDate": session_start.strftime("%d/%m/%Y %H:%M:%S"),
        },
        "client": {
            "clientId": request.session_id % 10_000_000,
            "fio": request.name or "",
            "phones": [{"phoneNumber": request.phone, "phoneType": "MOBILE"}] if request.phone else [],
            "contacts": [{"contactType": "EMAIL", "contactValue": request.email}] if request.email else [],
        },
        "orders": [],
        "comments": [],
        "RequestTags": [{"category": "", "type": "AUTO-PN", "names": [request.request_type]}],
    }


def calltouch_requests_json(requests: Iterable[FormRequest], *, site_name: str) -> str:
    """The requests journal: a bare JSON array, oldest first.

    ``date`` is Unix **milliseconds** (UTC), ``dateStr`` the Calltouch cabinet's Moscow time
    (``dd/mm/yyyy HH:MM:SS``); chats carry no target/unique flags (null); empty utm fields read
    ``<не указано>``; the phone is as the site sent it.
    """
    ordered = sorted(requests, key=lambda r: (r.created_at, r.request_id))
    return _json([_calltouch_request(r, site_name=site_name) for r in ordered])


# --- Yandex Metrika --------------------------------------------------------------------------

METRIKA_TRAFFIC_SOURCES: dict[str, tuple[str, str]] = {
    "ad": ("Ad traffic", "3"),
    "organic": ("Search engine traffic", "2"),
    "direct": ("Direct traffic", "0"),
    "referral": ("Link traffic", "1"),
    "social": ("Social network traffic", "8"),
    "email": ("Mailing traffic", "5"),
}
"""Traffic source id -> (name in an English-language answer, icon id)."""


def metrika_goals_json(goals: Iterable[MetrikaGoal]) -> str:
    """``GET management/v1/counter/{id}/goals``: ``{"goals": [...]}``."""
    out = []
    for goal in goals:
        item: dict[str, Any] = {
            "id": goal.id,
            "name": goal.name,
            "type": goal.type,
            "is_retargeting": 0,
            "default_price": 0.0,
            "is_favorite": 0,
            "flag": "",
        }
        if goal.goal_source is not None:
            item["goal_source"] = goal.goal_source
        if goal.type == "action":
            item["conditions"] = [{"type": "exact", "url": "lead_sent"}]
        elif goal.type == "phone":
            item["conditions"] = [{"type": "all_phones", "url": ""}]
        out.append(item)
    return _json({"goals": out})


MetrikaDimension = Literal["date", "TrafficSource", "UTMSource", "UTMMedium", "UTMCampaign"]


def _metrika_dimension(name: str, attribution: str) -> MetrikaDimension:
    if name == "ym:s:date":
        return "date"
    for suffix in ("TrafficSource", "UTMSource", "UTMMedium", "UTMCampaign"):
        if name in (f"ym:s:<attribution>{suffix}", f"ym:s:{attribution}{suffix}"):
            return suffix
    raise ValueError(f"Wrong parameter: dimensions, value: {name}")


def _metrika_dim_value(row: GoalReaches, dim: MetrikaDimension) -> dict[str, Any]:
    if dim == "date":
        return {"name": row.date.isoformat()}
    if dim == "TrafficSource":
        name, icon = METRIKA_TRAFFIC_SOURCES[row.traffic_source]
        return {"name": name, "icon_id": icon, "icon_type": "traffic-source", "id": row.traffic_source}
    value = {"UTMSource": row.utm_source, "UTMMedium": row.utm_medium, "UTMCampaign": row.utm_campaign}[dim]
    return {"name": value}


def metrika_goal_reaches_json(
    reaches: Iterable[GoalReaches],
    *,
    counter_id: str,
    goal_ids: Sequence[int],
    dimensions: Sequence[str],
    attribution: str,
    date_from: dt.date,
    date_to: dt.date,
    offset: int = 1,
    limit: int = 10_000,
) -> str:
    """A ``stat/v1/data`` answer: reaches of ``goal_ids`` (metrics ``ym:s:goal<ID>reaches``, as
    doubles) grouped by ``dimensions`` (``ym:s:date`` and ``ym:s:<attribution>TrafficSource`` /
    ``UTMSource`` / ``UTMMedium`` / ``UTMCampaign``, placeholder or model inlined), rows sorted by
    their dimension values, ``offset`` 1-based, ``total_rows`` counting every row.

    Raises ``ValueError`` naming a dimension it cannot group by (Metrika answers 400).
    """
    dims = [_metrika_dimension(name, attribution) for name in dimensions]
    wanted = {goal_id: i for i, goal_id in enumerate(goal_ids)}
    grouped: dict[tuple[str, ...], tuple[list[dict[str, Any]], list[int]]] = {}
    for row in reaches:
        if row.goal_id not in wanted or not date_from <= row.date <= date_to:
            continue
        values = [_metrika_dim_value(row, d) for d in dims]
        key = tuple(str(v.get("id", v["name"]) or "") for v in values)
        entry = grouped.setdefault(key, (values, [0] * len(goal_ids)))
        entry[1][wanted[row.goal_id]] += row.reaches
    keys = sorted(grouped)
    page = keys[offset - 1 : offset - 1 + limit]
    totals = [float(sum(grouped[k][1][i] for k in keys)) for i in range(len(goal_ids))]
    metrics = [f"ym:s:goal{goal_id}reaches" for goal_id in goal_ids]
    return _json(
        {
            "query": {
                "ids": [int(counter_id)],
                "dimensions": list(dimensions),
                "metrics": metrics,
                "sort": ["ym:s:date"],
                "date1": date_from.isoformat(),
                "date2": date_to.isoformat(),
                "limit": limit,
                "offset": offset,
                "group": "Week",
                "auto_group_size": "1",
                "attr_name": "",
                "quantile": "50",
                "offline_window": "21",
                "attribution": attribution,
                "currency": "RUB",
                "adfox_event_id": "0",
            },
            "data": [
                {"dimensions": grouped[k][0], "metrics": [float(n) for n in grouped[k][1]]} for k in page
            ],
            "total_rows": len(keys),
            "total_rows_rounded": False,
            "sampled": False,
            "contains_sensitive_data": False,
            "sample_share": 1.0,
            "data_lag": 97,
            "totals": totals,
            "min": [float(min((grouped[k][1][i] for k in keys), default=0)) for i in range(len(goal_ids))],
            "max": [float(max((grouped[k][1][i] for k in keys), default=0)) for i in range(len(goal_ids))],
        }
    )


# --- amoCRM ----------------------------------------------------------------------------------

AMOCRM_UTM_FIELDS: tuple[tuple[int, str, str], ...] = (
    (901_101, "utm_source", "UTM_SOURCE"),
    (901_102, "utm_medium", "UTM_MEDIUM"),
    (901_103, "utm_campaign", "UTM_CAMPAIGN"),
    (901_104, "utm_content", "UTM_CONTENT"),
    (901_105, "utm_term", "UTM_TERM"),
)
AMOCRM_ACCOUNT_ID = 30_117_452


def _unix(moment: dt.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def amocrm_lead(lead: CrmLead, *, base_url: str, with_contacts: bool) -> dict[str, Any]:
    """One lead of ``/api/v4/leads`` (``with=contacts`` adds the linked contact)."""
    fields: list[dict[str, Any]] = [
        {
            "field_id": field_id,
            "field_name": name,
            "field_code": code,
            "field_type": "tracking_data",
            "values": [{"value": value}],
        }
        for (field_id, name, code), value in zip(
            AMOCRM_UTM_FIELDS,
            (lead.utm_source, lead.utm_medium, lead.utm_campaign, lead.utm_content, lead.utm_term),
            strict=True,
        )
        if value
    ]
    embedded: dict[str, Any] = {
        "tags": [{"id": 1_252_000 + sum(map(ord, t)) % 997, "name": t, "color": None} for t in lead.tags],
        "companies": [],
    }
    if with_contacts and lead.contact_id is not None:
        embedded["contacts"] = [
            {
                "id": lead.contact_id,
                "is_main": True,
                "_links": {"self": {"href": f"{base_url}/api/v4/contacts/{lead.contact_id}"}},
            }
        ]
    return {
        "id": lead.lead_id,
        "name": lead.title,
        "price": lead.price,
        "responsible_user_id": lead.responsible_user_id,
        "group_id": 0,
        "status_id": int(lead.status),
        "pipeline_id": lead.pipeline_id,
        "loss_reason_id": None,
        "created_by": 0,
        "updated_by": 0,
        "created_at": _unix(lead.created_at),
        "updated_at": _unix(lead.updated_at),
        "closed_at": _unix(lead.closed_at),
        "closest_task_at": None,
        "is_deleted": lead.deleted,
        "custom_fields_values": fields or None,
        "score": None,
        "account_id": AMOCRM_ACCOUNT_ID,
        "labor_cost": None,
        "_links": {"self": {"href": f"{base_url}/api/v4/leads/{lead.lead_id}"}},
        "_embedded": embedded,
    }


def amocrm_contact(lead: CrmLead, *, base_url: str) -> dict[str, Any]:
    """The contact of ``lead`` as ``/api/v4/contacts`` shows it (phone and e-mail as multitext)."""
    assert lead.contact_id is not None
    fields: list[dict[str, Any]] = []
    if lead.phone:
        fields.append(
            {
                "field_id": 264_911,
                "field_name": "Телефон",
                "field_code": "PHONE",
                "field_type": "multitext",
                "values": [{"value": lead.phone, "enum_id": 141_103, "enum_code": "WORK"}],
            }
        )
    if lead.email:
        fields.append(
            {
                "field_id": 264_913,
                "field_name": "Email",
                "field_code": "EMAIL",
                "field_type": "multitext",
                "values": [{"value": lead.email, "enum_id": 141_115, "enum_code": "WORK"}],
            }
        )
    name = lead.contact_name or ""
    return {
        "id": lead.contact_id,
        "name": name,
        "first_name": name,
        "last_name": "",
        "responsible_user_id": lead.responsible_user_id,
        "group_id": 0,
        "created_by": 0,
        "updated_by": 0,
        "created_at": _unix(lead.created_at),
        "updated_at": _unix(lead.created_at),
        "closest_task_at": None,
        "is_deleted": False,
        "is_unsorted": False,
        "custom_fields_values": fields or None,
        "account_id": AMOCRM_ACCOUNT_ID,
        "_links": {"self": {"href": f"{base_url}/api/v4/contacts/{lead.contact_id}"}},
        "_embedded": {"tags": [], "companies": []},
    }


def amocrm_page_json(
    items: Sequence[dict[str, Any]], *, entity: str, page: int, self_href: str, next_href: str | None
) -> str:
    """A HAL list page: ``{"_page", "_links": {"self", "next"?}, "_embedded": {entity: [...]}}``."""
    links: dict[str, Any] = {"self": {"href": self_href}}
    if next_href is not None:
        links["next"] = {"href": next_href}
    return _json({"_page": page, "_links": links, "_embedded": {entity: list(items)}})


# --- Bitrix24 --------------------------------------------------------------------------------

BITRIX24_DEFAULT_LEAD_FIELDS: tuple[str, ...] = (
    "ID",
    "TITLE",
    "NAME",
    "DATE_CREATE",
    "DATE_MODIFY",
    "STATUS_ID",
    "SOURCE_ID",
    "ASSIGNED_BY_ID",
    "COMPANY_ID",
    "CONTACT_ID",
    "HAS_PHONE",
    "HAS_EMAIL",
    "OPPORTUNITY",
    "CURRENCY_ID",
)
"""What ``crm.lead.list`` returns without a ``select`` (multiple fields and UTM_* only when named)."""


def _bitrix_time(moment: dt.datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def bitrix24_lead(lead: CrmLead, *, zone: ZoneInfo, select: Sequence[str] | None = None) -> dict[str, Any]:
    """A lead as ``crm.lead.list`` returns it: ids as strings, times with the portal's offset."""
    values: dict[str, Any] = {
        "ID": str(lead.lead_id),
        "TITLE": lead.title,
        "NAME": lead.contact_name,
        "DATE_CREATE": _bitrix_time(lead.created_at, zone),
        "DATE_MODIFY": _bitrix_time(lead.updated_at, zone),
        "STATUS_ID": lead.status,
        "SOURCE_ID": lead.source_id,
        "ASSIGNED_BY_ID": str(lead.responsible_user_id),
        "COMPANY_ID": "0",
        "CONTACT_ID": None if lead.contact_id is None else str(lead.contact_id),
        "HAS_PHONE": "Y" if lead.phone else "N",
        "HAS_EMAIL": "Y" if lead.email else "N",
        "OPPORTUNITY": f"{lead.price}.00",
        "CURRENCY_ID": "RUB",
        "PHONE": [
            {"ID": str(lead.lead_id * 2 + 1), "VALUE_TYPE": "WORK", "VALUE": lead.phone, "TYPE_ID": "PHONE"}
        ]
        if lead.phone
        else None,
        "EMAIL": [
            {"ID": str(lead.lead_id * 2 + 2), "VALUE_TYPE": "WORK", "VALUE": lead.email, "TYPE_ID": "EMAIL"}
        ]
        if lead.email
        else None,
        "UTM_SOURCE": lead.utm_source,
        "UTM_MEDIUM": lead.utm_medium,
        "UTM_CAMPAIGN": lead.utm_campaign,
        "UTM_CONTENT": lead.utm_content,
        "UTM_TERM": lead.utm_term,
    }
    names: list[str] = []
    for name in select or ("*",):
        if name == "*":
            names.extend(BITRIX24_DEFAULT_LEAD_FIELDS)
        elif name in values:
            names.append(name)
    names = ["ID", *(n for n in dict.fromkeys(names) if n != "ID")]
    out = {name: values[name] for name in names}
    for name in ("PHONE", "EMAIL"):
        if name in out and out[name] is None:
            del out[name]  # Bitrix24 leaves out an empty multiple field
    return out


def bitrix24_lead_list_json(
    leads: Sequence[CrmLead],
    *,
    zone: ZoneInfo,
    select: Sequence[str] | None = None,
    start: int = 0,
    page_size: int = 50,
) -> str:
    """``crm.lead.list``: ``{"result": [...], "next"?, "total", "time"}``, ``page_size`` from ``start``."""
    page = leads[start : start + page_size]
    body: dict[str, Any] = {"result": [bitrix24_lead(lead, zone=zone, select=select) for lead in page]}
    if start + page_size < len(leads):
        body["next"] = start + page_size
    body["total"] = len(leads)
    body["time"] = {
        "start": 1_772_359_200.123,
        "finish": 1_772_359_200.311,
        "duration": 0.188,
        "processing": 0.071,
        "date_start": "2026-03-01T13:00:00+03:00",
        "date_finish": "2026-03-01T13:00:00+03:00",
        "operating": 0,
    }
    return _json(body)
