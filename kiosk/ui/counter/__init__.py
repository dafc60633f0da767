"""The counter staff's app (``ward-kiosk counter``)."""
