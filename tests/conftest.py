"""The suite's shared fixtures, as plugins in tests/plugins/:

- app.py: app (migrated database), db (each test in a rolled-back transaction), client,
  login_as(role), make_app (another app on the test database), cached (the page cache on);
- reading.py: a GET never writes, checked in every test;
- queries.py: count_queries, measure;
- mail.py: outbox;
- services.py: redis_url, live (a running hub);
- browser.py: browser, page (Chromium through Playwright).

Helpers that tests import (factories, the test environment, the live stack, helpers shared by
several modules) are in tests/support/; a folder's own fixtures in its conftest.py.
TEST_DATABASE_URL selects the database (PostgreSQL in CI); SQLite in a temporary folder
otherwise. Under CI=true a missing PostgreSQL, Redis or Chromium fails instead of skipping.
"""

import pytest

# helpers' asserts explain themselves like the tests' own
pytest.register_assert_rewrite("tests.support")

pytest_plugins = [
    "tests.plugins.app",
    "tests.plugins.reading",
    "tests.plugins.queries",
    "tests.plugins.mail",
    "tests.plugins.services",
    "tests.plugins.browser",
]
