"""amoCRM API v4: leads (``GET /api/v4/leads``) with a long-lived token, and their parser."""

from connectors.amocrm._client import AmoCrmClient
from connectors.amocrm._leads import KIND, parse_leads

__all__ = ["KIND", "AmoCrmClient", "parse_leads"]
