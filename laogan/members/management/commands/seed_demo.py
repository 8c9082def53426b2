"""Build the demo centre: a district bureau, the centre of the source document (77 retired members, 10 staff) and a
second small centre that must not see the first. Deterministic and idempotent: a second run changes nothing."""

import random
from datetime import date, timedelta

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule
from django.db import transaction

from laogan.accounts.models import Role, Unit, UnitKind, User
from laogan.lib import idcard
from laogan.lib.crypto import lookup_hash
from laogan.members.actions import do_create_member, do_record_life_event
from laogan.members.models import BirthdayCustom, Category, EventKind, Member, PhoneLabel

DEMO_PASSWORD = "laogan-demo-2026"
REGION = "450107"  # 南宁市西乡塘区

SURNAMES = ["黄", "韦", "李", "陈", "覃", "莫", "梁", "蒙", "刘", "张", "潘", "卢", "农", "陆", "罗", "王", "曾", "单", "区", "蓝", "周", "谭", "杨", "苏"]
GIVEN_MALE = ["建国", "振华", "志强", "德明", "国栋", "文光", "永福", "庆林", "树森", "家祥", "宝山", "立新", "绍文", "汉民", "光荣", "景春", "克勤", "维新"]
GIVEN_FEMALE = ["秀英", "桂兰", "玉珍", "淑芳", "凤英", "美华", "丽芬", "月娥", "素琴", "惠民", "春梅", "冬梅"]
FORMER_UNITS = [("南宁市西乡塘区人民政府", "副区长"), ("西乡塘区人武部", "政委"), ("南宁市第二人民医院", "院长"), ("西乡塘区教育局", "局长"),
                ("南宁市邮电局", "科长"), ("西乡塘区粮食局", "副局长"), ("广西铁路局南宁分局", "科员"), ("西乡塘区供销社", "主任")]
STREETS = ["北湖路", "明秀西路", "大学东路", "衡阳东路", "秀灵路", "友爱南路", "新阳路", "安吉大道"]
STAFF = [("secretary", "覃丽华", Role.SECRETARY)] + [
    (f"staff{i}", name, Role.STAFF) for i, name in enumerate(["黄海燕", "韦小宁", "李思远", "陈晓梅", "莫志刚", "梁婷婷", "蒙卫东", "刘佳", "潘文静"], 1)
]
GROUPS = 4


class Command(BaseCommand):
    help = "Build the demo centre (units demo, demo-c1, demo-b1, demo-g1…, demo-c2) and print its logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database already has units.")

    def handle(self, *args, if_empty, **options):
        if if_empty and Unit.objects.exists():
            self.stdout.write("database not empty: demo not built")
            return
        with transaction.atomic():
            build_demo()
            # Each work app adds its part of the demo in <app>/demo.py (build()), in INSTALLED_APPS order.
            for config in apps.get_app_configs():
                if module_has_submodule(config.module, "demo"):
                    import_module(f"{config.name}.demo").build()
        self.stdout.write("Demo centre ready at http://127.0.0.1:8000 — logins (password %s for all):" % DEMO_PASSWORD)
        for user in User.objects.filter(username__in=[u[0] for u in demo_logins()]).select_related("unit").order_by("id"):
            self.stdout.write(f"  {user.username:<10} {user.get_role_display()} · {user.full_name} · {user.unit.name}")


def demo_logins():
    return [("admin", "", Role.ADMIN), ("viewer", "", Role.VIEWER), *STAFF, ("leader1", "", Role.GROUP_LEADER), ("c2staff", "", Role.STAFF)]


def unit(code, name, kind, parent, **extra):
    obj, _ = Unit.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "parent": parent, **extra})
    return obj


def user(username, full_name, role, at, mobile, work_phone=""):
    obj, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "role": role, "unit": at, "mobile": mobile, "work_phone": work_phone},
    )
    if created:
        obj.set_password(DEMO_PASSWORD)
        obj.save(update_fields=["password"])
    return obj


def build_demo():
    bureau = unit("demo", "西乡塘区委老干部局", UnitKind.BUREAU, None)
    centre = unit("demo-c1", "西乡塘区离休干部管理服务中心", UnitKind.CENTRE, bureau, hotline="0771-3125000", address="南宁市西乡塘区北湖路12号")
    branch = unit("demo-b1", "西乡塘区离休干部管理服务中心党支部", UnitKind.BRANCH, centre)
    numerals = "一二三四五六七八九十"
    groups = [unit(f"demo-g{i}", f"第{numerals[i - 1]}党小组", UnitKind.GROUP, branch) for i in range(1, GROUPS + 1)]
    centre2 = unit("demo-c2", "西乡塘区退休干部服务中心", UnitKind.CENTRE, bureau, hotline="0771-3126000")
    branch2 = unit("demo-c2-b1", "西乡塘区退休干部服务中心党支部", UnitKind.BRANCH, centre2)
    group2 = unit("demo-c2-g1", "第一党小组", UnitKind.GROUP, branch2)

    user("admin", "系统管理员", Role.ADMIN, bureau, "13907710000")
    user("viewer", "局机关查阅", Role.VIEWER, bureau, "13907710001")
    for i, (username, name, role) in enumerate(STAFF):
        user(username, name, role, centre, f"1397710{1000 + i:04d}", work_phone=f"0771-31250{10 + i:02d}")
    user("c2staff", "周明", Role.STAFF, centre2, "13977120000")

    rng = random.Random(2014)
    members = [_member(rng, n, groups[n % GROUPS]) for n in range(77)]
    leader = members[0]
    user("leader1", leader.name, Role.GROUP_LEADER, groups[0], "13977131000", work_phone="0771-3125099")
    for n in range(6):
        _member(rng, 100 + n, group2, category=Category.TUIXIU, born_from=1940)
    _life_events(members)


def _member(rng, n, group, category=Category.LIXIU, born_from=1922):
    sex = "F" if rng.random() < 0.25 else "M"
    name = rng.choice(SURNAMES) + rng.choice(GIVEN_FEMALE if sex == "F" else GIVEN_MALE)
    born = date(born_from + rng.randrange(0, 13), 1, 1) + timedelta(days=rng.randrange(0, 365))
    number = idcard.make(REGION, born, 100 + n * 2, sex)
    # Every random draw happens before the existence check, so a second run draws the same sequence.
    joined = date(born.year + 16 + rng.randrange(0, 6), rng.randrange(1, 13), 1)
    existing = Member.objects.filter(id_number_hash=lookup_hash(number)).first()
    if existing:
        return existing
    if category == Category.LIXIU:
        joined = min(joined, date(1949, 9, 1))
    unit_name, post = FORMER_UNITS[n % len(FORMER_UNITS)]
    member = Member(
        unit=group, name=name, sex=sex, birth_date=born, id_number=number, category=category,
        ethnicity="壮族" if n % 5 == 0 else "汉族",
        birthday_custom=BirthdayCustom.LUNAR if n % 7 == 3 else BirthdayCustom.SOLAR,
        party_join_date=joined, work_start_date=joined, retirement_date=date(born.year + 60, born.month, 1),
        former_unit=unit_name, former_post=post, treatment_level="享受副厅级待遇" if n % 9 == 0 else "享受处级待遇",
        address=f"南宁市西乡塘区{STREETS[n % len(STREETS)]}{10 + n}号{1 + n % 6}栋{101 + n % 4}室",
        lives_alone=n % 11 == 4, disabled=n % 13 == 6, bedridden=n % 29 == 10,
        health_notes="高血压，需定期复查" if n % 4 == 1 else "",
    )
    phones = [(PhoneLabel.MOBILE, f"139{7710:04d}{n:04d}"), (PhoneLabel.HOME, f"0771{3800000 + n * 7}")]
    contacts = [{"name": name[0] + ("伟" if n % 2 else "红"), "relationship": "儿子" if n % 2 else "女儿",
                 "phone": f"138{7710:04d}{n:04d}", "lives_with_member": n % 3 == 0, "is_emergency": True}]
    return do_create_member(member, acting_user=None, phones=phones, contacts=contacts)


def _life_events(members):
    from django.utils.timezone import localdate

    today = localdate()
    if Member.objects.filter(pk__in=[m.pk for m in members], events__isnull=False).exists():
        return
    for i, m in enumerate(members[10:15]):
        do_record_life_event(m, kind=EventKind.ADMITTED, date=today - timedelta(days=3 + i * 9), hospital="广西医科大学第一附属医院", ward=f"老干部病区{i + 1}床", acting_user=None)
    m = members[15]
    do_record_life_event(m, kind=EventKind.ADMITTED, date=today - timedelta(days=60), hospital="南宁市第一人民医院", acting_user=None)
    do_record_life_event(m, kind=EventKind.DISCHARGED, date=today - timedelta(days=40), acting_user=None)
    for i, m in enumerate(members[20:23]):
        do_record_life_event(m, kind=EventKind.DIED, date=today - timedelta(days=30 + i * 70), acting_user=None)
    do_record_life_event(members[30], kind=EventKind.HARDSHIP_REPORTED, date=today - timedelta(days=2), notes="老伴住院，家中无人照料", acting_user=None)
