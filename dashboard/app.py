"""The agency dashboard: ``streamlit run dashboard/app.py``.

Reads only the published serving DuckDB file (``AGENCY_SERVING_DB``). The sidebar says who is
looking (a manager, or the agency head for all clients; ``AGENCY_DASHBOARD_MANAGER`` locks it to
one manager) and in which language; the clients that viewer may see are passed to every query.
Pages: ``views/portfolio.py`` (Портфель) and ``views/client_report.py`` (Отчёт по клиенту).
"""

from dashboard.shell import run

run()
