"""Render every figure and the history chart to PNG, so a person can look before shipping.

The AVG graphics of the documents (pose, bars) are turned into SVG with the very path data the
device gets (AVG path data is SVG path syntax), then headless Chromium draws each at 480 x 480.
Writes build/screens/<technique>-<theme>.png, chart-<theme>.png and index.html; nothing here is
committed. Usage: python tools/render_screens.py [--out build/screens]
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lambda"))

from cramp_coach.screens import builders, figures  # noqa: E402
from cramp_coach.screens.apl import document  # noqa: E402

PIXELS = 480
SVG_NAMES = {
    "pathData": "d",
    "fill": "fill",
    "stroke": "stroke",
    "strokeWidth": "stroke-width",
    "strokeLineCap": "stroke-linecap",
    "strokeLineJoin": "stroke-linejoin",
}


def fill_in(value, parameters: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: str(parameters[m.group(1)]), str(value))


def svg(graphic: dict, parameters: dict[str, str], background: str) -> str:
    """One AVG graphic as an SVG document (paths only: all our graphics use)."""
    paths = []
    for item in graphic["items"]:
        assert item["type"] == "path", item["type"]
        attributes = {"fill": "none", "stroke": "none"}
        for name, svg_name in SVG_NAMES.items():
            if name in item:
                attributes[svg_name] = fill_in(item[name], parameters)
        if attributes["d"]:
            paths.append(
                "<path " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attributes.items()) + "/>"
            )
    width, height = graphic["width"], graphic["height"]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PIXELS}" height="{PIXELS}" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
        f'style="background:{background}">' + "".join(paths) + "</svg>"
    )


def pictures() -> dict[str, str]:
    graphics = document("cramp")["graphics"]
    out = {}
    for night, theme_name in ((False, "day"), (True, "night")):
        theme = builders.theme(night)
        colours = {"ink": theme["figure"], "glow": theme["accent"], "dim": theme["prop"]}
        for technique in figures.technique_ids():
            parameters = {**figures.pose(technique), **colours}
            out[f"{technique}-{theme_name}"] = svg(
                graphics["pose"], parameters, theme["background"]
            )
        sample = [0, 1, 0, 0, 2, 0, 1, 0, 0, 0, 3, 1, 0, 1]  # a made-up fortnight
        bars = builders.chart_bars(sample)
        parameters = {**bars, "ink": theme["accent"], "dim": theme["prop"]}
        out[f"chart-{theme_name}"] = svg(graphics["bars"], parameters, theme["background"])
    return out


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    sys.exit("Chromium not found: apt-get install chromium")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screens")
    parser.add_argument("--only", default="", help="render only names containing this")
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    chrome = browser()
    for name, text in pictures().items():
        if args.only not in name:
            continue
        source = out / f"{name}.svg"
        source.write_text(text)
        subprocess.run(
            [
                chrome,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={PIXELS},{PIXELS}",
                f"--screenshot={out / (name + '.png')}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        print(out / f"{name}.png")
    index = "".join(
        f'<figure style="display:inline-block"><img src="{n}.png" width="240">'
        f"<figcaption>{n}</figcaption></figure>"
        for n in sorted(pictures())
    )
    (out / "index.html").write_text(f"<!doctype html><title>Screens</title>{index}")


if __name__ == "__main__":
    main()
