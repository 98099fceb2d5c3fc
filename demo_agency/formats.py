"""Render views of the simulated world in the vendors' real export formats.

Pure functions from model objects to text or bytes: no file system, no file names. The inbox
writer uses them today; fake vendor HTTP APIs can return the same bodies later. Formats follow
``formats.md``: Direct Reports TSV (§1.2), VK Ads statistics JSON (§2.2), Calltouch calls diary
JSON (§5.2), CoMagic ``get.calls_report`` JSON-RPC response (§6), a cabinet CSV and the 1C
invoice register CSV (§9.2).
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

from demo_agency.model import AdStat, Call, Campaign, Client, Invoice, money

__all__ = [
    "NOT_SPECIFIED",
    "cabinet_csv",
    "calltouch_calls_json",
    "comagic_calls_report_json",
    "invoice_register_csv",
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
