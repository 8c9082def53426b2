"""The measures, each a function of the run's options returning result rows: {"measure", "variant", "times"
(seconds, one per repetition) or "median"/"p95", "size", "target" (seconds), "note"}. bench.worker runs one group per
process, so that the peak memory it reports belongs to that group alone."""

import time
from datetime import date, timedelta

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from laogan.accounts.models import Role, Unit, User
from laogan.lib.crypto import suffix_hash
from laogan.members.models import Member, MemberPhone

from . import prepare


def timed(fn, repeats, before=None):
    """Return the wall-clock seconds of `repeats` calls of fn; `before` runs untimed ahead of each call."""
    times = []
    for _ in range(repeats):
        if before:
            before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def _org():
    return Unit.objects.get(code=prepare.IMPORT_CENTRE)


# -- roster import -------------------------------------------------------------------------------------------------------

def import_ours(opts):
    from laogan.members.actions import do_import_roster

    path, org = opts["roster"], _org()
    check = {}

    def run():
        report = do_import_roster(str(path), org=org, acting_user=None, name=path.name)
        check["counts"] = report.counts()

    times = timed(run, opts["repeats"], before=prepare.clear_import)
    imported = Member.objects.filter(unit_path__startswith=org.path).count()
    prepare.clear_import()
    return [_import_row("ours: laogan roster importer (validation, match by ID, phones)", times, opts,
                        f"{imported} members written; {check['counts']}")]


def import_peer(opts):
    import tablib

    from .resources import MemberResource

    path, org = opts["roster"], _org()
    branch = Unit.objects.get(code=prepare.IMPORT_CENTRE + "-b1")
    errors = {}

    def run():
        with open(path, "rb") as f:
            dataset = tablib.Dataset().load(f, format="xlsx")
        result = MemberResource(branch).import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
        errors["rows"] = len(result.invalid_rows) + sum(1 for r in result.rows if r.errors)
        errors["totals"] = dict(result.totals)

    repeats = opts.get("peer_repeats") or opts["repeats"]
    times = timed(run, repeats, before=prepare.clear_import)
    imported = Member.objects.filter(unit_path__startswith=org.path).count()
    prepare.clear_import()
    return [_import_row("peer: django-import-export (full_clean per row)", times, opts,
                        f"{imported} members written, {errors['rows']} rows with errors")]


def import_limit(opts):
    from python_calamine import CalamineWorkbook

    path = opts["roster"]
    branch = Unit.objects.get(code=prepare.IMPORT_CENTRE + "-b1")

    def run():
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        members, phones = [], []
        for row in rows[1:]:
            m = Member(unit=branch, centre_id=branch.centre_id, unit_path=branch.path, name=row[1], sex="M" if row[2] == "男" else "F",
                       birth_date=date.fromisoformat(str(row[3])[:10]), id_number=row[4], address=row[7], former_unit=row[8])
            members.append(m)
        Member.objects.bulk_create(members, batch_size=2000)
        for m, row in zip(members, rows[1:]):
            phones.append(MemberPhone(member=m, number=str(row[6]), last4=str(row[6])[-4:], suffix_hash=suffix_hash(str(row[6]))))
        MemberPhone.objects.bulk_create(phones, batch_size=2000)

    times = timed(run, opts["repeats"], before=prepare.clear_import)
    prepare.clear_import()
    return [_import_row("limit: calamine read + bulk_create, no validation", times, opts, "")]


def _import_row(variant, times, opts, note):
    return {"measure": "roster import", "variant": variant, "times": times, "size": f"{opts['import_rows']} rows",
            "target": None, "note": note}


# -- member search -------------------------------------------------------------------------------------------------------

def search_terms():
    """Return {kind: (what the user types, what admin search gets)} from a member in the middle of the table."""
    ids = Member.objects.order_by("id").values_list("id", flat=True)
    pivot = Member.objects.get(pk=ids[ids.count() // 2])
    phone = MemberPhone.objects.filter(member=pivot).first() or MemberPhone.objects.order_by("id").first()
    return {
        "name": (pivot.name, pivot.name),
        "full pinyin": (pivot.name_pinyin, pivot.name_pinyin),
        "initials": (pivot.name_initials, pivot.name_initials),
        "phone suffix": (phone.number[-8:], phone.number[-4:]),
        "ID suffix": (pivot.id_number[-6:], pivot.id_number[-4:]),
    }


def search(opts):
    from django.test import Client

    admin = User.objects.get(username="bench-admin")
    ours, peer = Client(), Client()
    ours.force_login(admin)
    peer.force_login(admin)
    repeats = max(opts["repeats"], opts.get("search_repeats", 20))
    rows = []
    n = Member.objects.count()
    for kind, (typed, last4) in search_terms().items():
        found = {}

        def view(q=typed):
            response = ours.get("/members/", {"q": q})
            assert response.status_code == 200, response.status_code

        def query(q=typed):
            members = Member.objects.visible_to(admin).search(q).living().select_related("unit")
            found["ours"] = members.count()
            list(members[:30])

        def changelist(q=last4):
            response = peer.get("/bench-admin/members/member/", {"q": q})
            assert response.status_code == 200, response.status_code
            found["peer"] = response.context_data["cl"].result_count

        sql, params = _bare_sql(kind, typed)

        def bare():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                found["limit"] = len(cursor.fetchall())

        size = f"{n} members"
        measure = f"search: {kind}"
        target = 0.030
        rows.append({"measure": measure, "variant": "ours: member list view (in-process, full page)", "times": timed(view, repeats), "size": size, "target": target})
        rows.append({"measure": measure, "variant": "ours: MemberQuerySet.search (count + first page)", "times": timed(query, repeats), "size": size, "target": target})
        rows.append({"measure": measure, "variant": "peer: Django admin changelist search", "times": timed(changelist, opts.get("peer_repeats") or min(repeats, 5)), "size": size, "target": target})
        rows.append({"measure": measure, "variant": "limit: bare indexed SQL (first page)", "times": timed(bare, repeats), "size": size, "target": target,
                     "note": f"q={typed!r} (admin: {last4!r}); matches: ours {found.get('ours')}, admin {found.get('peer')}"})
    return rows


def _bare_sql(kind, q):
    """Return the cheapest indexed query that finds the first page for a search (digit suffixes by their keyed hash)."""
    if kind in ("name", "full pinyin", "initials"):
        column = {"name": "name", "full pinyin": "name_pinyin", "initials": "name_initials"}[kind]
        return (f"SELECT id, name FROM members_member WHERE {column} >= %s AND {column} < %s ORDER BY {column}, id LIMIT 30",
                [q, q + "\U0010ffff"])
    if kind == "phone suffix":
        return "SELECT member_id FROM members_memberphone WHERE suffix_hash = %s LIMIT 30", [suffix_hash(q)]
    return "SELECT id FROM members_member WHERE id_number_suffix_hash = %s LIMIT 30", [suffix_hash(q)]


# -- visit planning --------------------------------------------------------------------------------------------------------

def planning(opts):
    from laogan.lib.bulk import Writer
    from laogan.visits import planning as plan
    from laogan.visits.models import DailyPlanMark, PlannedVisit

    today = timezone.localdate()  # the app's day (Asia/Shanghai), as its pages and worker count it
    year = today.year + 1
    start, end = date(year, 1, 1), date(year, 12, 31)
    n = Member.objects.count()

    def clear(after_id=0):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM visits_plannedvisit WHERE id > %s", [after_id])
        prepare.settle("visits_plannedvisit")

    created = {}

    def year_plan():
        created["n"] = plan.plan(start, end, today=today).created

    year_times = timed(year_plan, opts["repeats"], before=clear)
    # The limit: writing the same rows with nothing decided, through the fastest path there is.
    fields = ["centre_id", "member_id", "key", "kind", "festival_id", "life_event_id", "occasion_year", "milestone_age",
              "due_date", "window_start", "window_end", "status", "created_at", "updated_at"]
    stored = list(PlannedVisit.objects.values_list(*fields))

    def write_only():
        writer = Writer(PlannedVisit, fields)
        for row in stored:
            writer.add(*row)
        writer.flush()

    limit_times = timed(write_only, opts["repeats"], before=clear)

    # The daily run: yesterday's horizon is planned; today's run plans the day that entered the horizon and the
    # members changed this week (planning.plan_daily); on Sundays it reconciles the whole horizon for everyone.
    clear()
    yesterday = today - timedelta(days=1)
    plan.plan_everyone(yesterday, now=timezone.now() - timedelta(days=1))
    baseline = PlannedVisit.objects.order_by("-id").values_list("id", flat=True).first() or 0
    yesterdays_mark = DailyPlanMark.objects.get()

    def undo_today():
        clear(baseline)
        yesterdays_mark.save()

    daily, weekly = {}, {}

    def daily_plan():
        r = plan.plan_daily(today)
        daily["r"] = (r.created, r.updated, r.cancelled)

    def weekly_plan():
        r = plan.plan(*plan.daily_range(today), today=today)
        weekly["r"] = (r.created, r.updated, r.cancelled)

    daily_times = timed(daily_plan, opts["repeats"], before=undo_today)
    weekly_times = timed(weekly_plan, opts["repeats"], before=undo_today)
    clear()
    prepare.planned_horizon()  # left as the worker would leave it, for the groups after this one
    size = f"{n} members"
    return [
        {"measure": "plan a year of visits", "variant": "ours: visits.planning.plan", "times": year_times, "size": size,
         "target": 30.0 * n / 1_000_000, "note": f"{created['n']} visits planned (target scaled from 30 s at 10^6)"},
        {"measure": "plan a year of visits", "variant": "limit: insert the same rows, nothing decided", "times": limit_times,
         "size": size, "target": None},
        {"measure": "daily incremental plan", "variant": "ours: the worker's daily run (plan_daily)", "times": daily_times,
         "size": size, "target": 2.0 * n / 1_000_000, "note": f"created/updated/cancelled {daily['r']} (target scaled from 2 s at 10^6)"},
        {"measure": "daily incremental plan", "variant": "ours: the Sunday run (whole horizon, everyone)", "times": weekly_times,
         "size": size, "target": None, "note": f"created/updated/cancelled {weekly['r']}"},
    ]


# -- annual summary --------------------------------------------------------------------------------------------------------

def summary(opts):
    from laogan.reports import rollups, snapshots
    from laogan.reports import summary as report
    from laogan.visits.models import VisitRecord

    bureau = Unit.objects.get(code=opts["bureau"])
    centre = Unit.objects.filter(parent=bureau, kind="centre").exclude(code=prepare.IMPORT_CENTRE).order_by("path").first()
    today = timezone.localdate()  # the app's day (Asia/Shanghai), as its pages and worker count it
    visits = VisitRecord.objects.count()
    units = [("centre", centre, 0.1), ("province", bureau, 2.0)]
    sizes = {label: f"{Member.objects.in_unit(unit).count()} members, {visits} visit records in all" for label, unit, _t in units}

    def builds(variant, *, with_monthly=False):
        out = []
        for label, unit, target in units:
            times = timed(lambda: report.build(unit, today.year, with_monthly=with_monthly, until=today), opts["repeats"])
            out.append({"measure": f"annual summary: {label}", "variant": variant, "times": times, "size": sizes[label],
                        "target": None if with_monthly else target,
                        "note": "province target is for 10^7 visit records" if label == "province" and not with_monthly else ""})
        return out

    rollups.forget_all()
    rows = builds("ours: the page, every figure live (before the roll-ups are computed)")
    refreshed = {}
    times = timed(lambda: refreshed.update(n=rollups.refresh(full=True)), 1)
    rows.append({"measure": "annual summary: roll-ups", "variant": "ours: the worker computing every closed month (refresh_rollups)",
                 "times": times, "size": sizes["province"], "target": None,
                 "note": f"{refreshed['n']} figure-months, {rollups.MonthlyFigure.objects.count()} rows; later runs compute only changed months"})
    rows += builds("ours: the page counted (reports.summary.build: every figure and last year's)")
    rows += builds("ours: the Excel file (every figure's months too)", with_monthly=True)
    stored = {}
    with override_settings(LAOGAN_SNAPSHOT_MIN_MEMBERS=0):  # a small bench province is counted ahead too
        times = timed(lambda: stored.update(n=snapshots.refresh()), 1)
    rows.append({"measure": "annual summary: roll-ups", "variant": "ours: the worker counting bureaus' pages ahead (snapshot_summaries)",
                 "times": times, "size": sizes["province"], "target": None,
                 "note": f"{stored['n']} summaries (this year and last year of each bureau), every 10 minutes"})

    def from_snapshot():
        if snapshots.fresh(bureau, today.year, today) is None:
            raise RuntimeError("the snapshot just counted is not fresh")

    times = timed(from_snapshot, opts["repeats"])
    rows.append({"measure": "annual summary: province", "variant": "ours: the page from the worker's snapshot (snapshots.fresh)",
                 "times": times, "size": sizes["province"], "target": 2.0,
                 "note": "figures as counted by the worker at most 15 minutes before; the page says when"})
    return rows


def bench_login_user():
    """The secretary of the first seeded centre: the member list and dashboard as a centre sees them."""
    return User.objects.filter(role=Role.SECRETARY, username__startswith="scale").order_by("id").first()
