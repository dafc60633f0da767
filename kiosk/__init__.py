"""Ward-office self-service kiosk: the plain-Python core and its devices."""

__version__ = "0.1.0"
