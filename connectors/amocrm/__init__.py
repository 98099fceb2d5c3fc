"""amoCRM API v4: leads (``GET /api/v4/leads``) and their contacts' phone and e-mail
(``GET /api/v4/contacts``) with a long-lived token, the lead parser, and the parser of the
deals export saved from the interface."""

from connectors.amocrm._client import AmoCrmClient
from connectors.amocrm._contacts import Contact
from connectors.amocrm._export import KIND as EXPORT_KIND
from connectors.amocrm._export import parse_amocrm_export
from connectors.amocrm._leads import KIND, parse_leads

__all__ = ["EXPORT_KIND", "KIND", "AmoCrmClient", "Contact", "parse_amocrm_export", "parse_leads"]
