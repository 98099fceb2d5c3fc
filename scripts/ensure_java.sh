#!/usr/bin/env bash
# Make sure Java is installed for pyspark (`make test-spark`): Debian's headless OpenJDK
# (default-jre-headless: 17 on bookworm; Spark 4 needs 17 or 21). Idempotent and quiet.
set -euo pipefail
if command -v java >/dev/null 2>&1; then
    exit 0
fi
exec bash "$(dirname "$0")/ensure_apt_tool.sh" '/usr/lib/jvm/*/bin/java' default-jre-headless
