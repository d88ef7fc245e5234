"""Browser tests: Playwright driving Debian's Chromium (headless) against a live Minhu.

Once per test session a scratch demo city is built and served by a real
``minhu serve --no-worker`` process (see ``city.py``): on SQLite in a temporary data
directory, or, when DATABASE_URL names a PostgreSQL server, in a scratch database on it
that is dropped afterwards. pytest-django's live_server is not used: it would share (and
flush) the test database of the other tests.

Prerequisites (``scripts/test.sh`` installs them): the Debian package ``chromium`` at
/usr/bin/chromium with ``fonts-noto-cjk``, and the ``playwright`` Python package from the
dev extras. No browser is ever downloaded (``playwright install`` is never run). When
either is missing the tests are skipped, except under CI=true, where they fail.

Environment:

* ``MINHU_SCREENSHOTS=1`` writes the screenshots of ``test_screens.py`` into
  docs/screenshots/ (the user guide's pictures); otherwise they go to a temporary folder.
* ``MINHU_BROWSER_CITY=<dir>`` keeps the SQLite city in <dir> between runs (built on
  first use), to save the minute a new city costs while working on the tests.
"""

import os
from pathlib import Path

import pytest

from .city import CityError, LiveCity
from .helpers import CHROMIUM, CHROMIUM_ARGS, People

ROOT = Path(__file__).resolve().parent.parent


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing (pip install -e '.[dev]')")
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_city(browser, tmp_path_factory):
    """The demo city behind a real server, for the whole session."""
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url and not database_url.startswith(("postgres://", "postgresql://")):
        database_url = ""  # SQLite URLs: a scratch SQLite city, as without DATABASE_URL
    keep = os.environ.get("MINHU_BROWSER_CITY", "")
    data_dir = Path(keep) if keep else tmp_path_factory.mktemp("city")
    try:
        city = LiveCity.start(data_dir, database_url=database_url or None,
                              reuse=bool(keep))
    except CityError as exc:
        pytest.fail(f"the live demo city could not start: {exc}", pytrace=False)
    yield city
    city.stop()


@pytest.fixture(scope="session")
def people_of_the_city(browser, live_city):
    return People(browser, live_city.base_url)


@pytest.fixture
def open_as(people_of_the_city):
    """``open_as("dispatcher1")``: a logged-in browser tab of that demo account;
    ``open_as(None)`` is a visitor; ``phone=True`` a 390×844 phone screen."""
    people = people_of_the_city
    people.js_errors.clear()
    yield people.open_as
    people.close_all()
    errors, people.js_errors[:] = list(people.js_errors), []
    assert not errors, "JavaScript errors in the pages:\n" + "\n".join(errors)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the end of the server's log beside the failure."""
    outcome = yield
    report = outcome.get_result()
    city = getattr(item, "funcargs", {}).get("live_city")
    if report.failed and city is not None:
        report.sections.append(("minhu serve log (last lines)", city.log_tail()))


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory):
    if os.environ.get("MINHU_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    return tmp_path_factory.mktemp("screenshots")
