"""Every change to activities, advisory groups and suggestions goes through these functions: views, the worker and
the demo alike. Each runs in one transaction and writes the audit log."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction
from laogan.members.models import Member
from laogan.lib.locking import StaleEdit, claim  # noqa: F401 (StaleEdit: the views catch it from here)
from laogan.reports import rollups

from . import codes
from .models import (
    DEFAULT_FIELDS, Activity, ActivityPhoto, ActivitySeries, Adviser, AdvisoryGroup, Kind, Method, Participation,
    Presence, Suggestion, SuggestionStatus, WorkRecord,
)

# How far ahead a recurring activity's next occurrence is put on the calendar.
LEAD_DAYS = 120


def reply_days():
    """Return the days a body is given to answer a forwarded suggestion (LAOGAN_SUGGESTION_REPLY_DAYS, default 30)."""
    return int(getattr(settings, "LAOGAN_SUGGESTION_REPLY_DAYS", 30))


# -- activities ----------------------------------------------------------------------------------------------------

def _check_activity(activity):
    errors = {}
    if activity.unit.centre_id is None:
        errors["unit"] = _("Choose the centre or a unit under it.")
    if activity.kind == Kind.OTHER and not activity.custom_kind.strip():
        errors["custom_kind"] = _("Name the kind of activity.")
    if activity.kind != Kind.OTHER:
        activity.custom_kind = ""
    if errors:
        raise ValidationError(errors)


def do_save_activity(activity, *, acting_user, partners=None, invited=None, photos=(), expected_version=None, ip=None):
    """Create or change an activity; `invited` (members) replaces the invitation list when given. Return it.

    A change made through a form passes `expected_version`, the version the form was read at: if someone saved the
    activity since, StaleEdit is raised and nothing changes."""
    _check_activity(activity)
    activity.refresh_derived()
    invited = list(invited) if invited is not None else None
    if invited and any(m.centre_id != activity.centre_id for m in invited):
        raise ValidationError({"invited": _("Invite members of this centre only.")})
    if partners and any(p.centre_id != activity.centre_id for p in partners):
        raise ValidationError({"partners": _("Choose partner units of this centre.")})
    created = activity.pk is None
    with transaction.atomic():
        if created:
            activity.created_by = acting_user
        elif expected_version is not None:
            activity.version = claim(Activity, activity.pk, expected_version, name=activity.title)
        activity.save()
        if partners is not None:
            activity.partners.set(partners)
        if invited is not None:
            _set_invited(activity, invited, acting_user)
        # The day of every row follows the activity when its date is changed.
        Participation.objects.filter(activity=activity).exclude(day=activity.date).update(day=activity.date)
        _add_photos(activity, photos)
        record_audit(acting_user, AuditAction.CREATE if created else AuditAction.UPDATE, activity, ip=ip, changes={
            "kind": activity.kind, "title": activity.title, "date": activity.date.isoformat(),
            "invited": len(invited) if invited is not None else None, "photos": len(photos)})
    return activity


def _set_invited(activity, members, acting_user):
    wanted = {m.pk: m for m in members}
    rows = {p.member_id: p for p in Participation.objects.filter(activity=activity)}
    new = [Participation(activity=activity, member=m, unit_path=m.unit_path, day=activity.date, invited=True)
           for pk, m in wanted.items() if pk not in rows]
    Participation.objects.bulk_create(new)
    Participation.objects.filter(activity=activity, member_id__in=[pk for pk in wanted if pk in rows]).update(invited=True)
    dropped = [pk for pk in rows if pk not in wanted]
    # An invitation withdrawn: the row goes unless the member came anyway (their 人次 stays).
    Participation.objects.filter(activity=activity, member_id__in=dropped, presence=Presence.INVITED).delete()
    Participation.objects.filter(activity=activity, member_id__in=dropped).update(invited=False)


def _add_photos(activity, photos):
    for photo in photos:
        item = ActivityPhoto(activity=activity)
        item.image.save(photo.name, photo, save=False)
        item.save()


def do_add_photos(activity, photos, *, acting_user, ip=None):
    with transaction.atomic():
        _add_photos(activity, photos)
        record_audit(acting_user, AuditAction.UPDATE, activity, ip=ip, changes={"photos added": len(photos)})


def _check_can_attend(activity, members):
    errors = []
    if activity.cancelled:
        errors.append(_("The activity was cancelled."))
    if activity.date > timezone.localdate() + timedelta(days=0):
        errors.append(_("Attendance is recorded on or after the day of the activity."))
    died = {m.pk: m for m in members if m.died_on and m.died_on < activity.date}
    for m in died.values():
        errors.append(_("%(name)s died on %(date)s.") % {"name": m.name, "date": m.died_on.isoformat()})
    if errors:
        raise ValidationError(errors)


def do_record_attendance(activity, presence, *, acting_user, ip=None):
    """Record the whole checklist at once: `presence` maps each listed member to a Presence (INVITED = did not
    come). Either every row is written or, on an error, none is. Return (attended, home) counts for the activity."""
    members = list(presence)
    if any(m.centre_id != activity.centre_id for m in members):
        raise ValidationError(_("Only members of this centre can be recorded."))
    _check_can_attend(activity, [m for m, p in presence.items() if p != Presence.INVITED])
    now = timezone.now()
    with transaction.atomic():
        rows = {p.member_id: p for p in Participation.objects.select_for_update().filter(
            activity=activity, member_id__in=[m.pk for m in members])}
        new, changed, gone = [], [], []
        for member, state in presence.items():
            row = rows.get(member.pk)
            method = Method.HOME if state == Presence.HOME else Method.LIST
            if row is None:
                if state != Presence.INVITED:
                    new.append(Participation(activity=activity, member=member, unit_path=member.unit_path,
                                             day=activity.date, presence=state, method=method,
                                             recorded_by=acting_user, recorded_at=now))
            elif row.presence != state:
                if state == Presence.INVITED and not row.invited:
                    gone.append(row.pk)
                else:
                    row.presence, row.recorded_by, row.recorded_at = state, acting_user, now
                    row.method = "" if state == Presence.INVITED else method
                    changed.append(row)
        Participation.objects.bulk_create(new)
        Participation.objects.bulk_update(changed, ["presence", "method", "recorded_by", "recorded_at"])
        Participation.objects.filter(pk__in=gone).delete()
        counts = attendance_counts(activity)
        record_audit(acting_user, AuditAction.UPDATE, activity, ip=ip, detail="attendance list", changes={
            "listed": len(members), "changed": len(new) + len(changed) + len(gone), **counts})
    return counts


def attendance_counts(activity):
    rows = Participation.objects.filter(activity=activity)
    return {"attended": rows.filter(presence=Presence.ATTENDED).count(), "home": rows.filter(presence=Presence.HOME).count()}


class ScanResult:
    def __init__(self, member, already):
        self.member, self.already = member, already


def do_scan(activity, text, *, acting_user, ip=None):
    """Record the member named by a scanned sign-in code as present; scanning the same card again changes nothing.

    Raise ValidationError (nothing written) for a code that is not ours, a member of another centre, or one who
    cannot have attended.
    """
    try:
        member_id = codes.member_id_from(text)
    except codes.InvalidCode:
        raise ValidationError(_("This is not a valid sign-in code. Scan again or type the code under the QR.")) from None
    member = Member.objects.filter(pk=member_id).select_related("unit").first()
    if member is None:
        raise ValidationError(_("This sign-in code names no member in the archive."))
    if member.centre_id != activity.centre_id:
        raise ValidationError(_("This card belongs to a member of another centre; it is not recorded here."))
    _check_can_attend(activity, [member])
    now = timezone.now()
    with transaction.atomic():
        row = Participation.objects.select_for_update().filter(activity=activity, member=member).first()
        if row is not None and row.presence == Presence.ATTENDED:
            return ScanResult(member, already=True)
        if row is None:
            try:
                with transaction.atomic():
                    Participation.objects.create(activity=activity, member=member, unit_path=member.unit_path,
                                                 day=activity.date, presence=Presence.ATTENDED, method=Method.SCAN,
                                                 recorded_by=acting_user, recorded_at=now)
            except IntegrityError:  # scanned at the same moment on a second phone
                return ScanResult(member, already=True)
        else:
            row.presence, row.method, row.recorded_by, row.recorded_at = Presence.ATTENDED, Method.SCAN, acting_user, now
            row.save(update_fields=["presence", "method", "recorded_by", "recorded_at"])
        record_audit(acting_user, AuditAction.UPDATE, activity, ip=ip, detail="attendance scanned",
                     changes={"member": member.pk})
    return ScanResult(member, already=False)


# -- recurring activities -------------------------------------------------------------------------------------------

def do_save_series(series, *, acting_user, expected_version=None, ip=None, today=None):
    """Create or change a recurring activity and put its coming occurrences on the calendar. Return it.

    A change made through a form passes `expected_version` (see do_save_activity)."""
    if series.unit.centre_id is None:
        raise ValidationError({"unit": _("Choose the centre or a unit under it.")})
    if not 1 <= series.every_months <= 24:
        raise ValidationError({"every_months": _("Repeat every 1 to 24 months.")})
    if series.ends_on and series.ends_on < series.starts_on:
        raise ValidationError({"ends_on": _("The last date is before the first.")})
    created = series.pk is None
    with transaction.atomic():
        if not created and expected_version is not None:
            series.version = claim(ActivitySeries, series.pk, expected_version, name=series.title)
        series.refresh_derived()
        series.save()
        record_audit(acting_user, AuditAction.CREATE if created else AuditAction.UPDATE, series, ip=ip, changes={
            "title": series.title, "starts_on": series.starts_on.isoformat(), "every_months": series.every_months})
    generate(series, today=today)
    return series


def generate(series, *, today=None):
    """Create the series' occurrences that fall within LEAD_DAYS of today (past ones too, for a series entered
    late); return those created. Each occurrence is claimed by moving next_occurrence on with a conditional
    update, so two workers never create one twice."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=LEAD_DAYS)
    created = []
    while True:
        series.refresh_from_db(fields=["next_occurrence", "next_due", "active", "ends_on"])
        k, due = series.next_occurrence, series.next_due
        if not series.active or due is None or due > horizon:
            return created
        following = series.occurrence_date(k + 1)
        next_due = None if series.ends_on and following > series.ends_on else following
        with transaction.atomic():
            claimed = ActivitySeries.objects.filter(pk=series.pk, next_occurrence=k).update(
                next_occurrence=k + 1, next_due=next_due)
            if claimed != 1:
                continue
            starts_at = timezone.make_aware(datetime.combine(due, series.time))
            activity = Activity(unit=series.unit, kind=series.kind, custom_kind=series.custom_kind, title=series.title,
                                place=series.place, organiser=series.organiser, starts_at=starts_at, series=series,
                                occurrence=k)
            activity.refresh_derived()
            activity.save()
            created.append(activity)


def generate_due(today=None):
    """Put on the calendar every occurrence now within reach; return how many were created (the worker's job)."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=LEAD_DAYS)
    total = 0
    for series in ActivitySeries.objects.filter(active=True, next_due__lte=horizon).order_by("next_due")[:500]:
        total += len(generate(series, today=today))
    return total


# -- advisory groups ------------------------------------------------------------------------------------------------

def do_create_default_groups(centre, *, acting_user, ip=None):
    """Create the five field groups of the source document (党建, 农业, 宣讲, 科教, 建设) that the centre lacks."""
    with transaction.atomic():
        have = set(AdvisoryGroup.objects.filter(centre=centre).values_list("field", flat=True))
        made = [AdvisoryGroup.objects.create(centre=centre, field=f, name=f"{f}组", sort_order=i)
                for i, f in enumerate(DEFAULT_FIELDS, 1) if f not in have]
        if made:
            record_audit(acting_user, AuditAction.CREATE, centre, object_type="activities.advisorygroup",
                         object_repr=f"{centre.name} 顾问团", changes={"groups": [g.field for g in made]}, ip=ip)
    return made


def do_save_group(group, *, acting_user, expected_version=None, ip=None):
    """Create or change an advisory group; a change made through a form passes `expected_version` (see
    do_save_activity)."""
    created = group.pk is None
    with transaction.atomic():
        if not created and expected_version is not None:
            group.version = claim(AdvisoryGroup, group.pk, expected_version, name=group.name)
        try:
            with transaction.atomic():
                group.save()
        except IntegrityError:
            raise ValidationError({"field": _("The centre already has a group for this field.")}) from None
        record_audit(acting_user, AuditAction.CREATE if created else AuditAction.UPDATE, group, ip=ip,
                     changes={"field": group.field, "name": group.name})
    return group


def do_add_adviser(group, member, *, expertise, is_leader=False, since=None, acting_user, ip=None):
    if member.centre_id != group.centre_id:
        raise ValidationError({"member": _("Choose a member of this centre.")})
    if not (expertise or "").strip():
        raise ValidationError({"expertise": _("Say what the member knows about.")})
    with transaction.atomic():
        adviser, created = Adviser.objects.update_or_create(
            group=group, member=member, defaults={"expertise": expertise.strip(), "is_leader": is_leader, "since": since})
        record_audit(acting_user, AuditAction.CREATE if created else AuditAction.UPDATE, adviser, ip=ip,
                     unit_path=member.unit_path, changes={"group": group.field, "expertise": adviser.expertise})
    return adviser


def do_remove_adviser(adviser, *, acting_user, ip=None):
    with transaction.atomic():
        record_audit(acting_user, AuditAction.DELETE, adviser, ip=ip, unit_path=adviser.member.unit_path)
        adviser.delete()


def do_record_work(group, *, date, what, who="", outcome="", acting_user, ip=None):
    if not (what or "").strip():
        raise ValidationError({"what": _("Say what was done.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("Work is recorded once it is done.")})
    with transaction.atomic():
        work = WorkRecord.objects.create(group=group, date=date, what=what.strip(), who=who.strip(), outcome=outcome.strip(),
                                         recorded_by=acting_user)
        record_audit(acting_user, AuditAction.CREATE, work, ip=ip, unit_path=group.centre.path,
                     changes={"group": group.field, "date": date.isoformat()})
    return work


# -- suggestions (建言献策) -----------------------------------------------------------------------------------------

def do_record_suggestion(*, centre, text, field, received_on, member=None, group=None, acting_user, ip=None):
    """Record a suggestion received from a member or an advisory group of the centre; return it."""
    errors = {}
    if (member is None) == (group is None):
        errors["member"] = _("Say who made the suggestion: a member or an advisory group, not both.")
    elif member is not None and member.centre_id != centre.pk:
        errors["member"] = _("Choose a member of this centre.")
    elif group is not None and group.centre_id != centre.pk:
        errors["group"] = _("Choose an advisory group of this centre.")
    if not (text or "").strip():
        errors["text"] = _("Write down the suggestion.")
    if received_on > timezone.localdate():
        errors["received_on"] = _("The date received cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        s = Suggestion.objects.create(centre=centre, unit_path=member.unit_path if member else centre.path, member=member,
                                      group=group, text=text.strip(), field=field, received_on=received_on,
                                      recorded_by=acting_user)
        record_audit(acting_user, AuditAction.CREATE, s, ip=ip, changes={"field": field, "received_on": received_on.isoformat()})
    return s


TRANSITIONS = {
    "forward": ({SuggestionStatus.RECEIVED}, gettext_lazy("Only a suggestion just received can be forwarded; this one is “%(status)s”.")),
    "answer": ({SuggestionStatus.FORWARDED}, gettext_lazy("Only a forwarded suggestion can get its reply; this one is “%(status)s”.")),
    "decide": ({SuggestionStatus.ANSWERED}, gettext_lazy("Adoption is decided once the reply is in; this one is “%(status)s”.")),
}


def _move(suggestion, step, *, acting_user, ip, **fields):
    allowed, message = TRANSITIONS[step]
    current = Suggestion.objects.filter(pk=suggestion.pk).values_list("status", flat=True).first()
    if current not in allowed:
        raise ValidationError(message % {"status": SuggestionStatus(current).label})
    before = current
    with transaction.atomic():
        # Claimed by a conditional update: of two people recording the reply at once, one wins, the other is told.
        if Suggestion.objects.filter(pk=suggestion.pk, status__in=allowed).update(updated_at=timezone.now(), **fields) != 1:
            raise ValidationError(message % {"status": SuggestionStatus(current).label})
        suggestion.refresh_from_db()
        rollups.written(Suggestion, [suggestion])  # answered and adopted are counted by the month received
        record_audit(acting_user, AuditAction.UPDATE, suggestion, ip=ip, detail=step, changes={
            "status": [before, suggestion.status], **{k: str(v) for k, v in fields.items() if k != "status"}})
    return suggestion


def do_forward(suggestion, *, to, on, reply_due=None, acting_user, ip=None):
    """Record that the suggestion went to a body (e.g. 城区党政办) on a day, with the day its reply is due."""
    to = (to or "").strip()
    if not to:
        raise ValidationError({"to": _("Say which body the suggestion went to.")})
    if on < suggestion.received_on:
        raise ValidationError({"on": _("It cannot be forwarded before it was received.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    reply_due = reply_due or on + timedelta(days=reply_days())
    if reply_due < on:
        raise ValidationError({"reply_due": _("The reply cannot be due before the suggestion was forwarded.")})
    return _move(suggestion, "forward", acting_user=acting_user, ip=ip, status=SuggestionStatus.FORWARDED,
                 forwarded_to=to[:100], forwarded_on=on, reply_due=reply_due)


def do_answer(suggestion, *, reply, on, acting_user, ip=None):
    """Record the body's reply."""
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("Write down the reply.")})
    if suggestion.forwarded_on and on < suggestion.forwarded_on:
        raise ValidationError({"on": _("The reply cannot come before the suggestion was forwarded.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    return _move(suggestion, "answer", acting_user=acting_user, ip=ip, status=SuggestionStatus.ANSWERED, reply=reply,
                 answered_on=on)


def do_decide(suggestion, *, adopted, on, note="", acting_user, ip=None):
    """Record whether the suggestion was adopted."""
    if suggestion.answered_on and on < suggestion.answered_on:
        raise ValidationError({"on": _("The decision cannot come before the reply.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    status = SuggestionStatus.ADOPTED if adopted else SuggestionStatus.NOT_ADOPTED
    return _move(suggestion, "decide", acting_user=acting_user, ip=ip, status=status, decided_on=on,
                 decision_note=(note or "").strip()[:200])
