"""Running the app with uvicorn, behind the ward's reverse proxy (docs/web.md).

uvicorn's access log is off (it writes full paths, and ``/t/<token>`` holds a ticket's
secret): :mod:`kiosk.web.access_log` writes route templates instead. X-Forwarded-For
and -Proto are taken only from ``[web] forwarded_allow_ips``.
"""

from __future__ import annotations

import logging
import os

from kiosk.context import KioskContext

log = logging.getLogger(__name__)

KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 1000
"""Open connections at most; past that uvicorn answers 503 (each live page holds one)."""


def serve(context: KioskContext, *, host: str | None = None, port: int | None = None) -> None:
    """Serve until stopped (SIGTERM or Ctrl+C)."""
    import uvicorn

    from kiosk.web.app import create_app

    config = context.settings.web
    _check_time_zone(context)
    app = create_app(context.settings, context=context)
    host = host or config.host
    port = port or config.port
    log.info("serving the web app on http://%s:%d", host, port)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=config.forwarded_allow_ips,
        access_log=False,
        log_config=None,  # the command's logging (kiosk.cli.root) is kept
        server_header=False,
        date_header=True,
        timeout_keep_alive=KEEP_ALIVE_S,
        limit_concurrency=MAX_CONNECTIONS,
        h11_max_incomplete_event_size=16 * 1024,
        timeout_graceful_shutdown=3,
    )


def _check_time_zone(context: KioskContext) -> None:
    """Say so when this machine's clock is not on the ward's time: a ticket's service day
    is the local day, and a web server on UTC would not find this morning's tickets."""
    from kiosk.doctor_production import local_zone_name, time_zone_check

    check = time_zone_check(context.settings, local_zone_name(os.environ))
    if check.status != "ok":
        log.warning("%s: %s; %s", check.check, check.detail, check.action)
