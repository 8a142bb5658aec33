"""Draw the store icons (a crescent moon over a leg in a calf stretch, on night blue) as PNGs.

The drawing is a handful of shapes described by signed distance functions, rendered per pixel
with one pixel of anti-aliasing at each size (no scaling: the 108 px icon is as sharp as the
512 px one) and written with zlib: only the standard library, and the same bytes every run.

Usage: python infra/icons.py            write infra/assets/images/{small,large}-icon.png
       python infra/icons.py --check    fail if the committed icons differ from the drawing
"""

from __future__ import annotations

import argparse
import math
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

IMAGES_DIR = Path(__file__).resolve().parent / "assets" / "images"
# The sizes Alexa certification requires (smallIconUri, largeIconUri).
ICONS = {"small-icon.png": 108, "large-icon.png": 512}

Colour = tuple[float, float, float]
# A shape: signed distance (negative inside) from a point in unit coordinates, (0,0) top left.
Shape = Callable[[float, float], float]

SKY_TOP: Colour = (10, 22, 52)
SKY_BOTTOM: Colour = (27, 47, 94)
MOON: Colour = (244, 213, 141)
STAR: Colour = (214, 224, 245)
LEG: Colour = (190, 214, 240)


def circle(cx: float, cy: float, r: float) -> Shape:
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def capsule(ax: float, ay: float, bx: float, by: float, r: float) -> Shape:
    """A line from a to b with round ends, r thick on each side."""

    def distance(x: float, y: float) -> float:
        px, py, dx, dy = x - ax, y - ay, bx - ax, by - ay
        t = max(0.0, min(1.0, (px * dx + py * dy) / (dx * dx + dy * dy)))
        return math.hypot(px - t * dx, py - t * dy) - r

    return distance


def union(*shapes: Shape) -> Shape:
    return lambda x, y: min(shape(x, y) for shape in shapes)


def minus(shape: Shape, cut: Shape) -> Shape:
    return lambda x, y: max(shape(x, y), -cut(x, y))


def arc(cx: float, cy: float, r: float, start: float, end: float, width: float) -> Shape:
    """A stroke along a circle between two angles (radians, clockwise from +x on screen)."""
    ends = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in (start, end)]

    def distance(x: float, y: float) -> float:
        angle = math.atan2(y - cy, x - cx) % (2 * math.pi)
        if (angle - start) % (2 * math.pi) <= (end - start) % (2 * math.pi):
            return abs(math.hypot(x - cx, y - cy) - r) - width
        return min(math.hypot(x - ex, y - ey) for ex, ey in ends) - width

    return distance


# The mark: a crescent moon high on the right, three stars, and a leg stretched out low in the
# picture with the foot drawn up towards the shin (the stretch the skill coaches first), with a
# short arc at the toes showing the pull. Everything stays inside the central circle, since the
# Alexa app shows skill icons cropped to a circle.
MOON_SHAPE = minus(circle(0.60, 0.27, 0.15), circle(0.665, 0.215, 0.128))
STARS = union(circle(0.31, 0.22, 0.016), circle(0.40, 0.33, 0.011), circle(0.22, 0.37, 0.011))
LEG_SHAPE = union(
    capsule(0.13, 0.71, 0.40, 0.65, 0.046),  # thigh, hip to knee
    capsule(0.40, 0.65, 0.67, 0.72, 0.036),  # shin, knee to ankle
    circle(0.685, 0.735, 0.034),  # heel
    capsule(0.67, 0.72, 0.735, 0.575, 0.027),  # foot, drawn up: toes towards the shin
)
# The pull: an arc just beyond the toes, curving back towards the body, with an arrow head.
_PULL_RADIUS, _PULL_FROM, _PULL_TO = 0.215, math.radians(236), math.radians(282)
_TIP = (0.68 + _PULL_RADIUS * math.cos(_PULL_FROM), 0.73 + _PULL_RADIUS * math.sin(_PULL_FROM))
PULL = union(
    arc(0.68, 0.73, _PULL_RADIUS, _PULL_FROM, _PULL_TO, 0.011),
    capsule(*_TIP, _TIP[0] + 0.045, _TIP[1] - 0.020, 0.011),
    capsule(*_TIP, _TIP[0] + 0.030, _TIP[1] + 0.038, 0.011),
)
LAYERS: list[tuple[Shape, Colour]] = [
    (STARS, STAR),
    (MOON_SHAPE, MOON),
    (LEG_SHAPE, LEG),
    (PULL, MOON),
]


def pixel(x: float, y: float, size: int) -> bytes:
    """The colour at a pixel centre: the sky's gradient, then each shape over it, anti-aliased."""
    colour = [top + (bottom - top) * y for top, bottom in zip(SKY_TOP, SKY_BOTTOM, strict=True)]
    for shape, paint in LAYERS:
        coverage = min(1.0, max(0.0, 0.5 - shape(x, y) * size))
        if coverage:
            colour = [c + (p - c) * coverage for c, p in zip(colour, paint, strict=True)]
    return bytes(round(c) for c in colour)


def render(size: int) -> bytes:
    """Raw PNG scanlines (filter byte 0, then RGB) for a size x size icon."""
    rows = []
    for row in range(size):
        y = (row + 0.5) / size
        line = b"".join(pixel((col + 0.5) / size, y, size) for col in range(size))
        rows.append(b"\x00" + line)
    return b"".join(rows)


def png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(render(size), 9))
        + chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header; ValueError if it is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--out", type=Path, default=IMAGES_DIR)
    args = parser.parse_args(argv)
    stale = []
    for name, size in ICONS.items():
        path = args.out / name
        data = png(size)
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{path}: {size}x{size}, {len(data)} bytes")
    if stale:
        print(f"icons differ from infra/icons.py (run make icons): {stale}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
