"""Matching incoming bank payments to the agency's invoices.

Rules, in order, for each incoming payment (outgoing ones are the agency's own spending and
are not matched):

1. **number+inn**: the invoice number(s) found in ``НазначениеПлатежа`` ("Оплата по счету
   № 123 от 01.03.2026", "сч. 123", "счёт №А-17/2026", "по счетам № 12 и 13") belong to an
   invoice of the payer's ИНН. A "от DD.MM.YYYY" after the number picks among invoices of
   the same number from different years. Several numbers match only when the payment equals
   the sum of their outstanding amounts exactly; it is then split, one match per invoice.
2. **inn+amount**: a single number that does not resolve to one invoice, or no number at
   all, falls back to the payer's only open invoice whose outstanding amount equals the
   payment.
3. **unmatched**, with a ``reason``. Unmatched payments are always returned.

Invoice numbers compare case-insensitively, ё = е, Latin look-alike letters = Cyrillic ones,
and leading zeros of digit runs ignored ("А-017" = "a-17"). Payments are applied in the given
order, so a second payment of the same amount does not fall back onto an invoice an earlier
payment already settled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

__all__ = ["Invoice", "MatchMethod", "Payment", "PaymentMatch", "match_payments"]

MatchMethod = Literal["number+inn", "inn+amount", "unmatched"]


@dataclass(frozen=True)
class Payment:
    """One bank-statement document, as ``parse_bank_statement`` returns it (see ``from_row``)."""

    document_number: str
    paid_on: date
    amount: Decimal
    payer_inn: str | None
    purpose: str | None
    direction: Literal["in", "out"] = "in"

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> Payment:
        """A row of ``parse_bank_statement``; ``paid_on`` is ``received_on``, else ``document_date``."""
        paid_on = row.get("received_on") or row["document_date"]
        amount, inn, purpose = row["amount"], row.get("payer_inn"), row.get("purpose")
        if not isinstance(paid_on, date) or not isinstance(amount, Decimal):
            raise TypeError("a bank statement row needs a date and a Decimal amount")
        return cls(
            document_number=str(row["document_number"]),
            paid_on=paid_on,
            amount=amount,
            payer_inn=inn if isinstance(inn, str) else None,
            purpose=purpose if isinstance(purpose, str) else None,
            direction="out" if row.get("direction") == "out" else "in",
        )


@dataclass(frozen=True)
class Invoice:
    """An invoice the agency issued: the payer's ИНН, its number, date, total and what is paid."""

    inn: str
    invoice_number: str
    issued_on: date
    amount: Decimal
    paid_so_far: Decimal = Decimal(0)


@dataclass(frozen=True)
class PaymentMatch:
    """A payment (or, for a split payment, its share) and the invoice it settles, if any."""

    document_number: str
    paid_on: date
    inn: str | None
    amount: Decimal
    invoice_number: str | None
    method: MatchMethod
    reason: str | None = None
    """Why the payment is unmatched; None for matches."""


# A word starting with "сч" (счет, счёт, счету, счетам, сч.) or "с/ч", then an optional "№"/"N".
_KEYWORD = r"(?<![а-яa-z])(?:сч(?:ет(?:ам|ов|у|а|е)?)?\.?|с/ч)(?:\s+на\s+оплату)?\s*(?:№|n\b|no\b|#)?\s*"
_TOKEN = r"(?=[\w/-]*\d)\w[\w/-]*"
_MORE = rf"(?:\s*(?:,|;|и)\s*(?:№\s*)?{_TOKEN})*"
_REFERENCE = re.compile(
    rf"{_KEYWORD}(?P<numbers>{_TOKEN}{_MORE})(?:\s*от\s*(?P<date>\d{{1,2}}\.\d{{1,2}}\.\d{{4}}))?"
)
_SPLIT = re.compile(rf"{_TOKEN}")
_ACCOUNT_NUMBER = re.compile(r"\d{20}")  # "расчетный счет 40702810..." is not an invoice
_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def _normalise(number: str) -> str:
    text = "".join(number.split()).upper().replace("Ё", "Е").translate(_LOOKALIKES)
    return _LEADING_ZEROS.sub("", text.strip(".-/"))


def _references(purpose: str | None) -> tuple[list[str], date | None]:
    """Invoice numbers named in a payment purpose (as written), and the "от" date if any."""
    if not purpose:
        return [], None
    text = purpose.lower().replace("ё", "е")
    numbers: list[str] = []
    when: date | None = None
    for m in _REFERENCE.finditer(text):
        written = purpose[m.start("numbers") : m.end("numbers")]  # lower() keeps positions
        for token in _SPLIT.findall(written):
            token = token.strip(".-/")
            if token and not _ACCOUNT_NUMBER.fullmatch(token) and token not in numbers:
                numbers.append(token)
        if m["date"] and when is None:
            day, month, year = (int(part) for part in m["date"].split("."))
            try:
                when = date(year, month, day)
            except ValueError:
                when = None
    return numbers, when


class _Ledger:
    """Invoices by ИНН with their outstanding amounts, updated as payments are applied."""

    def __init__(self, invoices: Iterable[Invoice]) -> None:
        self.invoices = list(invoices)
        self.outstanding = [inv.amount - inv.paid_so_far for inv in self.invoices]
        self.by_inn: dict[str, list[int]] = {}
        for i, inv in enumerate(self.invoices):
            self.by_inn.setdefault(inv.inn, []).append(i)

    def numbered(self, inn: str, number: str, issued_on: date | None) -> list[int]:
        wanted = _normalise(number)
        found = [i for i in self.by_inn.get(inn, []) if _normalise(self.invoices[i].invoice_number) == wanted]
        if len(found) > 1 and issued_on is not None:
            dated = [i for i in found if self.invoices[i].issued_on == issued_on]
            found = dated or found
        return found

    def open_for(self, inn: str, amount: Decimal) -> list[int]:
        return [
            i for i in self.by_inn.get(inn, []) if self.outstanding[i] > 0 and self.outstanding[i] == amount
        ]

    def apply(self, index: int, amount: Decimal) -> None:
        self.outstanding[index] -= amount


def match_payments(payments: Iterable[Payment], invoices: Iterable[Invoice]) -> list[PaymentMatch]:
    """Match incoming ``payments`` to ``invoices``; one result per payment (two for a split one).

    Results keep the order of ``payments``; outgoing payments are skipped. See the module doc
    for the rules and ``PaymentMatch.reason`` for why a payment stayed unmatched.
    """
    ledger = _Ledger(invoices)
    results: list[PaymentMatch] = []
    for payment in payments:
        if payment.direction == "in":
            results.extend(_match_one(payment, ledger))
    return results


def _match_one(payment: Payment, ledger: _Ledger) -> list[PaymentMatch]:
    def unmatched(reason: str) -> list[PaymentMatch]:
        return [_result(payment, payment.amount, None, "unmatched", reason)]

    inn = payment.payer_inn
    if inn is None:
        return unmatched("the payer has no ИНН")
    if inn not in ledger.by_inn:
        return unmatched(f"no invoice was issued to ИНН {inn}")
    numbers, issued_on = _references(payment.purpose)
    if len(numbers) > 1:
        return _match_several(payment, inn, numbers, issued_on, ledger)
    if len(numbers) == 1:
        found = ledger.numbered(inn, numbers[0], issued_on)
        if len(found) == 1:
            ledger.apply(found[0], payment.amount)
            invoice_number = ledger.invoices[found[0]].invoice_number
            return [_result(payment, payment.amount, invoice_number, "number+inn")]
        why = f"invoice № {numbers[0]} of ИНН {inn} " + ("is ambiguous" if found else "is not found")
    else:
        why = "no invoice number in the payment purpose"
    candidates = ledger.open_for(inn, payment.amount)
    if len(candidates) == 1:
        ledger.apply(candidates[0], payment.amount)
        invoice_number = ledger.invoices[candidates[0]].invoice_number
        return [_result(payment, payment.amount, invoice_number, "inn+amount")]
    if candidates:
        return unmatched(f"{why}, and {len(candidates)} open invoices of ИНН {inn} are for {payment.amount}")
    return unmatched(f"{why}, and no open invoice of ИНН {inn} is for exactly {payment.amount}")


def _match_several(
    payment: Payment, inn: str, numbers: Sequence[str], issued_on: date | None, ledger: _Ledger
) -> list[PaymentMatch]:
    listed = ", ".join(numbers)
    found: list[int] = []
    for number in numbers:
        hits = ledger.numbered(inn, number, issued_on)
        if len(hits) != 1:
            state = "ambiguous" if hits else "not found"
            reason = f"several invoice numbers ({listed}) and invoice № {number} is {state}"
            return [_result(payment, payment.amount, None, "unmatched", reason)]
        found.append(hits[0])
    if sum(ledger.outstanding[i] for i in found) != payment.amount:
        reason = f"several invoice numbers ({listed}) and the amount is not their outstanding total"
        return [_result(payment, payment.amount, None, "unmatched", reason)]
    results = []
    for i in found:
        share = ledger.outstanding[i]
        ledger.apply(i, share)
        results.append(_result(payment, share, ledger.invoices[i].invoice_number, "number+inn"))
    return results


def _result(
    payment: Payment,
    amount: Decimal,
    invoice_number: str | None,
    method: MatchMethod,
    reason: str | None = None,
) -> PaymentMatch:
    return PaymentMatch(
        document_number=payment.document_number,
        paid_on=payment.paid_on,
        inn=payment.payer_inn,
        amount=amount,
        invoice_number=invoice_number,
        method=method,
        reason=reason,
    )
