"""The scenario day, shared by the tests that reconcile it in parts."""

from tests.reconcile.test_scenario import world  # noqa: F401 (a fixture, used by name)
