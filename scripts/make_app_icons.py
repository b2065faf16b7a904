"""Draw the web app's icons (static/img/app-icon-*.png) from the favicon's shapes, with Pillow.

No font and no external file: a rounded square in the brand colour, the white arc of a contrast
curve and the yellow bubble of ``static/img/favicon.svg``, drawn at four times the size and
scaled down (smooth edges). The maskable icon fills the whole square and keeps the drawing in
the central 80 % that every launcher shows.

    python scripts/make_app_icons.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parents[1] / "static" / "img"
BRAND, WHITE, ACCENT = (11, 93, 122, 255), (255, 255, 255, 255), (245, 185, 66, 255)
SUPERSAMPLE = 4


def _arc(start, control, end, steps: int = 64) -> list[tuple[float, float]]:
    """The favicon's quadratic Bézier ``M start Q control end`` as points."""
    points = []
    for i in range(steps + 1):
        t = i / steps
        x = (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t**2 * end[0]
        y = (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t**2 * end[1]
        points.append((x, y))
    return points


def _stroke(points: list[tuple[float, float]], half: float) -> list[tuple[float, float]]:
    """The outline of a line ``2 * half`` wide along ``points``, with square ends (as the
    favicon's stroke): each point pushed both ways along the curve's normal."""
    left, right = [], []
    for i, (x, y) in enumerate(points):
        (x0, y0), (x1, y1) = points[max(i - 1, 0)], points[min(i + 1, len(points) - 1)]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / length * half, dx / length * half
        left.append((x + nx, y + ny))
        right.append((x - nx, y - ny))
    return left + right[::-1]


def icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=BRAND)
        scale, offset = big * 0.8 / 32, big * 0.1  # the drawing inside the safe zone
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 / 32, fill=BRAND)
        scale, offset = big / 32, 0.0

    def at(x: float, y: float) -> tuple[float, float]:
        return offset + x * scale, offset + y * scale

    curve = [at(x, y) for x, y in _arc((6, 22), (16, 2), (26, 22))]
    draw.polygon(_stroke(curve, 1.5 * scale), fill=WHITE)
    cx, cy = at(16, 17)
    r = 3 * scale
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ACCENT)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    for name, size, maskable in (
        ("app-icon-192.png", 192, False),
        ("app-icon-512.png", 512, False),
        ("app-icon-maskable-512.png", 512, True),
    ):
        icon(size, maskable=maskable).save(STATIC / name, optimize=True)
        print(STATIC / name)


if __name__ == "__main__":
    main()
