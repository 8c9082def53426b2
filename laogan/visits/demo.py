"""The demo centre's 四必访: the year planned, and a year of visits made — festival home visits and gatherings,
birthday visits with cakes, hospital visits, caring visits to members living alone — with gifts, condolence money
and a budget, at the scale of the source document (300+ home visits a year for 77 members).

Deterministic and idempotent: planning is a reconciliation, and the history is written only when the centre has no
visit records yet, with every random draw made after that check.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from laogan.accounts.models import Role, Unit, User
from laogan.members.models import EventKind, LifeEvent, Member

from . import actions, planning
from .actions import GiftLine
from .models import CancelCause, MoneyEntry, MoneyKind, Occasion, PlannedVisit, PlanStatus, VisitForm, VisitRecord

FESTIVAL_GIFTS = {
    "春节": (GiftLine("大米、食用油", 1, Decimal("200.00")), Decimal("500.00")),
    "七一": (GiftLine("党史读本、纪念品", 1, Decimal("60.00")), None),
    "中秋": (GiftLine("月饼", 1, Decimal("128.00")), None),
    "重阳": (GiftLine("重阳糕、水果", 1, Decimal("80.00")), None),
}
GATHERING_TITLES = {"七一": "庆祝七一老党员座谈会", "重阳": "重阳节敬老茶话会"}
PARTNERS = ["", "", "城区民政局", "城区组织部", "城区卫生局"]


def build():
    centre = Unit.objects.filter(code="demo-c1").first()
    if centre is None:
        return
    today = timezone.localdate()
    start = today - timedelta(days=365)
    end = max(date(today.year, 12, 31), today + timedelta(days=planning.HORIZON_DAYS))
    planning.plan(start, end, org=centre, today=today)
    if VisitRecord.objects.filter(centre=centre).exists():
        return
    History(centre, today, start).write()


class History:
    def __init__(self, centre, today, start):
        self.centre, self.today, self.start = centre, today, start
        self.rng = random.Random(1949)
        self.staff = list(User.objects.filter(unit=centre, role=Role.STAFF).order_by("username"))
        self.secretary = User.objects.filter(unit=centre, role=Role.SECRETARY).order_by("id").first()
        self.members = {m.pk: m for m in Member.objects.filter(centre=centre).select_related("unit", "liaison").order_by("pk")}
        self.events = {}
        for e in LifeEvent.objects.filter(member__centre=centre).order_by("date", "id"):
            self.events.setdefault(e.member_id, []).append(e)

    def write(self):
        for year in sorted({self.start.year, self.today.year}):
            actions.do_set_budget(self.centre, year, Decimal("120000.00") if year == self.today.year else Decimal("110000.00"),
                                  acting_user=self.secretary)
        self.festivals()
        self.birthdays()
        self.hospital()
        self.caring_visits()
        self.correction()

    # -- helpers ---------------------------------------------------------------------------------------------------
    def visitor_for(self, member):
        if member.liaison_id:
            return member.liaison
        return self.staff[member.pk % len(self.staff)]

    def at(self, day, minutes):
        return timezone.make_aware(datetime.combine(day, time(9, 0)) + timedelta(minutes=minutes))

    def past_planned(self, kind):
        # Open, or cancelled only by a death that came after the visit was due: both can still be fulfilled.
        return (PlannedVisit.objects.filter(centre=self.centre, kind=kind, due_date__gte=self.start, due_date__lt=self.today)
                .filter(status__in=[PlanStatus.OPEN, PlanStatus.CANCELLED])
                .exclude(status=PlanStatus.CANCELLED, cancelled_because__in=[CancelCause.REPLANNED, CancelCause.MANUAL])
                .select_related("festival").order_by("due_date", "member_id"))

    def visit(self, member, day, minutes, **kw):
        if day >= self.today or (member.died_on and day > member.died_on):
            return None
        visitor = kw.pop("visitor", None) or self.visitor_for(member)
        record, _fulfilled = actions.do_record_visit([member], visited_at=self.at(day, minutes), visitors=[visitor],
                                                     acting_user=visitor, **kw)
        return record

    def window_day(self, planned, latest_offset=0):
        span = (planned.window_end - planned.window_start).days
        return planned.window_start + timedelta(days=self.rng.randint(max(0, span - 6), max(0, span - latest_offset)))

    # -- the year --------------------------------------------------------------------------------------------------
    def festivals(self):
        by_occasion = {}
        for pv in self.past_planned(Occasion.FESTIVAL):
            by_occasion.setdefault((pv.festival, pv.occasion_year), []).append(pv)
        for (festival, _year), planned in by_occasion.items():
            gift, money = FESTIVAL_GIFTS.get(festival.name, (GiftLine("慰问品", 1, Decimal("100.00")), None))
            at_home = planned
            if festival.gatherings_count:
                able = [pv for pv in planned if not (self.members[pv.member_id].bedridden or self.members[pv.member_id].disabled)]
                came = [pv for pv in able if self.rng.random() < 0.7]
                day = planned[0].due_date - timedelta(days=2)
                came_members = [self.members[pv.member_id] for pv in came
                                if not self.members[pv.member_id].died_on or self.members[pv.member_id].died_on >= day]
                if came_members and day < self.today:
                    actions.do_record_visit(
                        came_members, visited_at=self.at(day, 60), form=VisitForm.GATHERING, occasion=Occasion.FESTIVAL,
                        festival=festival, title=GATHERING_TITLES.get(festival.name, f"{festival.name}座谈会"),
                        place="中心活动室", visitors=self.staff[:3] + [self.secretary], partner_units=PARTNERS[3],
                        gifts=[GiftLine(gift.item, len(came_members), gift.value * len(came_members))],
                        acting_user=self.secretary,
                    )
                came_ids = {m.pk for m in came_members}
                at_home = [pv for pv in planned if pv.member_id not in came_ids]
            for i, pv in enumerate(at_home):
                if self.rng.random() < 0.03:
                    continue  # missed: shows as overdue
                member = self.members[pv.member_id]
                in_hospital = self._in_hospital_on(member, pv.window_end)
                self.visit(member, self.window_day(pv, 1), 40 * (i % 8),
                           form=VisitForm.HOSPITAL if in_hospital else VisitForm.HOME, occasion=Occasion.FESTIVAL,
                           festival=festival, gifts=[gift], condolence_amount=money,
                           partner_units=self.rng.choice(PARTNERS))

    def birthdays(self):
        for i, pv in enumerate(self.past_planned(Occasion.BIRTHDAY)):
            if self.rng.random() < 0.04:
                continue
            member = self.members[pv.member_id]
            gifts = [GiftLine("生日蛋糕", 1, Decimal("168.00"))]
            if pv.milestone_age:
                gifts.append(GiftLine("寿礼（长寿面、寿桃）", 1, Decimal("200.00")))
            self.visit(member, self.window_day(pv, 0), 30 * (i % 6), form=VisitForm.HOME, occasion=Occasion.BIRTHDAY,
                       gifts=gifts, condolence_amount=Decimal("300.00") if pv.milestone_age else None,
                       cake_ordered=True, cake_delivered=True,
                       notes=f"{pv.milestone_age}岁寿辰，送上蛋糕和寿礼" if pv.milestone_age else "送上生日蛋糕")

    def hospital(self):
        stays = LifeEvent.objects.filter(member__centre=self.centre, kind=EventKind.ADMITTED, date__gte=self.start).order_by("date", "id")
        for stay in stays:
            member = self.members[stay.member_id]
            ended = (LifeEvent.objects.filter(member=member, date__gte=stay.date, kind__in=[EventKind.DISCHARGED, EventKind.DIED])
                     .exclude(pk=stay.pk).order_by("date", "id").first())
            last = min(ended.date if ended else self.today, self.today)
            day, first = stay.date + timedelta(days=1), True
            while day < last:
                self.visit(member, day, 300, form=VisitForm.HOSPITAL, occasion=Occasion.HOSPITAL,
                           gifts=[GiftLine("水果篮", 1, Decimal("150.00"))] if first else [],
                           condolence_amount=Decimal("500.00") if first else None,
                           notes=f"到{stay.hospital}看望" + (f"（{stay.ward}）" if stay.ward else ""))
                day, first = day + timedelta(days=self.rng.randint(5, 8)), False
        for pv in self.past_planned(Occasion.HOSPITAL_FOLLOWUP):
            self.visit(self.members[pv.member_id], self.window_day(pv, 2), 120, form=VisitForm.PHONE,
                       occasion=Occasion.HOSPITAL_FOLLOWUP, notes="电话回访，恢复情况良好")

    def caring_visits(self):
        # Members living alone or bedridden get a home visit about every six weeks besides the 四必访.
        for member in self.members.values():
            if member.category != "lixiu" or not (member.lives_alone or member.bedridden):
                continue
            day = self.start + timedelta(days=self.rng.randint(3, 30))
            while day < self.today:
                self.visit(member, day, 200, form=VisitForm.HOME, occasion=Occasion.OTHER, notes="日常上门看望，了解生活情况")
                day += timedelta(days=self.rng.randint(36, 50))

    def correction(self):
        entry = (MoneyEntry.objects.filter(centre=self.centre, kind=MoneyKind.GIFT, occasion="festival:中秋", reverses__isnull=True)
                 .order_by("id").first())
        if entry is not None:
            actions.do_reverse_money_entry(entry, reason="该慰问品由城区民政局提供，不计入本中心经费", acting_user=self.secretary)

    def _in_hospital_on(self, member, day):
        events = [e for e in self.events.get(member.pk, [])
                  if e.date <= day and e.kind in (EventKind.ADMITTED, EventKind.DISCHARGED)]
        return bool(events) and events[-1].kind == EventKind.ADMITTED
