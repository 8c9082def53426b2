"""Every change to learning records goes through these functions: views, the command and the demo alike."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction
from laogan.members.models import Member, Status

from .models import BookReading, GoodDeed, MaterialHandout, Reflection, StudyMaterial


def _check_day(day, member=None):
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if member is not None and member.died_on and day > member.died_on:
        raise ValidationError(_("%(name)s died on %(date)s.") % {"name": member.name, "date": member.died_on.isoformat()})


def _row(model, member, day, acting_user, **fields):
    _check_day(day, member)
    row = model(member=member, unit_path=member.unit_path, year=day.year, recorded_by=acting_user, **fields)
    row.full_clean(exclude=["file"])
    return row


# -- 三个一 ----------------------------------------------------------------------------------------------------------

def do_record_reading(member, *, book_title, read_on, acting_user, material=None, notes="", ip=None):
    """Record that a member read a book; the title of a handed-out material is used when none is typed."""
    book_title = (book_title or (material.title if material else "")).strip().strip("《》")
    if not book_title:
        raise ValidationError(_("Say which book was read."))
    if material is not None and not member.unit_path.startswith(material.unit_path):
        raise ValidationError(_("This material belongs to another unit."))
    with transaction.atomic():
        row = _row(BookReading, member, read_on, acting_user, book_title=book_title, material=material, read_on=read_on,
                   notes=notes.strip())
        row.save()
        record_audit(acting_user, AuditAction.CREATE, row, ip=ip, changes={"member": member.pk, "book": book_title,
                                                                            "date": read_on.isoformat()})
    return row


def do_record_reflection(member, *, title, written_on, acting_user, text="", checked_file=None, dictated=False,
                         scribe="", consent_to_publish=False, consent_on=None, ip=None):
    """Record a reflection: typed text and/or a checked file (lib.documents.CheckedFile) of the written page."""
    text, scribe, title = (text or "").strip(), (scribe or "").strip(), (title or "").strip()
    errors = {}
    if not text and checked_file is None:
        errors["text"] = _("Type the text or attach a scan, photo or document of it.")
    if dictated and not scribe:
        errors["scribe"] = _("Say who wrote down the dictated reflection.")
    if consent_to_publish and consent_on is None:
        errors["consent_on"] = _("Say on which day the member agreed.")
    if consent_on is not None and consent_on > timezone.localdate():
        errors["consent_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = _row(Reflection, member, written_on, acting_user, title=title, text=text, written_on=written_on,
                   dictated=dictated, scribe=scribe if dictated else "", consent_to_publish=consent_to_publish,
                   consent_on=consent_on if consent_to_publish else None)
        if checked_file is not None:
            row.file_name, row.file_kind = checked_file.name, checked_file.kind
            row.file.save(checked_file.name, ContentFile(checked_file.content), save=False)
        row.save()
        record_audit(acting_user, AuditAction.CREATE, row, ip=ip, changes={
            "member": member.pk, "title": title, "date": written_on.isoformat(), "file": row.file_kind,
            "dictated": dictated, "consent": consent_to_publish})
    return row


def do_set_consent(reflection, *, consent, on, acting_user, ip=None):
    """Record (or withdraw) the author's consent to print the reflection in the special issue."""
    if consent and on is None:
        raise ValidationError({"consent_on": _("Say on which day the member agreed.")})
    if on is not None and on > timezone.localdate():
        raise ValidationError({"consent_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        before = [reflection.consent_to_publish, reflection.consent_on.isoformat() if reflection.consent_on else None]
        reflection.consent_to_publish = consent
        reflection.consent_on = on if consent else None
        reflection.save(update_fields=["consent_to_publish", "consent_on"])
        record_audit(acting_user, AuditAction.UPDATE, reflection, ip=ip, changes={"consent": [
            before, [consent, reflection.consent_on.isoformat() if reflection.consent_on else None]]})
    return reflection


def do_record_good_deed(member, *, what, for_whom, done_on, acting_user, ip=None):
    what, for_whom = (what or "").strip(), (for_whom or "").strip()
    with transaction.atomic():
        row = _row(GoodDeed, member, done_on, acting_user, what=what, for_whom=for_whom, done_on=done_on)
        row.save()
        record_audit(acting_user, AuditAction.CREATE, row, ip=ip, changes={"member": member.pk, "what": what,
                                                                            "date": done_on.isoformat()})
    return row


def do_delete_record(row, *, acting_user, ip=None):
    """Delete a reading, reflection or good deed recorded by mistake (its file goes with it)."""
    with transaction.atomic():
        record_audit(acting_user, AuditAction.DELETE, row, ip=ip, changes={"member": row.member_id, "year": row.year})
        stored = row.file.name if isinstance(row, Reflection) and row.file else ""
        row.delete()
        if stored:
            storage = Reflection._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(stored))


# -- materials ------------------------------------------------------------------------------------------------------

def do_receive_material(*, unit, title, copies_received, received_on, acting_user, edition="", notes="", ip=None):
    _check_day(received_on)
    with transaction.atomic():
        material = StudyMaterial(unit=unit, unit_path=unit.path, title=title.strip().strip("《》"), edition=edition.strip(),
                                 copies_received=copies_received, received_on=received_on, notes=notes.strip(),
                                 created_by=acting_user)
        material.full_clean()
        material.save()
        record_audit(acting_user, AuditAction.CREATE, material, ip=ip,
                     changes={"title": material.title, "copies": copies_received, "date": received_on.isoformat()})
    return material


def do_hand_out(material, members, *, handed_on, acting_user, copies=1, delivered_home=False, ip=None):
    """Hand `copies` of a material to each member, all or nothing; return the handout rows.

    Refused as a whole when the stock on hand does not cover every member, when a member already has a copy, is
    outside the material's unit, or died before the day.
    """
    members = list(members)
    if not members:
        raise ValidationError(_("Choose at least one member."))
    if copies < 1:
        raise ValidationError(_("Hand out at least one copy."))
    _check_day(handed_on)
    if handed_on < material.received_on:
        raise ValidationError(_("The material was received on %(date)s; it cannot be handed out before.")
                              % {"date": material.received_on.isoformat()})
    with transaction.atomic():
        # Lock the material row: two staff handing out the last copies at once must not both succeed.
        material = StudyMaterial.objects.select_for_update().get(pk=material.pk)
        errors = []
        current = {m.pk: m for m in Member.objects.filter(pk__in=[m.pk for m in members])}
        outside = [m.name for m in members if not current[m.pk].unit_path.startswith(material.unit_path)]
        if outside:
            errors.append(_("Not members of %(unit)s: %(names)s.") % {"unit": material.unit.name, "names": "、".join(outside)})
        dead = [m.name for m in current.values() if m.status == Status.DECEASED and m.died_on and m.died_on < handed_on]
        if dead:
            errors.append(_("Died before that day: %(names)s.") % {"names": "、".join(dead)})
        already = list(MaterialHandout.objects.filter(material=material, member__in=members)
                       .select_related("member").order_by("member__name_pinyin"))
        if already:
            errors.append(_("Already received this material: %(names)s.") % {"names": "、".join(h.member.name for h in already)})
        handed = material.handouts.aggregate(n=Sum("copies"))["n"] or 0
        on_hand, wanted = material.copies_received - handed, copies * len(members)
        if wanted > on_hand:
            errors.append(_("Only %(on_hand)s copies of %(title)s are on hand; %(wanted)s are needed for %(n)s members. "
                            "Nothing was handed out.") % {"on_hand": on_hand, "title": material, "wanted": wanted,
                                                          "n": len(members)})
        if errors:
            raise ValidationError(errors)
        rows = MaterialHandout.objects.bulk_create([
            MaterialHandout(material=material, member=current[m.pk], unit_path=current[m.pk].unit_path,
                            handed_on=handed_on, copies=copies, delivered_home=delivered_home, handed_by=acting_user)
            for m in members
        ])
        record_audit(acting_user, AuditAction.UPDATE, material, ip=ip, changes={
            "handed_out": wanted, "members": len(members), "date": handed_on.isoformat(), "delivered_home": delivered_home})
    return rows
