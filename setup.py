"""Packages of the wheel: ``kiosk`` and the repository's ``resources/`` as ``kiosk_resources``.

The rest of the metadata is in pyproject.toml. ``resources/`` stays at the top of the
repository, where ward staff edit it; in the wheel it is package data that
``kiosk.resources`` finds through ``importlib.resources``.
"""

from setuptools import find_namespace_packages, find_packages, setup

# Every folder below resources/ is listed too, or setuptools warns that it would be
# importable; its files come from the package data pattern in pyproject.toml.
RESOURCES = [
    "kiosk_resources",
    *(f"kiosk_resources.{p}" for p in find_namespace_packages("resources")),
]

setup(
    packages=[*find_packages(include=["kiosk", "kiosk.*"]), *RESOURCES],
    package_dir={"kiosk_resources": "resources"},
)
