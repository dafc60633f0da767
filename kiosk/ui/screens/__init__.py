"""One module per kiosk screen; each is a dumb view driven by the controller."""
