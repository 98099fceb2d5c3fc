"""Phone numbers and e-mails as shown without the right to see them whole."""

from __future__ import annotations

import pytest

from dashboard.access import mask_email, mask_phone, show_email, show_phone


@pytest.mark.parametrize(
    "raw",
    [
        "+79991234512",
        "79991234512",
        "89991234512",
        "+7 (999) 123-45-12",
        "8 (999) 123 45 12",
        "8-999-123-45-12",
        "9991234512",
        " +7 999 123.45.12 ",
    ],
)
def test_russian_numbers_keep_the_code_and_the_last_two_digits(raw: str) -> None:
    assert mask_phone(raw) == "+7 999 ***-**-12"


def test_a_moscow_landline() -> None:
    assert mask_phone("8 (495) 123-45-67") == "+7 495 ***-**-67"


def test_another_countrys_number_keeps_only_its_last_two_digits() -> None:
    assert mask_phone("+44 20 7946 0958") == "+*** ***-**-58"
    assert mask_phone("+375291234567") == "+*** ***-**-67"


@pytest.mark.parametrize(
    "raw", ["Иван Петров", "call me: 89991234512", "12345", "+1234567890123456789", "tel:+79991234512", "---"]
)
def test_anything_else_is_masked_whole(raw: str) -> None:
    assert mask_phone(raw) == "***"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_nothing_stays_nothing(raw: str | None) -> None:
    assert mask_phone(raw) == ""
    assert mask_email(raw) == ""


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("ivan.petrov@example.ru", "i***@example.ru"),
        ("Ivan@Example.RU", "I***@example.ru"),
        ("a@b.ru", "***@b.ru"),
        ("info@ромашка.рф", "i***@ромашка.рф"),
    ],
)
def test_emails_keep_the_first_letter_and_the_domain(raw: str, masked: str) -> None:
    assert mask_email(raw) == masked


@pytest.mark.parametrize("raw", ["ivan.petrov", "@example.ru", "ivan@localhost", "a b@c.ru", "x@y@z.ru"])
def test_what_is_not_an_email_is_masked_whole(raw: str) -> None:
    assert mask_email(raw) == "***"


def test_the_right_shows_them_whole() -> None:
    assert show_phone("+79991234512", contacts=True) == "+79991234512"
    assert show_phone("+79991234512", contacts=False) == "+7 999 ***-**-12"
    assert show_email("ivan@example.ru", contacts=True) == "ivan@example.ru"
    assert show_email("ivan@example.ru", contacts=False) == "i***@example.ru"
