"""Optimistic locking: an edit made on a stale copy of a record is refused instead of overwriting someone's change.

A locked model has `version = models.PositiveIntegerField(default=1, editable=False)`. Its edit form carries the
version it was read at in a hidden field (`VersionedFormMixin`); the action, inside its transaction and before it
writes anything, claims the next version with a conditional ``UPDATE … SET version = v + 1 WHERE version = v``
(`claim`). When no row matches, someone else saved in between: `StaleEdit` is raised, the transaction rolls back
and nothing of the stale edit is written. A missing or garbled version in the form counts as stale (versions start
at 1, the form reads it as 0), so a forged or truncated form is refused, never a server error.
"""

from django import forms
from django.utils.translation import gettext as _

# Versions are positive and grow by one a save; anything longer than this is not one we handed out.
_MAX_DIGITS = 9


class StaleEdit(Exception):
    """Someone else saved the record after this edit began."""


def stale_message(name=None):
    if name:
        return _("%(name)s was changed by someone else while you were editing. Reload the page to see their change, "
                 "then make yours again.") % {"name": name}
    return _("Someone else saved this while you were editing. Reload the page to see their change, then make yours again.")


def parse_version(raw):
    """Return the version a form sent; 0 (which no record has) for a missing or garbled one."""
    raw = str(raw if raw is not None else "").strip()
    return int(raw) if raw.isdecimal() and raw.isascii() and len(raw) <= _MAX_DIGITS else 0


def claim(model, pk, expected_version, *, name=None):
    """Move the row `pk` of `model` from `expected_version` to the next version and return the new version.

    Raises StaleEdit (with a message naming `name`, if given) when the row is no longer at that version. Call it
    inside the action's transaction, before anything else is written, so that a refusal leaves nothing behind.
    """
    if not isinstance(expected_version, int) or isinstance(expected_version, bool) or expected_version < 1:
        raise StaleEdit(stale_message(name))
    claimed = model._default_manager.filter(pk=pk, version=expected_version).update(version=expected_version + 1)
    if claimed != 1:
        raise StaleEdit(stale_message(name))
    return expected_version + 1


class VersionedFormMixin:
    """Adds the hidden `version` field to a form: the version of `version_of` (default: the ModelForm's instance)."""

    def __init__(self, *args, version_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)
        record = version_of if version_of is not None else getattr(self, "instance", None)
        if record is not None:
            self.initial["version"] = record.version

    @property
    def expected_version(self):
        """The version the person read the record at (0, i.e. stale, when the form did not carry a good one)."""
        return parse_version(self.data.get(self.add_prefix("version")))
