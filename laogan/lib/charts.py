"""Horizontal bar charts for printed documents: a PNG for Word (drawn with Pillow) and an SVG for the PDF.

Both are drawn from one layout, so the Word file and the PDF show the same chart. Bars run horizontally because
Chinese figure labels ("党龄满50年党员") are long and read badly under vertical bars. Sizes are chosen for print:
the chart is 800 units wide and meant to fill a ~16 cm text column, so an 18-unit label prints at about 10 pt.

    png = bar_chart_png(["住院", "去世"], [[3, 1], [5, 2]], "老干部队伍", series=["2025年", "2026年"])
"""

import html
import io
import subprocess
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

WIDTH = 800
PAD = 16
TITLE_SIZE = 24
LABEL_SIZE = 19
VALUE_SIZE = 17
LEGEND_SIZE = 17
NOTE_SIZE = 14
BAR_HEIGHT = 22
BAR_GAP = 4
GROUP_GAP = 18
PNG_SCALE = 2  # 1600 px across: sharp at print size without a large file
PRINT_WIDTH_CM = 16

# The first series is usually last year (muted), the second this year (the party red of Chinese reports).
COLOURS = ("#9aa5b1", "#b3261e", "#1f5f8b", "#d98c1f", "#3c8d4f")
TEXT = "#1a1a1a"
MUTED = "#555555"

FONT_FAMILY = "Noto Sans CJK SC"
# Debian's fonts-noto-cjk; face 2 of each collection is the Simplified Chinese one.
FONT_FILES = {
    False: ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    True: ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
}


class ChartFontMissing(RuntimeError):
    """The Chinese font the PNG charts are drawn with is not installed."""


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    fill: str = TEXT
    anchor: str = "start"  # start | end | middle, as in SVG
    bold: bool = False


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    title: str
    shapes: tuple


def bar_chart_png(labels, values, title="", *, series=None, scale="shared", note="", fmt=None):
    """Return the chart as PNG bytes (see `layout` for the arguments)."""
    from PIL import Image, ImageDraw

    chart = layout(labels, values, title, series=series, scale=scale, note=note, fmt=fmt)
    image = Image.new("RGB", (round(chart.width * PNG_SCALE), round(chart.height * PNG_SCALE)), "white")
    draw = ImageDraw.Draw(image)
    s = PNG_SCALE
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            if shape.w > 0:
                box = [shape.x * s, shape.y * s, (shape.x + shape.w) * s - 1, (shape.y + shape.h) * s - 1]
                draw.rectangle(box, fill=shape.fill)
        elif isinstance(shape, Line):
            draw.line([shape.x1 * s, shape.y1 * s, shape.x2 * s, shape.y2 * s], fill=shape.stroke, width=s)
        else:
            anchor = {"start": "ls", "end": "rs", "middle": "ms"}[shape.anchor]
            font = _font(round(shape.size * s), shape.bold)
            draw.text((shape.x * s, shape.y * s), shape.text, fill=shape.fill, font=font, anchor=anchor)
    out = io.BytesIO()
    dpi = round(image.width / (PRINT_WIDTH_CM / 2.54))  # so a word processor places it at print width by default
    image.save(out, "PNG", dpi=(dpi, dpi))  # optimize=True doubles the time for a few kilobytes
    return out.getvalue()


def bar_chart_svg(labels, values, title="", *, series=None, scale="shared", note="", fmt=None):
    """Return the chart as a standalone SVG document (text, so the PDF keeps the words selectable)."""
    chart = layout(labels, values, title, series=series, scale=scale, note=note, fmt=fmt)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width:g}" height="{chart.height:g}" '
        f'viewBox="0 0 {chart.width:g} {chart.height:g}" font-family="{FONT_FAMILY}, sans-serif">',
        f"<title>{html.escape(chart.title)}</title>",
        f'<rect width="{chart.width:g}" height="{chart.height:g}" fill="#ffffff"/>',
    ]
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            if shape.w > 0:
                parts.append(f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.w:.1f}" height="{shape.h:.1f}" '
                             f'fill="{shape.fill}"/>')
        elif isinstance(shape, Line):
            parts.append(f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" y2="{shape.y2:.1f}" '
                         f'stroke="{shape.stroke}" stroke-width="1"/>')
        else:
            weight = ' font-weight="bold"' if shape.bold else ""
            parts.append(f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size:g}" fill="{shape.fill}" '
                         f'text-anchor="{shape.anchor}"{weight}>{html.escape(shape.text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def layout(labels, values, title="", *, series=None, scale="shared", note="", fmt=None):
    """Return the shapes of a horizontal bar chart.

    `values` is one number per label, or, when `series` names are given, one list of numbers per series (each
    aligned with `labels`), drawn as a group of bars per label with a legend. Numbers may be int, float or Decimal;
    None draws no bar and prints "—". `scale="per_label"` scales each group to its own largest value, for figures
    of different units side by side (人次 beside 元); the printed numbers then carry the comparison. `fmt` turns a
    value into the printed text.
    """
    labels = [str(label) for label in labels]
    if not labels:
        raise ValueError("a chart needs at least one label")
    grid = [list(values)] if series is None else [list(v) for v in values]
    if series is not None and len(grid) != len(series):
        raise ValueError(f"{len(series)} series names but {len(grid)} lists of values")
    if any(len(row) != len(labels) for row in grid):
        raise ValueError("every series needs one value per label")
    if scale not in ("shared", "per_label"):
        raise ValueError(f"unknown scale {scale!r}")
    fmt = fmt or format_number
    numbers = [[_number(v) for v in row] for row in grid]
    texts = [["—" if v is None else fmt(v) for v in row] for row in grid]

    shapes = []
    y = PAD
    if title:
        y += TITLE_SIZE
        shapes.append(Text(WIDTH / 2, y, title, TITLE_SIZE, anchor="middle", bold=True))
        y += 10
    if series is not None:
        y = _legend(shapes, series, y + LEGEND_SIZE + 4)
        y += 8
    y += 6

    label_lines = [_wrap(label, WIDTH * 0.36, LABEL_SIZE) for label in labels]
    label_w = max(text_width(line, LABEL_SIZE) for lines in label_lines for line in lines)
    value_w = max(text_width(t, VALUE_SIZE) for row in texts for t in row)
    bar_x = PAD + label_w + 12
    bar_room = WIDTH - PAD - value_w - 8 - bar_x
    overall = max((v for row in numbers for v in row if v is not None), default=0)

    top = y
    line_h = LABEL_SIZE * 1.25
    bars_h = len(grid) * BAR_HEIGHT + (len(grid) - 1) * BAR_GAP
    for i, lines in enumerate(label_lines):
        group_h = max(bars_h, len(lines) * line_h)
        biggest = overall if scale == "shared" else max((row[i] for row in numbers if row[i] is not None), default=0)
        bar_y = y + (group_h - bars_h) / 2
        for s, row in enumerate(numbers):
            v = row[i]
            w = 0 if not v or v <= 0 or biggest <= 0 else bar_room * v / biggest
            shapes.append(Rect(bar_x, bar_y, w, BAR_HEIGHT, _colour(s, len(grid))))
            # The comparison year's number is grey like its bar; this year's reads in full black.
            colour = MUTED if s < len(grid) - 1 else TEXT
            shapes.append(Text(bar_x + w + 6, bar_y + BAR_HEIGHT / 2 + VALUE_SIZE * 0.36, texts[s][i], VALUE_SIZE, colour))
            bar_y += BAR_HEIGHT + BAR_GAP
        text_y = y + group_h / 2 - (len(lines) - 1) * line_h / 2 + LABEL_SIZE * 0.36
        for line in lines:
            shapes.append(Text(bar_x - 10, text_y, line, LABEL_SIZE, anchor="end"))
            text_y += line_h
        y += group_h + GROUP_GAP
    y -= GROUP_GAP
    shapes.append(Line(bar_x, top - 4, bar_x, y + 4, MUTED))
    y += 4
    if note:
        y += NOTE_SIZE + 10
        shapes.append(Text(PAD, y, note, NOTE_SIZE, MUTED))
    return Layout(WIDTH, y + PAD, title, tuple(shapes))


def _legend(shapes, series, baseline):
    """Add the legend right-aligned on one line; return the baseline."""
    items = [(name, text_width(str(name), LEGEND_SIZE)) for name in series]
    x = WIDTH - PAD - sum(LEGEND_SIZE + 6 + w + 18 for _, w in items) + 18
    for s, (name, w) in enumerate(items):
        shapes.append(Rect(x, baseline - LEGEND_SIZE * 0.85, LEGEND_SIZE * 0.85, LEGEND_SIZE * 0.85, _colour(s, len(items))))
        shapes.append(Text(x + LEGEND_SIZE + 6, baseline, str(name), LEGEND_SIZE))
        x += LEGEND_SIZE + 6 + w + 18
    return baseline


def _colour(index, count):
    # A lone series is "this year", not the muted comparison colour.
    return COLOURS[1] if count == 1 else COLOURS[index % len(COLOURS)]


def format_number(value):
    """Return a value as printed on a bar: money with two decimals and separators, counts as they are."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _number(value):
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"a chart value must be a number, not {value!r}")


def text_width(text, size):
    """Return the width of text in a CJK font, estimated: the SVG is laid out without opening the font file."""
    width = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            width += 1.0
        elif ch == " ":
            width += 0.3
        else:
            width += 0.6
    return width * size


def _wrap(text, max_width, size):
    """Return text as at most two lines no wider than max_width, cut with an ellipsis if still too long."""
    lines, current = [], ""
    for ch in text:
        if current and text_width(current + ch, size) > max_width:
            lines.append(current)
            current = ""
        current += ch
    lines.append(current)
    if len(lines) > 2:
        second = "".join(lines[1:])
        while text_width(second + "…", size) > max_width:
            second = second[:-1]
        lines = [lines[0], second + "…"]
    return lines


@lru_cache(maxsize=None)
def _font(size, bold):
    from PIL import ImageFont

    path, index = font_file(bold)
    return ImageFont.truetype(path, size, index=index)


@lru_cache(maxsize=None)
def font_file(bold=False):
    """Return (path, face index) of Noto Sans CJK SC, or raise ChartFontMissing saying what to install."""
    pattern = f"{FONT_FAMILY}:bold" if bold else FONT_FAMILY
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\t%{index}\t%{family}", pattern],
                               capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        found = ""
    path, _, rest = found.partition("\t")
    index, _, family = rest.partition("\t")
    # fc-match always answers with *some* font; only a Noto CJK answer will draw Chinese.
    if "Noto Sans CJK" in family and index.isdigit() and Path(path).is_file():
        return path, int(index)
    for candidate in (FONT_FILES[bold], FONT_FILES[False]):
        if Path(candidate[0]).is_file():
            return candidate
    raise ChartFontMissing(
        f"The Chinese font {FONT_FAMILY} is not installed, so charts cannot be drawn. "
        "Install the Debian package fonts-noto-cjk (apt-get install fonts-noto-cjk)."
    )
