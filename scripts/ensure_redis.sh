#!/usr/bin/env bash
# Make sure Debian's Redis server (redis-server) is installed: the Celery test starts a
# throwaway Redis of its own on 127.0.0.1 (tests/redis.py) as the broker of its workers. The
# package's own service, if it started one, is left alone.
# Idempotent and quiet. Needs root (or sudo).
set -euo pipefail
exec bash "$(dirname "$0")/ensure_apt_tool.sh" '/usr/bin/redis-server' redis-server
