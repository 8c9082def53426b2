"""The annual summary as a PDF, printed by WeasyPrint from reports/annual_pdf.html.

The fonts are named by family ("Noto Serif CJK SC", from Debian's fonts-noto-cjk) so WeasyPrint finds them through
fontconfig and embeds the subset used: the PDF then shows and copies the same Chinese text on any machine. Charts
are SVG, so they stay sharp in print and their labels stay text.
"""

import base64
import logging

from django.template.loader import render_to_string
from django.utils import timezone

from .common import (area_chart_svg, change_text, day_text, is_partial, ordinal, period_text, rate_text,
                     title_lines, value_text)

TITLE_CHARS = 24  # characters of the 18 pt title on one line of the A4 text width

# WeasyPrint reports each layout step at INFO, which our root logger prints: seven lines per PDF in every log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render(summary):
    """Return the PDF bytes of `summary`."""
    from weasyprint import HTML

    return HTML(string=render_html(summary)).write_pdf()


def render_html(summary):
    """Return the HTML the PDF is printed from (also handy to look at in a browser while changing the layout)."""
    areas = []
    for n, area in enumerate(summary.areas, 1):
        svg = area_chart_svg(summary, area)
        areas.append({
            "heading": f"{ordinal(n)}、{area.area.label_zh}",
            "rows": [{"label": row.figure.label_zh, "unit": row.figure.unit, "value": value_text(row.value),
                      "previous": value_text(row.previous), "change": change_text(row), "rate": rate_text(row)}
                     for row in area.rows],
            "chart": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
            "chart_alt": f"{area.area.label_zh}{summary.year - 1}年与{summary.year}年对比图",
        })
    context = {
        "summary": summary,
        "title_lines": title_lines(summary.title, TITLE_CHARS),
        "byline": f"{summary.unit.name}　{day_text(timezone.localdate())}",
        "period": period_text(summary),
        "until": f"{summary.period.end.month}月{summary.period.end.day}日" if is_partial(summary) else "",
        "last_year": f"{summary.year - 1}年",
        "areas": areas,
    }
    return render_to_string("reports/annual_pdf.html", context)
