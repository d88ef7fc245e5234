"""`minhu demo`: build the demo city 云州市 with months of history, for trying the platform.

    minhu migrate
    minhu demo [--months 3] [--per-day 150] [--seed 12345] [--reset]

Builds the organisation tree and places (``build_geography``), the staff for every role
(``build_people``), the responsibility list (``build_responsibility_list``), the intake
channels (``build_channels``: partners, QR codes, an Open311 client, CTI extensions) and
then the history (``build_history``), which makes every order through the real actions
and each channel's own entry point; last the province endpoint (paused unless
``MINHU_DEMO_PROVINCE_URL`` is set). Prints the demo accounts, how to try each channel
and a summary. Refuses to touch a database that already holds a city, unless
``--reset`` is given and the city there is the demo city: then the whole database is
emptied first (``flush``; the reference data and holidays are seeded again).
"""

import argparse
import random
import sys
import time
import unicodedata

from django.apps import apps as global_apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Q
from django.db.utils import DatabaseError
from django.utils import timezone

from minhu.demo.channels import (
    OPEN311_CLIENT,
    PARTNERS,
    build_channels,
    configure_province,
    province_settings,
    showcase_places,
)
from minhu.demo.duties import build_responsibility_list
from minhu.demo.geography import CITY_NAME, DISTRICTS, build_geography
from minhu.demo.history import DEFAULT_PER_DAY, build_history
from minhu.demo.people import DEMO_ACCOUNTS, PASSWORD, build_people
from minhu.geo.boundaries import build_demo_boundaries
from minhu.triage.actions import do_activate_model
from minhu.triage.training import store_cold_start

BAR_WIDTH = 30


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"须为正整数：{value}")
    return number


def _months(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0
    if not 0 < number <= 36:
        raise argparse.ArgumentTypeError(f"须为 0–36 之间的月数：{value}")
    return number


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True))
                     .rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} 分 {secs} 秒" if minutes else f"{secs} 秒"


class ProgressBar:
    """``[#####.........] 45/92 天 12,345 件`` on stderr, redrawn once per simulated day."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last = -1

    def __call__(self, done: int, total: int, orders: int) -> None:
        filled = BAR_WIDTH * done // total
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} 天 {orders:,} 件"
        if self.tty:
            self.stream.write("\r" + line)
            if done == total:
                self.stream.write("\n")
        elif done == total or done * 10 // total != self.last:  # a log: every tenth
            self.last = done * 10 // total
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "生成演示城市“云州市”：组织机构、各角色人员、权责清单和几个月的历史工单"

    def add_arguments(self, parser):
        parser.add_argument("--months", type=_months, default=3,
                            help="历史时长（月，可为小数），默认 3")
        parser.add_argument("--per-day", type=_positive_int, default=DEFAULT_PER_DAY,
                            help=f"平均每天的诉求量，默认 {DEFAULT_PER_DAY}")
        parser.add_argument("--seed", type=int, default=12345,
                            help="随机种子：同一种子生成同一座城市，默认 12345")
        parser.add_argument("--reset", action="store_true",
                            help="若已有演示城市，先清空整个数据库再重建")

    def handle(self, *args, months, per_day, seed, reset, **options):
        self._check_database()
        self._check_existing(reset)
        started = time.monotonic()
        self.stderr.write(f"正在建设演示城市“{CITY_NAME}”：组织机构、地点、人员和权责清单……")
        geo = build_geography(random.Random(seed))
        build_demo_boundaries()
        people = build_people(geo)
        build_responsibility_list(geo)
        self.stderr.write("正在准备智能分拨的初始分类模型（首次约需一分钟）……")
        do_activate_model(store_cold_start(note="演示城市：内置初始模型"), None)
        end = timezone.now()
        start = end - timezone.timedelta(days=max(1, round(months * 365.25 / 12)) + 1)
        channels = build_channels(geo, since=start)
        self.stderr.write(f"正在生成约 {months:g} 个月的历史工单（平均每天 {per_day} 件）……")
        result = build_history(geo, people, months=months, per_day=per_day,
                               rng=random.Random(seed + 1), progress=ProgressBar(self.stderr),
                               end=end, channels=channels)
        configure_province()
        self._print_accounts()
        self._print_channels(geo, channels)
        self._print_summary(result, time.monotonic() - started)

    # --- checks ----------------------------------------------------------------------

    def _check_database(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise CommandError(f"无法连接数据库：{exc}") from exc
        if pending:
            raise CommandError(
                "数据库尚未初始化（还有未执行的迁移），演示数据需要完整的数据表。\n"
                "请先运行：minhu migrate")

    def _check_existing(self, reset: bool) -> None:
        from minhu.orders.models import WorkOrder
        from minhu.org.models import Unit

        demo_city = Unit.objects.filter(code__in=[d.code for d in DISTRICTS]).exists()
        if not demo_city:
            if Unit.objects.exclude(kind="centre").exists() or WorkOrder.objects.exists():
                raise CommandError(
                    "数据库中已有组织机构或工单数据（不是演示城市），为避免混入演示数据，"
                    "已停止。\n请换一个空数据库（例如设置 MINHU_DATA_DIR 指向新目录）后再运行。")
            return
        if not reset:
            raise CommandError(
                f"演示城市“{CITY_NAME}”已经存在，未做任何改动。\n"
                "如需重建：加 --reset（将清空数据库中的全部数据后重建），"
                "或删除数据文件（默认 var/minhu.sqlite3）后重新运行 minhu migrate 和 minhu demo。")
        self.stderr.write("正在清空数据库（--reset）……")
        # Empty every table, then let each app seed what a fresh installation has
        # (request types, tiers, taxonomy, holidays, content types), the way `migrate`
        # does: with the app registry and a plan, which some receivers require.
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        emit_post_migrate_signal(0, False, DEFAULT_DB_ALIAS, apps=global_apps, plan=[])

    # --- output ----------------------------------------------------------------------

    def _print_accounts(self) -> None:
        rows = [("账号", "密码", "角色", "单位")]
        rows += [(a.username, PASSWORD, a.role, a.unit) for a in DEMO_ACCOUNTS]
        self.stdout.write("\n演示账号（所有账号密码相同）：\n")
        self.stdout.write(table(rows))
        self.stdout.write("其余各街道、区县、部门和企业的账号为“单位编码_handler / _leader”，"
                          f"如 dc02_handler、jtj_leader，密码同为 {PASSWORD}。\n")

    def _print_channels(self, geo, channels) -> None:
        """Where to try each channel; keys are issued on request, never printed here."""
        out = self.stdout.write
        places = showcase_places(geo)
        sample = next((p for p in places if p.kind == "building"), None)
        url, secret, active = province_settings()
        out("\n渠道接入（一网归集）：")
        out("  市民门户        /m/            提交诉求、凭编号和手机验证码查询、评价")
        if sample is not None:
            out(f"  一码通          /qr/manage/    已为 {len(places)} 个楼栋和小区生成二维码；"
                f"扫码示例 /qr/{channels.qr_codes[sample.pk]}/（{sample.address}）")
        out("  网格员巡查      /patrol/       如 dc010101_handler（东城区翠苑社区第1网格）")
        out("  话务接通率      /cti/          来电事件 POST /api/v1/cti/calls（令牌："
            "minhu issue-token admin --name 话务系统 --scope cti）")
        out("  渠道接入总览    /intake/       各渠道数量与未成功登记的原始内容（supervisor1）")
        out("  推送记录        /outbox/       合作方回调与省级平台推送、停止重试的记录")
        for spec in PARTNERS:
            out(f"  合作方 {spec.code:<12} {spec.name}（渠道 {spec.channel}）："
                f"minhu partner issue-key {spec.code}")
        out(f"  Open311         /open311/v2/   接入方“{OPEN311_CLIENT}”："
            f"minhu open311-key \"{OPEN311_CLIENT}\"")
        state = "已启用" if active else "已暂停"
        out(f"  省级平台        /exchange/     推送地址 {url}（{state}）")
        if not active:  # the demo secret is not a credential: the simulator needs it
            out("                  启用：python -m minhu.exchange.simulator --port 8790 "
                f"--db province.sqlite3 --secret {secret}，再运行 minhu province configure "
                f"--url {url} --secret {secret}")

    def _print_summary(self, result, seconds: float) -> None:
        from minhu.orders.models import Callback, ReturnRequest, WorkOrder
        from minhu.orders.states import State

        top = WorkOrder.objects.filter(parent__isnull=True)
        by_state = {row["state"]: row["n"] for row in top.values("state").annotate(n=Count("pk"))}
        stats = top.aggregate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(is_overdue=True)),
            overdue_open=Count("pk", filter=Q(is_overdue=True,
                                              state__in=[State.DISPATCHED, State.HANDLING])),
            reopened=Count("pk", filter=Q(reopen_count__gt=0)),
            supervised=Count("pk", filter=Q(is_supervised=True)),
            escalated=Count("pk", filter=Q(is_escalated=True)),
            unreasonable=Count("pk", filter=Q(unreasonable="approved")),
            first_rated=Count("pk", filter=~Q(first_satisfaction="")),
            first_ok=Count("pk", filter=Q(first_satisfaction__in=["satisfied", "basic"])),
            final_rated=Count("pk", filter=~Q(satisfaction="")),
            final_ok=Count("pk", filter=Q(satisfaction__in=["satisfied", "basic"])),
            direct=Count("pk", filter=Q(close_reason="direct")),
        )
        subs = WorkOrder.objects.filter(parent__isnull=False).count()
        calls = Callback.objects.aggregate(n=Count("pk"), reached=Count("pk",
                                                                         filter=Q(reached=True)))
        returns = ReturnRequest.objects.count()

        def rate(ok, n):
            return f"{100 * ok / n:.1f}%" if n else "—"

        out = self.stdout.write
        end = timezone.localtime(result.end)
        out(f"\n历史工单：{result.start:%Y-%m-%d} 至 {end:%Y-%m-%d %H:%M}，"
            f"共 {result.days} 天，{stats['total']:,} 件（另有下派子单 {subs:,} 件）")
        out("按状态：" + "，".join(f"{State.label_of(s)} {by_state[s]:,}"
                                 for s in State.values if by_state.get(s)))
        out(f"直接答复办结 {stats['direct']:,} 件；超期 {stats['overdue']:,} 件"
            f"（其中仍在办 {stats['overdue_open']:,} 件）；重办 {stats['reopened']:,} 件；"
            f"退单/上报 {returns:,} 次")
        out(f"回访 {calls['n']:,} 次（接通 {calls['reached']:,} 次）；"
            f"一次办结满意率 {rate(stats['first_ok'], stats['first_rated'])}，"
            f"最终满意率 {rate(stats['final_ok'], stats['final_rated'])}")
        out(f"挂牌督办 {stats['supervised']:,} 件；提级办理 {stats['escalated']:,} 件；"
            f"认定不合理诉求 {stats['unreasonable']:,} 件")
        out(f"通话记录 {result.calls:,} 条（含放弃和未接）；"
            f"渠道拒收的原始内容 {result.refused_payloads} 条（/intake/ 可查看）")
        if result.staff_created:
            out(f"为承接工单的社区、网格补充了 {result.staff_created} 个承办人账号")
        if result.refused:
            out(f"注意：有 {sum(result.refused.values())} 个动作被平台拒绝（已跳过）：" +
                "，".join(f"{k} ×{v}" for k, v in result.refused.most_common(5)))
        out(f"耗时 {duration(seconds)}（其中历史工单 {duration(result.seconds)}）")
        out("\n运行 minhu serve 后，在浏览器打开 http://127.0.0.1:8000/admin/ 用上面的账号登录。")
