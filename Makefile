# The two commands a newcomer needs:  `make demo`  and  `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv is installed by `setup` when missing; `python3 -m uv` works right after `pip install uv`.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8501
# Dagster's instance: SQLite under $DAGSTER_HOME (default) or ops/dagster-postgres.yaml (README).
DAGSTER_YAML ?= ops/dagster.yaml
DEMO_DIR := data/demo
DEMO_ENV := AGENCY_CONFIG=$(DEMO_DIR)/agency.yaml AGENCY_DATA_DIR=$(DEMO_DIR) \
	AGENCY_INBOX=$(DEMO_DIR)/inbox AGENCY_SERVING_DB=$(DEMO_DIR)/serving/serving.duckdb \
	AGENCY_BUILD_DB=$(CURDIR)/$(DEMO_DIR)/warehouse/build.duckdb DAGSTER_HOME=$(CURDIR)/$(DEMO_DIR)/dagster_home \
	AGENCY_LINK_SECRET=demo-only-link-secret-never-use-it-for-real-clients

.PHONY: help setup demo demo-spark demo-dashboard demo-data demo-refresh demo-dagster dashboard dagster test lint refresh reports demo-reports worker test-spark

help:
	@echo "make demo   - install everything, build the demo agency (full refresh) and start the dashboard"
	@echo "make test   - install everything and run linters, type checks and the test suite"
	@echo "make refresh / dashboard / dagster - the same for your own agency (see README)"
	@echo "make reports PERIOD=2026-10 - every client's PDF and Excel report of a period (see README)"

setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run --frozen dbt parse --quiet --project-dir dbt_project --profiles-dir dbt_project >/dev/null

demo-data: setup
	@rm -rf $(DEMO_DIR)/inbox
	@$(UV) run --frozen python -m demo_agency --out $(DEMO_DIR)

demo-refresh: demo-data
	@mkdir -p $(DEMO_DIR)/dagster_home && cp $(DAGSTER_YAML) $(DEMO_DIR)/dagster_home/dagster.yaml
	@$(DEMO_ENV) $(UV) run --frozen python -m demo_agency.pipeline refresh --full

demo: demo-refresh
	@$(MAKE) --no-print-directory demo-dashboard

# The demo agency refreshed on a local Apache Spark session instead of DuckDB (README: "The refresh
# on Apache Spark"; Java and the optional `spark` group), then the dashboard on what it published.
demo-spark: demo-data
	@bash scripts/ensure_java.sh
	@$(UV) sync --frozen --quiet --compile-bytecode --group spark
	@mkdir -p $(DEMO_DIR)/dagster_home && cp $(DAGSTER_YAML) $(DEMO_DIR)/dagster_home/dagster.yaml
	@$(DEMO_ENV) AGENCY_WAREHOUSE=spark $(UV) run --frozen --group spark python -m demo_agency.pipeline refresh --full
	@$(MAKE) --no-print-directory demo-dashboard

demo-dashboard:
	@$(DEMO_ENV) $(UV) run --frozen python -m demo_agency.users
	@echo "Dashboard: http://localhost:$(PORT)  (Ctrl+C to stop; the Dagster UI: make demo-dagster)"
	@$(DEMO_ENV) $(UV) run --frozen streamlit run dashboard/app.py --server.headless true \
		--server.port $(PORT) --browser.gatherUsageStats false

demo-dagster: setup
	@mkdir -p $(DEMO_DIR)/dagster_home && cp $(DAGSTER_YAML) $(DEMO_DIR)/dagster_home/dagster.yaml
	@$(DEMO_ENV) $(UV) run --frozen dagster dev -m demo_agency.pipeline

# Your own agency: config/agency.yaml (or AGENCY_CONFIG), data/ (or AGENCY_DATA_DIR), .env for tokens.
refresh: setup
	@mkdir -p data/dagster_home && cp $(DAGSTER_YAML) data/dagster_home/dagster.yaml
	@DAGSTER_HOME=$(CURDIR)/data/dagster_home $(UV) run --frozen python -m pipelines refresh

demo-reports: setup
	@$(DEMO_ENV) $(UV) run --frozen python -m reports build --period $(PERIOD)

# Client reports of a period for your own agency: make reports PERIOD=2026-10 (see README).
reports: setup
	@$(UV) run --frozen python -m reports build --period $(PERIOD)

# One Celery worker of the refresh's steps (AGENCY_EXECUTOR=celery, PostgreSQL warehouse; README,
# "Steps on several workers"): make worker WORKER=refresh1 on each machine, one name per worker.
WORKER ?= refresh1
WORKER_CONCURRENCY ?= 1
worker: setup
	@mkdir -p data/dagster_home && cp -n $(DAGSTER_YAML) data/dagster_home/dagster.yaml
	@AGENCY_EXECUTOR=celery DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/data/dagster_home} $(UV) run --frozen \
		celery -A pipelines.defs.celery_app worker -n $(WORKER)@%h --concurrency $(WORKER_CONCURRENCY) \
		-Q dagster --loglevel INFO

dashboard: setup
	@echo "Dashboard: http://localhost:$(PORT)"
	@$(UV) run --frozen streamlit run dashboard/app.py --server.headless true --server.port $(PORT) \
		--browser.gatherUsageStats false

dagster: setup
	@mkdir -p data/dagster_home && cp $(DAGSTER_YAML) data/dagster_home/dagster.yaml
	@DAGSTER_HOME=$(CURDIR)/data/dagster_home $(UV) run --frozen dagster dev -w workspace.yaml

lint: setup
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .
	@$(UV) run --frozen mypy connectors pipelines dashboard demo_agency scripts tests reports delivery alerts
	@AGENCY_BUILD_DB=:memory: $(UV) run --frozen sqlfluff lint dbt_project/models dbt_project/tests

test: setup lint
	@bash scripts/ensure_chromium.sh
	@bash scripts/ensure_poppler.sh
	@bash scripts/ensure_postgres.sh
	@bash scripts/ensure_redis.sh
	@$(UV) run --frozen pytest -q

# The dbt project on Apache Spark (pyspark local mode): the optional `spark` dependency group, Java
# from Debian, and tests_spark/ (not in `make test`: minutes of Spark). Figures: docs/scale-out.md.
test-spark: setup
	@bash scripts/ensure_java.sh
	@$(UV) sync --frozen --quiet --compile-bytecode --group spark
	@AGENCY_SPARK_REPORT=$(CURDIR)/data/spark/last_run.json $(UV) run --frozen --group spark pytest -q tests_spark
