"""The report as an A4 PDF, laid out with ReportLab's Platypus.

Every page has the agency's header (logo, name, the client and period) and a footer (the
contact line, "стр. 2 из 5"). Each section (a heading with its table, chart or list) is kept on
one page (``KeepTogether``): a chart or a table is never cut across pages. Text is set in DejaVu
Sans, the Cyrillic TTF that matplotlib ships (so neither needs a system font), embedded in the
file. Numbers are the dashboard's strings (:func:`reports.content.format_value`). The output is
reproducible (ReportLab's invariant mode: no creation time or random document id), so the same
serving file gives the same bytes and the same sha256.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from dashboard import fmt
from dashboard.fmt import Lang
from dashboard.i18n import t
from reports.branding import Branding
from reports.charts import daily_trend_png
from reports.content import Card, ReportContent, Table, format_value
from reports.narrative import shows_as_zero
from reports.periods import period_title

__all__ = ["FONT", "FONT_BOLD", "render_pdf"]

FONT: Final = "DejaVuSans"
FONT_BOLD: Final = "DejaVuSans-Bold"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X: Final = 16 * mm
MARGIN_TOP: Final = 27 * mm
MARGIN_BOTTOM: Final = 18 * mm
CONTENT_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN_X

TEXT: Final = colors.HexColor("#222222")
MUTED: Final = colors.HexColor("#6B7280")
RULE: Final = colors.HexColor("#D9DDE3")
ZEBRA: Final = colors.HexColor("#F5F7FA")
CARD_BACKGROUND: Final = colors.HexColor("#F2F5F9")
GOOD: Final = colors.HexColor("#2E7D32")
BAD: Final = colors.HexColor("#C62828")
CELL_PADDING: Final = 3.0


@cache
def _register_fonts() -> None:
    """DejaVu Sans (regular and bold) from matplotlib's font folder, once per process."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _style(name: str, size: float, *, bold: bool = False, color: Any = TEXT, **extra: Any) -> ParagraphStyle:
    extra.setdefault("leading", size * 1.3)
    return ParagraphStyle(name, fontName=FONT_BOLD if bold else FONT, fontSize=size, textColor=color, **extra)


class _Styles:
    def __init__(self, primary: colors.Color) -> None:
        self.kicker = _style("kicker", 8.5, bold=True, color=primary, spaceAfter=2)
        self.client = _style("client", 20, bold=True, spaceAfter=3)
        self.period = _style("period", 11.5, spaceAfter=2)
        self.note = _style("note", 8, color=MUTED, spaceAfter=1)
        self.heading = _style("heading", 12, bold=True, color=primary, spaceBefore=10, spaceAfter=5)
        self.body = _style("body", 9)
        self.bullet = _style("bullet", 9, leftIndent=10, bulletIndent=0, bulletFontName=FONT, spaceAfter=2.5)
        self.small = _style("small", 7.5, color=MUTED, spaceBefore=3)
        self.card_label = _style("card_label", 8, color=MUTED)
        self.card_value = _style("card_value", 15, bold=True, leading=20)
        self.card_delta = _style("card_delta", 7.5, color=MUTED)
        self.cell = _style("cell", 7.5, leading=9)
        self.cell_bold = _style("cell_bold", 7.5, bold=True, leading=9)
        self.header = _style("header", 7, bold=True, color=colors.white, leading=8.5, alignment=TA_CENTER)
        self.box = _style("box", 9.5, borderPadding=8, backColor=CARD_BACKGROUND, spaceBefore=8, spaceAfter=8)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


# --- page furniture -------------------------------------------------------------------------


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` points (header and footer lines are one line)."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _canvas_class(page_label: Callable[[int, int], str]) -> type[Canvas]:
    """A canvas that knows the page count when it writes the footer's "стр. 2 из 5": pages are
    kept until the document is saved, then numbered."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # ReportLab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillColor(MUTED)
                self.drawRightString(PAGE_WIDTH - MARGIN_X, 9 * mm, page_label(number, total))
                super().showPage()
            super().save()

    return NumberedCanvas


def _page_furniture(
    content: ReportContent, branding: Branding, primary: colors.Color
) -> Callable[[Canvas, Any], None]:
    logo = ImageReader(str(branding.logo)) if branding.logo is not None else None
    right_text = f"{content.client_name} · {period_title(content.figures.requested, content.lang)}"

    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        top = PAGE_HEIGHT - 9 * mm
        x = MARGIN_X
        if logo is not None:
            width, height = logo.getSize()
            box_h, box_w = 11 * mm, 42 * mm
            scale = min(box_h / height, box_w / width)
            canvas.drawImage(logo, x, top - box_h, width * scale, height * scale, mask="auto")
            x += width * scale + 4 * mm
        right = PAGE_WIDTH - MARGIN_X
        if branding.agency_name:
            name = _fit(branding.agency_name, FONT_BOLD, 10.5, (right - x) * 0.55)
            canvas.setFont(FONT_BOLD, 10.5)
            canvas.setFillColor(primary)
            canvas.drawString(x, top - 7 * mm, name)
            x += pdfmetrics.stringWidth(name, FONT_BOLD, 10.5) + 8 * mm
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(right, top - 7 * mm, _fit(right_text, FONT, 7.5, right - x))
        canvas.setStrokeColor(primary)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN_X, top - 13.5 * mm, PAGE_WIDTH - MARGIN_X, top - 13.5 * mm)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, 13 * mm, PAGE_WIDTH - MARGIN_X, 13 * mm)
        if branding.contact_line:
            canvas.setFont(FONT, 7.5)
            canvas.setFillColor(MUTED)
            contact = _fit(branding.contact_line, FONT, 7.5, CONTENT_WIDTH - 35 * mm)
            canvas.drawString(MARGIN_X, 9 * mm, contact)
        canvas.restoreState()

    return draw


# --- cards -----------------------------------------------------------------------------------


def _delta_markup(change: float | None, card: Card, label: str, lang: Lang) -> str:
    """``+50,0 % к пред. периоду``: green when it is good news, red when bad, grey otherwise."""
    color = MUTED
    if change is not None and card.better != "none" and not shows_as_zero(change):
        color = GOOD if (change > 0) == (card.better == "up") else BAD
    text = escape(fmt.delta_percent(change, lang))
    return f'<font color="#{color.hexval()[2:]}"><b>{text}</b></font> {escape(label)}'


def _cards(content: ReportContent, styles: _Styles) -> PdfTable:
    lang = content.lang
    cells: list[list[Sequence[Flowable]]] = []
    row: list[Sequence[Flowable]] = []
    for card in content.cards:
        row.append(
            [
                _p(card.label, styles.card_label),
                _p(format_value(card.value, card.kind, lang), styles.card_value),
                Paragraph(
                    _delta_markup(card.change_previous, card, t("card_vs_previous", lang), lang),
                    styles.card_delta,
                ),
                Paragraph(
                    _delta_markup(card.change_year, card, t("card_vs_year", lang), lang), styles.card_delta
                ),
            ]
        )
        if len(row) == 3:
            cells.append(row)
            row = []
    if row:
        cells.append(row + [[]] * (3 - len(row)))
    width = CONTENT_WIDTH / 3
    table = PdfTable(cells, colWidths=[width] * 3)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), CARD_BACKGROUND),
                ("GRID", (0, 0), (-1, -1), 5, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 9),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


# --- tables ----------------------------------------------------------------------------------


_TEXT_WEIGHTS: Final[dict[str, tuple[float, ...]]] = {
    "passport": (1.3, 3.4, 0.8, 0.7),
    "campaigns": (2.0, 1.1),
}
"""How the text columns of a table share the width left by its numbers (default: the first
column twice as much as any other)."""


def _column_widths(table: Table, texts: list[list[str]], size: float) -> list[float] | None:
    """Numeric columns as wide as their widest value (and their header's longest word); text
    columns share what is left, up to what their longest text needs, and any width still left
    goes to the numbers. None when a text column would get less than 20 mm: the caller sets
    the table smaller."""
    columns = list(table.frame.columns)
    widths: list[float] = []
    text_columns: list[int] = []
    natural: dict[int, float] = {}
    for index, column in enumerate(columns):
        words = str(column).split()
        longest_word = max((pdfmetrics.stringWidth(w, FONT_BOLD, size - 0.5) for w in words), default=0)
        values = [pdfmetrics.stringWidth(row[index], FONT_BOLD, size) for row in texts]
        need = max([longest_word, *values]) + 2 * CELL_PADDING + 1
        if table.kind(column) == "text":
            text_columns.append(index)
            natural[index] = need
            widths.append(0)
        else:
            widths.append(need)
    left = CONTENT_WIDTH - sum(widths)
    if not text_columns:
        return [w * CONTENT_WIDTH / sum(widths) for w in widths]
    weights = _TEXT_WEIGHTS.get(table.key) or tuple(2.0 if i == 0 else 1.0 for i in text_columns)
    shares = {i: left * w / sum(weights) for i, w in zip(text_columns, weights, strict=True)}
    if min(shares.values()) < 20 * mm:
        return None
    for index in text_columns:
        widths[index] = min(shares[index], max(natural[index], 30 * mm))
    surplus = CONTENT_WIDTH - sum(widths)
    numeric = [i for i in range(len(columns)) if i not in shares]
    receivers = numeric or text_columns
    for index in receivers:
        widths[index] += surplus / len(receivers)
    return widths


def _data_table(table: Table, lang: Lang, styles: _Styles, primary: colors.Color) -> PdfTable:
    columns = list(table.frame.columns)
    texts = [
        [format_value(value, table.kind(column), lang) for column, value in zip(columns, row, strict=True)]
        for row in table.frame.itertuples(index=False)
    ]
    size = 7.5
    widths = _column_widths(table, texts, size)
    while widths is None and size > 6:
        size -= 0.5
        widths = _column_widths(table, texts, size)
    cell = ParagraphStyle("cell_fit", parent=styles.cell, fontSize=size, leading=size * 1.2)
    cell_bold = ParagraphStyle("cell_fit_bold", parent=styles.cell_bold, fontSize=size, leading=size * 1.2)
    header = ParagraphStyle(
        "header_fit", parent=styles.header, fontSize=size - 0.5, leading=(size - 0.5) * 1.2
    )
    last = len(texts) - 1
    rows: list[list[Any]] = [[_p(str(c), header) for c in columns]]
    for number, values in enumerate(texts):
        bold = table.total_row and number == last
        rows.append(
            [
                _p(text, cell_bold if bold else cell) if table.kind(column) == "text" else text
                for column, text in zip(columns, values, strict=True)
            ]
        )
    pdf_table = PdfTable(rows, colWidths=widths, repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), primary),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 1), (-1, -1), FONT),
        ("FONTSIZE", (0, 1), (-1, -1), size),
        ("TEXTCOLOR", (0, 1), (-1, -1), TEXT),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
    ]
    for index, column in enumerate(columns):
        if table.kind(column) != "text":
            commands.append(("ALIGN", (index, 1), (index, -1), "RIGHT"))
    for number in range(1, len(rows)):
        if number % 2 == 0:
            commands.append(("BACKGROUND", (0, number), (-1, number), ZEBRA))
    if table.total_row and texts:
        commands += [
            ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, TEXT),
            ("BACKGROUND", (0, -1), (-1, -1), colors.white),
        ]
    pdf_table.setStyle(TableStyle(commands))
    return pdf_table


def _section(title: str, body: Sequence[Flowable], styles: _Styles) -> KeepTogether:
    return KeepTogether([_p(title, styles.heading), *body])


# --- the document ----------------------------------------------------------------------------


def _story(
    content: ReportContent, branding: Branding, styles: _Styles, primary: colors.Color
) -> list[Flowable]:
    lang = content.lang
    story: list[Flowable] = [
        _p(content.title.upper(), styles.kicker),
        _p(content.client_name, styles.client),
        _p(content.period_line, styles.period),
        *(_p(note, styles.note) for note in (*content.notes, content.data_line)),
        Spacer(1, 4 * mm),
        _cards(content, styles),
    ]
    if content.leads_by_type:
        story.append(_p(content.leads_by_type, styles.small))
    if content.no_data is not None:
        story.append(_p(content.no_data, styles.box))
    if content.summary:
        bullets = [Paragraph(escape(s), styles.bullet, bulletText="•") for s in content.summary]
        story.append(_section(t("summary_title", lang), bullets, styles))
    daily = content.table("daily")
    if daily is not None and not content.figures.daily.empty:
        png = daily_trend_png(content.figures.daily, lang, branding.primary_color)
        image = Image(io.BytesIO(png), width=CONTENT_WIDTH, height=CONTENT_WIDTH * 72 / 178)
        story.append(_section(t("trend_title", lang), [image], styles))
    for table in content.tables:
        if not table.in_pdf:
            continue
        body: list[Flowable] = []
        if not table.frame.empty:
            body.append(_data_table(table, lang, styles, primary))
        if table.note:
            body.append(_p(table.note, styles.small))
        story.append(_section(table.title, body, styles))
    # The appendix: where the data comes from, and what each metric means.
    story += [
        PageBreak(),
        _p(t("freshness_title", lang), styles.heading),
        _p(content.freshness[0], styles.body),
    ]
    if len(content.freshness) > 1:
        story.append(_p(" · ".join(content.freshness[1:]), styles.small))
    story += [
        _p(content.passport.title, styles.heading),
        _p(content.passport_intro, styles.body),
        Spacer(1, 3 * mm),
        _data_table(content.passport, lang, styles, primary),
    ]
    return story


def render_pdf(content: ReportContent, branding: Branding) -> bytes:
    """The report as PDF bytes (A4 portrait)."""
    _register_fonts()
    primary = colors.HexColor(branding.primary_color)
    styles = _Styles(primary)
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{content.title}: {content.client_name}, {content.period_line}",
        author=branding.agency_name or "",
        subject=content.period_line,
        creator="agency-reporting",
        lang="ru-RU" if content.lang == "ru" else "en-GB",
        invariant=True,
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body")
    document.addPageTemplates(
        [PageTemplate(id="page", frames=[frame], onPage=_page_furniture(content, branding, primary))]
    )
    lang = content.lang
    document.build(
        _story(content, branding, styles, primary),
        canvasmaker=_canvas_class(lambda page, pages: t("page_of", lang, page=page, pages=pages)),
    )
    return buffer.getvalue()
