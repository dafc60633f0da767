"""``python -m kiosk`` is the same as ``ward-kiosk``."""

from kiosk.cli import main

main()
