"""Set up what the suite measures: the synthetic province (seed_scale), the bench logins, the roster file and the
static files the production server serves. Everything is kept under bench/var/ and reused while its size matches."""

import json
import random
from datetime import date, timedelta
from pathlib import Path

from django.core.management import call_command
from django.db import transaction

from laogan.accounts.models import Role, Unit, UnitKind, User
from laogan.lib import idcard, spreadsheet
from laogan.members.models import Member
from laogan.scale.names import name_for

STAFF_PASSWORD = "bench-only-password-2026"
IMPORT_CENTRE = "bench-import"
ROSTER_HEADER = ["序号", "姓名", "性别", "出生日期", "身份证号", "类别", "联系电话", "现住址", "原工作单位"]


def province(members, seed, years):
    """Migrate and build the province unless this database already holds it; return the bureau's code."""
    call_command("migrate", verbosity=0, interactive=False)
    code = f"scale-{seed}"
    if not Unit.objects.filter(code=code).exists():
        call_command("seed_scale", members=members, seed=seed, years=years, staff_password=STAFF_PASSWORD, force=True)
    bureau = Unit.objects.get(code=code)
    with transaction.atomic():
        admin, created = User.objects.get_or_create(username="bench-admin", defaults={
            "unit": bureau, "role": Role.ADMIN, "is_staff": True, "is_superuser": True, "full_name": "基准测试"})
        if created:
            admin.set_password(STAFF_PASSWORD)
            admin.save(update_fields=["password"])
        centre = Unit.objects.filter(code=IMPORT_CENTRE).first()
        if centre is None:
            centre = Unit(code=IMPORT_CENTRE, name="导入测试中心", kind=UnitKind.CENTRE, parent=bureau)
            centre.save()
            branch = Unit(code=IMPORT_CENTRE + "-b1", name="导入测试支部", kind=UnitKind.BRANCH, parent=centre)
            branch.save()
    return code


def roster_file(directory, rows, seed):
    """Write (once) an xlsx roster of `rows` new members whose ID numbers no seeded member has (region 469027)."""
    path = Path(directory) / f"roster-{rows}-{seed}.xlsx"
    if path.exists():
        return path
    rng = random.Random(f"bench-roster:{seed}")
    used = set()

    def lines():
        for n in range(1, rows + 1):
            sex = "M" if rng.random() < 0.67 else "F"
            born = date(1930, 1, 1) + timedelta(days=rng.randrange(30 * 365))
            seq = rng.randrange(500) * 2 + (1 if sex == "M" else 0)
            while (born, seq) in used:
                seq = (seq + 2) % 1000
            used.add((born, seq))
            number = idcard.make("469027", born, seq)
            mobile = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            yield [n, name_for(rng, sex), "男" if sex == "M" else "女", born.isoformat(), number,
                   "离休" if born.year < 1932 else "退休", mobile, f"海口市龙华区滨海大道{rng.randrange(1, 300)}号",
                   "海南省农垦总局"]

    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        spreadsheet.write_xlsx(out, ROSTER_HEADER, lines(), title="成员名册")
    tmp.rename(path)
    return path


def clear_import(centre_code=IMPORT_CENTRE):
    """Delete the members an import put under the import centre (raw SQL: not part of any measure)."""
    from django.db import connection

    from laogan.accounts.models import subtree_q

    centre = Unit.objects.get(code=centre_code)
    ids = Member.objects.filter(subtree_q(centre.path)).values("id")
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        for table in ("members_memberphone", "members_contact", "members_lifeevent"):
            cursor.execute(f"DELETE FROM {table} WHERE member_id IN ({sql})", params)
        cursor.execute(f"DELETE FROM members_member WHERE id IN ({sql})", params)
    settle("members_member", "members_memberphone", "accounts_auditsubject")


def planned_horizon():
    """Plan the visits of the next 60 days for everyone, as the worker does on its first day, if none are planned:
    the dashboard's visit panels and the summary's overdue visits read them, and a province without them would flatter
    both. Not part of any measure (~2.5 s at 10^5, ~45 s at 10^6)."""
    from django.utils import timezone

    from laogan.visits import planning
    from laogan.visits.models import PlannedVisit

    if not PlannedVisit.objects.exists():
        planning.plan_everyone(timezone.localdate())
        settle("visits_plannedvisit")


def settle(*tables):
    """On PostgreSQL, VACUUM ANALYZE tables the bench has just emptied or refilled in bulk, as autovacuum would a
    minute later: the next measure must not scan millions of dead rows the bench itself left (a dashboard query
    read 3.5×10^6 dead index entries of the planned visits, 2 ms → 170 ms). Nothing to do on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def write_state(path, **state):
    Path(path).write_text(json.dumps(state, ensure_ascii=False, indent=1))
