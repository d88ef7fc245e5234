"""A live Minhu with the demo city, for the browser tests: a real `minhu serve` process on
a scratch data directory (SQLite) or a scratch PostgreSQL database.

    city = LiveCity.start(data_dir, database_url=None)   # migrate, demo, serve
    city.base_url                                         # http://127.0.0.1:<port>
    city.stop()                                           # stop the server, drop the scratch db

With ``database_url`` (a PostgreSQL URL, as in DATABASE_URL) the city is built in a new
database on that server named ``<name>_browser_<pid>``, dropped again by ``stop()``.

``reuse=True`` keeps a SQLite city between runs: the city is built only when the data
directory has none yet, and the directory is left in place (for working on the tests).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

# One month of history at 20 calls a day: every desk has something on it, and the city is
# built in well under a minute on SQLite.
DEMO_ARGS = ("--months", "1", "--per-day", "20")
START_TIMEOUT = 90  # seconds for `minhu serve` to answer /healthz
# Variables of the surrounding test run that must not reach the server.
DROPPED_ENV = ("DATABASE_URL", "REDIS_URL", "MINHU_HUEY_IMMEDIATE", "DJANGO_SETTINGS_MODULE",
               "MINHU_TEST_SQLITE")


class CityError(RuntimeError):
    """The live city could not be built or started (the message says which step)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_database_url(database_url: str, suffix: str) -> tuple[str, str]:
    """The URL of a new database next to the one in ``database_url``, and its name."""
    parts = urlsplit(database_url)
    base = parts.path.lstrip("/") or "minhu"
    name = f"{base}_{suffix}"[:63]
    return urlunsplit(parts._replace(path="/" + name)), name


def _admin_connection(database_url: str):
    """An autocommit connection to the server's "postgres" database."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(database_url)
    params["dbname"] = "postgres"
    return psycopg.connect(make_conninfo(**params), autocommit=True, connect_timeout=5)


def create_database(database_url: str, name: str) -> None:
    from psycopg import sql

    with _admin_connection(database_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(database_url: str, name: str) -> None:
    from psycopg import sql

    with _admin_connection(database_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


@dataclass
class LiveCity:
    data_dir: Path
    database: str  # "SQLite" or "PostgreSQL"
    env: dict
    base_url: str = ""
    build_seconds: float = 0.0
    server: subprocess.Popen | None = None
    scratch_db: tuple[str, str] | None = None  # (server URL, database name) to drop
    log_path: Path = field(default=None)  # type: ignore[assignment]

    # --- start ---------------------------------------------------------------------

    @classmethod
    def start(cls, data_dir: Path, database_url: str | None = None,
              reuse: bool = False) -> LiveCity:
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        env.update({
            "MINHU_DATA_DIR": str(data_dir),
            "MINHU_DEBUG": "1",  # plain-HTTP cookies; a 500 shows its cause in the page
            # Background tasks (notices) run inside the request: no worker to start.
            "MINHU_HUEY_IMMEDIATE": "1",
            "MINHU_LOG_LEVEL": "WARNING",
            # The cold-start classifier the unit tests already built (minutes otherwise).
            "MINHU_TRIAGE_CACHE_DIR": str(ROOT / "var" / "triage"),
            "PYTHONUNBUFFERED": "1",
        })
        city = cls(data_dir=data_dir, database="SQLite", env=env,
                   log_path=data_dir / "server.log")
        if database_url:
            url, name = scratch_database_url(database_url, f"browser_{os.getpid()}")
            try:
                create_database(database_url, name)
            except Exception as exc:  # noqa: BLE001 - reported with the step's name
                raise CityError(f"cannot create the scratch database {name}: {exc}") from exc
            city.scratch_db = (database_url, name)
            city.database = "PostgreSQL"
            env["DATABASE_URL"] = url
        try:
            started = time.monotonic()
            built = reuse and not database_url and (data_dir / "minhu.sqlite3").exists()
            city._manage("migrate", "-v0")
            if not built:
                city._manage("demo", *DEMO_ARGS)
            city.build_seconds = time.monotonic() - started
            city._serve()
        except BaseException:
            city.stop()
            raise
        return city

    def _manage(self, *args: str) -> None:
        command = [sys.executable, "-m", "minhu.cli", *args]
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=600)
        if done.returncode:
            output = (done.stdout + done.stderr)[-3000:]
            raise CityError(f"`minhu {' '.join(args)}` failed ({done.returncode}):\n{output}")

    def _serve(self) -> None:
        port = free_port()
        log = self.log_path.open("ab")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "minhu.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--no-worker", "--threads", "6"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        self.base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise CityError(f"`minhu serve` exited ({self.server.returncode}):\n"
                                f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        raise CityError(f"`minhu serve` did not answer within {START_TIMEOUT} s:\n"
                        f"{self.log_tail()}")

    # --- stop ----------------------------------------------------------------------

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGINT)  # serve's own graceful stop
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None
        if self.scratch_db is not None:
            try:
                drop_database(*self.scratch_db)
            finally:
                self.scratch_db = None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""
