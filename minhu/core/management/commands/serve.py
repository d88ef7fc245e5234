"""`minhu serve`: the whole platform on one box, for the embedded single-node setup.

The web app runs in this process on waitress; the Huey consumer (`minhu worker`) runs
as a child process. Static files are collected into STATIC_ROOT first and served by a
small WSGI wrapper, so nothing else (nginx, whitenoise) is needed on a single box.

Ctrl-C, SIGTERM or SIGHUP stop the web server, then ask the worker to finish its
running tasks (SIGINT, Huey's graceful signal) and, failing that within
WORKER_GRACE_SECONDS, interrupt it (SIGTERM). A second Ctrl-C skips the wait. If the
worker dies on its own the whole command exits non-zero, so that a service manager
restarts both.

Several app nodes behind a load balancer run waitress or gunicorn on
minhu.wsgi:application instead, with `minhu worker` on worker nodes (see
docs/operator-guide.md); `minhu serve --no-worker` also fits an app node.
"""

import argparse
import contextlib
import mimetypes
import os
import signal
import subprocess
import sys
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError

from .worker import describe_queue

WORKER_GRACE_SECONDS = 30
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("必须是正整数 / must be a positive integer")
    return number


def display_url(host: str, port: int, path: str = "/") -> str:
    """The URL a person on this machine opens for a server listening on host:port."""
    if host in ("", "0.0.0.0", "*"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"


def worker_command(workers: int | None = None, parent_pid: int | None = None) -> list[str]:
    """The command line of the `minhu worker` child process."""
    command = [sys.executable, "-m", "minhu.cli", "worker"]
    if workers:
        command += ["--workers", str(workers)]
    if parent_pid:
        command += ["--parent-pid", str(parent_pid)]
    return command


class StaticFilesApp:
    """WSGI wrapper answering GET/HEAD under `prefix` from files in `root`.

    Anything else, including a static path with no such file, goes to the wrapped app.
    Files are sent with Last-Modified and revalidated on each use (no-cache), since
    the collected admin files do not carry content hashes in their names.
    """

    def __init__(self, app, prefix: str, root: Path | str):
        self.app = app
        self.prefix = "/" + prefix.strip("/") + "/"
        self.root = Path(root).resolve()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and path.startswith(self.prefix):
            file_path = self.find_file(path[len(self.prefix) :])
            if file_path is not None:
                return self.send_file(file_path, environ, start_response)
        return self.app(environ, start_response)

    def find_file(self, relative: str) -> Path | None:
        if not relative or "\x00" in relative:
            return None
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate

    def send_file(self, file_path: Path, environ, start_response):
        stat = file_path.stat()
        last_modified = formatdate(int(stat.st_mtime), usegmt=True)
        headers = [("Last-Modified", last_modified), ("Cache-Control", "no-cache")]
        if self.not_modified_since(environ.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
            start_response("304 Not Modified", headers)
            return []
        content_type, encoding = mimetypes.guess_type(file_path.name)
        content_type = content_type or "application/octet-stream"
        if content_type.startswith("text/") or content_type in (
            "application/javascript",
            "application/json",
        ):
            content_type += "; charset=utf-8"
        headers += [("Content-Type", content_type), ("Content-Length", str(stat.st_size))]
        if encoding:
            headers.append(("Content-Encoding", encoding))
        start_response("200 OK", headers)
        if environ["REQUEST_METHOD"] == "HEAD":
            return []
        handle = file_path.open("rb")
        file_wrapper = environ.get("wsgi.file_wrapper")
        if file_wrapper is not None:
            return file_wrapper(handle, 64 * 1024)
        return _read_in_chunks(handle)

    @staticmethod
    def not_modified_since(header: str | None, mtime: float) -> bool:
        if not header:
            return False
        try:
            since = parsedate_to_datetime(header).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return int(mtime) <= since


def _read_in_chunks(handle, size: int = 64 * 1024):
    with handle:
        while chunk := handle.read(size):
            yield chunk


class Command(BaseCommand):
    help = (
        "启动民呼平台（单机嵌入式部署）：网页服务（waitress）与后台任务进程（Huey）一起运行。"
        " / Run the web app and the background worker together on one box."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="监听端口（默认 8000）")
        parser.add_argument(
            "--workers",
            type=positive_int,
            default=None,
            help="后台任务线程数（默认取环境变量 MINHU_WORKERS，未设置时为 2）",
        )
        parser.add_argument(
            "--threads", type=positive_int, default=8, help="网页服务线程数（默认 8）"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="只启动网页服务，不启动后台任务进程（后台任务由其他节点的 minhu worker 运行）",
        )

    def handle(self, *args, **options):
        import waitress

        host, port = options["host"], options["port"]
        self.prepare()

        from minhu.wsgi import application

        app = StaticFilesApp(application, settings.STATIC_URL, settings.STATIC_ROOT)
        try:
            server = waitress.create_server(app, host=host, port=port, threads=options["threads"])
        except OSError as exc:
            raise CommandError(f"无法监听 {host}:{port}：{exc.strerror or exc}") from exc
        port = getattr(server, "effective_port", port)

        self._stopping = False
        self._hurry = threading.Event()
        self._worker_died = False
        previous = {sig: signal.signal(sig, self.on_stop_signal) for sig in STOP_SIGNALS}
        worker = None
        try:
            if not options["no_worker"]:
                worker = self.start_worker(options["workers"])
            self.print_banner(host, port, worker, options)
            if worker is not None:
                threading.Thread(
                    target=self.watch_worker, args=(worker,), name="worker-watch", daemon=True
                ).start()
            server.run()  # returns once a stop signal arrives
        except KeyboardInterrupt:
            pass
        finally:
            # From here on a stop signal only hurries the shut-down along.
            self._stopping = True
            self.stdout.write("正在停止……")
            with contextlib.suppress(OSError):
                server.close()
            if worker is not None:
                self.stop_worker(worker)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self._worker_died:
            raise CommandError(f"后台任务进程意外退出（退出码 {worker.returncode}），平台已停止。")
        self.stdout.write("民呼已停止。")

    # --- start-up --------------------------------------------------------------

    def prepare(self) -> None:
        """Collect static files and check that the database is reachable and migrated."""
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.db.migrations.executor import MigrationExecutor

        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise CommandError(f"无法连接数据库：{exc}") from exc
        finally:
            connections.close_all()
        if pending:
            self.stderr.write(
                self.style.WARNING(
                    f"注意：还有 {len(pending)} 个数据库迁移未执行，请先运行 minhu migrate。"
                )
            )

    def start_worker(self, workers: int | None) -> subprocess.Popen | None:
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            self.stdout.write("MINHU_HUEY_IMMEDIATE=1：任务在请求内同步执行，不启动后台任务进程。")
            return None
        kwargs = {}
        if os.name == "posix":
            # Its own process group: a Ctrl-C in the terminal reaches only us, and we
            # pass it on once, in the order we choose.
            kwargs["process_group"] = 0
        return subprocess.Popen(worker_command(workers, parent_pid=os.getpid()), **kwargs)

    def print_banner(self, host, port, worker, options) -> None:
        lines = [
            "",
            self.style.SUCCESS("民呼 12345 接诉即办平台已启动"),
            f"  网站首页：{display_url(host, port)}",
            f"  管理后台：{display_url(host, port, '/admin/')}",
            f"  接口文档：{display_url(host, port, '/api/docs')}",
        ]
        if host in ("", "0.0.0.0", "::", "*"):
            lines.append(f"  监听所有网络接口的 {port} 端口")
        lines.append(f"  网页服务：waitress，{options['threads']} 个线程")
        if worker is not None:
            workers = options["workers"] or settings.HUEY.get("consumer", {}).get("workers", 1)
            lines.append(f"  后台任务：PID {worker.pid}，{workers} 个线程，队列 {describe_queue()}")
        else:
            lines.append("  后台任务：未在本机启动")
        lines += ["按 Ctrl-C 停止。", ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    # --- shut-down -------------------------------------------------------------

    def on_stop_signal(self, signum, frame):
        if self._stopping:
            self._hurry.set()
            return
        raise KeyboardInterrupt  # waitress leaves its loop on this

    def watch_worker(self, worker: subprocess.Popen) -> None:
        worker.wait()
        if not self._stopping:
            self._worker_died = True
            os.kill(os.getpid(), signal.SIGTERM)

    def stop_worker(self, worker: subprocess.Popen) -> None:
        """Ask the worker to finish its running tasks; interrupt it if that takes too long."""
        if worker.poll() is not None:
            return
        worker.send_signal(signal.SIGINT)  # Huey's graceful shut-down
        deadline = time.monotonic() + WORKER_GRACE_SECONDS
        while worker.poll() is None:
            if self._hurry.is_set():
                self.stderr.write("再次收到停止信号，立即中断后台任务进程。")
                break
            if time.monotonic() >= deadline:
                self.stderr.write(f"后台任务进程 {WORKER_GRACE_SECONDS} 秒内未结束，强制中断。")
                break
            time.sleep(0.1)
        else:
            return
        worker.terminate()  # Huey: interrupt running tasks and exit
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
