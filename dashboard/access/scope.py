"""What a signed-in person (or a client link) may see: a :class:`Scope`.

The scope is computed on the server from the identity and the agency's client directory (client
id -> manager id, plain data the caller passes in); never from the URL or a widget. The pages
feed ``Scope.clients`` to every query (the data module takes ``clients`` on each one) and show
only the pages in ``Scope.pages``.

| role       | clients                                | pages                                  | money      |
|------------|----------------------------------------|----------------------------------------|------------|
| head       | every client                           | all                                    | yes        |
| manager    | the clients whose manager is theirs    | staff pages + invoices                 | yes        |
| specialist | the clients assigned to them           | staff pages                            | no         |
| client     | their one client                       | client report (no sidebar)             | no         |
| a link     | its one client (optionally one period) | client report (+ invoices if allowed)  | if allowed |

The staff pages are the portfolio, the client report, channels, campaigns and the data health;
only the head has the agency page.

"Money" is the agency's money: invoices, payments, receivables, the agency's revenue and fees.
Ad spend is not: it is what specialists manage and what the client's report is about.
Clients outside the directory are never in a scope (a specialist's assignment to a client that
has left the configuration gives nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from dashboard.access.users import User

__all__ = [
    "AGENCY",
    "ALL_PAGES",
    "CAMPAIGNS",
    "CHANNELS",
    "CLIENT_REPORT",
    "DATA_HEALTH",
    "INVOICES",
    "NOTHING",
    "PORTFOLIO",
    "Scope",
    "link_scope",
    "user_scope",
]

PORTFOLIO: Final = "portfolio"
"""All my clients at a glance (the manager's morning)."""
CLIENT_REPORT: Final = "client_report"
"""One client's report for a period."""
CHANNELS: Final = "channels"
"""Results by channel."""
CAMPAIGNS: Final = "campaigns"
"""Campaign-level figures."""
AGENCY: Final = "agency"
"""The agency head's view: every manager's portfolio side by side."""
INVOICES: Final = "invoices"
"""Invoices, payments, receivables and their aging."""
DATA_HEALTH: Final = "data_health"
"""Per client and source: loaded up to, last good load, last error, what to do."""

ALL_PAGES: Final = frozenset({PORTFOLIO, CLIENT_REPORT, CHANNELS, CAMPAIGNS, AGENCY, INVOICES, DATA_HEALTH})
_STAFF_PAGES: Final = frozenset({PORTFOLIO, CLIENT_REPORT, CHANNELS, CAMPAIGNS, DATA_HEALTH})


@dataclass(frozen=True)
class Scope:
    clients: frozenset[str]
    """The client ids that may be shown: pass them to every query."""
    money: bool
    """The agency's money (invoices, receivables, revenue) may be shown."""
    contacts: bool
    """Whole phone numbers and e-mails may be shown (masked otherwise)."""
    pages: frozenset[str]
    """The page codes that may be shown (the constants of this module)."""
    period: str | None = None
    """When set (``2026-10``), the only period that may be shown."""
    sidebar: bool = True
    """Whether the navigation sidebar (other pages, other clients) is shown."""

    def sees(self, client_id: str) -> bool:
        return client_id in self.clients

    def allows(self, page: str) -> bool:
        return page in self.pages


NOTHING: Final = Scope(
    frozenset(), money=False, contacts=False, pages=frozenset(), period=None, sidebar=False
)
"""The scope of nobody (a disabled user)."""


def user_scope(user: User, directory: Mapping[str, str]) -> Scope:
    """What ``user`` may see, given the client directory (client id -> manager id)."""
    if user.disabled:
        return NOTHING
    known = frozenset(directory)
    contacts = user.can_see_contacts
    if user.role == "head":
        return Scope(known, money=True, contacts=contacts, pages=ALL_PAGES)
    if user.role == "manager":
        own = frozenset(
            c for c, m in directory.items() if user.manager_id is not None and m == user.manager_id
        )
        return Scope(own, money=True, contacts=contacts, pages=_STAFF_PAGES | {INVOICES})
    assigned = frozenset(user.clients) & known
    if user.role == "specialist":
        return Scope(assigned, money=False, contacts=contacts, pages=_STAFF_PAGES)
    # a client user: their one client's report
    return Scope(assigned, money=False, contacts=contacts, pages=frozenset({CLIENT_REPORT}), sidebar=False)


def link_scope(client_id: str, *, period: str | None, money: bool) -> Scope:
    """What a client link opens: one client's report (and its invoices when the link allows the
    money), optionally one period, no sidebar, never whole contacts."""
    pages = frozenset({CLIENT_REPORT, INVOICES}) if money else frozenset({CLIENT_REPORT})
    return Scope(
        frozenset({client_id}), money=money, contacts=False, pages=pages, period=period, sidebar=False
    )
