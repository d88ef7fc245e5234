#!/usr/bin/env bash
# make test: lint, then the whole test suite twice, on SQLite and on PostgreSQL.
#
#   scripts/test.sh [pytest arguments]       e.g. scripts/test.sh -k workcal -x
#
# Steps: set up .venv (install only when pyproject.toml changed), prerequisites of the
# browser tests, `ruff check minhu`, pytest on SQLite (in memory), the browser tests
# (tests_browser/) on SQLite, pytest on PostgreSQL at $MINHU_TEST_POSTGRES_URL
# (pytest-django creates and drops test_<name>), the browser tests on PostgreSQL (they
# create and drop <name>_browser_<pid>). Every step runs even when an earlier one
# failed; the exit status is non-zero if any failed. pytest's "no tests collected"
# (exit 5) counts as a failure, unless arguments given here select nothing in a step.
#
# PostgreSQL unreachable: skipped with a notice, except with CI=true, where that is a
# failure. Set MINHU_TEST_POSTGRES_URL to use another server or database name (two
# checkouts testing against one server at the same time need different names).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh

PG_URL="${MINHU_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/minhu}"
PYTEST_ARGS=("$@")
USER_ARG_COUNT=$#
if [[ -t 1 ]]; then
    PYTEST_ARGS=(--color=yes "${PYTEST_ARGS[@]}")
fi

PYTEST_LOG="$(mktemp)"
trap 'rm -f "$PYTEST_LOG"' EXIT
# pytest exits normally on Ctrl-C, so without this the next step would start.
trap 'echo; echo "已中断 / interrupted"; exit 130' INT TERM

failed_steps=()    # names of the steps that failed
report=()          # one line per step for the closing summary
total_passed=0
total_failed=0
total_skipped=0

# Browser tests: Playwright (a Python package of the dev extras, already in .venv)
# drives Debian's /usr/bin/chromium; no browser is ever downloaded. Chromium and CJK
# fonts come from apt when missing. If that fails the browser tests skip themselves,
# or fail under CI=true.
install_browser_test_prerequisites() {
    local missing=() sudo_cmd=()
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)
    dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
    # pdftoppm renders a printed QR sheet so a test can scan the code back.
    command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
    ((${#missing[@]})) || return 0
    if [[ "$(id -u)" != 0 ]]; then
        sudo_cmd=(sudo -n)
    fi
    echo "==> apt-get install ${missing[*]} (浏览器测试 / for the browser tests)"
    if ! { "${sudo_cmd[@]}" apt-get update -qq &&
        "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq "${missing[@]}"; }; then
        echo "无法安装 ${missing[*]}，浏览器测试将被跳过 / could not install" \
            "${missing[*]}: the browser tests will be skipped" >&2
    fi
}

run_ruff() {
    echo "==> ruff check minhu"
    if "$MINHU_VENV/bin/ruff" check minhu; then
        report+=("ruff:        ok")
    else
        report+=("ruff:        FAILED")
        failed_steps+=("ruff")
    fi
}

# Adds the counts of a pytest summary line ("3 failed, 40 passed, 2 skipped in 4.1s")
# to the totals.
count_results() {
    local summary="$1" n word
    n="$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || true)"
    total_passed=$((total_passed + ${n:-0}))
    for word in 'failed' 'errors?'; do
        n="$(grep -oE "[0-9]+ $word" <<<"$summary" | grep -oE '[0-9]+' || true)"
        total_failed=$((total_failed + ${n:-0}))
    done
    n="$(grep -oE '[0-9]+ skipped' <<<"$summary" | grep -oE '[0-9]+' || true)"
    total_skipped=$((total_skipped + ${n:-0}))
}

# run_pytest LABEL [VAR=value ...] [-- ARG ...]: pytest with the given environment
# changes, and the given arguments before the ones this script was called with.
run_pytest() {
    local label="$1" status summary changes=()
    shift
    while (($#)) && [[ "$1" != "--" ]]; do
        changes+=("$1")
        shift
    done
    if (($#)); then
        shift
    fi
    echo "==> pytest ($label)"
    set +e
    env -u DATABASE_URL -u REDIS_URL -u MINHU_HUEY_IMMEDIATE "${changes[@]}" \
        "$MINHU_VENV/bin/python" -m pytest "$@" "${PYTEST_ARGS[@]}" 2>&1 | tee "$PYTEST_LOG"
    status="${PIPESTATUS[0]}"
    set -e
    # pytest's closing line, e.g. "12 passed, 1 skipped in 3.40s", without colours.
    summary="$(sed -E 's/\x1b\[[0-9;]*m//g' "$PYTEST_LOG" |
        grep -E '^=* ?[0-9a-z ,]+ in [0-9.]+s( \([0-9:.]+\))? ?=*$' |
        tail -n 1 | sed -E 's/^=+ //; s/ =+$//' || true)"
    summary="${summary:-no pytest summary line}"
    count_results "$summary"
    case "$status" in
    0) ;;
    5)
        if ((USER_ARG_COUNT)); then
            # The arguments (e.g. -k workcal) selected nothing in this step: no failure.
            summary="no test selected by the arguments"
            status=0
        else
            summary="$summary — FAILED: no tests collected (exit 5)"
        fi
        ;;
    *) summary="$summary — FAILED (exit $status)" ;;
    esac
    if [[ "$status" != 0 ]]; then
        failed_steps+=("pytest ($label)")
    fi
    report+=("$(printf '%-12s %s' "$label:" "$summary")")
    echo "$label: $summary"
}

# Prints host:port of $PG_URL; succeeds if a server there accepts a connection within
# 3 seconds. Connects to the "postgres" database, where the test database is created.
postgres_reachable() {
    "$MINHU_VENV/bin/python" - "$PG_URL" <<'EOF'
import sys

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

params = conninfo_to_dict(sys.argv[1])
print(f"{params.get('host', 'localhost')}:{params.get('port', 5432)}")
params["dbname"] = "postgres"
try:
    psycopg.connect(make_conninfo(**params), connect_timeout=3).close()
except Exception as exc:
    print(f"    {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
    sys.exit(1)
EOF
}

# The browser tests (tests_browser/) run apart from the others, once per database:
# each run builds a scratch demo city, serves it with `minhu serve` and drives it with
# Playwright and Debian's Chromium. They are left out of the plain pytest runs.
NOT_BROWSER=(--ignore=tests_browser)

run_browser_tests() {
    local label="$1"
    shift
    echo "==> 浏览器测试 / browser tests ($label): Playwright + /usr/bin/chromium," \
        "live demo city on $label"
    run_pytest "Browser/$label" "$@" -- tests_browser
}

run_postgres() {
    local address
    if address="$(postgres_reachable)"; then
        run_pytest PostgreSQL "DATABASE_URL=$PG_URL" -- "${NOT_BROWSER[@]}"
        run_browser_tests PostgreSQL "DATABASE_URL=$PG_URL"
    elif [[ "${CI:-}" == "true" ]]; then
        echo "PostgreSQL 不可用（$address），CI 必须运行 PostgreSQL 测试" \
            "/ PostgreSQL unreachable: the PostgreSQL run is required when CI=true" >&2
        report+=("PostgreSQL:  FAILED: unreachable at $address")
        failed_steps+=("pytest (PostgreSQL)")
    else
        echo "PostgreSQL 不可用（$address）：已跳过 PostgreSQL 测试（含浏览器测试）" \
            "/ PostgreSQL unreachable: skipped the PostgreSQL runs (browser tests too)"
        report+=("PostgreSQL:  skipped (unreachable at $address)")
    fi
}

minhu_ensure_venv
install_browser_test_prerequisites
run_ruff
run_pytest SQLite -- "${NOT_BROWSER[@]}"
run_browser_tests SQLite
run_postgres

echo
echo "==> 汇总 / summary"
printf '  %s\n' "${report[@]}"
if ((${#failed_steps[@]})); then
    failed_list="$(printf '%s, ' "${failed_steps[@]}")"
    echo "失败 / FAILED: ${failed_list%, }"
fi
echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"
((${#failed_steps[@]} == 0))
