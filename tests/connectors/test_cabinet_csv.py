from datetime import date
from decimal import Decimal

import pytest

from connectors.cabinet_csv import parse_cabinet_csv, platform_from_filename
from connectors.errors import FormatError


def test_cp1251_export_with_preamble_vat_and_totals_row(fixture_bytes):
    result = parse_cabinet_csv(fixture_bytes("google_ads_cabinet_cp1251.csv"))
    assert result.kind == "cabinet_csv"
    vat = {"cost_includes_vat": True, "vat_rate": Decimal("22")}
    assert result.rows == [
        {"date": date(2026, 3, 1), "campaign_name": "Бренд | поиск", "impressions": 1520, "clicks": 37,
         "cost": Decimal("1234.56"), **vat, "_origin_line": 5},
        {"date": date(2026, 3, 1), "campaign_name": 'Ретаргетинг "Корзина"', "impressions": 12400,
         "clicks": 88, "cost": Decimal("3050.00"), **vat, "_origin_line": 6},
        {"date": date(2026, 3, 2), "campaign_name": "Бренд | поиск", "impressions": 1310, "clicks": 29,
         "cost": Decimal("998.1"), **vat, "_origin_line": 7},
    ]  # fmt: skip
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 2))


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Дата;Кампания;Показы;Клики;Расход\r\n01.03.2026;Бренд;100;5;1 234,50\r\n", "cp1251"),
        ("Дата;Кампания;Показы;Клики;Расход\n2026-03-01;Бренд;100;5;1234,5\n", "utf-8"),
        ('Дата,Кампания,Показы,Клики,"Расход, ₽"\r\n01.03.2026,Бренд,100,5,"1 234,50"\r\n', "utf-8-sig"),
        ("Дата\tКампания\tПоказы\tКлики\tСтоимость\r\n01.03.2026\tБренд\t100\t5\t1234,50\r\n", "utf-8"),
        ("Дата;Кампания;Показы;Клики;Расход (руб.)\r\n01.03.2026;Бренд;100;5;1234,50 ₽\r\n", "utf-8"),
        (
            "Дата;Кампания;Показы;Клики;Затраты\r\n01.03.2026;Бренд;100;5;1234.5\r\nВсего;;100;5;1234.5\r\n",
            "cp1251",
        ),
    ],
    ids=["cp1251-semicolon", "utf8-iso-date", "utf8sig-comma-quoted", "tab", "rub-suffix", "vsego-footer"],
)
def test_separators_encodings_and_header_synonyms(text, encoding):
    result = parse_cabinet_csv(text.encode(encoding))
    assert [
        (r["date"], r["campaign_name"], r["impressions"], r["clicks"], r["cost"]) for r in result.rows
    ] == [(date(2026, 3, 1), "Бренд", 100, 5, Decimal("1234.5"))]
    assert (result.rows[0]["cost_includes_vat"], result.rows[0]["vat_rate"]) == (False, None)


@pytest.mark.parametrize(
    ("cost_header", "includes_vat", "rate"),
    [
        ("Расход", False, None),
        ("Расход (с НДС)", True, None),
        ("Расход с НДС, ₽", True, None),
        ("Расход (с НДС 20%)", True, Decimal("20")),
        ("Затраты, руб. (с НДС 22 %)", True, Decimal("22")),
        ("Расход (без НДС)", False, None),
    ],
)
def test_vat_is_read_from_the_cost_header(cost_header, includes_vat, rate):
    row = parse_cabinet_csv(f"Дата;Кампания;{cost_header}\n01.03.2026;Бренд;10,00\n".encode()).rows[0]
    assert (row["cost_includes_vat"], row["vat_rate"]) == (includes_vat, rate)
    assert (row["impressions"], row["clicks"]) == (None, None)  # columns absent


def test_a_net_cost_column_wins_over_a_with_vat_one_and_cpc_is_not_cost():
    text = "Дата;Кампания;Стоимость клика;Расход (с НДС);Расход\n01.03.2026;Бренд;5,00;12,20;10,00\n"
    row = parse_cabinet_csv(text.encode()).rows[0]
    assert (row["cost"], row["cost_includes_vat"]) == (Decimal("10.00"), False)


def test_a_bad_number_names_line_and_column():
    text = "Отчёт\r\nДата;Кампания;Показы;Клики;Расход\r\n01.03.2026;Бренд;100;5;12,3,4\r\n"
    with pytest.raises(FormatError) as info:
        parse_cabinet_csv(text.encode("cp1251"))
    assert str(info.value) == 'line 3, field "Расход": "12,3,4" is not a number'


def test_an_unquoted_separator_inside_a_value_is_caught():
    text = "Дата,Кампания,Показы,Клики,Расход\n01.03.2026,Бренд,100,5,1234,50\n"
    with pytest.raises(FormatError, match="separator ',' without quotes") as info:
        parse_cabinet_csv(text.encode())
    assert info.value.line == 2


def test_empty_date_or_campaign_is_refused():
    with pytest.raises(FormatError, match="the campaign name is empty") as info:
        parse_cabinet_csv("Дата;Кампания;Расход\n01.03.2026; ;10\n".encode())
    assert (info.value.line, info.value.field) == (2, "Кампания")


def test_a_file_without_the_header_is_refused():
    with pytest.raises(FormatError, match="Дата, Кампания and Расход"):
        parse_cabinet_csv("Дата;Показы\n01.03.2026;10\n".encode())


@pytest.mark.parametrize(
    ("name", "platform"),
    [
        ("google_ads_2026-03.csv", "google_ads"),
        ("Google Ads - март.csv", "google_ads"),
        ("adwords.csv", "google_ads"),
        ("meta_march.csv", "meta_ads"),
        ("facebook-2026.csv", "meta_ads"),
        ("FB_stats.csv", "meta_ads"),
        ("instagram.csv", "meta_ads"),
        ("vk_ads_2026-03.csv", "vk_ads"),
        ("myTarget.csv", "vk_ads"),
        ("yandex_direct.csv", "yandex_direct"),
        ("client42/direct-2026-03.csv", "yandex_direct"),
        ("статистика.csv", None),
        ("google_vs_meta.csv", None),  # two platforms: do not guess
        ("feedback.csv", None),  # "fb" must be a word of its own
    ],
)
def test_platform_from_filename(name, platform):
    assert platform_from_filename(name) == platform


def test_the_parser_names_a_missing_cost_column():
    with pytest.raises(
        FormatError, match=r"header has no Расход \(or Стоимость/Затраты/Cost\) column"
    ) as info:
        parse_cabinet_csv("Дата;Кампания;Показы;Клики\r\n01.03.2026;Бренд;10;1\r\n".encode("cp1251"))
    assert info.value.line == 1
