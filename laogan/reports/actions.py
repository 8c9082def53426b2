from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction

from .models import Narrative


class StaleEdit(Exception):
    pass


def narrative_for(unit, year):
    return Narrative.objects.filter(unit=unit, year=year).first()


def do_save_narrative(unit, year, *, title, body, expected_version, acting_user, ip=None):
    """Save the summary's prose; refuse when someone else saved it after `expected_version` was read."""
    stale = StaleEdit(_("Someone else saved this text while you were editing. Reload to see their version."))
    with transaction.atomic():
        if expected_version == 0:
            try:
                with transaction.atomic():
                    narrative = Narrative.objects.create(unit=unit, year=year, title=title, body=body, updated_by=acting_user)
            except IntegrityError:
                raise stale from None
        else:
            claimed = Narrative.objects.filter(unit=unit, year=year, version=expected_version).update(
                title=title, body=body, updated_by=acting_user, version=expected_version + 1)
            if claimed != 1:
                raise stale
            narrative = Narrative.objects.get(unit=unit, year=year)
        record_audit(acting_user, AuditAction.UPDATE, unit, object_type="reports.narrative",
                     object_repr=f"{unit.name} {year}", detail="annual summary text", ip=ip)
    return narrative
