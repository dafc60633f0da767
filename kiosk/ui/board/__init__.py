"""The waiting-room board (``ward-kiosk board``): a full-screen Qt window over the queue."""
