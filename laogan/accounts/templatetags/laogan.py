from django import template

register = template.Library()


@register.filter
def change_text(value):
    """Render an audit change: [old, new] as "old → new", anything else as itself."""
    if isinstance(value, list) and len(value) == 2:
        old, new = value
        return f"{'' if old is None else old} → {'' if new is None else new}"
    return value
