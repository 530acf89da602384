"""The operations tests sign in as the web tests do."""

from tests.web.conftest import passwords  # noqa: F401 (a fixture, used by name)
