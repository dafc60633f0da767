"""Alembic environment of the kiosk database, shipped inside the package."""
