"""Every change to visits goes through these functions: views, commands, the worker and the demo alike."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from laogan.accounts.actions import record_audit
from laogan.accounts.models import PATH_WIDTH, AuditAction
from laogan.lib.locking import StaleEdit, claim  # noqa: F401 (StaleEdit: one import point)
from laogan.members.actions import note_contact
from laogan.members.models import Member
from laogan.reports import rollups

from . import planning
from .models import (
    FULFILLING_FORMS, Budget, CancelCause, Festival, MoneyEntry, MoneyKind, Occasion, PlannedVisit, PlanStatus,
    VisitAttendance, VisitForm, VisitPhoto, VisitRecord, VisitRules,
)

CENT = Decimal("0.01")
# A visit may be recorded a little ahead of the clock (a phone set a few minutes fast), never for tomorrow.
FUTURE_TOLERANCE = timedelta(hours=1)


@dataclass
class GiftLine:
    item: str
    quantity: int
    value: Decimal  # the value of the whole line, in yuan


def common_path(paths):
    """Return the deepest unit path that every path lies under."""
    paths = list(paths)
    prefix = paths[0]
    for p in paths[1:]:
        i = 0
        while i < min(len(prefix), len(p)) and prefix[i] == p[i]:
            i += 1
        prefix = prefix[:i]
    return prefix[: len(prefix) - len(prefix) % PATH_WIDTH]


def fulfils(planned, form, festival=None):
    """Return whether a visit of this form (at this festival's gathering) may stand for the planned visit."""
    if form not in FULFILLING_FORMS.get(planned.kind, set()):
        return False
    if form == VisitForm.GATHERING and planned.kind == Occasion.FESTIVAL:
        return bool(planned.festival and planned.festival.gatherings_count)
    return True


def _may_fulfil_q(day):
    # Open, or cancelled only because the member died after this visit: a visit made before the death and recorded
    # afterwards still proves the obligation was met.
    return Q(status=PlanStatus.OPEN) | Q(status=PlanStatus.CANCELLED, cancelled_because=CancelCause.DECEASED,
                                         member__died_on__gte=day)


def do_record_visit(members, *, visited_at, form, acting_user, occasion=Occasion.OTHER, festival=None, planned=None,
                    auto_match=True, visitors=(), partner_units="", gifts=(), condolence_amount=None, condolence_by="",
                    cake_ordered=False, cake_delivered=False, title="", place="", notes="", photos=(), ip=None):
    """Record one visit (one member, or one gathering of many) and return (record, the planned visits it fulfilled).

    It fulfils `planned` when given, otherwise (unless `auto_match` is off) each member's open planned visit for the same occasion whose window
    covers the day (a gathering only where the festival lets gatherings count). Money goes to the ledger: gift lines
    once for the visit, condolence money once per member.
    """
    members = list(members)
    day = timezone.localtime(visited_at).date()
    _check_visit(members, visited_at, day, form, occasion, festival, planned, gifts, condolence_amount)
    centre_id = members[0].centre_id
    with transaction.atomic():
        record = VisitRecord.objects.create(
            centre_id=centre_id, unit_path=common_path(m.unit_path for m in members), visited_at=visited_at,
            visited_on=day, form=form, occasion=occasion, festival=festival if occasion == Occasion.FESTIVAL else None,
            title=title, place=place, partner_units=partner_units, notes=notes, recorded_by=acting_user,
        )
        if visitors:
            record.visitors.add(*visitors)
        attendances = VisitAttendance.objects.bulk_create(
            [VisitAttendance(record=record, member=m, visited_on=day, cake_ordered=cake_ordered, cake_delivered=cake_delivered)
             for m in members]
        )
        if any(a.pk is None for a in attendances):  # backends that do not return ids from a bulk insert
            attendances = list(record.attendances.all())
        rollups.written(VisitAttendance, attendances)  # a visit recorded late changes a closed month's figures
        fulfilled = _fulfil(record, {a.member_id: a for a in attendances}, day, planned) if planned or auto_match else []
        money = _book_money(record, members, day, gifts, condolence_amount, condolence_by, acting_user)
        for upload in photos:
            VisitPhoto.objects.create(record=record, image=upload)
        note_contact([m.pk for m in members], visited_at)
        record_audit(acting_user, AuditAction.CREATE, record, ip=ip, changes={
            "members": len(members), "form": form, "occasion": record.occasion_code, "fulfilled": len(fulfilled),
            "money": str(sum((e.amount for e in money), Decimal("0.00"))),
        })
    return record, fulfilled


def _check_visit(members, visited_at, day, form, occasion, festival, planned, gifts, condolence_amount):
    errors = []
    if not members:
        raise ValidationError(_("Choose at least one member."))
    if len({m.centre_id for m in members}) > 1:
        errors.append(_("All members of one visit must belong to one centre."))
    if len(members) > 1 and form != VisitForm.GATHERING:
        errors.append(_("Only a gathering can be recorded for several members at once."))
    if timezone.is_naive(visited_at) or visited_at > timezone.now() + FUTURE_TOLERANCE:
        errors.append(_("The visit cannot be in the future."))
    # The date of death as stored now: the caller's copy of a member may predate the death being recorded.
    died = dict(Member.objects.filter(pk__in=[m.pk for m in members], died_on__isnull=False).values_list("pk", "died_on"))
    for m in members:
        if m.pk in died and day > died[m.pk]:
            errors.append(_("%(name)s died on %(date)s.") % {"name": m.name, "date": died[m.pk].isoformat()})
    if occasion == Occasion.FESTIVAL and festival is None:
        errors.append(_("Say which festival."))
    if festival is not None and festival.centre_id != members[0].centre_id:
        errors.append(_("That festival belongs to another centre."))
    if planned is not None:
        if len(members) != 1 or planned.member_id != members[0].pk:
            errors.append(_("The planned visit belongs to another member."))
        elif not PlannedVisit.objects.filter(_may_fulfil_q(day), pk=planned.pk, attendance__isnull=True).exists():
            errors.append(_("That planned visit is already done or cancelled."))
        elif not fulfils(planned, form):
            errors.append(_("A %(form)s cannot stand for a %(occasion)s visit.") % {
                "form": VisitForm(form).label, "occasion": Occasion(planned.kind).label})
    for g in gifts:
        if g.value < 0 or g.quantity < 1:
            errors.append(_("Gift quantities must be at least 1 and values not negative."))
    if condolence_amount is not None and condolence_amount < 0:
        errors.append(_("Condolence money cannot be negative."))
    if errors:
        raise ValidationError(errors)


def _fulfil(record, attendance_by_member, day, planned):
    if planned is not None:
        targets = [planned]
    else:
        candidates = (
            PlannedVisit.objects.filter(_may_fulfil_q(day), member_id__in=list(attendance_by_member),
                                        kind=record.occasion, window_start__lte=day, window_end__gte=day,
                                        attendance__isnull=True)
            .select_related("festival").order_by("member_id", "due_date", "id")
        )
        if record.festival_id:
            candidates = candidates.filter(festival_id=record.festival_id)
        targets, seen = [], set()
        for pv in candidates:
            if pv.member_id not in seen and fulfils(pv, record.form):
                seen.add(pv.member_id)
                targets.append(pv)
    done = []
    now = timezone.now()
    for pv in targets:
        attendance = attendance_by_member[pv.member_id]
        # Claimed with a conditional update: two visits recorded at once never both fulfil one planned visit.
        claimed = PlannedVisit.objects.filter(pk=pv.pk, attendance__isnull=True).update(
            status=PlanStatus.DONE, done_on=day, attendance=attendance, cancelled_because="", cancel_reason="", updated_at=now)
        if claimed == 1:
            done.append(pv)
    return done


def _book_money(record, members, day, gifts, condolence_amount, condolence_by, acting_user):
    single = members[0] if len(members) == 1 else None
    by = condolence_by or (acting_user.display_name if acting_user else "")
    entries = [
        MoneyEntry(centre_id=record.centre_id, unit_path=record.unit_path, date=day, kind=MoneyKind.GIFT,
                   occasion=record.occasion_code, record=record, member=single, item=g.item, quantity=g.quantity,
                   amount=Decimal(g.value).quantize(CENT), handed_over_by=by, created_by=acting_user)
        for g in gifts if g.item
    ]
    if condolence_amount:
        entries += [
            MoneyEntry(centre_id=record.centre_id, unit_path=m.unit_path, date=day, kind=MoneyKind.CONDOLENCE,
                       occasion=record.occasion_code, record=record, member=m, amount=Decimal(condolence_amount).quantize(CENT),
                       handed_over_by=by, created_by=acting_user)
            for m in members
        ]
    # bulk_create skips MoneyEntry.save() and its signals: amounts are quantized above, the rows are new by
    # construction, and their month is marked for the roll-ups here.
    rollups.written(MoneyEntry, entries)
    return MoneyEntry.objects.bulk_create(entries)


def do_reverse_money_entry(entry, *, reason, acting_user, ip=None):
    """Record the reversal of a ledger entry (an equal and opposite amount, with the reason) and return it.

    The reversal carries the entry's own date, so the corrected year's total is right; when it was made is in
    created_at and the audit log.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is reversed.")})
    if entry.reverses_id:
        raise ValidationError(_("A reversal cannot itself be reversed; record the entry again instead."))
    try:
        with transaction.atomic():
            reversal = MoneyEntry(
                centre_id=entry.centre_id, unit_path=entry.unit_path, date=entry.date, kind=entry.kind,
                occasion=entry.occasion, record_id=entry.record_id, member_id=entry.member_id, item=entry.item,
                quantity=entry.quantity, amount=-entry.amount, handed_over_by=entry.handed_over_by, reverses=entry,
                reason=reason[:200], created_by=acting_user,
            )
            reversal.save()
            record_audit(acting_user, AuditAction.CREATE, reversal, ip=ip, detail=f"reversal of money entry {entry.pk}",
                         changes={"reverses": entry.pk, "amount": str(reversal.amount), "reason": reason})
    except IntegrityError:
        raise ValidationError(_("This entry has already been reversed.")) from None
    return reversal


def do_set_budget(centre, year, amount, *, acting_user, ip=None):
    """Set the centre's budget for visits money in a year; return the Budget."""
    amount = Decimal(amount).quantize(CENT)
    if amount < 0:
        raise ValidationError({"amount": _("The budget cannot be negative.")})
    with transaction.atomic():
        budget = Budget.objects.select_for_update().filter(centre=centre, year=year).first()
        before = str(budget.amount) if budget else None
        if budget is None:
            budget = Budget.objects.create(centre=centre, year=year, amount=amount, set_by=acting_user)
        else:
            budget.amount, budget.set_by = amount, acting_user
            budget.save(update_fields=["amount", "set_by", "updated_at"])
        record_audit(acting_user, AuditAction.UPDATE if before else AuditAction.CREATE, budget, unit_path=centre.path,
                     changes={"year": year, "amount": [before, str(amount)]})
    return budget


def do_save_rules(centre, *, values, expected_version, acting_user, ip=None):
    """Save a centre's visit rules (`values`: field → value, as the form gave them) and re-plan its coming visits.

    `expected_version` is the version the form was read at; unsaved defaults are version 1, like a row stored with
    them. The first save stores the defaults with their festivals, then the changes. If someone saved the rules
    since the form was read, StaleEdit is raised and nothing is stored (not even the defaults)."""
    with transaction.atomic():
        rules = planning.rules_for(centre)
        before = {f: getattr(rules, f) for f in values}
        rules.version = claim(VisitRules, rules.pk, expected_version)
        for field, value in values.items():
            setattr(rules, field, value)
        rules.save(update_fields=[*values, "version", "updated_at"])
        changes = {f: [before[f], v] for f, v in values.items() if before[f] != v}
        record_audit(acting_user, AuditAction.UPDATE, rules, unit_path=centre.path, changes=changes, ip=ip)
        today = timezone.localdate()
        planning.plan(*planning.daily_range(today), org=centre, today=today)
    return rules


def do_save_festival(festival, *, acting_user, before=None, expected_version=None, ip=None):
    """Create or change a festival of a centre and re-plan the centre's coming festival visits.

    A change needs `expected_version`, the version its form was read at: if someone saved the festival since,
    StaleEdit is raised and nothing changes."""
    with transaction.atomic():
        planning.rules_for(festival.centre)  # a centre's first festival of its own joins the shipped ones
        created = festival.pk is None
        if not created:
            festival.version = claim(Festival, festival.pk, expected_version, name=(before or {}).get("name"))
        festival.full_clean()
        festival.save()
        after = {f: getattr(festival, f) for f in ("name", "calendar", "month", "day", "window_days", "gatherings_count", "active")}
        changes = after if created else {k: [before.get(k), v] for k, v in after.items() if (before or {}).get(k) != v}
        record_audit(acting_user, AuditAction.CREATE if created else AuditAction.UPDATE, festival,
                     unit_path=festival.centre.path, changes=changes, ip=ip)
        today = timezone.localdate()
        planning.plan(*planning.daily_range(today), org=festival.centre, today=today, kinds=(Occasion.FESTIVAL,))
    return festival


def do_cancel_planned_visit(planned, *, reason, acting_user, ip=None):
    """Cancel one open planned visit by hand (the member is away, declined …), with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the visit is cancelled.")})
    with transaction.atomic():
        claimed = PlannedVisit.objects.filter(pk=planned.pk, status=PlanStatus.OPEN).update(
            status=PlanStatus.CANCELLED, cancelled_because=CancelCause.MANUAL, cancel_reason=reason[:200],
            updated_at=timezone.now())
        if claimed != 1:
            raise ValidationError(_("That planned visit is already done or cancelled."))
        record_audit(acting_user, AuditAction.UPDATE, planned, unit_path=planned.member.unit_path, ip=ip,
                     changes={"status": ["open", "cancelled"], "reason": reason})
