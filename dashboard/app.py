"""The agency dashboard: ``streamlit run dashboard/app.py``.

Reads only the published serving DuckDB file (``AGENCY_SERVING_DB``). People sign in first
(:mod:`dashboard.signin`, ``AGENCY_AUTH``); their scope decides the clients passed to every
query and the pages: ``views/portfolio.py`` (Портфель), ``views/client_report.py`` (Отчёт по
клиенту), ``views/agency.py`` (Агентство, the head only), ``views/data_health.py`` (Состояние
данных).
"""

from dashboard.shell import run

run()
