from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from delivery import Attachment, report_message
from delivery.texts import format_names, period_words, report_subject
from pipelines.load.config import parse_config

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "ru", "en"),
    [
        (D(2026, 10, 1), D(2026, 10, 31), "октябрь 2026", "October 2026"),
        (D(2026, 2, 1), D(2026, 2, 28), "февраль 2026", "February 2026"),
        (D(2026, 7, 1), D(2026, 9, 30), "III квартал 2026", "Q3 2026"),
        (D(2026, 1, 1), D(2026, 12, 31), "2026 год", "2026"),
        (D(2026, 10, 26), D(2026, 11, 1), "неделю 26 октября – 1 ноября 2026",
         "the week of 26 October – 1 November 2026"),
        (D(2026, 12, 28), D(2027, 1, 3), "неделю 28 декабря 2026 – 3 января 2027",
         "the week of 28 December 2026 – 3 January 2027"),
        (D(2026, 10, 1), D(2026, 10, 15), "1–15 октября 2026", "1–15 October 2026"),
        (D(2026, 10, 20), D(2026, 11, 10), "20 октября – 10 ноября 2026", "20 October – 10 November 2026"),
        (D(2026, 10, 5), D(2026, 10, 5), "5 октября 2026", "5 October 2026"),
        (D(2026, 9, 1), D(2026, 10, 31), "1 сентября – 31 октября 2026", "1 September – 31 October 2026"),
    ],
)  # fmt: skip
def test_periods_are_worded_by_what_they_are(start: dt.date, end: dt.date, ru: str, en: str) -> None:
    assert period_words(start, end, "ru") == ru
    assert period_words(start, end, "en") == en


def test_subjects() -> None:
    october = (D(2026, 10, 1), D(2026, 10, 31))
    assert report_subject("ООО «Ромашка»", *october, "ru") == "Отчёт за октябрь 2026 — ООО «Ромашка»"
    assert report_subject("Romashka LLC", *october, "en") == "Report for October 2026 — Romashka LLC"
    with pytest.raises(ValueError, match="ends"):
        period_words(D(2026, 10, 2), D(2026, 10, 1), "ru")


def test_format_names() -> None:
    pdf = Attachment("r.pdf", b"x", "application/pdf")
    xlsx = Attachment("r.xlsx", b"x", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    csv = Attachment("r.csv", b"x", "text/csv")
    assert format_names([pdf], "ru") == "PDF"
    assert format_names([pdf, xlsx], "ru") == "PDF и Excel"
    assert format_names([pdf, xlsx, csv], "en") == "PDF, Excel and CSV"


def test_a_report_message_in_the_clients_language_signed_by_the_agency() -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "agency.example.yaml"
    config = parse_config(yaml.safe_load(example.read_text(encoding="utf-8")))
    pdf = Attachment("Отчёт.pdf", b"%PDF", "application/pdf")
    xlsx = Attachment(
        "Отчёт.xlsx", b"PK", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )

    ru = report_message(config, config.client("romashka"), D(2026, 10, 1), D(2026, 10, 31), [pdf, xlsx])
    assert ru.subject == "Отчёт за октябрь 2026 — ООО «Ромашка»"
    assert ru.text == (
        "Здравствуйте!\n\n"
        "Во вложении отчёт о рекламе и заявках ООО «Ромашка» за октябрь 2026 (PDF и Excel).\n\n"
        "Вопросы по отчёту — вашему менеджеру: Мария Иванова, ivanova@example.ru.\n\n"
        "—\nАгентство «Пример»\nmanager@agency.example.ru\n"
    )
    assert ru.attachments == (pdf, xlsx)

    en = report_message(config, config.client("uralstroy"), D(2026, 10, 26), D(2026, 11, 1), [pdf])
    assert en.subject == "Report for the week of 26 October – 1 November 2026 — АО «УралСтрой»"
    assert "Attached is the advertising and leads report of АО «УралСтрой»" in en.text
    assert "your account manager, Алексей Петров." in en.text  # no e-mail in the configuration
    with pytest.raises(ValueError, match="needs its files"):
        report_message(config, config.client("romashka"), D(2026, 10, 1), D(2026, 10, 31), [])
