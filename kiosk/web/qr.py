"""The pre-entry code's QR code: inline SVG for the page, a PNG to save.

The PNG goes into the page as a ``data:`` link with ``download``: the code never
appears in a URL the server sees or logs.
"""

from __future__ import annotations

import base64
import io

import qrcode
from markupsafe import Markup, escape

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def _matrix(payload: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(payload)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def qr_svg(payload: str, label: str) -> Markup:
    """An ``<svg>`` of ``payload``'s QR code, black on white, named ``label`` for
    screen readers; it scales with its box (CSS gives the size)."""
    rows = _matrix(payload)
    size = len(rows)
    path = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(rows) for x, dark in enumerate(row) if dark
    )
    return Markup(  # noqa: S704 -- numbers and the escaped label only
        f'<svg class="qr" role="img" aria-label="{escape(label)}" viewBox="0 0 {size} {size}" '
        f'xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
        f'<path d="{path}" fill="#000000"/></svg>'
    )


def qr_png_data_url(payload: str, box_px: int = 12) -> str:
    """A ``data:image/png;base64,…`` URL of ``payload``'s QR code, to save."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE, box_size=box_px
    )
    code.add_data(payload)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
