"""``python -m kiosk.card.virtual``: the virtual card in the foreground (``card emulate``)."""

from kiosk.cli.card import emulate

emulate(prog_name="python -m kiosk.card.virtual")
