#!/usr/bin/env bash
# Creates the project virtualenv in .venv if it is missing or broken, and installs
# Minhu into it (`pip install -e '.[dev]'`) whenever pyproject.toml has changed since
# the last install. A stamp file in .venv records what the installed environment
# was built from, so an unchanged checkout costs nothing.
#
#   scripts/bootstrap.sh             run on its own (also: make venv)
#   source scripts/bootstrap.sh      from run.sh and test.sh, then call minhu_ensure_venv
#
# PYTHON=/path/to/python3.11 picks the interpreter for a new .venv.

MINHU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINHU_VENV="$MINHU_ROOT/.venv"
MINHU_STAMP="$MINHU_VENV/.minhu-install-stamp"

# Prints the interpreter to build .venv with: $PYTHON, else python3.11, else python3
# when it is 3.11 or newer.
minhu_find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "找不到 Python 3.11 / Python 3.11 not found: install python3.11 or set PYTHON=..." >&2
    return 1
}

# What the installed environment depends on: the project's metadata, the
# interpreter and where the checkout lives (an editable install points at it).
minhu_install_fingerprint() {
    {
        cat "$MINHU_ROOT/pyproject.toml"
        "$MINHU_VENV/bin/python" -VV
        echo "$MINHU_ROOT"
    } | sha256sum | cut -d' ' -f1
}

minhu_ensure_venv() {
    local python fingerprint
    if ! "$MINHU_VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        python="$(minhu_find_python)" || return 1
        if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            echo "$python 缺少 venv 模块 / has no venv module: on Debian/Ubuntu run" \
                "'apt-get install python3-venv'" >&2
            return 1
        fi
        echo "==> 创建虚拟环境 / creating .venv ($("$python" -V))"
        "$python" -m venv --clear "$MINHU_VENV" || return 1
    fi
    fingerprint="$(minhu_install_fingerprint)"
    if [[ "$(cat "$MINHU_STAMP" 2>/dev/null)" != "$fingerprint" ]]; then
        echo "==> 安装依赖 / installing minhu[dev] into .venv"
        (cd "$MINHU_ROOT" && "$MINHU_VENV/bin/python" -m pip install --quiet \
            --disable-pip-version-check -e '.[dev]') || return 1
        echo "$fingerprint" >"$MINHU_STAMP"
    fi
    # Front-end packages (htmx, ECharts) from npm, copied into the static files.
    bash "$MINHU_ROOT/scripts/assets.sh" || return 1
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    minhu_ensure_venv
fi
