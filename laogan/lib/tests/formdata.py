"""For page tests: what a browser sends back for a form as it was rendered (used by the stale-edit tests)."""

from django import forms


def as_post(form):
    """Return the POST data of `form` as shown (an unbound form: its initial values, hidden version included).

    Like a browser: an unticked checkbox and a disabled or file field send nothing, an empty value sends ""."""
    data = {}
    for field in form:
        widget = field.field.widget
        if field.field.disabled or isinstance(widget, forms.FileInput):
            continue
        value = field.value()
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[field.html_name] = "on"
        elif value is None:
            data[field.html_name] = ""
        elif isinstance(value, (list, tuple)):
            data[field.html_name] = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            data[field.html_name] = value.isoformat()
        else:
            data[field.html_name] = str(value)
    return data


def open_form(test, user, url, context_name="form", prefix=""):
    """Sign `user` in on a browser of their own and open `url`, as one of two people editing at once.

    Checks that the form carries its version; returns the browser and the form's data as shown.
    """
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    page = browser.get(url)
    test.assertContains(page, f'<input type="hidden" name="{prefix}version"')  # the version travels with the form
    return browser, as_post(page.context[context_name])
