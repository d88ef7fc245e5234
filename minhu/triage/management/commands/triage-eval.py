"""`minhu triage-eval`: measure the classifier on a labelled CSV (columns ``text`` and the
label column). The last line printed is one JSON object; progress goes to stderr.

  --data FILE.csv --cv 5 [--label category]      cross-validation, with the baseline
  --train TRAIN.csv --test TEST.csv [--label X]  train on one file, measure on the other
  --test FILE.csv --label category|type|urgency  the installed (active) model
"""

import json
import sys

from django.core.management.base import BaseCommand

from minhu.core.schema import ensure_migrated
from minhu.triage.evalrun import BadInput, cross_validate, installed, read_labelled, train_test


class Command(BaseCommand):
    help = ("评估分类模型：交叉验证（--data --cv）、训练集/测试集（--train --test）或当前启用模型"
            "（仅 --test）；最后一行输出 JSON")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--data", help="交叉验证用的 CSV（含 text 列和标签列）")
        parser.add_argument("--cv", type=int, default=None, help="交叉验证折数，默认 5")
        parser.add_argument("--train", help="训练集 CSV")
        parser.add_argument("--test", help="测试集 CSV；不给 --train 时评估当前启用的模型")
        parser.add_argument("--label", default="category",
                            help="标签列名，默认 category；"
                                 "评估当前模型时为 category、type 或 urgency")

    def handle(self, *args, data=None, cv=None, train=None, test=None, label="category",
               **options):
        label = (label or "").strip()
        say = self._progress
        try:
            if not label:
                raise BadInput("--label 不能为空")
            if data and (train or test):
                raise BadInput("--data 不能与 --train/--test 同时使用")
            if data:
                texts, labels = read_labelled(data, label)
                say(f"读取 {len(texts)} 条样本，{len(set(labels))} 个标签，"
                    f"开始 {cv or 5} 折交叉验证")
                result = cross_validate(texts, labels, cv if cv is not None else 5, label, say)
            elif train and test:
                if cv is not None:
                    raise BadInput("--cv 只能与 --data 一起使用")
                train_rows, test_rows = read_labelled(train, label), read_labelled(test, label)
                say(f"训练集 {len(train_rows[0])} 条，测试集 {len(test_rows[0])} 条")
                result = train_test(train_rows, test_rows, label, say)
            elif train:
                raise BadInput("给了 --train 就还需要 --test")
            elif test:
                if cv is not None:
                    raise BadInput("--cv 只能与 --data 一起使用")
                texts, labels = read_labelled(test, label)
                # The installed model and the taxonomy live in the database: a fresh
                # checkout's embedded database is brought up to date first.
                ensure_migrated(say)
                say(f"用当前启用的模型评估 {len(texts)} 条样本")
                result = installed(texts, labels, label, say)
            else:
                raise BadInput("请指定 --data FILE.csv --cv 5、--train A.csv --test B.csv "
                               "或 --test FILE.csv")
        except BadInput as error:
            self.stderr.write(f"错误：{error}")
            sys.exit(2)
        say(_summary(result))
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _progress(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()


def _summary(result: dict) -> str:
    line = (f"n={result['n']} 准确率 {result['accuracy']:.4f} 宏平均F1 {result['macro_f1']:.4f} "
            f"前三命中率 {result['top3_accuracy']:.4f}")
    base = result.get("baseline")
    if base:
        line += (f"；基线 准确率 {base['accuracy']:.4f} 宏平均F1 {base['macro_f1']:.4f} "
                 f"前三命中率 {base['top3_accuracy']:.4f}")
    return line
