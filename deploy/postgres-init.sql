-- Run once by the postgres image on an empty volume (/docker-entrypoint-initdb.d), as the
-- superuser: two roles and two databases, each role owning its own.
--   agency   the warehouse: raw, staging, intermediate, marts, serving, pipeline (AGENCY_PG_*)
--   dagster  Dagster's runs, events and schedules (DAGSTER_PG_*)
-- The passwords come from the container's environment (deploy/.env), read with psql's \getenv.
-- UTF-8 with a UTF-8 LC_CTYPE: lower() must fold Cyrillic (README, the refresh on PostgreSQL).
\getenv agency_password AGENCY_PG_PASSWORD
\getenv dagster_password DAGSTER_PG_PASSWORD

CREATE ROLE agency LOGIN PASSWORD :'agency_password';
CREATE ROLE dagster LOGIN PASSWORD :'dagster_password';

CREATE DATABASE agency OWNER agency TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';
CREATE DATABASE dagster OWNER dagster TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';

REVOKE ALL ON DATABASE agency FROM PUBLIC;
REVOKE ALL ON DATABASE dagster FROM PUBLIC;
