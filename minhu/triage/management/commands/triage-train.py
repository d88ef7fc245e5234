"""`minhu triage-train`: train a classifier version from the city's decided orders
(``--cold-start``: from the shipped corpus instead), store it, and activate it unless told
not to (``--no-activate``). Prints progress and the held-out figures in Chinese.
"""

import sys

from django.core.management.base import BaseCommand

from minhu.core.errors import MinhuError
from minhu.triage.actions import do_activate_model
from minhu.triage.training import train_city, train_cold_start

HEAD_NAMES = {"category": "二级分类", "first_level": "一级分类", "type": "诉求类型",
              "urgency": "紧急程度"}


class Command(BaseCommand):
    help = "训练分类模型：默认用本市已派单工单（--cold-start 用内置语料），训练后默认启用"

    def add_arguments(self, parser):
        parser.add_argument("--cold-start", action="store_true", help="用内置语料训练初始模型")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--activate", dest="activate", action="store_true", default=True,
                           help="训练完成后启用（默认）")
        group.add_argument("--no-activate", dest="activate", action="store_false",
                           help="只保存，不启用")
        parser.add_argument("--limit", type=int, default=None,
                            help="只用最近的 N 张工单（默认全部）")
        parser.add_argument("--note", default="", help="版本说明")

    def handle(self, *args, cold_start=False, activate=True, limit=None, note="", **options):
        say = self._say
        if limit is not None and limit <= 0:
            self.stderr.write("错误：--limit 必须是正整数")
            sys.exit(2)
        try:
            if cold_start:
                say("开始训练内置初始模型（内置语料 + 分类关键词 + 示例话术）")
                version = train_cold_start(progress=say, note=note)
            else:
                say("开始用本市历史工单训练")
                version = train_city(progress=say, limit=limit, note=note)
            if activate:
                do_activate_model(version, None)
        except MinhuError as exc:
            self.stderr.write(f"错误：[{exc.code}] {exc.message}")
            sys.exit(2)
        say(f"已保存模型版本 v{version.pk}（样本 {version.n_train} 条，用时 "
            f"{version.train_seconds:.1f} 秒，内存约 {version.size_bytes / 2 ** 20:.1f} MB）")
        for line in describe_metrics(version.metrics):
            self.stdout.write(line)
        self.stdout.write(f"v{version.pk} 已启用" if activate else f"v{version.pk} 未启用")

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()


def describe_metrics(metrics: dict) -> list[str]:
    lines = []
    for key, name in HEAD_NAMES.items():
        m = metrics.get(key)
        if not m:
            continue
        line = (f"{name}：准确率 {m['accuracy']:.1%}，宏平均F1 {m['macro_f1']:.1%}，"
                f"前三命中率 {m['top3_accuracy']:.1%}（留出 {m['n']} 条）")
        if m.get("urgent_recall") is not None:
            line += f"，紧急召回率 {m['urgent_recall']:.1%}"
        lines.append(line)
    return lines or ["留出样本不足，未能评估"]

