#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is at /usr/bin/chromium (for the dashboard's
# real-browser smoke test, tests/dashboard/test_browser.py). Idempotent and quiet: does nothing
# when Chromium is already installed. Needs root (or sudo) on a Debian/Ubuntu image.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: apt-get not found; install Chromium so that $CHROMIUM exists" >&2
    exit 1
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure_chromium: run as root (or install sudo) to install Chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Quiet on success; the apt log is shown only when something fails.
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ensure_chromium: installing chromium failed" >&2
    exit 1
fi

if [[ ! -x "$CHROMIUM" ]]; then
    echo "ensure_chromium: chromium was installed but $CHROMIUM is missing" >&2
    exit 1
fi
