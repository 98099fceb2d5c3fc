"""Ground truth: the metric definitions on hand-made examples, and internal consistency."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from demo_agency import (
    Agency,
    GroundTruth,
    LeadEvent,
    LeadMonthTruth,
    LeadReconciliationTruth,
    channel_for,
    contact_key,
    ground_truth,
    lead_ledger,
    lead_priority,
    unique_flags,
)
from demo_agency.model import (
    AgencySettings,
    Call,
    Client,
    ClientAccount,
    CrmLead,
    FormRequest,
    GoalReaches,
    Invoice,
    MetrikaGoal,
    Payment,
)

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)


def test_unique_window_boundary_is_exactly_n_days() -> None:
    calls = [
        ("79261111111", T0),
        ("79261111111", T0 + 30 * DAY - dt.timedelta(seconds=1)),  # < 30 x 24 h after: repeat
        ("79261111111", T0 + 60 * DAY - dt.timedelta(seconds=1)),  # exactly 30 x 24 h after the previous
        ("79262222222", T0 + DAY),  # another number is independent
    ]
    assert unique_flags(calls, 30) == [True, False, True, True]


def test_unique_counts_from_the_previous_call_not_the_first() -> None:
    # a number calling every 10 days never becomes unique again
    calls = [("79261111111", T0 + k * 10 * DAY) for k in range(6)]
    assert unique_flags(calls, 30) == [True] + [False] * 5


def test_unique_flags_keep_input_order_and_sort_by_time() -> None:
    calls = [("7926", T0 + 5 * DAY), ("7926", T0), ("7926", T0)]  # same instant twice
    assert unique_flags(calls, 30) == [False, True, False]
    assert unique_flags(calls, 3) == [True, True, False]


@pytest.mark.parametrize(
    ("source", "medium", "channel"),
    [
        ("yandex", "cpc", "yandex_direct"),
        (" Yandex ", "CPC", "yandex_direct"),
        ("vk", "cpm", "vk_ads"),
        ("mytarget", "cpc", "vk_ads"),
        ("vk", "social", "social"),
        ("google", "cpc", "google_ads"),
        ("instagram", "cpc", "meta_ads"),
        ("google", "organic", "seo"),
        ("yandex", "organic", "seo"),
        ("(direct)", "(none)", "direct"),
        ("<не указано>", "<не указано>", "direct"),
        (None, None, "direct"),
        ("zoon.ru", "referral", "referral"),
        ("newsletter", "email", "email"),
        ("avito", "cpc", "other"),
        ("74952290009", "offline", "other"),
    ],
)
def test_channel_mapping(source: str | None, medium: str | None, channel: str) -> None:
    assert channel_for(source, medium) == channel


def _call(call_id: int, number: str, started: dt.datetime, **kw: object) -> Call:
    base = Call(
        tracker="calltouch",
        client_id="c1",
        account_id="100",
        call_id=call_id,
        started_at=started,
        caller_number=number,
        tracking_number="74950000000",
        wait_seconds=5,
        talk_seconds=90,
        answered=True,
        target_flag=True,
        tracker_unique=True,
        utm_source=None,
        utm_medium=None,
        utm_campaign=None,
        utm_content=None,
        utm_term=None,
        source="yandex",
        medium="cpc",
        city="samara",
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def _tiny_agency(calls: list[Call], invoices: tuple[Invoice, ...] = ()) -> Agency:
    client = Client(
        id="c1", name="ООО «Тест»", register_name='ООО "Тест"', inn="7707083893", manager_id="m",
        timezone="Europe/Samara", city="samara", segment="b2c", start_date=dt.date(2025, 1, 1),
        end_date=None, payment_terms_days=10, fee_rate=Decimal("0.1"), behaviour="regular",
        accounts=(ClientAccount("calltouch", "100", "Europe/Moscow"),),
    )  # fmt: skip
    return Agency(
        settings=AgencySettings(name="A", legal_name="A"),
        managers=(),
        clients=(client,),
        campaigns=(),
        ad_stats=(),
        calls=tuple(calls),
        invoices=invoices,
        today=dt.date(2026, 4, 1),
        data_start=dt.date(2026, 3, 1),
        seed=0,
    )


def test_hand_made_calls_aggregate_by_client_local_day_and_channel() -> None:
    evening = dt.datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 23:30 Moscow, 00:30 on 3 March in Samara
    calls = [
        _call(1, "79261111111", evening),
        # the same number 2 days later: a repeat by the agency's 30-day rule, but Calltouch's
        # cabinet (a shorter uniqueness depth) flags it unique-target: the tracker's flag wins
        _call(2, "79261111111", evening + 2 * DAY),
        # utm lost: the tracker's own google/organic decides the channel; answered but not target
        _call(3, "79263333333", evening + 2 * DAY, source="google", medium="organic", target_flag=False),
        # CoMagic has no flag: answered and >= 30 s talk is target (29 s is not)
        _call(4, "79264444444", evening + 2 * DAY, tracker="comagic", target_flag=None, talk_seconds=30,
              utm_source="vk", utm_medium="cpm", source=None, medium=None),
        _call(5, "79265555555", evening + 2 * DAY, tracker="comagic", target_flag=None, talk_seconds=29,
              utm_source="vk", utm_medium="cpm", source=None, medium=None),
        _call(6, "79266666666", evening + 2 * DAY, tracker="comagic", target_flag=None, talk_seconds=0,
              answered=False, utm_source=None, utm_medium=None, source=None, medium=None),
    ]  # fmt: skip
    truth = ground_truth(_tiny_agency(calls))
    days = {(d.channel, d.date): d for d in truth.call_days}
    first = days[("yandex_direct", dt.date(2026, 3, 3))]
    assert (first.calls, first.target_calls, first.unique_calls, first.leads) == (1, 1, 1, 1)
    repeat = days[("yandex_direct", dt.date(2026, 3, 5))]
    assert (repeat.calls, repeat.target_calls, repeat.unique_calls, repeat.leads) == (1, 1, 0, 1)
    seo = days[("seo", dt.date(2026, 3, 5))]
    assert (seo.calls, seo.target_calls, seo.leads) == (1, 0, 0)
    vk = days[("vk_ads", dt.date(2026, 3, 5))]
    assert (vk.calls, vk.target_calls, vk.unique_calls, vk.leads) == (2, 1, 2, 1)
    direct = days[("direct", dt.date(2026, 3, 5))]
    assert (direct.calls, direct.target_calls) == (1, 0)
    totals = truth.totals("c1")
    assert (totals.calls, totals.target_calls, totals.unique_calls, totals.lead_calls) == (6, 3, 5, 3)
    # the ledger: calls 1 and 2 (one number, 2 days apart) are one episode, both the tracker's leads
    assert (totals.leads, totals.call_leads) == (3, 3)


def test_invoice_truth_reports_paid_amount_and_last_payment_date() -> None:
    invoice = Invoice(
        number="7", client_id="c1", issued_on=dt.date(2026, 3, 2), due_on=dt.date(2026, 3, 12),
        budget_net=Decimal("100000.00"), fee_net=Decimal("12000.00"), vat_rate=22,
        payments=(Payment(dt.date(2026, 3, 10), Decimal("50000.00")),
                  Payment(dt.date(2026, 3, 25), Decimal("20000.00"))),
    )  # fmt: skip
    truth = ground_truth(_tiny_agency([], (invoice,)))
    (row,) = truth.invoices
    assert row.amount == Decimal("136640.00") and row.vat_amount == Decimal("24640.00")
    assert row.paid_amount == Decimal("70000.00") and row.paid_on == dt.date(2026, 3, 25)
    assert row.outstanding == Decimal("66640.00")
    assert invoice.status == "Частично оплачен"
    assert truth.totals("c1").invoiced == Decimal("136640.00")
    with pytest.raises(KeyError):
        truth.totals("nobody")


def test_leads_within_unique_and_target_within_calls(truth: GroundTruth) -> None:
    for day in truth.call_days:
        assert 0 <= day.leads <= min(day.target_calls, day.unique_calls)
        assert day.target_calls <= day.calls and day.unique_calls <= day.calls
    leads = sum(d.leads for d in truth.call_days)
    calls = sum(d.calls for d in truth.call_days)
    assert 0.35 < leads / calls < 0.75  # believable: not every call is a lead


def test_totals_equal_the_sum_of_days(truth: GroundTruth) -> None:
    spend: dict[str, Decimal] = defaultdict(Decimal)
    calls: dict[str, int] = defaultdict(int)
    for a in truth.ad_days:
        spend[a.client_id] += a.spend
    for c in truth.call_days:
        calls[c.client_id] += c.calls
    for client_id, totals in truth.all_totals().items():
        assert totals.spend == spend[client_id]
        assert totals.calls == calls[client_id]
        assert totals.paid <= totals.invoiced
        assert sum(truth.spend_by_channel(client_id).values()) == totals.spend
        assert sum(truth.leads_by_channel(client_id).values()) == totals.leads
        assert sum(truth.lead_calls_by_channel(client_id).values()) == totals.lead_calls


def test_truth_channels_cover_paid_and_organic_sources(truth: GroundTruth) -> None:
    call_channels = {c.channel for c in truth.call_days}
    assert {
        "yandex_direct",
        "vk_ads",
        "google_ads",
        "seo",
        "direct",
        "referral",
        "social",
        "email",
        "other",
    } <= (call_channels)
    assert {a.channel for a in truth.ad_days} == {"yandex_direct", "vk_ads", "google_ads"}


def test_spend_is_roughly_the_invoiced_budget(agency: Agency, truth: GroundTruth) -> None:
    for client_id, totals in truth.all_totals().items():
        budgets = sum(
            (
                i.budget_net
                for i in agency.invoices
                if i.client_id == client_id and i.issued_on < dt.date(2026, 11, 1)
            ),
            Decimal(0),
        )
        spend = sum(
            (a.spend for a in truth.ad_days if a.client_id == client_id and a.date < dt.date(2026, 11, 1)),
            Decimal(0),
        )
        assert budgets > 0 and totals.spend > 0
        assert Decimal("0.85") < spend / budgets < Decimal("1.1"), client_id


# --- leads: THE LEDGER RULE on hand-made cases -------------------------------------------------

SITE = "100"


def _form(
    request_id: int, created: dt.datetime, phone: str | None = "79261111111", **kw: object
) -> FormRequest:
    base = FormRequest(
        client_id="c1", account_id=SITE, request_id=request_id, created_at=created, request_type="form",
        subject="Заявка с сайта", request_number=None, name="Анна", phone=phone, email=None, target=True,
        unique=True, uniq_target=True, session_id=1, utm_source="yandex", utm_medium="cpc",
        utm_campaign="555", utm_content=None, utm_term=None, source="yandex", medium="cpc", city="samara",
        url="https://c1.ru/",
    )  # fmt: skip
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def _deal(
    lead_id: int, created: dt.datetime, phone: str | None = "+7 (926) 111-11-11", **kw: object
) -> CrmLead:
    base = CrmLead(
        system="amocrm", client_id="c1", account_id="c1co", lead_id=lead_id, created_at=created,
        updated_at=created, closed_at=None, title="Сделка", status="61000001", pipeline_id=1, price=0,
        responsible_user_id=1, source_id=None, contact_id=lead_id + 1000, contact_name="Анна", phone=phone,
        email=None, deleted=False, utm_source="yandex", utm_medium="cpc", utm_campaign="777",
        utm_content=None, utm_term=None,
    )  # fmt: skip
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def _lead_agency(
    calls: list[Call] = (),  # type: ignore[assignment]
    forms: list[FormRequest] = (),  # type: ignore[assignment]
    deals: list[CrmLead] = (),  # type: ignore[assignment]
    *,
    priority: tuple[str, ...] = (),
    goals: tuple[MetrikaGoal, ...] = (),
    reaches: tuple[GoalReaches, ...] = (),
    listed: tuple[int, ...] = (),
) -> Agency:
    agency = _tiny_agency(list(calls))
    client = agency.clients[0]
    accounts = (
        *client.accounts,
        ClientAccount("calltouch_requests", SITE, "Europe/Moscow"),
        ClientAccount("amocrm", "c1co"),
        ClientAccount("bitrix24_leads", "c1.bitrix24.ru"),
        ClientAccount("yandex_metrika", "4242", goals=listed, attribution="lastsign"),
    )
    client = dataclasses.replace(client, accounts=accounts, lead_priority=priority)
    return dataclasses.replace(
        agency,
        clients=(client,),
        requests=tuple(forms),
        crm_leads=tuple(deals),
        goals=goals,
        goal_reaches=reaches,
    )


def _ledger(agency: Agency) -> list[tuple[str, str, int]]:
    """(source, record id, merged events) of every ledger lead, in time order."""
    truth = ground_truth(agency)
    return [(lead.source, lead.record_id, lead.merged_events) for lead in sorted(truth.leads, key=str)]


def test_a_form_and_a_call_within_the_window_are_one_lead_won_by_priority() -> None:
    form, call = _form(7, T0), _call(1, "79261111111", T0 + dt.timedelta(minutes=5))
    assert _ledger(_lead_agency([call], [form])) == [("calltouch", "1", 1)]  # default: calltouch first
    assert _ledger(_lead_agency([call], [form], priority=("calltouch_requests",))) == [
        ("calltouch_requests", "7", 1)
    ]
    truth = ground_truth(_lead_agency([call], [form]))
    month = dt.date(2026, 3, 1)
    recon = truth.reconciliation("c1")
    assert recon[(month, "calltouch_requests")] == LeadReconciliationTruth(
        "c1", month, "calltouch_requests", 1, 0, 1, 1, 0
    )
    assert recon[(month, "calltouch")] == LeadReconciliationTruth("c1", month, "calltouch", 1, 0, 1, 0, 1)
    totals = truth.totals("c1")
    assert (totals.leads, totals.call_leads, totals.form_leads, totals.lead_calls) == (1, 1, 0, 1)


def test_a_form_30_days_or_more_before_the_call_is_a_lead_of_its_own() -> None:
    call_at = T0 + 30 * DAY
    two = _lead_agency([_call(1, "79261111111", call_at)], [_form(7, T0)])
    assert _ledger(two) == [("calltouch", "1", 0), ("calltouch_requests", "7", 0)]
    just_within = _lead_agency([_call(1, "79261111111", call_at - dt.timedelta(seconds=1))], [_form(7, T0)])
    assert _ledger(just_within) == [("calltouch", "1", 1)]


def test_the_window_runs_from_the_contacts_previous_event_of_any_system() -> None:
    # call, a form 25 days later, a call 25 days after the form: one episode, both calls leads
    calls = [_call(1, "79261111111", T0), _call(2, "79261111111", T0 + 50 * DAY)]
    forms = [_form(7, T0 + 25 * DAY)]
    assert _ledger(_lead_agency(calls, forms)) == [("calltouch", "1", 1), ("calltouch", "2", 0)]


def test_a_merged_event_counts_into_the_nearest_winner_event_ties_to_the_earlier() -> None:
    calls = [_call(1, "79261111111", T0), _call(2, "79261111111", T0 + 10 * DAY)]
    assert _ledger(_lead_agency(calls, [_form(7, T0 + 5 * DAY)])) == [
        ("calltouch", "1", 1),
        ("calltouch", "2", 0),
    ]
    assert _ledger(_lead_agency(calls, [_form(7, T0 + 6 * DAY)])) == [
        ("calltouch", "1", 0),
        ("calltouch", "2", 1),
    ]


def test_two_tracker_flagged_calls_20_days_apart_stay_two_leads() -> None:
    calls = [_call(1, "79261111111", T0), _call(2, "79261111111", T0 + 20 * DAY)]
    truth = ground_truth(_lead_agency(calls))
    assert [(lead.record_id, lead.merged_events) for lead in truth.leads] == [("1", 0), ("2", 0)]
    assert truth.totals("c1").leads == 2


def test_a_crm_deal_after_a_counted_call_is_one_lead_of_the_crm() -> None:
    call = _call(1, "79261111111", T0)
    deal = _deal(900, T0 + 2 * DAY)  # the same phone typed as +7 (926) 111-11-11
    agency = _lead_agency([call], deals=[deal], priority=("amocrm",))
    assert _ledger(agency) == [("amocrm", "900", 1)]
    truth = ground_truth(agency)
    (lead,) = truth.leads
    assert (lead.lead_type, lead.channel, lead.utm_campaign, lead.contact) == (
        "crm",
        "yandex_direct",
        "777",
        "p:79261111111",
    )
    month = dt.date(2026, 3, 1)
    assert truth.reconciliation("c1")[(month, "calltouch")].merged_leads == 1
    assert truth.reconciliation("c1")[(month, "calltouch")].ledger_leads == 0
    assert truth.ledger_months("c1")[month] == LeadMonthTruth("c1", month, 1, 0, 0, 0, 1)
    assert truth.totals("c1").lead_calls == 1  # the calls' own figure is kept


def test_deleted_and_junk_crm_leads_and_non_lead_requests_are_excluded_with_their_code() -> None:
    deals = [
        _deal(900, T0, deleted=True),
        _deal(
            901, T0, system="bitrix24_leads", account_id="c1.bitrix24.ru", status="JUNK", phone="+79262222222"
        ),
        _deal(
            902, T0, system="bitrix24_leads", account_id="c1.bitrix24.ru", status="NEW", phone="+79263333333"
        ),
    ]
    forms = [
        _form(7, T0, phone="79264444444", uniq_target=False),
        _form(8, T0, phone="79265555555", request_type="chat", target=None, unique=None, uniq_target=None),
        _form(9, T0, phone="79266666666", request_type="Чат JivoSite", uniq_target=None),
    ]
    truth = ground_truth(_lead_agency(forms=forms, deals=deals))
    assert sorted((lead.source, lead.record_id, lead.lead_type) for lead in truth.leads) == [
        ("bitrix24_leads", "902", "crm"),
        ("calltouch_requests", "8", "chat"),  # no flag: counted
        ("calltouch_requests", "9", "chat"),
    ]
    assert truth.exclusions == (("c1", "deleted", 1), ("c1", "junk", 1), ("c1", "not_unique_target", 1))
    recon = truth.reconciliation("c1")
    month = dt.date(2026, 3, 1)
    assert (
        recon[(month, "calltouch_requests")].records,
        recon[(month, "calltouch_requests")].excluded_records,
    ) == (3, 1)
    assert recon[(month, "amocrm")].source_leads == 0


def test_metrika_counts_reaches_of_listed_user_goals_only_and_never_merges_them() -> None:
    goals = (
        MetrikaGoal("4242", 1, "Заявка", "action", "user", automatic=False),
        MetrikaGoal("4242", 2, "Автоцель: клик по номеру телефона", "phone", "auto", automatic=True),
        MetrikaGoal("4242", 3, "Звонок", "call", None, automatic=True),
    )
    day = dt.date(2026, 3, 3)
    reaches = (
        GoalReaches("c1", "4242", 1, day, "ad", "yandex", "cpc", "555", 2),
        GoalReaches("c1", "4242", 1, day, "organic", None, None, None, 1),
        GoalReaches("c1", "4242", 2, day, "ad", "yandex", "cpc", "555", 5),  # automatic: listed by mistake
        GoalReaches("c1", "4242", 3, day, "ad", "yandex", "cpc", "555", 4),  # not listed: never pulled
    )
    call = _call(1, "79261111111", dt.datetime(2026, 3, 3, 9, tzinfo=UTC))
    truth = ground_truth(_lead_agency([call], goals=goals, reaches=reaches, listed=(1, 2)))
    metrika = [lead for lead in truth.leads if lead.source == "yandex_metrika"]
    assert len(metrika) == 3 and {lead.lead_type for lead in metrika} == {"form"}
    assert all(lead.contact is None and lead.merged_events == 0 and lead.lead_at is None for lead in metrika)
    assert sorted(lead.channel for lead in metrika) == ["seo", "yandex_direct", "yandex_direct"]
    recon = truth.reconciliation("c1")[(dt.date(2026, 3, 1), "yandex_metrika")]
    assert (recon.records, recon.excluded_records, recon.source_leads, recon.ledger_leads) == (8, 5, 3, 3)
    assert ("c1", "automatic_goal", 5) in truth.exclusions
    assert truth.leads_by_channel("c1") == {"seo": 1, "yandex_direct": 3}


def test_a_contact_known_only_by_e_mail_merges_by_the_trimmed_lower_case_address() -> None:
    form = _form(7, T0, phone=None, email="Ivan.Petrov@Mail.ru")
    deal = _deal(
        901, T0 + DAY, phone=None, email=" ivan.petrov@mail.ru ", system="bitrix24_leads",
        account_id="c1.bitrix24.ru", status="NEW", utm_source=None, utm_medium=None, source_id="WEB",
    )  # fmt: skip
    truth = ground_truth(_lead_agency(forms=[form], deals=[deal]))
    (lead,) = truth.leads
    assert (lead.source, lead.contact, lead.merged_events, lead.channel) == (
        "bitrix24_leads",
        "e:ivan.petrov@mail.ru",
        1,
        "other",  # no UTM: Bitrix24's own SOURCE_ID WEB
    )
    # a phone too short to be one falls back to the e-mail; no contact at all: never merged
    assert contact_key("12-34", " A@B.ru") == "e:a@b.ru"
    assert contact_key("12-34", "not an address") is None
    unknown = ground_truth(_lead_agency([_call(1, "", T0)], [_form(7, T0, phone=None)]))
    assert len(unknown.leads) == 2


@pytest.mark.parametrize(
    "phone", ["79261234567", "+7 (926) 123-45-67", "8 926 123 45 67", "89261234567", "9261234567"]
)
def test_phones_normalise_to_eleven_digits_from_7(phone: str) -> None:
    assert contact_key(phone, "x@y.ru") == "p:79261234567"


def test_lead_dates_are_the_clients_day_whatever_clock_the_system_shows() -> None:
    evening = dt.datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 23:30 Moscow, 00:30 on 3 March in Samara
    truth = ground_truth(
        _lead_agency(
            forms=[_form(7, evening)],
            deals=[_deal(900, evening + dt.timedelta(minutes=1), phone="+79269999999")],
        )
    )
    assert {lead.lead_date for lead in truth.leads} == {dt.date(2026, 3, 3)}


def test_lead_priority_puts_the_clients_systems_first_then_the_default_order() -> None:
    assert lead_priority() == (
        "amocrm",
        "bitrix24_leads",
        "calltouch",
        "comagic",
        "calltouch_requests",
        "yandex_metrika",
    )
    assert lead_priority(["calltouch_requests", "amocrm"])[:3] == (
        "calltouch_requests",
        "amocrm",
        "bitrix24_leads",
    )


def test_lead_ledger_on_bare_events_orders_ties_by_priority() -> None:
    def event(source: str, record: str, at: dt.datetime) -> LeadEvent:
        return LeadEvent("c1", source, "a", record, "form", at, at.date(), "direct", None, "p:79261111111")

    # same instant: the CRM (rank 0) wins; the form merges into it
    result = lead_ledger(
        [event("calltouch_requests", "5", T0), event("amocrm", "9", T0)],
        window_days=30,
        priorities={"c1": ()},
    )
    assert [(lead.source, lead.merged_events) for lead in result.leads] == [("amocrm", 1)]
    assert [e.record_id for e in result.merged] == ["5"]


def test_the_full_demo_has_a_churned_and_a_new_client(agency: Agency, truth: GroundTruth) -> None:
    """The demo's churned client churns the month after its contract ended, its new client is new
    in its first month, a client whose contract predates the data is not; the fee stays within
    the configured share's rounding of the simulator's own fee."""
    behaviour = {c.id: c.behaviour for c in agency.clients}
    statuses: dict[str, list[str]] = {}
    first_month: dict[str, dt.date] = {}
    for row in truth.lifecycle_months:
        statuses.setdefault(row.client_id, []).append(row.status)
        first_month.setdefault(row.client_id, row.month)
    churned = [c for c, b in behaviour.items() if b == "churned"]
    new = [c for c, b in behaviour.items() if b == "new"]
    assert churned and new
    assert all("churned" in statuses[c] for c in churned)
    assert all(statuses[c][0] == "new" for c in new)
    older = [c.id for c in agency.clients if c.start_date < first_month[c.id]]
    assert older and all(statuses[c][0] == "retained" for c in older)
    for r in truth.revenue_months:
        assert (
            abs(r.fee_invoiced_net - r.simulated_fee_net) <= Decimal("0.01") * r.invoices + r.invoiced / 10**6
        )
