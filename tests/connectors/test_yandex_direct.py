import itertools
from datetime import date

import pytest

from connectors.errors import FormatError
from connectors.yandex_direct import DEFAULT_FIELD_NAMES, parse_report_tsv
from tests.connectors.fixtures.make_fixtures import DIRECT_HEADER, DIRECT_ROWS, DIRECT_SUMMARY, DIRECT_TITLE


def body(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def comparable(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in row.items() if k != "_origin_line"} for row in rows]


EXPECTED_FIRST_ROWS = [
    {
        "date": date(2026, 3, 1),
        "campaign_id": "104693586",
        "campaign_name": "prod-mp_krv|ks|app",
        "campaign_type": "MOBILE_APP_CAMPAIGN",
        "impressions": 1520,
        "clicks": 37,
        "cost_micros": 1_234_560_000,
        "conversions": None,
    },
    {
        "date": date(2026, 3, 1),
        "campaign_id": "104692778",
        "campaign_name": " brand_search",
        "campaign_type": "TEXT_CAMPAIGN",
        "impressions": 880,
        "clicks": 41,
        "cost_micros": 2_050_000_000,
        "conversions": 3,
    },
]


def test_full_report_file(fixture_bytes):
    result = parse_report_tsv(fixture_bytes("yandex_direct_report.tsv"))
    assert result.kind == "yandex_direct_tsv"
    assert comparable(result.rows[:2]) == EXPECTED_FIRST_ROWS
    assert result.rows[3]["campaign_name"] == "Бренд | поиск (Москва)"
    assert [row["_origin_line"] for row in result.rows] == [3, 4, 5, 6]
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 3))


@pytest.mark.parametrize(
    ("title", "header", "summary"),
    list(itertools.product([True, False], repeat=3)),
    ids=lambda flag: str(flag),
)
def test_every_combination_of_skip_headers_gives_the_same_rows(title, header, summary):
    lines = [DIRECT_TITLE] * title + [DIRECT_HEADER] * header + DIRECT_ROWS + [DIRECT_SUMMARY] * summary
    result = parse_report_tsv(body(*lines))
    assert comparable(result.rows[:2]) == EXPECTED_FIRST_ROWS
    assert len(result.rows) == 4
    first_data_line = 1 + title + header
    assert result.rows[0]["_origin_line"] == first_data_line
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 3))


def test_the_title_period_wins_over_the_row_dates():
    # A day without any stats has no rows; the period still covers it, so a reload clears it.
    result = parse_report_tsv(
        body('"r (2026-02-27 - 2026-03-05)"', DIRECT_HEADER, DIRECT_ROWS[0], "Total rows: 1")
    )
    assert (result.date_from, result.date_to) == (date(2026, 2, 27), date(2026, 3, 5))


def test_an_empty_report_still_states_its_period():
    result = parse_report_tsv(body('"r (2026-03-01 - 2026-03-01)"', DIRECT_HEADER, "Total rows: 0"))
    assert result.rows == []
    assert result.date_from == result.date_to == date(2026, 3, 1)


def test_a_row_outside_the_title_period_is_refused():
    with pytest.raises(FormatError) as info:
        parse_report_tsv(body('"r (2026-03-02 - 2026-03-03)"', DIRECT_HEADER, *DIRECT_ROWS))
    assert (info.value.line, info.value.field) == (3, "Date")


@pytest.mark.parametrize("count", [3, 5])
def test_total_rows_disagreeing_with_the_body_means_a_truncated_report(count):
    with pytest.raises(FormatError, match=f"Total rows: {count}' but has 4 data rows") as info:
        parse_report_tsv(body(DIRECT_TITLE, DIRECT_HEADER, *DIRECT_ROWS, f"Total rows: {count}"))
    assert info.value.line == 7


def test_a_row_cut_short_is_named_by_its_line():
    cut = DIRECT_ROWS[2].rsplit("\t", 2)[0]
    with pytest.raises(FormatError, match="6 tab-separated fields, expected 8") as info:
        parse_report_tsv(body(DIRECT_TITLE, DIRECT_HEADER, DIRECT_ROWS[0], DIRECT_ROWS[1], cut))
    assert info.value.line == 5


def test_without_a_header_columns_must_be_in_the_default_order():
    assert DEFAULT_FIELD_NAMES[:3] == ("Date", "CampaignId", "CampaignName")
    with pytest.raises(FormatError, match="default field order") as info:
        parse_report_tsv(body("2026-03-01\t1\t100\t5\t1000000"))
    assert info.value.line == 1


def test_money_without_micros_is_converted_to_micros():
    header = "Date\tCampaignId\tImpressions\tClicks\tCost"
    micros = parse_report_tsv(body(header, "2026-03-01\t1\t10\t2\t1234560000", "2026-03-02\t1\t5\t0\t0"))
    dotted = parse_report_tsv(body(header, "2026-03-01\t1\t10\t2\t1234.56", "2026-03-02\t1\t5\t0\t0.00"))
    assert (
        [r["cost_micros"] for r in micros.rows]
        == [r["cost_micros"] for r in dotted.rows]
        == [1_234_560_000, 0]
    )


def test_columns_are_found_by_header_name_and_extra_columns_ignored():
    header = "CampaignId\tAdNetworkType\tDate\tCost\tClicks\tImpressions\tCtr"
    result = parse_report_tsv(body(header, "104692778\tSEARCH\t2026-03-01\t2050000000\t41\t880\t4.66"))
    assert comparable(result.rows) == [
        {
            "date": date(2026, 3, 1),
            "campaign_id": "104692778",
            "campaign_name": None,
            "campaign_type": None,
            "impressions": 880,
            "clicks": 41,
            "cost_micros": 2_050_000_000,
            "conversions": None,
        }
    ]


def test_a_missing_required_column_is_reported():
    with pytest.raises(FormatError, match="no Cost column") as info:
        parse_report_tsv(body("Date\tCampaignId\tImpressions\tClicks", "2026-03-01\t1\t10\t2"))
    assert info.value.line == 1


def test_double_dash_means_no_value_in_any_column():
    row = "2026-03-01\t104693586\t--\t--\t--\t--\t--\t--"
    assert comparable(parse_report_tsv(body(row)).rows) == [
        {
            "date": date(2026, 3, 1),
            "campaign_id": "104693586",
            "campaign_name": None,
            "campaign_type": None,
            "impressions": None,
            "clicks": None,
            "cost_micros": None,
            "conversions": None,
        }
    ]


def test_per_goal_conversions_are_summed_for_one_attribution_model():
    goals = "Conversions_111_LSC\tConversions_222_LSC\tConversions_111_LC"
    header = f"Date\tCampaignId\tImpressions\tClicks\tCost\t{goals}"
    result = parse_report_tsv(body(header, "2026-03-01\t1\t10\t2\t0\t3\t--\t9"))
    assert result.rows[0]["conversions"] == 3


def test_crlf_line_ends_are_tolerated_but_names_stay_exact():
    result = parse_report_tsv(("\r\n".join([DIRECT_HEADER, DIRECT_ROWS[1]]) + "\r\n").encode())
    assert result.rows[0]["campaign_name"] == " brand_search"
    assert result.rows[0]["conversions"] == 3


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("2026-03-32\t1\tn\tTEXT_CAMPAIGN\t1\t1\t1\t1", "Date", "is not a date"),
        ("2026-03-01\tabc\tn\tTEXT_CAMPAIGN\t1\t1\t1\t1", "CampaignId", "is not a campaign id"),
        ("2026-03-01\t1\tn\tTEXT_CAMPAIGN\t1 000\t1\t1\t1", "Impressions", "is not a whole number"),
        ("2026-03-01\t1\tn\tTEXT_CAMPAIGN\t1\t1\t12,5\t1", "Cost", "is not an amount in micros"),
    ],
)
def test_bad_values_name_line_and_field(row, field, message):
    with pytest.raises(FormatError, match=message) as info:
        parse_report_tsv(body(DIRECT_HEADER, row))
    assert (info.value.line, info.value.field) == (2, field)


def test_text_after_the_summary_is_refused():
    with pytest.raises(FormatError, match="after the 'Total rows'"):
        parse_report_tsv(body(DIRECT_HEADER, DIRECT_ROWS[0], "Total rows: 1", DIRECT_ROWS[1]))
