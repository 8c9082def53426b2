from django import forms
from django.utils.translation import gettext_lazy as _


class NarrativeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}),
                           help_text=_("Write numbers as {figure_key}; they are filled in from the records when the report is made. Separate paragraphs with an empty line."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
