"""amoCRM API v4: leads (``GET /api/v4/leads``) and their contacts' phone and e-mail
(``GET /api/v4/contacts``) with a long-lived token, and the lead parser."""

from connectors.amocrm._client import AmoCrmClient
from connectors.amocrm._contacts import Contact
from connectors.amocrm._leads import KIND, parse_leads

__all__ = ["KIND", "AmoCrmClient", "Contact", "parse_leads"]
