#!/usr/bin/env bash
# Make sure Debian's poppler-utils (pdftoppm) is installed: the report tests turn PDF pages into
# PNGs with it (tests/reports/test_pdf.py). Idempotent and quiet. Needs root (or sudo).
set -euo pipefail
exec bash "$(dirname "$0")/ensure_apt_tool.sh" /usr/bin/pdftoppm poppler-utils
