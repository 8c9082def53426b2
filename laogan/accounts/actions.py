"""Changes to users and units, and the one way to write the audit log."""

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from laogan.lib import bulk

from .models import AuditAction, AuditEntry, AuditSubject, RecoveryCode, TotpDevice, Unit, User


def record_audit(actor, action, obj=None, *, unit_path="", changes=None, detail="", ip=None, object_type="", object_repr="",
                 subjects=None, subject_type="members.member"):
    """Record one audit entry. `obj` may be any model instance; its unit path is found when it has one.

    `subjects` is an iterable of the ids of further records (of `subject_type`) the action touched, e.g. every member
    of an export; they are written to AuditSubject so the personal-data access report finds them by index.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_repr = object_repr or str(obj)[:200]
        unit_path = unit_path or getattr(obj, "unit_path", "") or getattr(obj, "path", "")
        if not unit_path and getattr(obj, "unit_id", None):
            unit_path = obj.unit.path
    if not unit_path and actor is not None and getattr(actor, "unit_id", None):
        unit_path = actor.unit.path
    entry = AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None and actor.pk else "",
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=object_repr,
        unit_path=unit_path,
        changes=changes or {},
        detail=detail[:500],
        ip=ip,
    )
    if subjects is not None:
        record_subjects(entry, subjects, subject_type)
    return entry


def record_subjects(entry, ids, object_type="members.member"):
    """Attach the ids of the records an audit entry touched (streamed in batches: a large export never holds all
    rows; plain rows through lib.bulk, since bulk_create's SQL compilation was a fifth of a roster import)."""
    writer = bulk.Writer(AuditSubject, ["entry_id", "object_type", "object_id"])
    for pk in ids:
        writer.add(entry.pk, object_type, int(pk))
    writer.flush()


def diff(before, after):
    """Return {field: [old, new]} for the fields whose values differ."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def client_ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


def do_create_unit(*, code, name, kind, parent, acting_user, hotline="", address=""):
    with transaction.atomic():
        unit = Unit(code=code, name=name, kind=kind, parent=parent, hotline=hotline, address=address)
        unit.full_clean()
        unit.save()
        record_audit(acting_user, AuditAction.CREATE, unit, changes={"code": code, "name": name, "kind": kind})
    return unit


def do_update_unit(unit, *, acting_user, **fields):
    with transaction.atomic():
        before = {k: getattr(unit, k) for k in fields}
        for k, v in fields.items():
            setattr(unit, k, v)
        unit.full_clean()
        unit.save(update_fields=list(fields))
        record_audit(acting_user, AuditAction.UPDATE, unit, changes=diff(before, fields))
    return unit


def do_create_user(*, username, full_name, unit, role, acting_user, mobile="", work_phone="", password=None):
    """Create a user who must change the password at first log-in; return (user, temporary password)."""
    temporary = password or get_random_string(12, "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    with transaction.atomic():
        user = User(username=username, full_name=full_name, unit=unit, role=role, mobile=mobile, work_phone=work_phone)
        user.set_password(temporary)
        user.must_change_password = password is None
        user.full_clean(exclude=["password"])
        user.save()
        record_audit(acting_user, AuditAction.CREATE, user, unit_path=unit.path,
                     changes={"username": username, "role": role, "unit": unit.code})
    return user, temporary


def do_update_user(user, *, acting_user, **fields):
    with transaction.atomic():
        before = {k: _plain(getattr(user, k)) for k in fields}
        for k, v in fields.items():
            setattr(user, k, v)
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(fields))
        record_audit(acting_user, AuditAction.UPDATE, user, unit_path=user.unit.path if user.unit_id else "",
                     changes=diff(before, {k: _plain(v) for k, v in fields.items()}))
    return user


def do_set_user_active(user, active, *, acting_user):
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_audit(acting_user, AuditAction.UPDATE, user, unit_path=user.unit.path if user.unit_id else "",
                     changes={"is_active": [not active, active]})
    return user


def do_reset_password(user, *, acting_user):
    """Give the user a new temporary password that must be changed at the next log-in; return it."""
    temporary = get_random_string(12, "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    with transaction.atomic():
        user.set_password(temporary)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        record_audit(acting_user, AuditAction.PASSWORD, user, unit_path=user.unit.path if user.unit_id else "",
                     detail="reset by administrator")
    return temporary


def do_confirm_totp(device, code, *, acting_user, ip=None):
    """Confirm a new authenticator with a code from it; return the recovery codes (shown once) or None."""
    from . import totp

    with transaction.atomic():
        if not totp.verify(device, code):
            return None
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        codes = totp.new_recovery_codes(device.user)
        record_audit(acting_user, AuditAction.UPDATE, device.user, ip=ip, detail="two-step log-in switched on",
                     unit_path=device.user.unit.path if device.user.unit_id else "")
    return codes


def do_new_recovery_codes(user, *, acting_user, ip=None):
    from . import totp

    with transaction.atomic():
        codes = totp.new_recovery_codes(user)
        record_audit(acting_user, AuditAction.UPDATE, user, ip=ip, detail="new recovery codes",
                     unit_path=user.unit.path if user.unit_id else "")
    return codes


def do_reset_totp(user, *, acting_user, ip=None, detail="two-step log-in reset by administrator"):
    """Remove a user's authenticator and recovery codes (lost phone; or the user switching it off)."""
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        record_audit(acting_user, AuditAction.UPDATE, user, ip=ip, detail=detail,
                     unit_path=user.unit.path if user.unit_id else "")


def _plain(value):
    if hasattr(value, "pk"):
        return getattr(value, "code", None) or value.pk
    return value
