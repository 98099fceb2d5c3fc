"""The fast (Arrow) reader of the Direct TSV gives exactly the row parser's rows, or steps aside."""

from __future__ import annotations

import itertools
import random

import pyarrow as pa
import pytest

from connectors.errors import FormatError
from connectors.files import detect_file
from connectors.yandex_direct import parse_report_tsv
from connectors.yandex_direct._fast import REPORT_ARROW_SCHEMA, parse_report_table
from tests.connectors.fixtures.make_fixtures import DIRECT_HEADER, DIRECT_ROWS, DIRECT_SUMMARY, DIRECT_TITLE


def body(*lines: str, newline: str = "\n", encoding: str = "utf-8") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


SHORT = "Date\tCampaignId\tImpressions\tClicks\tCost"


def assert_same_as_row_parser(content: bytes) -> None:
    fast = parse_report_table(content)
    assert fast is not None, "the fast reader stepped aside on a file it should read"
    slow = parse_report_tsv(content)
    assert fast.table.schema.equals(REPORT_ARROW_SCHEMA)
    assert fast.table.to_pylist() == slow.rows
    assert fast.table.equals(pa.Table.from_pylist(slow.rows, schema=REPORT_ARROW_SCHEMA))
    assert (fast.kind, fast.date_from, fast.date_to) == (slow.kind, slow.date_from, slow.date_to)


def test_the_fixture(fixture_bytes):
    assert_same_as_row_parser(fixture_bytes("yandex_direct_report.tsv"))


@pytest.mark.parametrize("parts", list(itertools.product([True, False], repeat=3)), ids=str)
def test_every_combination_of_title_header_and_summary(parts):
    title, header, summary = parts
    lines = [DIRECT_TITLE] * title + [DIRECT_HEADER] * header + DIRECT_ROWS + [DIRECT_SUMMARY] * summary
    assert_same_as_row_parser(body(*lines))
    assert_same_as_row_parser(body(*lines, newline="\r\n"))
    assert_same_as_row_parser(b"\xef\xbb\xbf" + body(*lines))
    assert_same_as_row_parser(body(*lines)[:-1])  # no line end after the last line


@pytest.mark.parametrize(
    "lines",
    [
        ['"r (2026-02-27 - 2026-03-05)"', DIRECT_HEADER, DIRECT_ROWS[0], "Total rows: 1"],
        ['"r (2026-03-01 - 2026-03-01)"', DIRECT_HEADER, "Total rows: 0"],
        ['"r (2026-03-01 - 2026-03-01)"', DIRECT_HEADER],
        ['"a title the row parser does not read a period from"', DIRECT_HEADER, *DIRECT_ROWS],
        ["Total rows: 0"],
        [DIRECT_HEADER],
        [
            "CampaignId\tAdNetworkType\tDate\tCost\tClicks\tImpressions\tCtr",
            "1\tSEARCH\t2026-03-01\t5\t4\t3\t4",
        ],
        [SHORT, "2026-03-01\t1\t10\t2\t1234.56", "2026-03-02\t1\t5\t0\t0"],
        [SHORT, "2026-03-01\t1\t1\t2\t-0.0000005", "2026-03-02\t1\t5\t0\t--"],
        [SHORT, "2026-03-01\t1\t1\t2\t0.0000015", "2026-03-02\t1\t5\t0\t7"],
        [SHORT + "\tCost", "2026-03-01\t1\t1\t2\t5\t9"],  # the first Cost counts
        [
            "Date\tCampaignId\tImpressions\tClicks\tCost\tConversions_111_LSC\tConversions_222_LSC\tConversions_111_LC",
            "2026-03-01\t1\t10\t2\t0\t3\t--\t9",
            "2026-03-02\t1\t10\t2\t0\t--\t--\t9",
            "2026-03-03\t1\t10\t2\t0\t-1\t4\t9",
        ],
        ["2026-03-01\t104693586\t--\t--\t--\t--\t--\t--"],
        ['2026-03-01\t007\t"quoted" name\t\t-0\t00\t-12\t--'],
    ],
)
def test_shapes_the_row_parser_reads(lines):
    assert_same_as_row_parser(body(*lines))


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (body(DIRECT_HEADER, "", *DIRECT_ROWS), "a blank line"),
        (body("", DIRECT_HEADER, *DIRECT_ROWS), "a blank first line"),
        (body(DIRECT_HEADER, *DIRECT_ROWS, "", DIRECT_SUMMARY), "a blank line before the summary"),
        (body(DIRECT_HEADER, *DIRECT_ROWS, encoding="cp1251"), "Windows-1251"),
        (body(DIRECT_HEADER, *DIRECT_ROWS, encoding="utf-16"), "UTF-16"),
        (body(DIRECT_HEADER, DIRECT_ROWS[0].replace("\t1520", "\t1\r520")), "a lone CR inside a row"),
        (body(DIRECT_HEADER, DIRECT_ROWS[0].replace("2026-03-01", " 2026-03-01")), "a space before a date"),
        (body(DIRECT_HEADER, DIRECT_ROWS[0].replace("\t1520", "\t١٥٢٠")), "Arabic-Indic digits"),
        (body(DIRECT_HEADER, DIRECT_ROWS[0].replace("\t37\t", "\t" + "9" * 30 + "\t")), "too big for BIGINT"),
    ],
)
def test_what_only_the_row_parser_can_decide_goes_to_it(content, why):
    assert parse_report_table(content) is None, why
    try:
        expected = parse_report_tsv(content)
    except FormatError as exc:
        with pytest.raises(FormatError) as info:
            detect_file(content, "direct.tsv").parse_table()
        assert str(info.value) == str(exc)
    else:
        assert detect_file(content, "direct.tsv").parse_table() == expected


@pytest.mark.parametrize(
    "lines",
    [
        ['"r (2026-03-02 - 2026-03-03)"', DIRECT_HEADER, *DIRECT_ROWS],  # a row outside the period
        [DIRECT_TITLE, DIRECT_HEADER, *DIRECT_ROWS, "Total rows: 3"],
        [DIRECT_TITLE, DIRECT_HEADER, DIRECT_ROWS[0], DIRECT_ROWS[1].rsplit("\t", 2)[0]],
        ["2026-03-01\t1\t100\t5\t1000000"],
        ["Date\tCampaignId\tImpressions\tClicks", "2026-03-01\t1\t10\t2"],
        [DIRECT_HEADER, "2026-03-32\t1\tn\tTEXT_CAMPAIGN\t1\t1\t1\t1"],
        [DIRECT_HEADER, "0000-03-01\t1\tn\tTEXT_CAMPAIGN\t1\t1\t1\t1"],
        [DIRECT_HEADER, "2026-03-01\tabc\tn\tTEXT_CAMPAIGN\t1\t1\t1\t1"],
        [DIRECT_HEADER, "2026-03-01\t1\tn\tTEXT_CAMPAIGN\t1 000\t1\t1\t1"],
        [DIRECT_HEADER, "2026-03-01\t1\tn\tTEXT_CAMPAIGN\t1\t1\t12,5\t1"],
        [DIRECT_HEADER, "2026-03-01\t1\tn\tTEXT_CAMPAIGN\t1\t1\t0x10\t1"],
        [DIRECT_HEADER, "2026-03-01\t1\tn\tTEXT_CAMPAIGN\t1\t-\t1\t1"],
        [DIRECT_HEADER, "2026-03-01\t1\tn\tTEXT_CAMPAIGN\t1\t1\t1.5e3\t1"],
        [DIRECT_HEADER, DIRECT_ROWS[0], "Total rows: 1", DIRECT_ROWS[1]],
        ['"r (2026-03-05 - 2026-03-01)"', DIRECT_HEADER],
    ],
)
def test_a_bad_file_gets_the_row_parsers_error(lines):
    content = body(*lines)
    assert parse_report_table(content) is None
    with pytest.raises(FormatError) as expected:
        parse_report_tsv(content)
    with pytest.raises(FormatError) as got:
        detect_file(content, "direct.tsv").parse_table()
    assert (str(got.value), got.value.line, got.value.field) == (
        str(expected.value),
        expected.value.line,
        expected.value.field,
    )


NAMES = [" brand_search", "Бренд | поиск (Москва)", 'a "quoted" name', "prod-mp_krv|ks|app", "--", "x;y,z"]
TYPES = ["TEXT_CAMPAIGN", "UNIFIED_CAMPAIGN", "MOBILE_APP_CAMPAIGN", "--"]


def generated_report(rows: int, *, dotted: bool, seed: int) -> bytes:
    rng = random.Random(seed)
    lines = ['"generated (2026-01-01 - 2026-12-31)"', DIRECT_HEADER]
    for i in range(rows):
        day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        micros = str(rng.randint(0, 10**11))
        cost = f"{rng.randint(0, 10**6)}.{rng.randint(0, 10**7):07d}" if dotted else micros
        cells = [
            day,
            str(rng.randint(1, 10**9)),
            rng.choice(NAMES),
            rng.choice(TYPES),
            rng.choice(["--", str(rng.randint(0, 10**6))]),
            str(rng.randint(0, 10**4)),
            "--" if i % 97 == 0 else cost,
            rng.choice(["--", "0", str(rng.randint(0, 50))]),
        ]
        lines.append("\t".join(cells))
    lines.append(f"Total rows: {rows}")
    return body(*lines)


@pytest.mark.parametrize("dotted", [False, True], ids=["micros", "dotted money"])
def test_a_generated_200k_row_report_gives_the_same_rows(dotted):
    assert_same_as_row_parser(generated_report(200_000, dotted=dotted, seed=18))


@pytest.mark.parametrize(
    ("tail", "decoded_whole"),
    [
        ("", False),  # UTF-8 throughout: told from its first lines, the rest only checked by Arrow
        ("\xa0", True),  # a Windows-1251 byte after the first 64 KB: decoded whole, as always
    ],
)
def test_a_big_report_is_told_from_its_head_only_when_it_is_utf8_throughout(
    monkeypatch: pytest.MonkeyPatch, tail: str, decoded_whole: bool
) -> None:
    from connectors import files
    from connectors._text import decode_text

    row = "2026-11-01\t104693586\t Бренд | поиск\tTEXT_CAMPAIGN\t1520\t37\t1234560000\t--"
    content = body(DIRECT_TITLE, DIRECT_HEADER, *[row] * 2000) + tail.encode("cp1251") + b"\n"
    assert len(content) > 2 * 65536
    decoded: list[int] = []

    def counting_decode(data: bytes) -> str:
        decoded.append(len(data))
        return decode_text(data)

    monkeypatch.setattr(files, "decode_text", counting_decode)
    assert detect_file(content, "report.tsv").kind == "yandex_direct_tsv"
    assert decoded == ([len(content)] if decoded_whole else [])
