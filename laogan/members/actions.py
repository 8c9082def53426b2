"""Every change to the member archive goes through these functions: views, imports and commands alike."""

from array import array

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laogan.accounts.actions import diff, record_audit
from laogan.accounts.models import AuditAction
from laogan.lib import bulk, spreadsheet
from laogan.reports import rollups

from . import events, roster
from .models import Contact, EventKind, LifeEvent, Member, MemberPhone, Status

AUDITED_FIELDS = [
    "name", "sex", "ethnicity", "birth_date", "birthday_custom", "id_number", "category", "is_party_member",
    "party_join_date", "work_start_date", "retirement_date", "former_unit", "former_post", "treatment_level",
    "unit_id", "address", "health_notes", "lives_alone", "disabled", "bedridden", "notes",
]
# Values never written into the audit log in clear.
SECRET_FIELDS = {"id_number", "address", "health_notes"}


# Everything an edit may write. Status follows life events, liaison and last contact follow their own actions:
# none of them is ever overwritten from a stale form.
EDITABLE_FIELDS = [
    f.name for f in Member._meta.concrete_fields
    if not f.primary_key
    and f.name not in ("created_at", "status", "died_on", "has_hardship", "version", "liaison", "last_contact_at")
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
        _check_order(kind, date, existing)
        event = LifeEvent.objects.create(
            member=member, kind=kind, date=date, hospital=hospital, ward=ward, cause=cause, notes=notes, recorded_by=acting_user
        )
        refresh_status(member, existing + [event])
        record_audit(acting_user, AuditAction.CREATE, member, object_type="members.lifeevent",
                     changes={"event": kind, "date": date.isoformat(), "hospital": hospital}, ip=ip)
        events.announce(event, acting_user=acting_user)
    return event


# Status follows events in date order, so a closing event dated before the one it closes would be recorded yet
# change nothing (a discharge before the admission leaves the member "in hospital"). Refuse it instead.
_CLOSES = {EventKind.DISCHARGED: EventKind.ADMITTED, EventKind.HARDSHIP_RESOLVED: EventKind.HARDSHIP_REPORTED}


def _check_order(kind, day, existing):
    if kind in _CLOSES:
        opened = max((e.date for e in existing if e.kind == _CLOSES[kind]), default=None)
        if opened and day < opened:
            raise ValidationError({"date": _("The date is before the matching event on %(date)s.") % {"date": opened.isoformat()}})
    if kind == EventKind.DIED and existing:
        last = max(e.date for e in existing)
        if day < last:
            raise ValidationError({"date": _("The date of death is before the last recorded event on %(date)s.") % {"date": last.isoformat()}})


def refresh_status(member, all_events):
    status, died_on, hardship = member.status_from_events(all_events)
    if (status, died_on, hardship) != (member.status, member.died_on, member.has_hardship):
        member.status, member.died_on, member.has_hardship = status, died_on, hardship
        member.save(update_fields=["status", "died_on", "has_hardship"])


def note_contact(member_ids, at):
    """Record that the centre was in touch with these members at `at` (a call, a visit, a request).

    Only moves the date forward, so recording an older visit late never hides a newer contact.
    """
    from django.db.models import Q

    return Member.objects.filter(pk__in=list(member_ids)).filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at)).update(last_contact_at=at)


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


# -- roster import and export --------------------------------------------------------------------------------------

# Written for every updated member besides the roster's own fields: refresh_derived() output (the ID number is
# the match key and never changes), the optimistic-locking version and the time (bulk_update skips auto_now).
DERIVED_FIELDS = ["name_pinyin", "name_initials", "unit_path", "centre", "birth_md", "lunar_birth_month", "lunar_birth_day",
                  "version", "updated_at"]
IMPORTABLE_FIELDS = [
    "name", "sex", "ethnicity", "birth_date", "birth_date_precision", "birthday_custom", "category", "is_party_member",
    "party_join_date", "work_start_date", "retirement_date", "former_unit", "former_post", "treatment_level", "unit",
    "address", "health_notes", "lives_alone", "disabled", "bedridden", "notes",
]
IMPORT_BATCH = 500


def do_import_roster(source, *, org, acting_user, name="", dry_run=False, ip=None):
    """Import a roster file (path, bytes or binary file) into `org`'s subtree and return its RosterReport.

    The file is read before anything is written, so an unreadable one (SpreadsheetError) leaves the database as
    it was. Good rows are written together in one transaction, in bulk; bad rows are reported, never written.
    A dry run checks the same way and writes nothing, not even the audit entry.
    """
    table = spreadsheet.read_rows(source, name)
    if dry_run:
        return roster.analyse(table, org)
    with transaction.atomic():
        report = roster.analyse(table, org, lock=True)
        _write_roster(report)
        counts = report.counts()
        record_audit(acting_user, AuditAction.IMPORT, org, ip=ip, detail=f"{name} → {org.code}: {report.summary_line()}",
                     subjects=[r.member.pk for r in report.rows if r.outcome in (roster.NEW, roster.UPDATE)],
                     changes={"file": name, "imported": counts["new"], "updated": counts["update"],
                              "unchanged": counts["unchanged"], "rejected": counts["rejected"]})
    return report


def _write_roster(report):
    new = [r for r in report.rows if r.outcome == roster.NEW]
    updated = [r for r in report.rows if r.outcome == roster.UPDATE]
    for r in new:
        r.member.refresh_derived()
    # lib.bulk rather than bulk_create, whose SQL compilation was half the time of a 10,000-row import; the new
    # ids are then read back by the ID number's hash, which every imported row has and which is unique.
    bulk.insert_instances(Member, [r.member for r in new])
    _read_back_ids([r.member for r in new])

    now = timezone.now()
    centres_before = {r.member.pk: r.member.centre_id for r in updated}
    for r in updated:
        r.member.refresh_derived()
        r.member.version += 1
        r.member.updated_at = now
    if updated:
        Member.objects.bulk_update([r.member for r in updated], IMPORTABLE_FIELDS + DERIVED_FIELDS, batch_size=IMPORT_BATCH)
        # bulk_update skips the signals: members moved to another centre take their counted records along.
        rollups.rows_moved(Member, [r.member.pk for r in updated if r.member.centre_id != centres_before[r.member.pk]])

    replaced = [r.member.pk for r in updated if r.phones is not None]
    for start in range(0, len(replaced), IMPORT_BATCH):
        MemberPhone.objects.filter(member_id__in=replaced[start : start + IMPORT_BATCH]).delete()
    # Bulk inserts skip MemberPhone.save(), so the columns search reads are derived here.
    phones = [
        MemberPhone(member=r.member, label=label, number=number, order=order)
        for r in new + updated if r.phones for order, (label, number) in enumerate(r.phones)
    ]
    for phone in phones:
        phone.refresh_derived()
    bulk.insert_instances(MemberPhone, phones)


def _read_back_ids(members):
    """Set the primary key of members just inserted, found by their unique ID-number hash; mark them saved."""
    by_hash = {m.id_number_hash: m for m in members}
    hashes = list(by_hash)
    for start in range(0, len(hashes), IMPORT_BATCH):
        for digest, pk in Member.objects.filter(id_number_hash__in=hashes[start : start + IMPORT_BATCH]).values_list("id_number_hash", "id"):
            by_hash[digest].pk = pk
    for m in members:
        m._state.adding, m._state.db = False, Member.objects.db


def do_export_roster(members, out, *, fmt, unit, acting_user, reveal_ids=True, detail="", ip=None):
    """Write members as a roster (xlsx or csv) to the binary file `out`, record the export, return the row count.

    The header names are those the importer reads, so an export with full ID numbers imports back unchanged.
    """
    count = 0
    exported = array("q")  # every member's id, for the personal-data access report (AuditSubject)

    def rows():
        nonlocal count
        for member in members:
            count += 1
            exported.append(member.pk)
            yield roster.export_row(member, reveal_id=reveal_ids)

    if fmt == "csv":
        spreadsheet.write_csv(out, roster.export_header(), rows())
    else:
        spreadsheet.write_xlsx(out, roster.export_header(), rows(), title="成员名册", column_widths=roster.EXPORT_WIDTHS)
    record_audit(acting_user, AuditAction.EXPORT, unit, ip=ip, detail=detail, subjects=exported,
                 changes={"rows": count, "format": fmt, "id_numbers": "full" if reveal_ids else "masked"})
    return count
