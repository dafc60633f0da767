"""``ward-kiosk web``: the ward's pages for phones (スマート申請).

Server-rendered HTML on Starlette and Jinja2, no session: prepare a visit at home and
get a pre-entry code (:mod:`~kiosk.web.pages`, :mod:`~kiosk.web.home_code`), follow a
queue ticket live (:mod:`~kiosk.web.following`), see the waits (:mod:`~kiosk.web.waits`).
No Qt here (import-linter). See docs/web.md.
"""
