"""Settings for the whole test run.

pytest-django configures Django from minhu.settings before this file is read, so
whatever the tests need changed is changed here, by fixtures, once per session:

* Huey runs every task inline, in memory (immediate mode): tests never write to the
  real queue in MINHU_DATA_DIR, which a running `minhu worker` would pick up.
* Passwords are hashed with a fast hasher (the slow default would cost most of the
  time of any test that creates users). The default hashers stay listed, so that
  passwords hashed before the switch still verify.
* Uploaded files go to a temporary MEDIA_ROOT.

A test that needs another value uses pytest-django's `settings` fixture as usual; a
test of the real queue sets `HUEY.immediate = False` itself and restores it.
"""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _huey_runs_tasks_inline():
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    from django.conf import global_settings
    from django.test import override_settings

    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            *global_settings.PASSWORD_HASHERS,
        ],
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
    ):
        yield
