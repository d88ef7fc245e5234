#!/usr/bin/env bash
# make run: the platform with a demo city, on SQLite in ./var unless DATABASE_URL says
# otherwise. Sets up .venv, migrates, builds the demo city when the database has no
# units yet, then runs `minhu serve` (web + background worker). Arguments go to
# `minhu serve`, e.g. scripts/run.sh --port 9000.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
minhu_ensure_venv

minhu="$MINHU_VENV/bin/minhu"

echo "==> 数据库迁移 / minhu migrate"
"$minhu" migrate --noinput

units="$("$MINHU_VENV/bin/python" - <<'EOF'
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhu.settings")
django.setup()
from minhu.org.models import Unit

print(Unit.objects.count())
EOF
)"
if [[ "$units" == "0" ]]; then
    echo "==> 数据库中还没有单位，生成演示城市 / no units yet: building the demo city"
    "$minhu" demo --months 3
fi

exec "$minhu" serve "$@"
