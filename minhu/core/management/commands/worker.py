"""`minhu worker`: the Huey consumer that runs Minhu's background jobs.

A thin wrapper around Huey's own `run_huey` command. Every consumer option passes
through unchanged (-w/--workers, -k/--worker-type, -n/--no-periodic, -f/--flush-locks,
...); the queue itself comes from settings.HUEY: a SQLite file in MINHU_DATA_DIR by
default, Redis when REDIS_URL is set. Defaults for the options come from
settings.HUEY["consumer"] (MINHU_WORKERS threads).

Periodic tasks are enqueued by every consumer that runs without -n, so when several
worker nodes share one Redis queue exactly one of them may run without -n.
"""

import argparse
import logging
import os
import signal
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import CommandError
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHueyCommand
from huey.exceptions import ConfigurationError


def mask_url_password(url: str) -> str:
    """The URL with its password replaced, safe to print in logs."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def describe_queue(huey_settings: dict | None = None) -> str:
    """One line naming the queue backend, e.g. 'Redis redis://:***@10.0.0.5:6379/0'."""
    conf = settings.HUEY if huey_settings is None else huey_settings
    huey_class = str(conf.get("huey_class", ""))
    if "Redis" in huey_class:
        return f"Redis {mask_url_password(str(conf.get('url', '')))}"
    if "Sqlite" in huey_class:
        return f"SQLite {conf.get('filename', '')}"
    return huey_class or "Huey"


def _watch_parent(parent_pid: int, interval: float = 2.0) -> None:
    """Shut down gracefully once the process that started us (`minhu serve`) is gone."""
    while True:
        time.sleep(interval)
        if os.getppid() != parent_pid:
            # SIGINT is Huey's graceful signal: running tasks finish first.
            os.kill(os.getpid(), signal.SIGINT)
            return


class Command(RunHueyCommand):
    help = (
        "运行后台任务进程（Huey consumer）：定时任务、超时预警、通知发送等。"
        "多个 worker 节点共用 Redis 队列时，只能有一个不带 -n/--no-periodic。"
        " / Run the background job consumer."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Set by `minhu serve` for the worker it starts as its child process.
        parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            raise CommandError(
                "MINHU_HUEY_IMMEDIATE=1：任务在请求内同步执行，不需要也不能启动后台任务进程。"
            )

        parent_pid = options.pop("parent_pid", None)
        if parent_pid:
            threading.Thread(
                target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True
            ).start()

        consumer_defaults = {}
        if isinstance(settings.HUEY, dict):
            consumer_defaults = settings.HUEY.get("consumer", {})
        workers = options.get("workers") or consumer_defaults.get("workers", 1)
        periodic = options.get("periodic")
        if periodic is None:
            periodic = consumer_defaults.get("periodic", True)
        worker_type = options.get("worker_type") or consumer_defaults.get("worker_type", "thread")
        unit = {"process": "进程", "greenlet": "协程"}.get(worker_type, "线程")
        self.stdout.write(
            f"民呼后台任务进程启动：队列 {describe_queue()}，{workers} 个{unit}，"
            f"定时任务{'开启' if periodic else '关闭（-n）'}，PID {os.getpid()}"
        )
        self.stdout.flush()

        # run_huey attaches its own handler to the "huey" logger when that logger has
        # none; stop those lines from being printed a second time by the root handler.
        huey_logger = logging.getLogger("huey")
        if not huey_logger.handlers:
            huey_logger.propagate = False
        try:
            super().handle(*args, **options)
        except ConfigurationError as exc:
            raise CommandError(f"后台任务配置错误：{exc}") from exc
