"""Survivors (遗属) of deceased members: put on the festival visit list, visited, and taken off it with a reason."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction
from laogan.members.models import Status as MemberStatus, validate_phone

from ..models import Survivor


def do_add_survivor(deceased, *, name, relationship, acting_user, phone="", address="", notes="", ip=None):
    """Put a surviving relative of a deceased member on the festival visit list."""
    with transaction.atomic():
        if deceased.status != MemberStatus.DECEASED:
            raise ValidationError(_("%(name)s is not recorded as deceased.") % {"name": deceased.name})
        if not name.strip():
            raise ValidationError({"name": _("Give the name.")})
        survivor = Survivor.objects.create(
            deceased=deceased, centre_id=deceased.centre_id, unit_path=deceased.unit_path, name=name.strip(),
            relationship=relationship.strip() or "配偶", phone=validate_phone(phone) if phone.strip() else "",
            address=address.strip(), notes=notes.strip(), added_on=timezone.localdate(), added_by=acting_user,
        )
        record_audit(acting_user, AuditAction.CREATE, survivor, ip=ip, changes={"deceased": deceased.pk,
                                                                                 "relationship": survivor.relationship})
    return survivor


def do_record_survivor_visit(survivor, *, visited_on, acting_user, ip=None):
    """Record that the survivor was visited; only moves the date forward, so a late entry never hides a newer one."""
    with transaction.atomic():
        if visited_on > timezone.localdate():
            raise ValidationError({"visited_on": _("The date cannot be in the future.")})
        if visited_on < survivor.deceased.died_on:
            raise ValidationError({"visited_on": _("The date is before the member died.")})
        rows = Survivor.objects.filter(pk=survivor.pk).exclude(last_visited_on__gte=visited_on)
        moved = rows.update(last_visited_on=visited_on)
        record_audit(acting_user, AuditAction.UPDATE, survivor, ip=ip, changes={"visited_on": visited_on.isoformat()})
    survivor.refresh_from_db(fields=["last_visited_on"])
    return moved == 1


def do_set_survivor_active(survivor, *, active, acting_user, reason="", ip=None):
    with transaction.atomic():
        if not active and not reason.strip():
            raise ValidationError({"reason": _("Say why they are no longer visited.")})
        survivor.active = active
        survivor.stopped_reason = "" if active else reason.strip()
        survivor.stopped_on = None if active else timezone.localdate()
        survivor.save(update_fields=["active", "stopped_reason", "stopped_on"])
        record_audit(acting_user, AuditAction.UPDATE, survivor, ip=ip,
                     changes={"active": active, "reason": survivor.stopped_reason})
    return survivor
