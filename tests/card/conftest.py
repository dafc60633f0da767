"""Card tests: load the PC/SC plugin (no-op when tests/conftest.py already did)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.import_plugin("tests.pcsc_fixture")
