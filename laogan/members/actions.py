"""Every change to the member archive goes through these functions: views, imports and commands alike."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from laogan.accounts.actions import diff, record_audit
from laogan.accounts.models import AuditAction

from . import events
from .models import Contact, EventKind, LifeEvent, Member, MemberPhone, Status

AUDITED_FIELDS = [
    "name", "sex", "ethnicity", "birth_date", "birthday_custom", "id_number", "category", "is_party_member",
    "party_join_date", "work_start_date", "retirement_date", "former_unit", "former_post", "treatment_level",
    "unit_id", "address", "health_notes", "lives_alone", "disabled", "bedridden", "notes",
]
# Values never written into the audit log in clear.
SECRET_FIELDS = {"id_number", "address", "health_notes"}


# Everything an edit may write; status fields follow life events and are never overwritten from a form.
EDITABLE_FIELDS = [
    f.name for f in Member._meta.concrete_fields
    if not f.primary_key and f.name not in ("created_at", "status", "died_on", "has_hardship", "version")
]


class StaleEdit(Exception):
    """Someone else saved the record after this edit began."""


def snapshot(member):
    values = {}
    for field in AUDITED_FIELDS:
        value = getattr(member, field)
        if field in SECRET_FIELDS:
            value = "(已填写)" if value else ""
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        values[field] = value
    return values


def do_create_member(member, *, acting_user, phones=(), contacts=(), ip=None, audit=True):
    """Record a new member with their phones [(label, number)] and contacts [dict]."""
    with transaction.atomic():
        member.refresh_derived()
        member.full_clean()
        member.save()
        _replace_phones(member, phones)
        for contact in contacts:
            Contact.objects.create(member=member, **contact)
        if audit:
            record_audit(acting_user, AuditAction.CREATE, member, changes=snapshot(member), ip=ip)
    return member


def do_update_member(member, *, acting_user, expected_version, before, phones=None, contacts=None, ip=None):
    """Save changes made to `member`, refusing if someone else saved it since `expected_version` was read."""
    with transaction.atomic():
        member.refresh_derived()
        member.full_clean()
        claimed = Member.objects.filter(pk=member.pk, version=expected_version).update(version=expected_version + 1)
        if claimed != 1:
            raise StaleEdit(_("%(name)s was changed by someone else while you were editing. Reload the page to see their change, then make yours again.") % {"name": member.name})
        member.version = expected_version + 1
        member.save(update_fields=EDITABLE_FIELDS)
        if phones is not None:
            _replace_phones(member, phones)
        if contacts is not None:
            member.contacts.all().delete()
            for contact in contacts:
                Contact.objects.create(member=member, **contact)
        changes = diff(before, snapshot(member))
        if changes or phones is not None or contacts is not None:
            record_audit(acting_user, AuditAction.UPDATE, member, changes=changes, ip=ip)
    return member


def _replace_phones(member, phones):
    member.phones.all().delete()
    for order, (label, number) in enumerate(phones):
        MemberPhone.objects.create(member=member, label=label, number=number, order=order)


def do_record_life_event(member, *, kind, date, acting_user, hospital="", ward="", cause="", notes="", ip=None):
    """Record a life event, bring the member's status up to date and tell the apps that act on it."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        existing = list(member.events.all())
        if member.status == Status.DECEASED and kind != EventKind.DIED:
            raise ValidationError(_("%(name)s is recorded as deceased; no further events can be recorded.") % {"name": member.name})
        if kind == EventKind.DIED and member.status == Status.DECEASED:
            raise ValidationError(_("The death of %(name)s is already recorded.") % {"name": member.name})
        if kind == EventKind.DISCHARGED and member.status != Status.IN_HOSPITAL:
            raise ValidationError(_("%(name)s is not recorded as in hospital.") % {"name": member.name})
        if kind == EventKind.HARDSHIP_RESOLVED and not member.has_hardship:
            raise ValidationError(_("%(name)s has no open family hardship.") % {"name": member.name})
        if kind == EventKind.ADMITTED and not hospital:
            raise ValidationError({"hospital": _("Say which hospital.")})
        if member.birth_date and date < member.birth_date:
            raise ValidationError({"date": _("The date is before the member's birth.")})
        event = LifeEvent.objects.create(
            member=member, kind=kind, date=date, hospital=hospital, ward=ward, cause=cause, notes=notes, recorded_by=acting_user
        )
        refresh_status(member, existing + [event])
        record_audit(acting_user, AuditAction.CREATE, member, object_type="members.lifeevent",
                     changes={"event": kind, "date": date.isoformat(), "hospital": hospital}, ip=ip)
        events.announce(event, acting_user=acting_user)
    return event


def refresh_status(member, all_events):
    status, died_on, hardship = member.status_from_events(all_events)
    if (status, died_on, hardship) != (member.status, member.died_on, member.has_hardship):
        member.status, member.died_on, member.has_hardship = status, died_on, hardship
        member.save(update_fields=["status", "died_on", "has_hardship"])


def do_reveal(member, field, *, acting_user, ip=None):
    """Return the full value of a masked field and audit that `acting_user` saw it."""
    if field == "id_number":
        if not acting_user.can_reveal_id:
            raise PermissionError("reveal")
        value = member.id_number
    elif field == "phones":
        value = [(p.get_label_display(), p.number) for p in member.phones.all()] + [
            (f"{c.relationship} {c.name}", c.phone) for c in member.contacts.all() if c.phone
        ]
    elif field == "address":
        value = member.address
    else:
        raise ValueError(field)
    record_audit(acting_user, AuditAction.REVEAL, member, detail=field, ip=ip)
    return value
