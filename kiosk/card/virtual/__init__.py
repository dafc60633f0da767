"""The virtual My Number card: a real backend for tests and the demo.

- :mod:`.card`: the card's APDU state machine
- :mod:`.persona`: persona files (who the card belongs to)
- :mod:`.backend`: the card as an in-process backend (no pcscd)
- :mod:`.vpcd`: the card played into pcscd's vpcd reader over TCP
- :mod:`.pcscd`: a private pcscd on a socket and port of our choosing
- :mod:`.launcher`: pcscd and the card for the demo, stopped together

Run ``python -m kiosk.card.virtual --persona FILE`` for the card in the foreground.
"""
