"""amoCRM API v4 contacts (``GET /api/v4/contacts``): a contact's first phone and e-mail.

What was read in amoCRM's developer docs (amocrm.ru/developers/content/crm_platform/contacts-api,
the filters page crm_platform/filters-api and its English twin api_v4/filters_api):

- ``GET /api/v4/contacts`` takes ``page``, ``limit`` (at most 250), ``filter``, ``order``
  (``updated_at`` or ``id``) and ``with``; success is ``application/hal+json``, errors
  ``application/problem+json``, 401 means "not authorised";
- ``filter[id]`` is a "multiple" filter (int or array): ``filter[id][]=1&filter[id][]=2``;
  the filters page calls filtering an alpha available to some accounts, so an account that
  ignores the filter is tolerated: contacts not asked for are dropped;
- a contact has ``id``, ``name``, ``first_name``, ``last_name``, ... and
  ``custom_fields_values`` (null or a list of ``{"field_id", "field_name", "field_code",
  "field_type", "values": [{"value", "enum_id", "enum_code"}]}``).

What is inferred, not read:

- the list envelope (``_page``, ``_links.next``, ``_embedded.contacts``) and an empty list as
  HTTP 204, as for leads (see ``_leads``);
- the phone and e-mail are the system multitext fields with ``field_code`` ``PHONE`` and
  ``EMAIL`` (``enum_code`` ``WORK``, ``MOB``, ``PRIV``...); the first value of the first such
  field is taken, whatever its ``enum_code``. Both are personal data, kept as given (the
  pipeline masks them).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors._json import json_int, load_json
from connectors._result import convert
from connectors.amocrm._leads import first_field_values
from connectors.errors import FormatError

__all__ = ["Contact", "contact_of", "read_contact_page"]

_PHONE = "PHONE"
_EMAIL = "EMAIL"


@dataclass(frozen=True)
class Contact:
    """A contact's id, first phone and first e-mail (None when it has none)."""

    id: int
    phone: str | None
    email: str | None


def contact_of(record: object, path: str) -> Contact:
    """One contact object -> its id, first phone and first e-mail."""
    if not isinstance(record, dict):
        raise FormatError("expected a contact object", field=path)
    contact_id = convert(json_int, record.get("id"), field=f"{path}.id")
    if contact_id is None:
        raise FormatError("the contact id is missing", field=f"{path}.id")
    try:
        found = first_field_values(record, path, {_PHONE: _PHONE, _EMAIL: _EMAIL})
    except FormatError as exc:
        raise FormatError(f"contact {contact_id}: {exc.reason}", field=exc.field) from None
    return Contact(contact_id, found[_PHONE], found[_EMAIL])


def read_contact_page(content: bytes) -> tuple[list[object], bool]:
    """The contact objects of a ``/api/v4/contacts`` reply and whether ``_links.next`` asks for more."""
    if not content.strip():
        return [], False  # HTTP 204: none of the contacts asked for
    body = load_json(content)
    if not isinstance(body, dict):
        raise FormatError("expected an amoCRM contact list object")
    embedded = body.get("_embedded")
    contacts = embedded.get("contacts") if isinstance(embedded, dict) else None
    if not isinstance(contacts, list):
        reason = 'no "_embedded.contacts" list: not an amoCRM /api/v4/contacts reply'
        raise FormatError(reason, field="_embedded.contacts")
    links = body.get("_links")
    has_next = isinstance(links, dict) and isinstance(links.get("next"), dict)
    return contacts, has_next
