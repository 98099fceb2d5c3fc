"""Russian taxpayer numbers (ИНН) with correct check digits."""

from __future__ import annotations

import random

_W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_W11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_W12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10


def legal_entity_inn(rng: random.Random, tax_office: str) -> str:
    """A 10-digit ИНН of an organisation registered at ``tax_office`` (4 digits, e.g. ``7707``)."""
    digits = [int(c) for c in tax_office] + [rng.randrange(10) for _ in range(5)]
    digits.append(_check(digits, _W10))
    return "".join(map(str, digits))


def individual_inn(rng: random.Random, tax_office: str) -> str:
    """A 12-digit ИНН of an individual entrepreneur (ИП)."""
    digits = [int(c) for c in tax_office] + [rng.randrange(10) for _ in range(6)]
    digits.append(_check(digits, _W11))
    digits.append(_check(digits, _W12))
    return "".join(map(str, digits))
