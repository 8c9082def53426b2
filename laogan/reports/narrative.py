"""The annual summary's prose: a default text per year, and filling {figure_key} placeholders from the figures."""

import re

from laogan.lib import figures

PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")


def default_title(unit, year):
    return f"{unit.name}{year}年度工作总结"


def default_body(year):
    """Return the default prose: one paragraph per area that has figures, every number a placeholder."""
    lines = [f"{year}年，在上级党委的关心指导下，支部坚持以学习为基、服务为本，各项工作取得新的成效。"]
    for area, area_figures in figures.areas():
        parts = [f"{f.label_zh}{{{f.key}}}{f.unit}" for f in area_figures]
        lines.append(f"{area.label_zh}方面：" + "，".join(parts) + "。")
    lines.append("下一步，支部将继续坚持“四必访”制度，做细做实服务，让老干部学习有人管、困难有人帮、心事有人听。")
    return "\n\n".join(lines)


def fill(text, values):
    """Return (filled text, unknown keys): each {key} replaced by the figure's value as written in the report."""
    unknown = []

    def replace(match):
        key = match.group(1)
        if key not in values:
            unknown.append(key)
            return match.group(0)
        return format_value(values[key])

    return PLACEHOLDER.sub(replace, text), unknown


def format_value(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def paragraphs(text):
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
