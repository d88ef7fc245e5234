"""Bring the database up to date before a command that only reads reference data.

Evaluation commands (``triage-eval``, ``place-eval``) are run by other tools on fresh
checkouts; on the embedded SQLite database they migrate first (which also seeds the
reference data) instead of failing on a missing table.
"""

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> int:
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def ensure_migrated(say=None, alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Migrate when migrations are pending; True when it did."""
    if not pending_migrations(alias):
        return False
    if say is not None:
        say("数据库尚未初始化或不是最新，正在执行 migrate……")
    call_command("migrate", database=alias, verbosity=0)
    return True
