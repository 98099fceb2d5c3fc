"""Every word delivery puts in front of a client, in Russian and English, in one place.

A report's subject names the period and the client ("Отчёт за октябрь 2026 — ООО «Ромашка»",
"Report for October 2026 — ..."); its body says what is attached and whom to ask, and ends with
the agency's contact line. The same text serves e-mail and Telegram (a caption), so it says
nothing of "this letter". Periods are worded from their first and last day: a calendar month,
quarter or year by name, a Monday-to-Sunday week as a week, anything else as a range of days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from delivery.message import Attachment, Message
from pipelines.load.config import AgencyConfig, Client

__all__ = [
    "Lang",
    "format_names",
    "period_words",
    "report_message",
    "report_subject",
    "report_text",
]

Lang = Literal["ru", "en"]

_MONTHS_RU = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
_MONTHS_RU_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_QUARTERS_RU = ("I", "II", "III", "IV")

_FORMAT_NAMES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-excel": "Excel",
    "text/csv": "CSV",
}

_WORDS: dict[Lang, dict[str, str]] = {
    "ru": {
        "subject": "Отчёт за {period} — {client}",
        "corrected_subject": "Исправленный отчёт за {period} — {client}",
        "corrected": "Мы исправили отчёт: {reason}. Эта версия заменяет отправленную ранее.",
        "hello": "Здравствуйте!",
        "attached": "Во вложении отчёт о рекламе и заявках {client} за {period} ({formats}).",
        "manager": "Вопросы по отчёту — вашему менеджеру: {manager}.",
        "and": "и",
        "week": "неделю {range}",
    },
    "en": {
        "subject": "Report for {period} — {client}",
        "corrected_subject": "Corrected report for {period} — {client}",
        "corrected": "We have corrected the report: {reason}. This version replaces the one sent before.",
        "hello": "Hello,",
        "attached": "Attached is the advertising and leads report of {client} for {period} ({formats}).",
        "manager": "Questions about the report: your account manager, {manager}.",
        "and": "and",
        "week": "the week of {range}",
    },
}


def _last_of_month(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _day(day: dt.date, lang: Lang, *, year: bool) -> str:
    if lang == "ru":
        text = f"{day.day} {_MONTHS_RU_GENITIVE[day.month - 1]}"
    else:
        text = f"{day.day} {_MONTHS_EN[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def _range(start: dt.date, end: dt.date, lang: Lang) -> str:
    if start == end:
        return _day(start, lang, year=True)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{_day(end, lang, year=True)}"
    return f"{_day(start, lang, year=start.year != end.year)} – {_day(end, lang, year=True)}"


def period_words(start: dt.date, end: dt.date, lang: Lang) -> str:
    """The period as it follows "Отчёт за" / "Report for": ``октябрь 2026``, ``October 2026``,
    ``III квартал 2026``, ``Q3 2026``, ``2026 год``, ``неделю 26 октября – 1 ноября 2026``,
    ``the week of 26 October – 1 November 2026``, ``1–15 октября 2026``."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    whole_months = start.day == 1 and end == _last_of_month(end)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if whole_months and months == 1:
        name = _MONTHS_RU[start.month - 1] if lang == "ru" else _MONTHS_EN[start.month - 1]
        return f"{name} {start.year}"
    if whole_months and months == 3 and start.month % 3 == 1:
        quarter = (start.month - 1) // 3
        return (
            f"{_QUARTERS_RU[quarter]} квартал {start.year}"
            if lang == "ru"
            else f"Q{quarter + 1} {start.year}"
        )
    if whole_months and months == 12 and start.month == 1:
        return f"{start.year} год" if lang == "ru" else str(start.year)
    if start.weekday() == 0 and end - start == dt.timedelta(days=6):
        return _WORDS[lang]["week"].format(range=_range(start, end, lang))
    return _range(start, end, lang)


def format_names(attachments: Sequence[Attachment], lang: Lang) -> str:
    """``PDF и Excel`` / ``PDF and Excel``: the kinds of the attached files."""
    names: list[str] = []
    for attachment in attachments:
        suffix = attachment.filename.rpartition(".")[2].upper() if "." in attachment.filename else "file"
        name = _FORMAT_NAMES.get(attachment.mime_type, suffix)
        if name not in names:
            names.append(name)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {_WORDS[lang]['and']} {names[-1]}"


def report_subject(
    client_name: str, start: dt.date, end: dt.date, lang: Lang, *, corrected: bool = False
) -> str:
    """``Отчёт за октябрь 2026 — ООО «Ромашка»`` / ``Report for October 2026 — ООО «Ромашка»``;
    ``Исправленный отчёт за ...`` / ``Corrected report for ...`` for a correction."""
    words = _WORDS[lang]["corrected_subject" if corrected else "subject"]
    return words.format(period=period_words(start, end, lang), client=client_name)


def report_text(
    client_name: str,
    start: dt.date,
    end: dt.date,
    lang: Lang,
    *,
    attachments: Sequence[Attachment],
    agency: str,
    contact: str | None = None,
    manager: str | None = None,
    correction: str | None = None,
) -> str:
    """The body: greeting, what is attached, what was corrected (``correction``: the reason, for a
    corrected report), whom to ask (``manager``: name and e-mail), and the agency's name with its
    ``contact`` line (the address replies go to)."""
    words = _WORDS[lang]
    lines = [
        words["hello"],
        "",
        words["attached"].format(
            client=client_name,
            period=period_words(start, end, lang),
            formats=format_names(attachments, lang),
        ),
    ]
    if correction:
        lines += ["", words["corrected"].format(reason=correction.strip().rstrip("."))]
    if manager:
        lines += ["", words["manager"].format(manager=manager)]
    lines += ["", "—", agency]
    if contact:
        lines.append(contact)
    return "\n".join(lines) + "\n"


def report_message(
    config: AgencyConfig,
    client: Client,
    start: dt.date,
    end: dt.date,
    attachments: Sequence[Attachment],
    *,
    correction: str | None = None,
) -> Message:
    """A client's report for ``start``-``end`` as a message in the client's language
    (``language``), signed by the agency, naming the client's manager; ``correction`` (the reason,
    in the client's words) makes it a corrected report."""
    if not attachments:
        raise ValueError("a report message needs its files")
    lang: Lang = client.language
    manager = next((m for m in config.managers if m.id == client.manager), None)
    manager_line = None
    if manager is not None:
        manager_line = f"{manager.name}, {manager.email}" if manager.email else manager.name
    contact = config.delivery.reply_to or config.delivery.sender_address
    return Message(
        subject=report_subject(client.name, start, end, lang, corrected=correction is not None),
        text=report_text(
            client.name,
            start,
            end,
            lang,
            attachments=attachments,
            agency=config.agency.name,
            contact=contact,
            manager=manager_line,
            correction=correction,
        ),
        attachments=tuple(attachments),
    )
