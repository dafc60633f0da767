"""Read back an ESC/POS byte stream: the commands the kiosk sent, and a picture of the
ticket a printer would print from them (raster images, text, the QR code, the cut).

Only the commands the kiosk uses are known; anything else fails the test, so a
change in what is sent is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
from PIL import Image, ImageDraw, ImageFont

ESC, GS, DLE = 0x1B, 0x1D, 0x10
FONT_A = (12, 24)  # dots per character of font A


@dataclass(frozen=True)
class Command:
    name: str  # init, align, bold, mode, codepage, feed, size, raster, qr, cut, status, text
    value: int = 0
    data: bytes = b""
    width: int = 0  # raster: dots
    height: int = 0


def parse(stream: bytes) -> list[Command]:
    """The commands in ``stream``, in order; text runs between them as ``text``."""
    commands: list[Command] = []
    i = 0
    while i < len(stream):
        command, i = _one(stream, i)
        if command.name == "text" and commands and commands[-1].name == "text":
            commands[-1] = Command("text", data=commands[-1].data + command.data)
        else:
            commands.append(command)
    return commands


_SIMPLE = {
    (ESC, 0x61): "align",
    (ESC, 0x45): "bold",
    (ESC, 0x21): "mode",
    (ESC, 0x74): "codepage",
    (ESC, 0x64): "feed",
    (GS, 0x21): "size",
    (DLE, 0x04): "status",
}


def _one(s: bytes, i: int) -> tuple[Command, int]:
    pair = (s[i], s[i + 1]) if i + 1 < len(s) else (s[i], -1)
    if pair == (ESC, 0x40):
        return Command("init"), i + 2
    if pair in _SIMPLE:
        return Command(_SIMPLE[pair], s[i + 2]), i + 3
    if s[i : i + 3] == b"\x1dv0":
        return _raster(s, i)
    if s[i : i + 3] == b"\x1d(k":
        return _two_d(s, i)
    if pair == (GS, 0x56):
        mode = s[i + 2]
        return Command("cut", mode), i + (4 if mode in (65, 66) else 3)
    if s[i] in (0x0A, *range(0x20, 0x7F)):
        return Command("text", data=s[i : i + 1]), i + 1
    raise AssertionError(f"unknown ESC/POS bytes at {i}: {s[i : i + 8].hex(' ')}")


def _raster(s: bytes, i: int) -> tuple[Command, int]:
    width_bytes = int.from_bytes(s[i + 4 : i + 6], "little")
    height = int.from_bytes(s[i + 6 : i + 8], "little")
    end = i + 8 + width_bytes * height
    return Command("raster", s[i + 3], s[i + 8 : end], width_bytes * 8, height), end


def _two_d(s: bytes, i: int) -> tuple[Command, int]:
    length = int.from_bytes(s[i + 3 : i + 5], "little")
    body = s[i + 5 : i + 5 + length]  # cn fn [m] data
    assert body[0] == ord("1"), f"GS ( k for symbol {body[0]:#x}, not a QR code"
    return Command("qr", body[1], body[2:]), i + 5 + length


def qr_content(commands: list[Command]) -> str:
    """What the QR code holds (function 80: store the data, m = '0')."""
    stored = [c.data[1:] for c in commands if c.name == "qr" and c.value == 80]
    assert len(stored) == 1, stored
    return stored[0].decode()


def raster_image(command: Command) -> Image.Image:
    """A GS v 0 image as Pillow sees it (1 = black dot)."""
    image = Image.frombytes("1", (command.width, command.height), command.data)
    return Image.eval(image.convert("L"), lambda v: 255 - v)


def preview(stream: bytes, width: int = 576) -> Image.Image:
    """The ticket as a printer would print ``stream``: what to look at."""
    parts: list[Image.Image] = []
    size = (1, 1)
    module = 3
    for command in parse(stream):
        if command.name == "raster":
            parts.append(raster_image(command))
        elif command.name == "size":
            size = ((command.value >> 4) + 1, (command.value & 0x0F) + 1)
        elif command.name == "text" and command.data.strip():
            parts.append(_text(command.data.decode().strip(), size, width))
        elif command.name == "qr" and command.value == 67:
            module = command.data[0]
        elif command.name == "qr" and command.value == 80:
            parts.append(_qr(command.data[1:].decode(), module, width))
        elif command.name == "cut":
            parts.append(_cut(width))
    return _stack(parts, width)


def _text(text: str, size: tuple[int, int], width: int) -> Image.Image:
    font = ImageFont.load_default(FONT_A[1] * size[1])
    image = Image.new("L", (width, FONT_A[1] * size[1] + 8), 255)
    ImageDraw.Draw(image).text((width // 2, 4), text, font=font, fill=0, anchor="mt")
    return image


def _qr(data: str, module: int, width: int) -> Image.Image:
    code = qrcode.QRCode(
        box_size=module, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    code.add_data(data)
    symbol = code.make_image().get_image().convert("L")
    image = Image.new("L", (width, symbol.height), 255)
    image.paste(symbol, ((width - symbol.width) // 2, 0))
    return image


def _cut(width: int) -> Image.Image:
    image = Image.new("L", (width, 24), 255)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 16):
        draw.line([(x, 12), (x + 8, 12)], fill=0, width=2)
    return image


def _stack(parts: list[Image.Image], width: int) -> Image.Image:
    sheet = Image.new("L", (width + 32, sum(p.height for p in parts) + 32), 255)
    y = 16
    for part in parts:
        sheet.paste(part.convert("L"), (16, y))
        y += part.height
    ImageDraw.Draw(sheet).rectangle([(0, 0), (sheet.width - 1, sheet.height - 1)], outline=160)
    return sheet
