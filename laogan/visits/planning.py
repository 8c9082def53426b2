"""Planning: the visits the rules owe each member in a date range, reconciled with the visits already planned.

Planning is a reconciliation, so it can run daily, on every life event and by hand, any number of times:
- a wanted visit that is not stored yet is created (in bulk; the unique (member, key) makes a race harmless);
- a stored open visit whose dates or milestone changed is updated, but only when it lies in the future — what was
  due in the past stays as it was planned, so an overdue visit is never explained away by a later change;
- a stored open visit no longer wanted is cancelled with the reason (a birthday custom changed, a discharge, a death).
Members are read in chunks with a constant number of queries per chunk, so a province of 10^6 members plans in
one pass without a query per member.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from laogan.accounts.models import Unit, UnitKind, subtree_q
from laogan.lib import bulk
from laogan.members.models import BirthdayCustom, DatePrecision, EventKind, LifeEvent, Member, Status, birthday_q

from .models import (
    DEFAULT_FESTIVALS, EVENT_OCCASIONS, RULE_OCCASIONS, CancelCause, DailyPlanMark, Festival, Occasion, PlannedVisit,
    PlanStatus, VisitRules,
)

CHUNK = 1000
# How far ahead the daily run plans: further than the longest window, so every visit exists before its window opens
# and reminders can be sent days before it.
HORIZON_DAYS = 60
# The daily run plans the days after the last run's (DailyPlanMark) and the members changed since it began, so a
# worker that was down misses nothing; with no mark it looks at the last week of both. The weekly run reconciles
# everything.
CATCH_UP_DAYS = 7
# Admissions of a stay longer than this are read every day rather than listed by date (_hospital_visit_due).
LONG_STAY_YEARS = 5
# A member saved by a transaction still open when the last run read the members is caught by the next run.
COMMIT_MARGIN = timedelta(minutes=10)
ALL_OCCASIONS = RULE_OCCASIONS + EVENT_OCCASIONS
MEMBER_FIELDS = ["id", "centre_id", "unit_path", "birth_date", "birth_date_precision", "birthday_custom",
                 "lunar_birth_month", "lunar_birth_day", "status", "died_on"]
# What a new visit is written with, in this order (the other columns take their defaults).
CREATED_FIELDS = ["centre_id", "member_id", "key", "kind", "festival_id", "life_event_id", "occasion_year", "milestone_age",
                  "due_date", "window_start", "window_end", "status", "cancelled_because", "cancel_reason", "created_at",
                  "updated_at"]
UPDATED_FIELDS = ["due_date", "window_start", "window_end", "milestone_age", "festival", "status", "cancelled_because",
                  "cancel_reason", "updated_at"]


@dataclass
class Want:
    key: str
    kind: str
    due: date
    window_start: date
    occasion_year: int | None = None
    festival_id: int | None = None
    milestone_age: int | None = None
    life_event_id: int | None = None


@dataclass
class PlanResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    # (member id, key) of each new visit, for one member's plan (plan_member: whom to tell). A whole plan keeps the
    # counts only: at 10^6 members the keys of a year were 4.7×10^6 tuples held for nothing.
    created_keys: list = field(default_factory=list)

    def add(self, other):
        self.created += other.created
        self.updated += other.updated
        self.cancelled += other.cancelled


def day_text(day):
    return f"{day.year}年{day.month}月{day.day}日"


def rules_for(centre):
    """Return the centre's visit rules, creating them with the shipped default festivals the first time."""
    rules, created = VisitRules.objects.get_or_create(centre=centre)
    if created:
        Festival.objects.bulk_create(
            [Festival(centre=centre, name=name, calendar=calendar, month=month, day=day, gatherings_count=gatherings, order=i)
             for i, (name, calendar, month, day, gatherings) in enumerate(DEFAULT_FESTIVALS)],
            ignore_conflicts=True,
        )
    return rules


def festival_days(festivals, start, end):
    """Return (festival, occasion year, day) for each festival day in [start, end]."""
    found = []
    for festival in festivals:
        for year in range(start.year - 1, end.year + 1):
            day = festival.date_in(year)
            if start <= day <= end:
                found.append((festival, year, day))
    return found


def rule_wants(member, rules, fdays, start, end):
    """Yield the festival and birthday visits a member is owed in [start, end]; nothing on or after a death."""
    died = member.died_on
    for festival, year, day in fdays:
        if day <= member.birth_date or (died and day >= died):
            continue
        yield Want(key=f"festival:{festival.id}:{year}", kind=Occasion.FESTIVAL, due=day,
                   window_start=day - timedelta(days=festival.window_days - 1), occasion_year=year, festival_id=festival.id)
    lunar_birthday = member.birthday_custom == BirthdayCustom.LUNAR and member.lunar_birth_month is not None
    calendar = "lunar" if lunar_birthday else "solar"
    # A lunar birthday is planned by lunar year: lunar year Y's birthday may fall in Gregorian Y or Y + 1, so
    # looking one year back finds the 冬月/腊月 birthday that lands in January of the range.
    month_only = member.birth_date_precision == DatePrecision.MONTH
    for year in range(start.year - 1, end.year + 1):
        if month_only:
            # Only the month is known (a roster gave 1930年5月): the visit may fall any day of that month.
            window_start = date(year, member.birth_date.month, 1)
            day = (window_start + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        else:
            day = member.birthday_in_year(year)
            window_start = day - timedelta(days=rules.birthday_window_days - 1)
        if not (start <= day <= end) or (died and day >= died):
            continue
        age = rules.birthday_age(member, year)
        if age <= 0:
            continue
        yield Want(key=f"birthday:{calendar}:{year}", kind=Occasion.BIRTHDAY, due=day, window_start=window_start,
                   occasion_year=year, milestone_age=age if rules.is_milestone(age) else None)


def event_wants(events, rules, start, end, today):
    """Return (wants, stay_ends) for one member's life events (in date order).

    Hospital: a visit within `hospital_visit_days` of admission, then one every `long_stay_days` while the stay
    lasts; a visit whose window the stay outlived is owed, one whose window was still open at the discharge is not
    (the follow-up call after discharge replaces it). Discharge: a follow-up within `followup_days`. Hardship: a
    visit within `hardship_days` unless resolved before that window closed. A stay still going on is planned only
    to the horizon: whether it lasts into next year is not known yet.
    """
    wants, stay_ends = [], {}
    stay_until = min(end, today + timedelta(days=HORIZON_DAYS))
    for i, e in enumerate(events):
        later = events[i + 1:]
        if e.kind == EventKind.ADMITTED:
            ended = next((x for x in later if x.kind in (EventKind.DISCHARGED, EventKind.ADMITTED, EventKind.DIED)), None)
            stay_ends[e.id] = ended
            n = 0
            while True:
                if n == 0:
                    window_start, due = e.date, e.date + timedelta(days=rules.hospital_visit_days)
                else:
                    due = e.date + timedelta(days=n * rules.long_stay_days)
                    window_start = max(e.date, due - timedelta(days=6))
                if due > (end if ended is not None else stay_until) or (ended is not None and ended.date <= due):
                    break
                if due >= start:
                    wants.append(Want(key=f"hospital:{e.id}:{n}", kind=Occasion.HOSPITAL, due=due,
                                      window_start=window_start, life_event_id=e.id))
                n += 1
        elif e.kind == EventKind.DISCHARGED:
            due = e.date + timedelta(days=rules.followup_days)
            if start <= due <= end:
                wants.append(Want(key=f"hospital_followup:{e.id}", kind=Occasion.HOSPITAL_FOLLOWUP, due=due,
                                  window_start=e.date, life_event_id=e.id))
        elif e.kind == EventKind.HARDSHIP_REPORTED:
            resolved = next((x for x in later if x.kind == EventKind.HARDSHIP_RESOLVED), None)
            stay_ends[e.id] = resolved
            due = e.date + timedelta(days=rules.hardship_days)
            if (resolved is None or resolved.date > due) and start <= due <= end:
                wants.append(Want(key=f"hardship:{e.id}", kind=Occasion.HARDSHIP, due=due, window_start=e.date,
                                  life_event_id=e.id))
    return wants, stay_ends


def death_reason(member):
    return f"老干部已于{day_text(member.died_on)}去世"


def _unwanted_reason(row, member, stay_ends):
    """Return (cause, reason) for cancelling an open visit that the rules no longer call for."""
    if member.died_on:
        return CancelCause.DECEASED, death_reason(member)
    ended = stay_ends.get(row.life_event_id)
    if row.kind == Occasion.HOSPITAL and ended is not None:
        if ended.kind == EventKind.DISCHARGED:
            return CancelCause.DISCHARGED, f"已于{day_text(ended.date)}出院，改为出院回访"
        if ended.kind == EventKind.ADMITTED:
            return CancelCause.REPLANNED, f"已于{day_text(ended.date)}转院，按新住院安排探望"
    if row.kind == Occasion.HARDSHIP and ended is not None:
        return CancelCause.REPLANNED, f"困难已于{day_text(ended.date)}解决"
    if row.kind == Occasion.BIRTHDAY:
        return CancelCause.REPLANNED, "生日按新的习惯（公历/农历）或规则重新安排"
    return CancelCause.REPLANNED, "按新的规则重新安排"


def _reconcile(members, events_by_member, rules_of, fdays_of, start, end, today, kinds):
    """Reconcile the visits of `members` (of one centre or several) in [start, end]; rules_of and fdays_of map a centre
    id to its rules and its festival days."""
    now = timezone.now()
    wants, stay_ends = {}, {}
    for m in members:
        rules, fdays = rules_of[m.centre_id], fdays_of.get(m.centre_id, ())
        if Occasion.FESTIVAL in kinds or Occasion.BIRTHDAY in kinds:
            for w in rule_wants(m, rules, fdays if Occasion.FESTIVAL in kinds else (), start, end):
                if w.kind in kinds:
                    wants[(m.id, w.key)] = w
        if any(k in kinds for k in EVENT_OCCASIONS):
            found, ends = event_wants(events_by_member.get(m.id, []), rules, start, end, today)
            stay_ends.update(ends)
            for w in found:
                if w.kind in kinds and not (m.died_on and w.due >= m.died_on):
                    wants[(m.id, w.key)] = w

    by_id = {m.id: m for m in members}
    stored = _stored(by_id, wants, start, end, today, kinds)

    # One birthday a year: once a birthday was planned in one calendar, the other calendar's birthday of the
    # same season is never planned in the past (a member who switches custom is not owed last month's birthday).
    birthdays = {}
    for r in stored.values():
        if r.kind == Occasion.BIRTHDAY:
            birthdays.setdefault(r.member_id, []).append((r.key.split(":")[1], r.due_date))

    result = PlanResult()
    to_create, to_save = [], []
    for (member_id, key), w in wants.items():
        member = by_id[member_id]
        window_end = w.due
        row = stored.get((member_id, key))
        if row is None and w.kind == Occasion.BIRTHDAY and w.due < today:
            calendar = key.split(":")[1]
            if any(c != calendar and abs((d - w.due).days) < 183 for c, d in birthdays.get(member_id, ())):
                continue
        if row is None:
            # Owed before a death but planned only after it: kept for the record, never worked on.
            status = (PlanStatus.CANCELLED, CancelCause.DECEASED, death_reason(member)) if member.died_on else (PlanStatus.OPEN, "", "")
            to_create.append((member.centre_id, member_id, key, w.kind, w.festival_id, w.life_event_id, w.occasion_year,
                              w.milestone_age, w.due, w.window_start, window_end, *status, now, now))
            continue
        reopen = row.status == PlanStatus.CANCELLED and row.cancelled_because == CancelCause.REPLANNED and not member.died_on
        if row.status != PlanStatus.OPEN and not reopen:
            continue
        if row.due_date < today or w.due < today:
            continue  # the past stays as planned
        new = (w.due, w.window_start, window_end, w.milestone_age, w.festival_id)
        if reopen or new != (row.due_date, row.window_start, row.window_end, row.milestone_age, row.festival_id):
            row.due_date, row.window_start, row.window_end, row.milestone_age, row.festival_id = new
            row.status, row.cancelled_because, row.cancel_reason, row.updated_at = PlanStatus.OPEN, "", "", now
            to_save.append(row)
            result.updated += 1

    for (member_id, key), row in stored.items():
        if row.status != PlanStatus.OPEN or (member_id, key) in wants:
            continue
        member = by_id[member_id]
        in_range = start <= row.due_date <= end and (row.kind in EVENT_OCCASIONS or row.due_date >= today)
        if not (member.died_on or in_range):
            continue
        row.status = PlanStatus.CANCELLED
        row.cancelled_because, row.cancel_reason = _unwanted_reason(row, member, stay_ends)
        row.updated_at = now
        to_save.append(row)
        result.cancelled += 1

    # Plain rows, not model instances or bulk_create: compiling bulk_create's SQL row by row was three quarters of
    # planning a year, and making the instances a third of what was left (docs/PERFORMANCE.md).
    writer = bulk.Writer(PlannedVisit, CREATED_FIELDS, ignore_conflicts=True)
    for row in to_create:
        writer.add(*row)
    writer.flush()
    if to_save:
        PlannedVisit.objects.bulk_update(to_save, UPDATED_FIELDS, batch_size=500)
    result.created = len(to_create)
    result.created_keys = [(row[1], row[2]) for row in to_create]
    return result


def _stored(by_id, wants, start, end, today, kinds):
    """Return {(member id, key): stored visit} for what this reconciliation may create, change or cancel.

    Only what can matter is read, so a daily run over a million members reads its horizon, not whole years: the
    rows wanted (keys are shared by all members, so the list is short), the open ones that might be cancelled, the
    few event visits, the year's birthdays when planning the past, and every open visit of the deceased.
    """
    rule_kinds = [k for k in kinds if k in RULE_OCCASIONS]
    needed = Q(key__in=sorted({key for _member_id, key in wants})) | Q(kind__in=[k for k in kinds if k in EVENT_OCCASIONS])
    if rule_kinds:
        needed |= Q(kind__in=rule_kinds, status=PlanStatus.OPEN, due_date__gte=max(start, today), due_date__lte=end)
    if Occasion.BIRTHDAY in kinds and start < today:
        needed |= Q(kind=Occasion.BIRTHDAY, occasion_year__in=list(range(start.year - 1, end.year + 1)))
    deceased = [pk for pk, m in by_id.items() if m.died_on]
    if deceased:
        needed |= Q(member_id__in=deceased, status=PlanStatus.OPEN)
    rows = PlannedVisit.objects.filter(needed, member_id__in=list(by_id)).only(
        "id", "member_id", "key", "kind", "status", "cancelled_because", "due_date", "window_start", "window_end",
        "milestone_age", "festival_id", "life_event_id")
    return {(r.member_id, r.key): r for r in rows}


def _events_by_member(member_ids):
    grouped = {}
    events = LifeEvent.objects.filter(member_id__in=member_ids).only("id", "member_id", "kind", "date").order_by("member_id", "date", "id")
    for e in events:
        grouped.setdefault(e.member_id, []).append(e)
    return grouped


def centres_of(org):
    """Return the centres whose rules apply to the members of `org` (any unit), or every centre."""
    if org is None:
        return list(Unit.objects.filter(kind=UnitKind.CENTRE).order_by("path"))
    if org.kind == UnitKind.BUREAU:
        return list(Unit.objects.subtree(org).filter(kind=UnitKind.CENTRE).order_by("path"))
    if org.kind == UnitKind.CENTRE:
        return [org]
    return [Unit.objects.get(pk=org.centre_id)]


def plan(start, end, *, org=None, today=None, kinds=ALL_OCCASIONS, members=None, unless_festival=False):
    """Plan every visit due in [start, end] for the members of `org` (default: every centre); return a PlanResult.

    `members` (a Q) plans only those members; with `unless_festival`, only in a centre without a festival in the
    range (a festival is owed to every member).
    """
    today = today or timezone.localdate()
    result = PlanResult()
    only = members
    centres = centres_of(org)
    # Rules and festivals of every centre in two queries, not two a centre (a province has hundreds of centres).
    stored_rules = {r.centre_id: r for r in VisitRules.objects.filter(centre__in=centres)}
    festivals = {}
    for f in Festival.objects.filter(centre__in=centres, active=True):
        festivals.setdefault(f.centre_id, []).append(f)
    rules_of, fdays_of = {}, {}
    for centre in centres:
        rules = stored_rules.get(centre.id)
        if rules is None:  # a centre's first planning stores the default rules and festivals
            rules = rules_for(centre)
            festivals[centre.id] = list(Festival.objects.filter(centre=centre, active=True))
        rules_of[centre.id] = rules
        fdays_of[centre.id] = festival_days(festivals.get(centre.id, []), start, end)
    alive = Q(died_on__isnull=True) | Q(died_on__gte=start - timedelta(days=HORIZON_DAYS))
    if org is not None and org.kind in (UnitKind.BRANCH, UnitKind.GROUP):
        alive &= subtree_q(org.path)
    everyone = [c.id for c in centres if only is None or (unless_festival and fdays_of[c.id])]
    some = sorted(set(rules_of) - set(everyone))
    # Every member of a centre, centre by centre; the chosen members of the other centres together, a chunk at a time
    # whatever centre they are in (a daily run at 10^6 has a few candidates in each of hundreds of centres).
    batches = [(Member.objects.filter(alive, centre_id=c), False) for c in everyone]
    if some:
        batches.append((Member.objects.filter(alive, only, centre_id__in=some), True))
    for members, chosen in batches:
        for chunk in _chunks(members.only(*MEMBER_FIELDS), chosen=chosen):
            ids = [m.id for m in chunk]
            events = _events_by_member(ids) if any(k in kinds for k in EVENT_OCCASIONS) else {}
            result.add(_reconcile(chunk, events, rules_of, fdays_of, start, end, today, kinds))
    return result


def _chunks(members, *, chosen):
    """Yield the members of the queryset CHUNK at a time, in id order.

    A whole centre is paged by id. A few chosen members among many (the daily run's birthdays and stays in hospital)
    are found first, ids only, through whatever index their filter has, then read by id: paging them by id made
    PostgreSQL walk the primary key through all 10^6 members and test each (2 s of the daily run's 2.5 s).
    """
    if chosen:
        ids = sorted(members.order_by().values_list("id", flat=True))
        for i in range(0, len(ids), CHUNK):
            yield list(members.filter(pk__in=ids[i : i + CHUNK]).order_by("pk"))
        return
    last = 0
    while True:
        chunk = list(members.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if chunk:
            last = chunk[-1].pk
            yield chunk
        if len(chunk) < CHUNK:
            return


def plan_member(member, *, start, end=None, kinds=ALL_OCCASIONS, today=None):
    """Plan one member's visits in [start, end] (end defaults to the planning horizon); return a PlanResult."""
    today = today or timezone.localdate()
    end = end or max(today, start) + timedelta(days=HORIZON_DAYS)
    member = Member.objects.only(*MEMBER_FIELDS).get(pk=member.pk)
    centre = Unit.objects.get(pk=member.centre_id)
    rules = rules_for(centre)
    fdays = []
    if Occasion.FESTIVAL in kinds:
        fdays = festival_days(list(Festival.objects.filter(centre=centre, active=True)), start, end)
    return _reconcile([member], _events_by_member([member.id]), {centre.id: rules}, {centre.id: fdays}, start, end, today, kinds)


def cancel_open_visits(member, *, cause, reason, kinds=None, window_end_from=None):
    """Cancel a member's open visits (of `kinds`, with windows closing on or after `window_end_from`); return how many."""
    rows = PlannedVisit.objects.filter(member=member, status=PlanStatus.OPEN)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if window_end_from:
        rows = rows.filter(window_end__gte=window_end_from)
    return rows.update(status=PlanStatus.CANCELLED, cancelled_because=cause, cancel_reason=reason[:200],
                       updated_at=timezone.now())


def plan_daily(today, *, now=None):
    """The worker's daily run: what can have changed in the horizon since the last run; return a PlanResult.

    - The days of the horizon after the last run's (normally the one that entered it today; the last CATCH_UP_DAYS
      days when there is no record of a run), for the members who can be owed something there: every member of a
      centre with a festival in those days, else those whose birthday may fall in them and those in hospital (a long
      stay is visited every few weeks, planned to the horizon).
    - The whole horizon for the members changed since the last run began (a birthday corrected, a move).
    Rules, festivals and life events re-plan what they change when they are saved. At 10^6 members this reads a few
    thousand members instead of all of them; on Sundays the job reconciles everything instead (plan_everyone).
    """
    now = now or timezone.now()
    start, end = daily_range(today)
    mark = DailyPlanMark.objects.filter(pk=1).first()
    if mark is None or mark.started_at > now or mark.planned_through > end:  # no run yet, or a clock set back
        first, since = max(start, end - timedelta(days=CATCH_UP_DAYS - 1)), now - timedelta(days=CATCH_UP_DAYS)
    else:
        first, since = max(start, mark.planned_through + timedelta(days=1)), mark.started_at - COMMIT_MARGIN
    result = plan(start, end, today=today, members=Q(updated_at__gte=since))
    if first <= end:
        days = [first + timedelta(days=i) for i in range((end - first).days + 1)]
        result.add(plan(first, end, today=today, members=birthday_q(days) | _hospital_visit_due(days),
                        unless_festival=True))
    mark_planned(end, now)
    return result


def _hospital_visit_due(days):
    """Return a filter for the members in hospital who may be owed a visit on one of `days`: admitted `hospital_visit_days`
    before one of them, or a whole number of `long_stay_days` before (by any centre's rules), or so long ago that the
    dates are not listed. A long stay is visited every few weeks, so this reads a few percent of those in hospital."""
    pairs = set(VisitRules.objects.values_list("hospital_visit_days", "long_stay_days").distinct())
    pairs.add((VisitRules._meta.get_field("hospital_visit_days").default, VisitRules._meta.get_field("long_stay_days").default))
    dates = set()
    for first_visit, every in pairs:
        for day in days:
            dates.add(day - timedelta(days=first_visit))
            dates.update(day - timedelta(days=n * every) for n in range(1, LONG_STAY_YEARS * 366 // every + 1))
    listed_from = min(days) - timedelta(days=LONG_STAY_YEARS * 366)
    admitted = LifeEvent.objects.filter(Q(date__in=sorted(dates)) | Q(date__lt=listed_from), member=OuterRef("pk"),
                                        kind=EventKind.ADMITTED)
    return Q(status=Status.IN_HOSPITAL) & Exists(admitted)


def plan_everyone(today, *, now=None):
    """The weekly run: reconcile the whole horizon for every member; return a PlanResult."""
    now = now or timezone.now()
    start, end = daily_range(today)
    result = plan(start, end, today=today)
    mark_planned(end, now)
    return result


def mark_planned(through, started_at):
    """Record that the horizon is planned through `through` by a run that began at `started_at`."""
    DailyPlanMark.objects.update_or_create(pk=1, defaults={"planned_through": through, "started_at": started_at})


def daily_range(today):
    """Return the range the daily run plans: today to the horizon.

    Not the past: a member added today owes nothing for last week's festival. A worker that was down for less than
    the horizon misses nothing, since every visit was planned weeks before its day.
    """
    return today, today + timedelta(days=HORIZON_DAYS)
