"""Where the demo's files go and how they are varied; the agency configuration YAML.

Layout under ``<out>/``::

    agency.yaml
    demo_world.json            how to rebuild this world (seed, date, size) for the fake APIs
    inbox/<client_id>/yandex_direct_<login>_<YYYY-MM>.tsv
    inbox/<client_id>/vk_ads_<account>_<YYYY-MM>.json
    inbox/<client_id>/google_ads_<YYYY-MM>.csv
    inbox/<client_id>/calltouch_<site>_<YYYY-MM>.json
    inbox/<client_id>/comagic_<account>_<YYYY-MM>.json
    inbox/<client_id>/calltouch_requests_<site>_<YYYY-MM>.json
    inbox/<client_id>/yandex_metrika_<counter>_<YYYY-MM>.json
    inbox/<client_id>/amocrm_<subdomain>_<YYYY-MM>.json
    inbox/<client_id>/bitrix24_leads_<portal host>_<YYYY-MM>.json
    inbox/accounting/invoices_<YYYY>_Q<n>.csv

By default the Direct, VK Ads, Calltouch, CoMagic, Calltouch requests, Metrika, amoCRM and
Bitrix24 data is not written as files: the pipeline pulls it from the demo's fake vendor
endpoints (:mod:`demo_agency.vendors`) through the real API clients. The exception is a
Calltouch requests journal whose account is ``via: inbox`` (its client exports it by hand): its
monthly JSON exports are always written. ``vendor_files=True`` writes every feed as inbox files
(the export path of the same vendors: the bodies their APIs return; an amoCRM leads export
carries contact ids only, a Metrika report no goal types). One file per client, source and
calendar month (calls and requests by the month of the date the file shows, i.e. the account's
clock; CRM leads and Metrika by the client's), plus one deliberate re-export of a Direct month
with identical figures. Files are written as ``<name>.part`` and renamed, so a pipeline watching
the inbox never picks up half a file. Existing files with the same names are replaced; nothing
else in ``out`` is touched.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from demo_agency import formats
from demo_agency._calendar import add_months, month_end, month_start, quarter_of, quarter_start
from demo_agency.model import AdStat, Agency, Call, Client, ClientAccount, CrmLead, FormRequest, Invoice

__all__ = ["WrittenDemo", "config_yaml", "write_demo"]


@dataclass(frozen=True)
class WrittenDemo:
    out_dir: Path
    config_path: Path
    inbox: Path
    files: tuple[Path, ...]
    """Inbox files written, in writing order (the configuration is not among them)."""
    rows: int
    """Data rows across the inbox files (stats rows, call records, invoice rows)."""
    clients: int
    world_path: Path
    """``demo_world.json``: what the fake vendor endpoints need to serve this agency."""

    vendor_files: bool = False

    def summary(self) -> str:
        apis = (
            ""
            if self.vendor_files
            else (
                "; Direct, VK Ads, Calltouch, CoMagic, Metrika, amoCRM, Bitrix24 served by fake APIs "
                f"({self.world_path.name})"
            )
        )
        return (
            f"demo agency: {self.clients} clients, {len(self.files)} inbox files, {self.rows} rows "
            f"-> {self.inbox} (config {self.config_path}){apis}"
        )


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _account_yaml(account: ClientAccount, *, via_inbox: bool) -> str:
    zone = f", timezone: {account.timezone}" if account.timezone else ""
    goals = f", goals: [{', '.join(str(g) for g in account.goals)}]" if account.goals else ""
    model = f", attribution: {account.attribution}" if account.attribution else ""
    via = ", via: inbox" if via_inbox or account.via_inbox or account.source == "cabinet" else ""
    return f"      - {{source: {account.source}, id: {_q(account.id)}{zone}{goals}{model}{via}}}"


def config_yaml(agency: Agency, *, via_inbox: bool = False) -> str:
    """The agency configuration YAML (the schema ``pipelines.load.config`` validates); ``via_inbox``
    marks every account as delivered by inbox files."""
    s = agency.settings
    lines = [
        "# Demo agency configuration, written by `python -m demo_agency`",
        f"# (seed {agency.seed}, as of {agency.today.isoformat()}). Schema: pipelines/load/config.py.",
        "# API tokens never go here: set them as environment variables (see .env.example).",
        "agency:",
        f"  name: {_q(s.name)}",
        f"  reporting_currency: {s.reporting_currency}",
        f"  target_call_min_talk_seconds: {s.target_call_min_talk_seconds}",
        f"  unique_call_window_days: {s.unique_call_window_days}",
        f"  default_vat_rate: {s.default_vat_rate}",
        f"  history_start: {agency.data_start.isoformat()}",
        "managers:",
    ]
    for m in agency.managers:
        lines += [f"  - id: {m.id}", f"    name: {_q(m.name)}"]
        if m.email:
            lines.append(f"    email: {m.email}")
    lines.append("clients:")
    active = [c for c in agency.clients if c.end_date is None]
    for c in agency.clients:
        lines += [
            f"  - id: {c.id}",
            f"    name: {_q(c.name)}",
            f"    inn: {_q(c.inn)}",
            f"    manager: {c.manager_id}",
            "    currency: RUB",
            f"    timezone: {c.timezone}",
            f"    start_date: {c.start_date.isoformat()}",
            f"    end_date: {c.end_date.isoformat() if c.end_date else 'null'}",
            f"    payment_terms_days: {c.payment_terms_days}",
            f"    fee_share: {c.fee_share}",
            *([f"    lead_priority: [{', '.join(c.lead_priority)}]"] if c.lead_priority else []),
            "    accounts:",
            *(_account_yaml(a, via_inbox=via_inbox) for a in c.accounts),
        ]
        if c.end_date is None:
            lines += _report_yaml(c, first=c is active[0])
        if c.plans:
            lines.append("    plans:")
            lines += [
                f"      - {{month: {_q(f'{p.month:%Y-%m}')}, budget: {p.budget}, leads: {p.leads}, "
                f"cpl_target: {p.cpl_target}{'' if p.fee is None else f', fee: {p.fee}'}}}"
                for p in c.plans
            ]
    lines += [
        "# Reports go by e-mail through this server (its password: AGENCY_SMTP_PASSWORD) and by",
        "# Telegram (TELEGRAM_BOT_TOKEN). The demo has no mail server: run one on 127.0.0.1:1025 (any",
        "# local mail catcher) to see them arrive; without it a send fails and the dashboard says so.",
        "delivery:",
        f"  from: {_q(f'{s.name} <reports@demo-agency.example>')}",
        "  smtp: {host: 127.0.0.1, port: 1025, starttls: false}",
        "  monthly_on_working_day: 3",
    ]
    return "\n".join(lines) + "\n"


def _report_yaml(client: Client, *, first: bool) -> list[str]:
    """Each active client's report goes to its director; the first one's is approved by its
    manager before it goes (``review``)."""
    lines = ["    report:", f"      recipients: [{{email: director@{client.id.replace('_', '-')}.example}}]"]
    return [*lines, "      review: true"] if first else lines


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    part.replace(path)


def _month_key(day: dt.date) -> str:
    return f"{day:%Y-%m}"


class _Writer:
    def __init__(self, agency: Agency, out_dir: Path, *, vendor_files: bool) -> None:
        self.agency = agency
        self.vendor_files = vendor_files
        self.inbox = out_dir / "inbox"
        self.files: list[Path] = []
        self.rows = 0
        self.campaigns = {c.id: c for c in agency.campaigns}

    def variant(self, *parts: object) -> random.Random:
        return random.Random("/".join([str(self.agency.seed), "variant", *map(str, parts)]))

    def put(self, relative: str, data: bytes, rows: int) -> None:
        path = self.inbox / relative
        _write(path, data)
        self.files.append(path)
        self.rows += rows

    def client_range(self, client: Client, month: dt.date) -> tuple[dt.date, dt.date]:
        last = (
            self.agency.yesterday if client.end_date is None else min(client.end_date, self.agency.yesterday)
        )
        return max(month, client.start_date, self.agency.data_start), min(month_end(month), last)

    def ads(self) -> None:
        grouped: dict[tuple[str, str, str], list[AdStat]] = defaultdict(list)
        for stat in self.agency.ad_stats:
            grouped[(stat.client_id, stat.channel, _month_key(stat.date))].append(stat)
        first_direct = True
        last_full_month = _month_key(add_months(month_start(self.agency.today), -1))
        reexported = False
        for client in self.agency.clients:
            channels = ("yandex_direct", "vk_ads", "google_ads") if self.vendor_files else ("google_ads",)
            for channel in channels:
                months = sorted(k[2] for k in grouped if k[0] == client.id and k[1] == channel)
                for key in months:
                    stats = grouped[(client.id, channel, key)]
                    month = dt.date.fromisoformat(f"{key}-01")
                    if channel == "yandex_direct":
                        bare = first_direct or self.variant("direct", client.id, key).random() < 0.25
                        first_direct = False
                        self.direct(client, stats, month, bare=bare)
                        if not reexported and key == last_full_month:
                            # the specialist exported last month again: same figures, a new file
                            self.direct(client, stats, month, bare=not bare, suffix="_reexport")
                            reexported = True
                    elif channel == "vk_ads":
                        account = stats[0].account_id
                        body = formats.vk_ads_statistics_json(stats, money_as_string=month.month % 2 == 1)
                        self.put(f"{client.id}/vk_ads_{account}_{key}.json", body.encode(), len(stats))
                    else:
                        self.put(
                            f"{client.id}/google_ads_{key}.csv",
                            formats.cabinet_csv(stats, self.campaigns),
                            len(stats),
                        )

    def direct(
        self, client: Client, stats: list[AdStat], month: dt.date, *, bare: bool, suffix: str = ""
    ) -> None:
        login = stats[0].account_id
        date_from, date_to = self.client_range(client, month)
        body = formats.yandex_direct_report_tsv(
            stats,
            self.campaigns,
            report_name=f"{login}_campaigns_{date_from:%Y%m%d}_{date_to:%Y%m%d}",
            date_from=date_from,
            date_to=date_to,
            skip_report_header=bare,
            skip_report_summary=bare,
        )
        self.put(f"{client.id}/yandex_direct_{login}_{month:%Y-%m}{suffix}.tsv", body.encode(), len(stats))

    def calls(self) -> None:
        by_client: dict[str, list[Call]] = defaultdict(list)
        for call in self.agency.calls:
            by_client[call.client_id].append(call)
        for client in self.agency.clients:
            calls = by_client.get(client.id, [])
            account = client.account("calltouch") or client.account("comagic")
            if not calls or account is None:
                continue
            # the file's month is the month of the date the tracker shows (its own clock)
            zone = ZoneInfo(
                "Europe/Moscow" if account.source == "calltouch" else client.account_timezone(account)
            )
            months: dict[str, list[Call]] = defaultdict(list)
            for call in calls:
                months[_month_key(call.started_at.astimezone(zone).date())].append(call)
            for key in sorted(months):
                month_calls = months[key]
                month = dt.date.fromisoformat(f"{key}-01")
                if account.source == "calltouch":
                    body = formats.calltouch_calls_json(
                        month_calls,
                        site_id=account.id,
                        site_name=f"{client.id}.ru",
                        redirect_number=f"7495{int(account.id) * 37 % 10_000_000:07d}",
                        paged=(month.year * 12 + month.month) % 3 != 0,
                    )
                else:
                    body = formats.comagic_calls_report_json(
                        month_calls,
                        timezone=client.account_timezone(account),
                        request_id=f"calls-{account.id}-{key}",
                        site=f"{client.id}.ru",
                    )
                self.put(
                    f"{client.id}/{account.source}_{account.id}_{key}.json", body.encode(), len(month_calls)
                )

    def leads(self) -> None:
        """Requests journals exported by hand (``via: inbox``); with ``vendor_files`` every lead feed."""
        forms: dict[str, list[FormRequest]] = defaultdict(list)
        for form in self.agency.requests:
            forms[form.account_id].append(form)
        deals: dict[str, list[CrmLead]] = defaultdict(list)
        for deal in self.agency.crm_leads:
            deals[deal.account_id].append(deal)
        for client in self.agency.clients:
            zone = ZoneInfo(client.timezone)
            for account in client.accounts:
                if account.source == "calltouch_requests" and (account.via_inbox or self.vendor_files):
                    self.requests(client, account, forms[account.id])
                elif not self.vendor_files:
                    continue
                elif account.source == "yandex_metrika":
                    self.metrika(client, account)
                elif account.source in ("amocrm", "bitrix24_leads"):
                    months: dict[str, list[CrmLead]] = defaultdict(list)
                    for deal in deals[account.id]:
                        months[_month_key(deal.created_at.astimezone(zone).date())].append(deal)
                    for key in sorted(months):
                        self.crm(client, account, key, months[key])

    def requests(self, client: Client, account: ClientAccount, forms: list[FormRequest]) -> None:
        zone = ZoneInfo(client.account_timezone(account))  # the cabinet's clock, as dateStr shows
        months: dict[str, list[FormRequest]] = defaultdict(list)
        for form in forms:
            months[_month_key(form.created_at.astimezone(zone).date())].append(form)
        for key in sorted(months):
            body = formats.calltouch_requests_json(months[key], site_name=f"{client.id}.ru")
            self.put(
                f"{client.id}/calltouch_requests_{account.id}_{key}.json", body.encode(), len(months[key])
            )

    def metrika(self, client: Client, account: ClientAccount) -> None:
        reaches = [r for r in self.agency.goal_reaches if r.counter_id == account.id]
        for key in sorted({_month_key(r.date) for r in reaches}):
            date_from, date_to = self.client_range(client, dt.date.fromisoformat(f"{key}-01"))
            body = formats.metrika_goal_reaches_json(
                reaches,
                counter_id=account.id,
                goal_ids=account.goals,
                dimensions=[
                    "ym:s:date",
                    *(
                        f"ym:s:<attribution>{d}"
                        for d in ("TrafficSource", "UTMSource", "UTMMedium", "UTMCampaign")
                    ),
                ],
                attribution=account.attribution or "lastsign",
                date_from=date_from,
                date_to=date_to,
                limit=100_000,
            )
            rows = len(json.loads(body)["data"])
            self.put(f"{client.id}/yandex_metrika_{account.id}_{key}.json", body.encode(), rows)

    def crm(self, client: Client, account: ClientAccount, key: str, deals: list[CrmLead]) -> None:
        name = f"{client.id}/{account.source}_{account.id}_{key}.json"
        if account.source == "amocrm":
            base = f"https://{account.id}.amocrm.ru"
            items = [formats.amocrm_lead(d, base_url=base, with_contacts=True) for d in deals]
            body = formats.amocrm_page_json(
                items,
                entity="leads",
                page=1,
                self_href=f"{base}/api/v4/leads?limit=250&with=contacts&page=1",
                next_href=None,
            )
        else:
            zone = ZoneInfo(client.account_timezone(account))
            select = [
                "*",
                "PHONE",
                "EMAIL",
                "UTM_SOURCE",
                "UTM_MEDIUM",
                "UTM_CAMPAIGN",
                "UTM_CONTENT",
                "UTM_TERM",
            ]
            body = formats.bitrix24_lead_list_json(deals, zone=zone, select=select, page_size=len(deals))
        self.put(name, body.encode(), len(deals))

    def registers(self) -> None:
        clients = {c.id: c for c in self.agency.clients}
        quarters: dict[dt.date, list[Invoice]] = defaultdict(list)
        for invoice in self.agency.invoices:
            quarters[quarter_start(invoice.issued_on)].append(invoice)
        for start in sorted(quarters):
            index = start.year * 4 + quarter_of(start)
            utf8 = index % 3 == 0
            body = formats.invoice_register_csv(
                quarters[start],
                clients,
                organisation=self.agency.settings.legal_name,
                period_from=start,
                period_to=month_end(add_months(start, 2)),
                encoding="utf-8-sig" if utf8 else "cp1251",
                thousands=" " if utf8 else formats.NBSP,
            )
            self.put(f"accounting/invoices_{start.year}_Q{quarter_of(start)}.csv", body, len(quarters[start]))


def write_demo(agency: Agency, out_dir: str | Path, *, vendor_files: bool = False) -> WrittenDemo:
    """Write ``agency.yaml``, ``demo_world.json`` and the inbox of vendor-format files under
    ``out_dir``; with ``vendor_files`` also the feeds the fake APIs serve (see the module docstring)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    config_path = out_dir / "agency.yaml"
    _write(config_path, config_yaml(agency, via_inbox=vendor_files).encode("utf-8"))
    world_path = out_dir / "demo_world.json"
    _write(world_path, json.dumps(agency.world(), indent=2).encode("utf-8"))
    writer = _Writer(agency, out_dir, vendor_files=vendor_files)
    writer.ads()
    if vendor_files:
        writer.calls()
    writer.leads()
    writer.registers()
    return WrittenDemo(
        out_dir=out_dir,
        config_path=config_path,
        inbox=writer.inbox,
        files=tuple(writer.files),
        rows=writer.rows,
        clients=len(agency.clients),
        world_path=world_path,
        vendor_files=vendor_files,
    )
