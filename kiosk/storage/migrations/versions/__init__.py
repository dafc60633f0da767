"""Alembic revisions (a package so that setuptools ships them in the wheel)."""
