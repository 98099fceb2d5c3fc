#!/usr/bin/env bash
# Make sure a program from a Debian package is installed: ensure_apt_tool.sh <path> <package>.
# <path> may be a glob (PostgreSQL's programs live under /usr/lib/postgresql/<major>/bin, and the
# major follows the Debian release): any executable match will do.
# Idempotent and quiet: does nothing when <path> is already executable. Needs root (or sudo)
# on a Debian/Ubuntu image. Used by ensure_chromium.sh, ensure_poppler.sh and ensure_postgres.sh
# (test set-up).
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <path of the program> <Debian package>" >&2
    exit 2
fi
TOOL="$1"
PACKAGE="$2"

present() {
    local match
    while IFS= read -r match; do
        [[ -x "$match" ]] && return 0
    done < <(compgen -G "$TOOL" || true)
    return 1
}

if present; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure $PACKAGE: apt-get not found; install $PACKAGE so that $TOOL exists" >&2
    exit 1
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure $PACKAGE: run as root (or install sudo) to install $PACKAGE" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Quiet on success; the apt log is shown only when something fails.
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$PACKAGE"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ensure $PACKAGE: installing $PACKAGE failed" >&2
    exit 1
fi

if ! present; then
    echo "ensure $PACKAGE: $PACKAGE was installed but $TOOL is missing" >&2
    exit 1
fi
