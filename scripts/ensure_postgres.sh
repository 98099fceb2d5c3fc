#!/usr/bin/env bash
# Make sure Debian's PostgreSQL server programs (initdb, pg_ctl, postgres) are installed: the
# PostgreSQL tests start a throwaway cluster of their own on 127.0.0.1 (tests/postgres.py). The
# package's own cluster, if it made one, is left alone.
# Idempotent and quiet. Needs root (or sudo).
set -euo pipefail
exec bash "$(dirname "$0")/ensure_apt_tool.sh" '/usr/lib/postgresql/*/bin/initdb' postgresql
