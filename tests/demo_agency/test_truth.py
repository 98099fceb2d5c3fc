"""Ground truth: the metric definitions on hand-made examples, and internal consistency."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from demo_agency import Agency, GroundTruth, channel_for, ground_truth, unique_flags
from demo_agency.model import AgencySettings, Call, Client, ClientAccount, Invoice, Payment

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
    assert (totals.calls, totals.target_calls, totals.unique_calls, totals.leads) == (6, 3, 5, 3)


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
