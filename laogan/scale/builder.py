"""A synthetic province: bureau → centres → branches → party groups, staff at one per 25 members, members with valid
ID numbers and phones, years of visits, service requests, deaths with their after-death cases, liaisons.

Deterministic for a seed: each part draws from its own random stream (`_rng(seed, part)`), so the members of seed 7
are the same whatever else is built. Rows go out through scale.bulk (COPY / executemany) with every derived column
computed the way the models compute it (pinyin, lookup hash, last four digits, unit path, lunar birthday), so search,
scope and planning see them exactly as they see members entered by hand.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from laogan.accounts.models import PATH_WIDTH, Role, Unit, UnitKind, User
from laogan.lib import crypto, idcard, lunar, pinyin
from laogan.lib.bulk import Writer
from laogan.members.models import BirthdayCustom, Category, Contact, DatePrecision, EventKind, LifeEvent, Member
from laogan.members.models import MemberPhone, Sex, Status
from laogan.reports import rollups

from . import bulk
from .names import name_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
MEMBERS_PER_GROUP = 25
MEMBERS_PER_STAFF = 25
GROUPS_PER_BRANCH = 20
LUNAR_SHARE = 0.35
MONTH_ONLY_SHARE = 0.02
DEATHS_PER_YEAR = 0.03  # of members aged 60–100
IN_HOSPITAL_SHARE = 0.02
HARDSHIP_SHARE = 0.005
# (region code of the ID number, district) — Guangxi, where the source document's centre is.
DISTRICTS = [
    ("450102", "南宁市兴宁区"), ("450103", "南宁市青秀区"), ("450105", "南宁市江南区"), ("450107", "南宁市西乡塘区"),
    ("450108", "南宁市良庆区"), ("450202", "柳州市城中区"), ("450203", "柳州市鱼峰区"), ("450302", "桂林市秀峰区"),
    ("450303", "桂林市叠彩区"), ("450305", "桂林市七星区"), ("450403", "梧州市万秀区"), ("450502", "北海市海城区"),
    ("450602", "防城港市港口区"), ("450702", "钦州市钦南区"), ("450802", "贵港市港北区"), ("450902", "玉林市玉州区"),
    ("451002", "百色市右江区"), ("451102", "贺州市八步区"), ("451202", "河池市金城江区"), ("451302", "来宾市兴宾区"),
]
STREETS = ["民族大道", "朝阳路", "北湖路", "明秀西路", "大学东路", "衡阳东路", "友爱南路", "新阳路", "中山路", "解放路",
           "人民路", "建设路", "园湖路", "古城路", "桃源路", "七星路"]
FORMER = [("自治区人民政府办公厅", "处长"), ("市财政局", "副局长"), ("市第一人民医院", "院长"), ("区教育局", "科长"),
          ("市邮电局", "科员"), ("粮食局", "副局长"), ("铁路局", "主任"), ("供销社", "主任"), ("人武部", "政委"),
          ("市委组织部", "副部长"), ("市中学", "校长"), ("市建筑公司", "工程师")]
HEALTH = ["高血压，需定期复查", "糖尿病，注意饮食", "行动不便，需搀扶", "听力下降，电话请大声", "冠心病", "术后康复中"]
REQUESTS = [("water", "厨房水管漏水"), ("electricity", "家中跳闸停电"), ("bulb", "卫生间灯泡坏了"), ("medicine", "代购降压药"),
            ("bills", "代缴本月水电费"), ("repairs", "阳台天花板渗水"), ("card", "补办医疗卡"), ("housekeeping", "想请一位保姆"),
            ("escort", "下周三陪同去医院复查"), ("other", "咨询体检安排")]


@dataclass
class Built:
    counts: dict = field(default_factory=dict)
    bureau: Unit | None = None


@dataclass
class _M:
    """What later parts need of a member, kept small: a million of these stay in memory while building."""

    id: int
    centre_id: int
    unit_path: str
    liaison_id: int
    secretary_id: int
    birth_date: date
    died_on: date | None


def _rng(seed, part):
    return random.Random(f"laogan-scale:{seed}:{part}")


def build(*, members, centres, years, seed, today=None, visits_per_year=5.0, requests_per_year=0.6,
          staff_password=None, progress=lambda text: None):
    """Build the province and return a Built with the row count of each table."""
    today = today or timezone.localdate()
    result = Built()
    bulk.fast_sqlite()
    with transaction.atomic():
        result.bureau, centre_units, groups = _units(seed, members, centres, result.counts)
        progress(f"units: {result.counts['units']}")
        staff = _staff(seed, centre_units, groups, staff_password, result.counts)
        progress(f"staff: {result.counts['staff']}")
        people = _members(seed, groups, staff, today, years, result.counts, progress)
        progress(f"members: {result.counts['members']}, phones: {result.counts['phones']}")
        _events(seed, people, today, years, result.counts)
        _visits(seed, people, centre_units, today, years, visits_per_year, result.counts)
        progress(f"visit records: {result.counts['visit_records']}")
        _requests(seed, people, today, years, requests_per_year, result.counts)
        _cases(seed, people, today, result.counts)
        progress(f"service requests: {result.counts['service_requests']}, cases: {result.counts['cases']}")
        bulk.reset_sequences(_models_written())
        rollups.forget_all()  # written around the models' signals: any roll-up computed before is stale
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, so the planner picks the indexes the benchmark expects
    return result


def _models_written():
    from laogan.cases.models import Case, CaseStep
    from laogan.services.models import ServiceRequest
    from laogan.visits.models import VisitAttendance, VisitRecord

    return [Unit, User, Member, MemberPhone, Contact, LifeEvent, VisitRecord, VisitAttendance,
            VisitRecord.visitors.through, ServiceRequest, Case, CaseStep]


# -- units and staff ---------------------------------------------------------------------------------------------------

def _units(seed, members, centres, counts):
    rng = _rng(seed, "units")
    code = f"scale-{seed}"
    if Unit.objects.filter(code=code).exists():
        raise ValueError(f"units of seed {seed} already exist (unit code {code}); use another --seed or an empty database")
    weights = [rng.uniform(0.5, 1.5) for _ in range(centres)]
    sizes = _split(members, weights)
    writer = Writer(Unit, ["id", "code", "name", "kind", "parent_id", "path", "centre_id", "hotline", "address", "sort_order"])
    next_id = bulk.next_id(Unit)
    bureau_id = next_id
    bureau_path = f"{bureau_id:0{PATH_WIDTH}d}"
    writer.add(bureau_id, code, "广西壮族自治区党委老干部局（合成数据）", UnitKind.BUREAU, None, bureau_path, None, "", "", 0)
    next_id += 1
    centre_units, groups = [], []
    for ci, size in enumerate(sizes, 1):
        region, district = DISTRICTS[(ci - 1) % len(DISTRICTS)]
        cid = next_id
        next_id += 1
        cpath = bureau_path + f"{cid:0{PATH_WIDTH}d}"
        hotline = f"0771-{3100000 + ci:07d}"
        writer.add(cid, f"{code}-c{ci}", f"{district}第{ci}老干部服务中心", UnitKind.CENTRE, bureau_id, cpath, cid, hotline,
                   f"{district}{rng.choice(STREETS)}{rng.randrange(1, 300)}号", ci)
        centre_units.append((cid, cpath, region, district))
        group_sizes = _split(size, [1] * max(1, math.ceil(size / MEMBERS_PER_GROUP)))
        for bi in range(math.ceil(len(group_sizes) / GROUPS_PER_BRANCH)):
            bid = next_id
            next_id += 1
            bpath = cpath + f"{bid:0{PATH_WIDTH}d}"
            writer.add(bid, f"{code}-c{ci}-b{bi + 1}", f"第{bi + 1}党支部", UnitKind.BRANCH, cid, bpath, cid, "", "", bi)
            for gi, gsize in enumerate(group_sizes[bi * GROUPS_PER_BRANCH:(bi + 1) * GROUPS_PER_BRANCH]):
                gid = next_id
                next_id += 1
                gpath = bpath + f"{gid:0{PATH_WIDTH}d}"
                writer.add(gid, f"{code}-c{ci}-b{bi + 1}-g{gi + 1}", f"第{gi + 1}党小组", UnitKind.GROUP, bid, gpath, cid, "", "", gi)
                groups.append((gid, gpath, cid, region, gsize))
    writer.flush()
    counts["units"] = writer.count
    return Unit.objects.get(pk=bureau_id), centre_units, groups


def _split(total, weights):
    """Return whole numbers proportional to weights that add up to total."""
    scale = sum(weights)
    sizes = [int(total * w / scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % len(sizes)] += 1
    return sizes


def _staff(seed, centre_units, groups, staff_password, counts):
    """Create one secretary per centre and one liaison per 25 members; return {centre id: (secretary, [liaisons])}."""
    rng = _rng(seed, "staff")
    # Hashing is deliberately slow (hundreds of ms); one hash is shared, or no usable password at all.
    password = make_password(staff_password) if staff_password else make_password(None)
    now = timezone.now()
    writer = Writer(User, ["id", "username", "password", "full_name", "unit_id", "role", "mobile", "work_phone", "date_joined"])
    next_id = bulk.next_id(User)
    members_in = {}
    for gid, gpath, cid, region, size in groups:
        members_in[cid] = members_in.get(cid, 0) + size
    staff = {}
    for ci, (cid, cpath, region, district) in enumerate(centre_units, 1):
        ids = []
        for n in range(max(1, math.ceil(members_in.get(cid, 0) / MEMBERS_PER_STAFF)) + 1):
            sex = "F" if rng.random() < 0.55 else "M"
            role = Role.SECRETARY if n == 0 else Role.STAFF
            username = f"scale{seed}-c{ci}-{'sec' if n == 0 else f's{n}'}"
            writer.add(next_id, username, password, name_for(rng, sex), cid, role, _mobile(rng),
                       f"0771-{3100000 + ci:07d}", now)
            ids.append(next_id)
            next_id += 1
        staff[cid] = (ids[0], ids[1:])
    writer.flush()
    counts["staff"] = writer.count
    return staff


def _mobile(rng):
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


# -- members -----------------------------------------------------------------------------------------------------------

def _members(seed, groups, staff, today, years, counts, progress):
    rng = _rng(seed, "members")
    now = timezone.now()
    m_writer = Writer(Member, [
        "id", "unit_id", "centre_id", "unit_path", "name", "name_pinyin", "name_initials", "sex", "ethnicity", "birth_date",
        "birth_date_precision", "birthday_custom", "lunar_birth_month", "lunar_birth_day", "birth_md", "id_number", "id_number_hash",
        "id_number_last4", "id_number_suffix_hash", "category", "is_party_member", "party_join_date", "work_start_date", "retirement_date",
        "former_unit", "former_post", "treatment_level", "address", "health_notes", "lives_alone", "disabled", "bedridden",
        "liaison_id", "last_contact_at", "created_at", "updated_at"])
    p_writer = Writer(MemberPhone, ["id", "member_id", "label", "number", "last4", "suffix_hash", "order"])
    c_writer = Writer(Contact, ["id", "member_id", "name", "relationship", "phone", "phone_last4", "phone_suffix_hash",
                                "lives_with_member", "is_emergency"])
    member_id, phone_id, contact_id = bulk.next_id(Member), bulk.next_id(MemberPhone), bulk.next_id(Contact)
    used = set(Member.objects.exclude(id_number_hash=None).values_list("id_number_hash", flat=True))
    spellings = {}
    people = []
    first_year = today.year - 101
    for g_index, (gid, gpath, cid, region, size) in enumerate(groups):
        secretary, liaisons = staff[cid]
        liaison = liaisons[g_index % len(liaisons)] if liaisons else secretary
        for _ in range(size):
            sex = Sex.FEMALE if rng.random() < 0.33 else Sex.MALE
            name = name_for(rng, sex)
            # Older cohorts are smaller: the age is drawn towards 60–80.
            age = 60 + int(41 * rng.random() ** 1.8)
            born = date(today.year - age, 1, 1) + timedelta(days=rng.randrange(365))
            born = max(born, date(first_year, 1, 1))
            lixiu = born.year <= 1932 and rng.random() < 0.8
            month_only = rng.random() < MONTH_ONLY_SHARE
            custom = BirthdayCustom.LUNAR if rng.random() < LUNAR_SHARE else BirthdayCustom.SOLAR
            number = _unique_id(rng, region, born, sex, used)
            if name not in spellings:
                spellings[name] = (pinyin.full(name), pinyin.initials(name))
            full, initials = spellings[name]
            if month_only:
                stored_born, lunar_md = born.replace(day=1), (None, None)
            else:
                stored_born, lunar_md = born, lunar.lunar_month_day(born)
            joined = date(born.year + 18 + rng.randrange(8), rng.randrange(1, 13), 1)
            if lixiu:
                joined = min(joined, date(1949, 9, 1))
            retired = min(date(born.year + (60 if sex == Sex.MALE else 55), born.month, 1), today)
            unit_name, post = FORMER[rng.randrange(len(FORMER))]
            address = f"{rng.choice(STREETS)}{rng.randrange(1, 400)}号{rng.randrange(1, 12)}栋{rng.randrange(1, 7)}0{rng.randrange(1, 5)}室"
            health = rng.choice(HEALTH) if rng.random() < 0.25 else ""
            contact_at = datetime.combine(today - timedelta(days=rng.randrange(90)), time(10), SHANGHAI)
            # Entered years ago; one member in 500 changed this week (the daily visit plan re-reads those). From the
            # id, not the random stream, so the rest of the data stays as it was for a seed.
            entered = now - timedelta(days=8 + member_id * 7919 % 1000)
            changed = now - timedelta(days=member_id % 7) if member_id % 500 == 0 else entered
            m_writer.add(
                member_id, gid, cid, gpath, name, full, initials, sex, "汉族" if rng.random() < 0.85 else "壮族", stored_born,
                DatePrecision.MONTH if month_only else DatePrecision.DAY, custom, lunar_md[0], lunar_md[1],
                stored_born.month * 100 + stored_born.day,
                crypto.encrypt(number), crypto.lookup_hash(number), number[-4:], crypto.suffix_hash(number),
                Category.LIXIU if lixiu else Category.TUIXIU, rng.random() < 0.97, joined, joined, retired,
                unit_name, post, "享受副厅级待遇" if rng.random() < 0.1 else "享受处级待遇", crypto.encrypt(address),
                crypto.encrypt(health) if health else "", rng.random() < 0.12, rng.random() < 0.05, rng.random() < 0.02,
                liaison, contact_at, entered, changed,
            )
            if rng.random() < 0.92:
                mobile = _mobile(rng)
                p_writer.add(phone_id, member_id, "mobile", crypto.encrypt(mobile), mobile[-4:], crypto.suffix_hash(mobile), 0)
                phone_id += 1
            if rng.random() < 0.4:
                home = f"0771{rng.randrange(2000000, 9999999)}"
                p_writer.add(phone_id, member_id, "home", crypto.encrypt(home), home[-4:], crypto.suffix_hash(home), 1)
                phone_id += 1
            if rng.random() < 0.3:
                phone = _mobile(rng)
                child_sex = rng.random() < 0.5
                c_writer.add(contact_id, member_id, name[0] + ("伟" if child_sex else "红"), "儿子" if child_sex else "女儿",
                             crypto.encrypt(phone), phone[-4:], crypto.suffix_hash(phone), rng.random() < 0.3, True)
                contact_id += 1
            people.append(_M(member_id, cid, gpath, liaison, secretary, stored_born, None))
            member_id += 1
            if len(people) % 100_000 == 0:
                progress(f"  … {len(people)} members")
    for w in (m_writer, p_writer, c_writer):
        w.flush()
    counts.update(members=m_writer.count, phones=p_writer.count, contacts=c_writer.count)
    return people


def _unique_id(rng, region, born, sex, used):
    """Return a valid ID number not yet used: the sequence is drawn, then stepped by two (same sex) on a clash."""
    seq = rng.randrange(500) * 2 + (1 if sex == Sex.MALE else 0)
    for _ in range(500):
        number = idcard.make(region, born, seq)
        digest = crypto.lookup_hash(number)
        if digest not in used:
            used.add(digest)
            return number
        seq = (seq + 2) % 1000
    raise ValueError(f"no free ID number left for {region} {born}")


# -- life events ---------------------------------------------------------------------------------------------------------

def _events(seed, people, today, years, counts):
    """Deaths over the years (status deceased), current hospital stays and hardships, as life events."""
    rng = _rng(seed, "events")
    writer = Writer(LifeEvent, ["id", "member_id", "kind", "date", "hospital", "recorded_at"])
    event_id = bulk.next_id(LifeEvent)
    now = timezone.now()
    status = {Status.DECEASED: [], Status.IN_HOSPITAL: []}
    hardship = []
    span = max(1, int(years * 365))
    for p in people:
        r = rng.random()
        if r < DEATHS_PER_YEAR * years:
            p.died_on = today - timedelta(days=1 + rng.randrange(span))
            writer.add(event_id, p.id, EventKind.DIED, p.died_on, "", now)
            status[Status.DECEASED].append((p.id, p.died_on))
        elif r < DEATHS_PER_YEAR * years + IN_HOSPITAL_SHARE:
            writer.add(event_id, p.id, EventKind.ADMITTED, today - timedelta(days=rng.randrange(40)), "自治区人民医院", now)
            status[Status.IN_HOSPITAL].append((p.id, None))
        elif r < DEATHS_PER_YEAR * years + IN_HOSPITAL_SHARE + HARDSHIP_SHARE:
            writer.add(event_id, p.id, EventKind.HARDSHIP_REPORTED, today - timedelta(days=rng.randrange(20)), "", now)
            hardship.append(p.id)
        else:
            continue
        event_id += 1
    writer.flush()
    counts["life_events"] = writer.count
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Member._meta.db_table)
        died = [(Status.DECEASED, str(d) if connection.vendor == "sqlite" else d, pk) for pk, d in status[Status.DECEASED]]
        cursor.executemany(f"UPDATE {table} SET status = %s, died_on = %s WHERE id = %s", died)
        cursor.executemany(f"UPDATE {table} SET status = %s WHERE id = %s", [(Status.IN_HOSPITAL, pk) for pk, _ in status[Status.IN_HOSPITAL]])
        cursor.executemany(f"UPDATE {table} SET has_hardship = %s WHERE id = %s", [(True, pk) for pk in hardship])


# -- visits, requests, cases ---------------------------------------------------------------------------------------------

def _visits(seed, people, centre_units, today, years, per_year, counts):
    """Visit records of the past `years`: festivals on their days, birthdays, the rest caring home visits."""
    from laogan.visits.models import Festival, Occasion, VisitAttendance, VisitForm, VisitRecord
    from laogan.visits.planning import festival_days, rules_for

    rng = _rng(seed, "visits")
    start = today - timedelta(days=int(years * 365))
    festivals = {}
    for cid, *_ in centre_units:
        rules_for(Unit(pk=cid))
        festivals[cid] = festival_days(list(Festival.objects.filter(centre_id=cid, active=True)), start, today)
    r_writer = Writer(VisitRecord, ["id", "centre_id", "unit_path", "visited_at", "visited_on", "form", "occasion",
                                         "festival_id", "title", "recorded_by_id", "created_at"])
    a_writer = Writer(VisitAttendance, ["id", "record_id", "member_id", "visited_on", "cake_ordered", "cake_delivered"])
    through = VisitRecord.visitors.through
    v_writer = Writer(through, ["id", "visitrecord_id", "user_id"])
    record_id, attendance_id, visitor_id = bulk.next_id(VisitRecord), bulk.next_id(VisitAttendance), bulk.next_id(through)
    span = (today - start).days
    for p in people:
        until = p.died_on or today
        wanted = per_year * years
        n = int(wanted) + (rng.random() < wanted - int(wanted))
        fdays = festivals[p.centre_id]
        for _ in range(n):
            r = rng.random()
            festival_id = None
            if r < 0.5 and fdays:
                festival, _year, day = fdays[rng.randrange(len(fdays))]
                day -= timedelta(days=rng.randrange(5))
                occasion, form, festival_id = Occasion.FESTIVAL, VisitForm.HOME, festival.id
            elif r < 0.7:
                day = _birthday_near(p.birth_date, start, today, rng)
                occasion, form = Occasion.BIRTHDAY, VisitForm.HOME
            else:
                day = start + timedelta(days=rng.randrange(span + 1))
                occasion, form = Occasion.OTHER, rng.choice((VisitForm.HOME, VisitForm.HOME, VisitForm.PHONE))
            if day is None or not (start <= day <= until):
                continue
            at = datetime.combine(day, time(9 + rng.randrange(8), 0), SHANGHAI)
            r_writer.add(record_id, p.centre_id, p.unit_path, at, day, form, occasion, festival_id, "", p.liaison_id, at)
            cake = occasion == Occasion.BIRTHDAY and rng.random() < 0.5
            a_writer.add(attendance_id, record_id, p.id, day, cake, cake)
            if p.liaison_id:
                v_writer.add(visitor_id, record_id, p.liaison_id)
                visitor_id += 1
            record_id += 1
            attendance_id += 1
    for w in (r_writer, a_writer, v_writer):
        w.flush()
    counts["visit_records"] = r_writer.count


def _birthday_near(born, start, end, rng):
    years = [y for y in range(start.year, end.year + 1)]
    year = years[rng.randrange(len(years))]
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def _requests(seed, people, today, years, per_year, counts):
    """Service requests: almost all resolved and confirmed; those of the last few days still open."""
    from laogan.services.models import Category as RequestCategory, Channel, ServiceRequest, Status as RequestStatus

    rng = _rng(seed, "requests")
    categories = dict(RequestCategory.objects.filter(unit=None).values_list("code", "id"))
    writer = Writer(ServiceRequest, [
        "id", "centre_id", "unit_path", "member_id", "category_id", "summary", "channel", "status", "assignee_id",
        "created_by_id", "opened_at", "reported_on", "responded_at", "resolved_at", "resolved_on", "closed_at", "resolution",
        "satisfied", "respond_by", "resolve_by", "due_at", "missed_response", "missed_resolution", "updated_at"])
    request_id = bulk.next_id(ServiceRequest)
    span = int(years * 365)
    for p in people:
        wanted = per_year * years
        n = int(wanted) + (rng.random() < wanted - int(wanted))
        for _ in range(n):
            code, summary = REQUESTS[rng.randrange(len(REQUESTS))]
            day = today - timedelta(days=rng.randrange(span))
            if p.died_on and day >= p.died_on:
                continue
            opened = datetime.combine(day, time(8 + rng.randrange(12), rng.randrange(60)), SHANGHAI)
            respond_by, resolve_by = opened + timedelta(hours=2), opened + timedelta(days=3)
            handler = p.liaison_id or p.secretary_id
            if (today - day).days < 3:
                writer.add(request_id, p.centre_id, p.unit_path, p.id, categories[code], summary, Channel.PHONE,
                           RequestStatus.ASSIGNED, handler, handler, opened, day, None, None, None, None, "", None,
                           respond_by, resolve_by, respond_by, False, False, opened)
            else:
                responded = opened + timedelta(minutes=10 + rng.randrange(150))
                resolved = opened + timedelta(hours=1 + rng.randrange(90))
                late = resolved > resolve_by
                writer.add(request_id, p.centre_id, p.unit_path, p.id, categories[code], summary, Channel.PHONE,
                           RequestStatus.CONFIRMED, handler, handler, opened, day, responded, resolved,
                           timezone.localdate(resolved), resolved + timedelta(days=1), "已处理", rng.random() < 0.97,
                           respond_by, resolve_by, None, responded > respond_by, late, resolved)
            request_id += 1
    writer.flush()
    counts["service_requests"] = writer.count


def _cases(seed, people, today, counts):
    """An after-death case for every member who died: closed with every step done once two months have passed."""
    from laogan.cases.models import Case, CaseStep, CaseType, Outcome, Status as CaseStatus, StepStatus

    after_death = CaseType.objects.filter(code="after_death").first()
    if after_death is None:
        counts.update(cases=0, case_steps=0)
        return
    templates = list(after_death.templates.order_by("order", "id"))
    c_writer = Writer(Case, ["id", "centre_id", "unit_path", "member_id", "case_type_id", "summary", "opened_on",
                                  "closed_on", "status", "owner_id", "outcome", "once", "created_at", "updated_at"])
    s_writer = Writer(CaseStep, ["id", "case_id", "template_id", "code", "title", "hint", "order", "anchor", "offset_days",
                                      "due_date", "status", "assignee_id", "required", "asks", "result_label", "done_on"])
    case_id, step_id = bulk.next_id(Case), bulk.next_id(CaseStep)
    now = timezone.now()
    for p in people:
        if not p.died_on:
            continue
        opened = p.died_on + timedelta(days=1)
        closed = opened + timedelta(days=45) if (today - opened).days > 60 else None
        c_writer.add(case_id, p.centre_id, p.unit_path, p.id, after_death.id, "善后工作", opened, closed,
                     CaseStatus.CLOSED if closed else CaseStatus.OPEN, p.secretary_id,
                     Outcome.COMPLETED if closed else "", True, now, now)
        for t in templates:
            due = opened + timedelta(days=t.offset_days or 30)
            done = closed is not None or due < today - timedelta(days=5)
            s_writer.add(step_id, case_id, t.id, t.code, t.title, t.hint, t.order, t.anchor, t.offset_days, due,
                         StepStatus.DONE if done else StepStatus.OPEN, p.secretary_id, t.required, t.asks, t.result_label,
                         min(due, today) if done else None)
            step_id += 1
        case_id += 1
    c_writer.flush()
    s_writer.flush()
    counts.update(cases=c_writer.count, case_steps=s_writer.count)
