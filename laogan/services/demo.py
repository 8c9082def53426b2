"""The demo centre's service requests: four months of everyday help (bulbs, medicine, bills, leaks, cards, nannies),
most done in time, a night-time burst pipe, a couple of missed deadlines with their reasons, callbacks, and a few
requests still open so the dashboard and the worker have something to show.

Deterministic: one seeded random generator and times relative to now; a second run finds the requests and stops.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from laogan.accounts.models import Unit, User
from laogan.members.models import Member

from . import actions
from .defaults import ensure_shipped
from .models import Category, Partner, PartnerKind, ServiceRequest

PARTNERS = [
    ("北湖物业服务中心", PartnerKind.PROPERTY, "0771-3125101"),
    ("西乡塘区便民维修队", PartnerKind.REPAIR, "0771-3125102"),
    ("北湖街道居家养老服务站", PartnerKind.HOME_CARE, "0771-3125103"),
    ("南宁供电局西乡塘营业厅", PartnerKind.UTILITY, "95598"),
    ("区人民医院药房", PartnerKind.HOSPITAL, "0771-3125105"),
]

# category code → [(what, where)] for the everyday requests
EVERYDAY = {
    "bulb": [("客厅吸顶灯不亮，需换灯泡", "家中客厅"), ("卫生间灯管闪烁", "家中卫生间"), ("楼道灯坏，老人夜里看不清", "单元楼道")],
    "medicine": [("代购降压药（硝苯地平）一个月用量", "区人民医院药房"), ("代购胰岛素笔芯", "广西医大一附院"),
                 ("代购眼药水和钙片", "家附近药店")],
    "bills": [("代缴本月水电费", "北湖营业厅"), ("代缴燃气费", "燃气公司网点"), ("有线电视欠费停机，代为续费", "广电网点")],
    "repairs": [("厨房天花板渗水", "家中厨房"), ("阳台窗户关不严漏雨", "家中阳台"), ("卫生间下水道堵塞", "家中卫生间")],
    "card": [("医保卡丢失，需补办", "区医保中心"), ("老干部优待证到期换证", "区委老干部局"), ("社保卡激活", "社保服务大厅")],
    "escort": [("陪同到医院复查", "广西医大一附院"), ("陪同做白内障术前检查", "区人民医院")],
    "housekeeping": [("联系钟点工每周打扫两次", "家中")],
    "other": [("帮忙设置手机字体调大", "家中"), ("联系社区办理高龄津贴", "社区居委会")],
    "electricity": [("家中插座冒火花，跳闸", "家中厨房")],
    "water": [("水龙头关不紧一直滴水", "家中厨房")],
}
EVERYDAY_WEIGHTS = {"bulb": 6, "medicine": 8, "bills": 6, "repairs": 4, "card": 4, "escort": 3, "housekeeping": 1,
                    "other": 3, "electricity": 2, "water": 2}
CALLBACK_COMMENTS = ["办得很快，谢谢", "服务很周到", "满意，辛苦了", "小事也上门，很感动", ""]


def build():
    centre = Unit.objects.filter(code="demo-c1").first()
    if centre is None:
        return
    with transaction.atomic():
        ensure_shipped()
        partners = {}
        for name, kind, phone in PARTNERS:
            partners[kind], _ = Partner.objects.get_or_create(centre=centre, name=name, defaults={"kind": kind, "phone": phone})
        if ServiceRequest.objects.filter(centre=centre).exists():
            return
        members = list(Member.objects.filter(centre=centre).living().order_by("id"))
        staff = list(User.objects.filter(unit=centre, role="staff", is_active=True).order_by("username"))
        if not members or not staff:
            return
        secretary = User.objects.filter(unit=centre, role="secretary").order_by("id").first() or staff[0]
        Demo(centre, members, staff, secretary, partners).run()


class Demo:
    def __init__(self, centre, members, staff, secretary, partners):
        self.rng = random.Random(2014)
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.members, self.staff, self.secretary, self.partners = members, staff, secretary, partners
        self.categories = {c.code: c for c in Category.objects.for_centre(centre)}

    def run(self):
        self.everyday(count=48, days=120)
        self.night_burst_pipe_on_time()
        self.night_water_fault_missed()
        self.power_cut()
        self.medicine_while_member_away()
        self.nanny_took_longer()
        self.unhappy_callback_reopened()
        self.still_open()

    # -- helpers --------------------------------------------------------------------------------------------------
    def member(self, n):
        return self.members[n % len(self.members)]

    def staff_for(self, member):
        return self.staff[member.pk % len(self.staff)]

    def at(self, days_ago, hour, minute=0):
        local = timezone.localtime(self.now - timedelta(days=days_ago))
        return local.replace(hour=hour, minute=minute, second=0, microsecond=0)

    def open(self, member, code, what, where, opened, by, **kw):
        return actions.do_create_request(member, category=self.categories[code], summary=what, location=where,
                                         opened_at=opened, at=opened, acting_user=by, **kw)

    def step(self, func, request, by, at, **kw):
        return func(request, expected_version=request.version, acting_user=by, at=at, **kw)

    # -- four months of everyday help ------------------------------------------------------------------------------
    def everyday(self, count, days):
        codes = [c for c, w in EVERYDAY_WEIGHTS.items() for _ in range(w)]
        for n in range(count):
            code = self.rng.choice(codes)
            what, where = self.rng.choice(EVERYDAY[code])
            days_ago = 8 + (days - 8) * (count - n) // count
            member = self.member(self.rng.randrange(len(self.members)))
            by = self.staff_for(member)
            opened = self.at(days_ago, self.rng.randrange(8, 20), self.rng.choice([0, 10, 20, 35, 45, 50]))
            caller = self.rng.choice(["member", "member", "family"])
            request = self.open(member, code, what, where, opened, by, caller=caller,
                                caller_name="女儿" if caller == "family" else "", assignee=by,
                                channel=self.rng.choice(["phone", "phone", "phone", "walk_in", "visit"]))
            responded = opened + timedelta(minutes=self.rng.randrange(5, 25))
            self.step(actions.do_start, request, by, responded)
            target = request.resolve_by - opened
            resolved = max(opened + target * self.rng.uniform(0.08, 0.7), responded + timedelta(minutes=15))
            self.step(actions.do_resolve, request, by, resolved, resolution="已办妥：" + what)
            callback = resolved + timedelta(hours=self.rng.randrange(18, 30))
            comment = self.rng.choice(CALLBACK_COMMENTS)
            self.step(actions.do_callback, request, by, callback, satisfied=True, comment=comment, answered_by="本人")
            if n % 3 == 0:
                self.step(actions.do_close, request, self.secretary, callback + timedelta(days=2))

    # -- the stories -----------------------------------------------------------------------------------------------
    def night_burst_pipe_on_time(self):
        member, by = self.member(3), self.staff[0]
        opened = self.at(12, 23, 10)
        request = self.open(member, "water", "卫生间水管爆裂，水漫到客厅", "家中卫生间", opened, by, caller="family",
                            caller_name="儿子", urgent=True, handle_now=True)
        self.step(actions.do_dispatch, request, by, opened + timedelta(minutes=12), partner=self.partners[PartnerKind.PROPERTY],
                  reference="WY-夜-0412", note="物业值班电工已出发，先关总阀")
        self.step(actions.do_resolve, request, by, opened + timedelta(hours=2, minutes=5), resolution="物业更换爆裂水管接头，清理积水")
        self.step(actions.do_callback, request, by, opened + timedelta(hours=11), satisfied=True, comment="半夜都有人来，太感谢了",
                  answered_by="儿子")

    def night_water_fault_missed(self):
        member, by = self.member(9), self.staff[1]
        opened = self.at(41, 21, 40)
        request = self.open(member, "water", "厨房水管接口漏水，关不住", "家中厨房", opened, by, assignee=by)
        self.step(actions.do_start, request, by, opened + timedelta(minutes=20))
        self.step(actions.do_dispatch, request, by, opened + timedelta(minutes=35), partner=self.partners[PartnerKind.REPAIR],
                  reference="WX-2291")
        self.step(actions.do_resolve, request, by, opened + timedelta(hours=4, minutes=50),
                  resolution="维修队更换角阀", delay_reason="夜间维修师傅在另一处抢修，未能及时到达")
        self.step(actions.do_callback, request, by, opened + timedelta(hours=14), satisfied=True,
                  comment="修好了，就是等得久了点", answered_by="本人")

    def power_cut(self):
        member, by = self.member(17), self.staff[2]
        opened = self.at(26, 7, 45)
        request = self.open(member, "electricity", "家中整屋停电，邻居有电", "家中", opened, by, handle_now=True)
        self.step(actions.do_dispatch, request, by, opened + timedelta(minutes=15), partner=self.partners[PartnerKind.UTILITY],
                  reference="95598-260815")
        self.step(actions.do_resolve, request, by, opened + timedelta(hours=5), resolution="供电所更换入户空开")
        self.step(actions.do_callback, request, by, opened + timedelta(days=1), satisfied=True, comment="", answered_by="老伴")

    def medicine_while_member_away(self):
        member, by = self.member(24), self.staff[3]
        opened = self.at(33, 10, 0)
        request = self.open(member, "medicine", "代购治疗关节炎的药，需本人医保卡", "区人民医院药房", opened, by, assignee=by)
        self.step(actions.do_start, request, by, opened + timedelta(minutes=40))
        self.step(actions.do_wait, request, by, opened + timedelta(hours=3), reason="老人去女儿家住几天，医保卡随身带走")
        self.step(actions.do_resume, request, by, opened + timedelta(days=3, hours=2))
        self.step(actions.do_resolve, request, by, opened + timedelta(days=3, hours=7), resolution="取到医保卡后购药送到家")
        self.step(actions.do_callback, request, by, opened + timedelta(days=4), satisfied=True, comment="谢谢小陈",
                  answered_by="本人")

    def nanny_took_longer(self):
        member, by = self.member(31), self.staff[4]
        opened = self.at(60, 9, 30)
        request = self.open(member, "housekeeping", "请一位住家保姆，照顾卧床老伴", "家中", opened, by, caller="family",
                            caller_name="女儿", assignee=by)
        self.step(actions.do_dispatch, request, by, opened + timedelta(hours=1), partner=self.partners[PartnerKind.HOME_CARE],
                  reference="JJYL-0603")
        self.step(actions.do_resolve, request, by, opened + timedelta(days=5, hours=3), resolution="服务站推荐的保姆已上岗",
                  delay_reason="家属要求面试三位人选，合适人选周末才能到岗")
        self.step(actions.do_callback, request, by, opened + timedelta(days=9), satisfied=True, comment="保姆很细心",
                  answered_by="女儿")

    def unhappy_callback_reopened(self):
        member, by = self.member(38), self.staff[5]
        opened = self.at(19, 15, 20)
        request = self.open(member, "repairs", "卧室墙角渗水发霉", "家中卧室", opened, by, assignee=by)
        self.step(actions.do_dispatch, request, by, opened + timedelta(hours=1), partner=self.partners[PartnerKind.REPAIR],
                  reference="WX-2417")
        self.step(actions.do_resolve, request, by, opened + timedelta(days=1, hours=2), resolution="维修队外墙打胶")
        self.step(actions.do_callback, request, by, opened + timedelta(days=2), satisfied=False,
                  comment="下雨后又渗了", answered_by="本人")
        self.step(actions.do_start, request, by, opened + timedelta(days=2, hours=1))
        self.step(actions.do_resolve, request, by, opened + timedelta(days=2, hours=20), resolution="重新做外墙防水并铲墙重刷")
        self.step(actions.do_callback, request, by, opened + timedelta(days=6), satisfied=True, comment="这次不漏了",
                  answered_by="本人")

    def still_open(self):
        """Requests open now: one on track, one at risk, one overdue, one paused, one new."""
        now = self.now
        bulb = self.open(self.member(44), "bulb", "厨房灯不亮", "家中厨房", now - timedelta(hours=2), self.staff[0],
                         assignee=self.staff[0])
        self.step(actions.do_start, bulb, self.staff[0], now - timedelta(hours=1, minutes=40))
        bills = self.open(self.member(47), "bills", "代缴两个月的水电费", "北湖营业厅", now - timedelta(hours=60), self.staff[1],
                          assignee=self.staff[1])
        self.step(actions.do_start, bills, self.staff[1], now - timedelta(hours=59))
        card = self.open(self.member(50), "card", "优待证丢失需补办", "区委老干部局", now - timedelta(hours=80), self.staff[2],
                         assignee=self.staff[2])
        self.step(actions.do_start, card, self.staff[2], now - timedelta(hours=79))
        escort = self.open(self.member(53), "escort", "下周陪同去医院复查", "广西医大一附院", now - timedelta(hours=30),
                           self.staff[3], assignee=self.staff[3])
        self.step(actions.do_start, escort, self.staff[3], now - timedelta(hours=29))
        self.step(actions.do_wait, escort, self.staff[3], now - timedelta(hours=28), reason="老人还在决定复查日期")
        self.open(self.member(56), "medicine", "代购感冒药", "家附近药店", now - timedelta(minutes=20), self.secretary,
                  caller="family", caller_name="儿子")
