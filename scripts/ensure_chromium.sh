#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is at /usr/bin/chromium (for the dashboard's
# real-browser smoke test, tests/dashboard/test_browser.py). Idempotent and quiet: does nothing
# when Chromium is already installed. Needs root (or sudo) on a Debian/Ubuntu image.
set -euo pipefail
exec bash "$(dirname "$0")/ensure_apt_tool.sh" /usr/bin/chromium chromium
