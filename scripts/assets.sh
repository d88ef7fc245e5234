#!/usr/bin/env bash
# Front-end packages come from npm at build time and are copied next to our own static
# files; nothing from node_modules is committed. Re-runs only when package.json changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

vendor=minhu/web/static/vendor
stamp="$vendor/.stamp"
want="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d" " -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$vendor/htmx.min.js" ]]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "需要 npm 来安装前端依赖（htmx、ECharts）/ npm is needed for the front-end packages" >&2
    exit 1
fi
echo "==> npm install (htmx, ECharts)"
if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
else
    npm install --no-audit --no-fund --loglevel=error >/dev/null
fi
mkdir -p "$vendor"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
cp node_modules/echarts/dist/echarts.min.js "$vendor/echarts.min.js"
echo "$want" > "$stamp"
