"""Form pieces every app shares: the date widget, a quick <select>, putting an action's ValidationError onto a form."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_errors(form, error):
    """Put a ValidationError raised by an action onto the form's fields (or the form itself)."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)


class QuickSelect(forms.Select):
    """A <select> whose options are written in Python: Django renders each <option> through a template and builds a
    dict of attributes for each, which took a fifth of the member list page for a centre's ~80 party groups. Same
    HTML as forms.Select (the first matching option is selected)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        wanted = set(self.format_value(value))
        parts = [format_html("<select name=\"{}\"{}>", widget["name"], flatatt(widget["attrs"]))]
        has_selected = False

        def option(option_value, label):
            nonlocal has_selected
            option_value = "" if option_value is None else str(option_value)
            chosen = option_value in wanted and (self.allow_multiple_selected or not has_selected)
            has_selected = has_selected or chosen
            parts.append(format_html("<option value=\"{}\"{}>{}</option>", option_value, " selected" if chosen else "", label))

        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(format_html("<optgroup label=\"{}\">", option_value))
                for sub_value, sub_label in label:
                    option(sub_value, sub_label)
                parts.append("</optgroup>")
            else:
                option(option_value, label)
        parts.append("</select>")
        return mark_safe("".join(parts))
