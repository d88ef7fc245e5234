"""`minhu serve` and `minhu worker`, and the settings they depend on."""

import importlib.util
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from email.utils import formatdate
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import minhu
from minhu import settings as minhu_settings
from minhu.core.management.commands import serve, worker

REPO_ROOT = Path(minhu.__file__).resolve().parent.parent


def command_env(data_dir: Path) -> dict[str, str]:
    """Environment for a `minhu` subprocess: embedded defaults, data in data_dir."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "MINHU_HUEY_IMMEDIATE", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env["MINHU_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


# --- --help ---------------------------------------------------------------------------


def test_serve_help_via_call_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("serve", "--help")
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--host", "--port", "--workers", "--threads", "--no-worker"):
        assert option in out


def test_worker_help_via_call_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("worker", "--help")
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--workers", "--no-periodic", "--worker-type", "--flush-locks"):
        assert option in out
    assert "--parent-pid" not in out  # internal, set by `minhu serve`


@pytest.mark.parametrize(
    ("command", "expected"), [("serve", "--no-worker"), ("worker", "--no-periodic")]
)
def test_help_via_console_entry_point(command, expected, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "minhu.cli", command, "--help"],
        cwd=REPO_ROOT,
        env=command_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


# --- worker -----------------------------------------------------------------------------


def test_worker_passes_huey_consumer_options_through():
    parser = worker.Command().create_parser("minhu", "worker")
    options = parser.parse_args(["-w", "4", "-n", "-k", "process"])
    assert options.workers == 4
    assert options.periodic is False
    assert options.worker_type == "process"
    # Unset options stay None so that settings.HUEY["consumer"] supplies them.
    defaults = parser.parse_args([])
    assert defaults.workers is None
    assert defaults.periodic is None


def test_worker_refuses_to_run_in_immediate_mode():
    from huey.contrib.djhuey import HUEY

    assert HUEY.immediate  # the test settings in conftest.py run tasks inline
    with pytest.raises(CommandError, match="MINHU_HUEY_IMMEDIATE"):
        call_command("worker")


def test_describe_queue_hides_redis_password():
    conf = {"huey_class": "huey.RedisHuey", "url": "redis://:s3cret@10.0.0.5:6379/0"}
    assert worker.describe_queue(conf) == "Redis redis://:***@10.0.0.5:6379/0"
    conf = {"huey_class": "huey.RedisHuey", "url": "redis://10.0.0.5:6379/1"}
    assert worker.describe_queue(conf) == "Redis redis://10.0.0.5:6379/1"
    conf = {"huey_class": "huey.SqliteHuey", "filename": "/srv/minhu/huey.sqlite3"}
    assert worker.describe_queue(conf) == "SQLite /srv/minhu/huey.sqlite3"


# --- Huey settings: SQLite by default, Redis with REDIS_URL ----------------------------


def load_settings(monkeypatch, data_dir: Path, **env: str):
    """Execute minhu/settings.py afresh, as a separate module, under the given environment."""
    for name in ("REDIS_URL", "MINHU_WORKERS", "MINHU_HUEY_IMMEDIATE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MINHU_DATA_DIR", str(data_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "minhu_settings_under_test", minhu_settings.__file__
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_huey_uses_sqlite_in_the_data_dir_by_default(monkeypatch, tmp_path):
    conf = load_settings(monkeypatch, tmp_path).HUEY
    assert conf["huey_class"] == "huey.SqliteHuey"
    assert Path(conf["filename"]) == tmp_path.resolve() / "huey.sqlite3"
    assert "url" not in conf
    assert conf["immediate"] is False


def test_huey_switches_to_redis_when_redis_url_is_set(monkeypatch, tmp_path):
    url = "redis://127.0.0.1:6379/3"
    conf = load_settings(monkeypatch, tmp_path, REDIS_URL=url, MINHU_WORKERS="6").HUEY
    assert conf["huey_class"] == "huey.RedisHuey"
    assert conf["url"] == url
    assert "filename" not in conf
    assert conf["consumer"]["workers"] == 6


def test_redis_huey_class_is_importable_and_takes_the_url(monkeypatch, tmp_path):
    from django.utils.module_loading import import_string
    from huey.storage import RedisStorage

    conf = load_settings(monkeypatch, tmp_path, REDIS_URL="redis://127.0.0.1:6379/3").HUEY
    # Connecting is lazy: building the instance needs no Redis server.
    huey = import_string(conf["huey_class"])(conf["name"], url=conf["url"])
    assert isinstance(huey.storage, RedisStorage)
    assert huey.storage.conn.connection_pool.connection_kwargs["db"] == 3


# --- serve helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000/admin/"),
        ("0.0.0.0", "http://127.0.0.1:8000/admin/"),
        ("::", "http://[::1]:8000/admin/"),
        ("::1", "http://[::1]:8000/admin/"),
        ("hotline.example.org", "http://hotline.example.org:8000/admin/"),
    ],
)
def test_display_url(host, url):
    assert serve.display_url(host, 8000, "/admin/") == url


def test_worker_command_runs_minhu_worker_with_this_python():
    command = serve.worker_command(workers=3, parent_pid=42)
    assert command[:4] == [sys.executable, "-m", "minhu.cli", "worker"]
    assert command[4:] == ["--workers", "3", "--parent-pid", "42"]
    assert serve.worker_command() == [sys.executable, "-m", "minhu.cli", "worker"]


class StaticCall:
    """Calls a WSGI app and records what it answered."""

    def __init__(self, app, path, method="GET", **extra):
        self.status = None
        self.headers = {}
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, **extra}
        self.body = b"".join(app(environ, self.start_response))

    def start_response(self, status, headers):
        self.status = status
        self.headers = dict(headers)


@pytest.fixture
def static_app(tmp_path):
    root = tmp_path / "static"
    (root / "admin" / "css").mkdir(parents=True)
    (root / "admin" / "css" / "base.css").write_text("body { color: red }")
    (tmp_path / "secret.txt").write_text("not for the web")

    def fallback(environ, start_response):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"from django"]

    return serve.StaticFilesApp(fallback, "static/", root)


def test_static_file_is_served(static_app):
    response = StaticCall(static_app, "/static/admin/css/base.css")
    assert response.status == "200 OK"
    assert response.body == b"body { color: red }"
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    assert response.headers["Content-Length"] == str(len(response.body))
    assert "Last-Modified" in response.headers


def test_static_head_and_not_modified(static_app):
    head = StaticCall(static_app, "/static/admin/css/base.css", method="HEAD")
    assert head.status == "200 OK"
    assert head.body == b""
    later = formatdate(time.time() + 3600, usegmt=True)
    cached = StaticCall(static_app, "/static/admin/css/base.css", HTTP_IF_MODIFIED_SINCE=later)
    assert cached.status == "304 Not Modified"
    assert cached.body == b""
    for since in ("Thu, 01 Jan 1970 00:00:00 GMT", "not a date"):
        fresh = StaticCall(static_app, "/static/admin/css/base.css", HTTP_IF_MODIFIED_SINCE=since)
        assert fresh.status == "200 OK"
        assert fresh.body == b"body { color: red }"


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/static/../secret.txt", "GET"),  # outside STATIC_ROOT
        ("/static/admin/css/missing.css", "GET"),
        ("/static/admin/css", "GET"),  # a directory
        ("/static/", "GET"),
        ("/static/admin/css/base.css", "POST"),
        ("/admin/login/", "GET"),
    ],
)
def test_everything_else_goes_to_django(static_app, path, method):
    response = StaticCall(static_app, path, method=method)
    assert response.body == b"from django"


# --- serve, end to end ------------------------------------------------------------------


def read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


@pytest.mark.slow
def test_serve_answers_and_stops_cleanly(tmp_path):
    """Web and worker start together; SIGTERM stops both and exits 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "minhu.cli", "serve", "--port", "0", "--workers", "1"],
        cwd=REPO_ROOT,
        env=command_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    output: list[str] = []
    try:
        admin_url = worker_pid = None
        deadline = time.monotonic() + 60
        while (admin_url is None or worker_pid is None) and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                assert process.poll() is None, "".join(output)
                continue
            output.append(line)
            if match := re.search(r"管理后台：(http://\S+)", line):
                admin_url = match.group(1)
            if match := re.search(r"后台任务：PID (\d+)", line):
                worker_pid = int(match.group(1))
        assert admin_url and worker_pid, "".join(output)
        assert "接口文档：" in "".join(output)

        with urllib.request.urlopen(admin_url + "login/", timeout=30) as response:
            assert response.status == 200
        static_url = admin_url.replace("/admin/", "/static/admin/css/base.css")
        with urllib.request.urlopen(static_url, timeout=30) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/css")

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, "".join(output)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)  # the worker was stopped and reaped
