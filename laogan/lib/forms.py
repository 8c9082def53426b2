"""Form pieces every app shares: the date widget and putting an action's ValidationError onto a form."""

from django import forms

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_errors(form, error):
    """Put a ValidationError raised by an action onto the form's fields (or the form itself)."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)
