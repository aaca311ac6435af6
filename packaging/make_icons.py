"""Render the app icon's PNGs (and, on request, .ico / .icns files) from its one SVG source.

    python packaging/make_icons.py            # rewrite resources/icons/newsdesk-<size>.png
    python packaging/make_icons.py --check    # exit 1 if a PNG is missing or the wrong size
    python packaging/make_icons.py --ico OUT.ico --icns OUT.icns   # also write containers

Rendering uses Qt's SVG renderer (PySide6 is already a dependency), so no other tool is needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from icon_formats import icns_from_pngs, ico_from_pngs, png_dimensions

ROOT = Path(__file__).resolve().parent.parent
ICON_DIR = ROOT / "resources" / "icons"
SVG_SOURCE = ICON_DIR / "newsdesk.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int, icon_dir: Path = ICON_DIR) -> Path:
    """Where the committed PNG of `size` pixels lives."""
    return icon_dir / f"newsdesk-{size}.png"


def render_png(svg: Path, size: int) -> bytes:
    """Render `svg` into a square transparent PNG of `size` pixels."""
    # Imported here so that packing existing PNGs (the spec, the tests) never needs Qt.
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG image")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    encoded = QByteArray()
    buffer = QBuffer(encoded)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 accepts the format as str at run time although its stubs say bytes.
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise RuntimeError(f"Qt could not encode the {size} px icon as PNG")
    buffer.close()
    return bytes(encoded.data())


def load_pngs(icon_dir: Path = ICON_DIR) -> dict[int, bytes]:
    """Read the committed PNGs, keyed by size; raises FileNotFoundError if one is missing."""
    return {size: png_path(size, icon_dir).read_bytes() for size in PNG_SIZES}


def problems(icon_dir: Path = ICON_DIR) -> list[str]:
    """Describe every PNG that is missing or not the size its name declares."""
    found = []
    for size in PNG_SIZES:
        path = png_path(size, icon_dir)
        if not path.is_file():
            found.append(f"{path.name}: missing")
            continue
        try:
            dimensions = png_dimensions(path.read_bytes())
        except ValueError as error:
            found.append(f"{path.name}: {error}")
            continue
        if dimensions != (size, size):
            found.append(f"{path.name}: is {dimensions[0]}x{dimensions[1]}")
    return found


def write_pngs(svg: Path = SVG_SOURCE, icon_dir: Path = ICON_DIR) -> list[Path]:
    """Render every standard size into `icon_dir`; returns the files written."""
    icon_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        path = png_path(size, icon_dir)
        path.write_bytes(render_png(svg, size))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify the committed PNGs")
    parser.add_argument("--ico", type=Path, help="also write a Windows .ico here")
    parser.add_argument("--icns", type=Path, help="also write a macOS .icns here")
    options = parser.parse_args(argv)
    if options.check:
        for problem in problems():
            print(problem, file=sys.stderr)
        return 1 if problems() else 0
    for path in write_pngs():
        print(path.relative_to(ROOT))
    if options.ico:
        options.ico.write_bytes(ico_from_pngs(load_pngs()))
        print(options.ico)
    if options.icns:
        options.icns.write_bytes(icns_from_pngs(load_pngs()))
        print(options.icns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
