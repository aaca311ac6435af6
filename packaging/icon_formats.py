"""Pack PNG images into Windows .ico and macOS .icns containers, with the standard library only.

Both formats may embed PNG data directly (Windows Vista and later, macOS 10.7 and later), so the
PNGs rendered from `resources/icons/newsdesk.svg` are enough: no Pillow, no platform tools.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Sizes a Windows .ico carries (the format tops out at 256 x 256).
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

# macOS icon element types that hold PNG data, and the pixel size each one expects.
# The "@2x" types reuse the next size up, so one PNG may appear under two types.
ICNS_TYPES: tuple[tuple[bytes, int], ...] = (
    (b"icp4", 16),
    (b"ic11", 32),  # 16 pt @2x
    (b"icp5", 32),
    (b"ic12", 64),  # 32 pt @2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128 pt @2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256 pt @2x
    (b"ic09", 512),
)


def png_dimensions(data: bytes) -> tuple[int, int]:
    """Return (width, height) read from a PNG's IHDR chunk; ValueError if it is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _checked(pngs: Mapping[int, bytes], size: int) -> bytes:
    data = pngs[size]
    if png_dimensions(data) != (size, size):
        raise ValueError(f"the {size} px image is {png_dimensions(data)}")
    return data


def ico_from_pngs(pngs: Mapping[int, bytes]) -> bytes:
    """Build a .ico holding every size of ICO_SIZES present in `pngs` (size -> PNG bytes)."""
    sizes = [size for size in ICO_SIZES if size in pngs]
    if not sizes:
        raise ValueError("no image in a size an .ico can hold")
    images = [_checked(pngs, size) for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(images)
    directory = b""
    for size, data in zip(sizes, images, strict=True):
        side = 0 if size == 256 else size  # 0 stands for 256 in the one-byte fields
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + directory + b"".join(images)


def icns_from_pngs(pngs: Mapping[int, bytes]) -> bytes:
    """Build a .icns holding an element for every ICNS_TYPES size present in `pngs`."""
    body = b""
    for kind, size in ICNS_TYPES:
        if size in pngs:
            data = _checked(pngs, size)
            body += kind + struct.pack(">I", 8 + len(data)) + data
    if not body:
        raise ValueError("no image in a size an .icns can hold")
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def read_ico_sizes(data: bytes) -> list[int]:
    """List the image sizes an .ico declares (used to check what ico_from_pngs wrote)."""
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    if reserved != 0 or kind != 1:
        raise ValueError("not an .ico file")
    sizes = []
    for index in range(count):
        side = data[6 + 16 * index]
        sizes.append(256 if side == 0 else side)
    return sizes


def read_icns_types(data: bytes) -> list[tuple[bytes, int]]:
    """List (element type, PNG width) pairs of an .icns (used to check icns_from_pngs)."""
    if data[:4] != b"icns" or struct.unpack(">I", data[4:8])[0] != len(data):
        raise ValueError("not an .icns file")
    found = []
    position = 8
    while position < len(data):
        kind = data[position : position + 4]
        (length,) = struct.unpack(">I", data[position + 4 : position + 8])
        width, _ = png_dimensions(data[position + 8 : position + length])
        found.append((kind, width))
        position += length
    return found
