#!/usr/bin/env bash
# make run: the platform with a demo city, on SQLite in ./var unless DATABASE_URL says
# otherwise. Sets up .venv, migrates, builds the demo city when the database has no
# units yet, then runs `minhu serve` (web + background worker). Arguments go to
# `minhu serve`, e.g. scripts/run.sh --port 9000.
#
# Citizen messages (SMS) go to a file in the data directory instead of a gateway, unless
# MINHU_SMS_BACKEND says otherwise, so one-time codes and rating links can be read there.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
minhu_ensure_venv

export MINHU_SMS_BACKEND="${MINHU_SMS_BACKEND:-minhu.notices.backends.file.FileBackend}"
data_dir="${MINHU_DATA_DIR:-var}"

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

cat <<BANNER
==> 各渠道的试用入口 / where to try each intake channel (details: docs/operator-guide.md)
    市民门户 citizen portal      /m/         提交诉求、查询进度、评价 submit, track, rate
    一码通 QR codes              /qr/manage/ 楼栋二维码（dc0101_handler）；扫码 /qr/<码>/
    网格员巡查 grid patrol       /patrol/    dc010101_handler
    渠道接入 raw intake          /intake/    supervisor1
    话务接通率 CTI answer rate   /cti/       supervisor1
    合作方与推送 partners        /partners/  /outbox/   密钥 keys: minhu partner issue-key yz-wxapp
    省级平台 province            /exchange/  暂停 paused; 启用 to enable, start the simulator and point the endpoint at it:
        .venv/bin/python -m minhu.exchange.simulator --port 8790 --db $data_dir/province.sqlite3 --secret yunzhou-demo-province-secret
        .venv/bin/minhu province configure --url http://127.0.0.1:8790/updates --secret yunzhou-demo-province-secret
    Open311                      /open311/v2/discovery.json   api_key: minhu open311-key "Suishoupai 随手拍"
BANNER
if [[ "$MINHU_SMS_BACKEND" == *FileBackend ]]; then
    echo "    短信 SMS（验证码、评价链接 one-time codes, rating links）: $data_dir/outgoing-messages.jsonl"
fi

exec "$minhu" serve "$@"
