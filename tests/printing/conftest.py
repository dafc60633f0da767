"""Load the CUPS fixture plugin (idempotent if the top conftest already lists it)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.import_plugin("tests.cups_fixture")
