"""Figures about the membership itself (who there is, who was in hospital, who died) and its dashboard panels."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from laogan.lib.figures import Column, Figure, register, register_area, years_before
from laogan.lib.worklist import Item, Panel, panel

from .models import BirthdayCustom, EventKind, LifeEvent, Member, Status, birthday_q

register_area("members", "老干部队伍", "Members", order=10)

MEMBER_COLUMNS = (Column("姓名", "name"), Column("性别", "sex"), Column("出生日期", "birth_date"),
                  Column("类别", "category"), Column("党小组", "unit.name"))
EVENT_COLUMNS = (Column("日期", "date"), Column("姓名", "member.name"), Column("党小组", "member.unit.name"),
                 Column("医院", "hospital"), Column("备注", "notes"))


def _living_at_end(period):
    return Q(birth_date__lte=period.end) & (Q(died_on__isnull=True) | Q(died_on__gt=period.end))


def _aged_at_least(years):
    def where(period):
        return _living_at_end(period) & Q(birth_date__lte=years_before(period.end, years))

    return where


def _party_50_years(period):
    # 光荣在党50年: party members whose join date is at least fifty years before the period's end.
    return _living_at_end(period) & Q(is_party_member=True, party_join_date__lte=years_before(period.end, 50))


register(
    Figure(
        key="members_living", area="members", label_zh="在册老干部", label_en="Members on the roll", unit="人",
        model=Member, path_field="unit_path", where=_living_at_end, order=10, key_figure=True,
        rule_zh="期末在世的在册老干部人数（期末前去世者不计）。", columns=MEMBER_COLUMNS,
    ),
    Figure(
        key="members_aged_90", area="members", label_zh="90岁以上老干部", label_en="Members aged 90 or more", unit="人",
        model=Member, path_field="unit_path", where=_aged_at_least(90), order=20,
        rule_zh="期末在世、期末已满90周岁的老干部人数。", columns=MEMBER_COLUMNS,
    ),
    Figure(
        key="party_50_years", area="members", label_zh="党龄满50年党员", label_en="Party members of 50 years or more",
        unit="人", model=Member, path_field="unit_path", where=_party_50_years, order=30,
        rule_zh="期末在世、入党时间距期末满50年的党员人数（光荣在党50年）。", columns=MEMBER_COLUMNS,
    ),
    Figure(
        key="hospital_admissions", area="members", label_zh="住院", label_en="Hospital admissions", unit="人次",
        model=LifeEvent, path_field="member__unit_path", date_field="date", where=Q(kind=EventKind.ADMITTED), order=40,
        key_figure=True, rule_zh="期内登记的住院事件次数，同一人多次住院分别计数。", columns=EVENT_COLUMNS,
    ),
    Figure(
        key="hardship_reports", area="members", label_zh="家庭困难报告", label_en="Family hardships reported", unit="件",
        model=LifeEvent, path_field="member__unit_path", date_field="date", where=Q(kind=EventKind.HARDSHIP_REPORTED),
        order=50, rule_zh="期内登记的家庭困难事件数。", columns=EVENT_COLUMNS,
    ),
    Figure(
        key="deaths", area="members", label_zh="去世老干部", label_en="Members who died", unit="人",
        model=LifeEvent, path_field="member__unit_path", date_field="date", where=Q(kind=EventKind.DIED),
        measure="members", order=60, rule_zh="期内去世的老干部人数（按去世日期）。", columns=EVENT_COLUMNS,
    ),
)



@panel(order=50)
def birthdays_ahead(user, today):
    """Birthdays in the next seven days, by each member's own custom (solar or lunar)."""
    if not user.sees_personal_data:
        return None
    days = [today + timedelta(days=i) for i in range(8)]
    # Narrowed in SQL, decided exactly in Python; only what the birthday needs (decrypting the candidates' encrypted
    # fields was 90 % of this panel's time).
    candidates = Member.objects.visible_to(user).living().filter(birthday_q(days)).only(
        "name", "name_pinyin", "birth_date", "birth_date_precision", "birthday_custom", "lunar_birth_month",
        "lunar_birth_day")
    found = sorted(
        ((m.next_birthday(today), m) for m in candidates),
        key=lambda pair: (pair[0], pair[1].name_pinyin),
    )
    items = []
    for day, m in found:
        if day > days[-1]:
            continue
        note = f"{day.month}月{day.day}日"
        if m.birthday_custom == BirthdayCustom.LUNAR:
            note += f"（农历{m.lunar_birthday_text}）"
        else:
            note += f"，{day.year - m.birth_date.year}岁"
        items.append(Item(text=m.name, url=reverse("member_detail", args=[m.pk]), note=note, urgent=day == today))
    return Panel(key="birthdays", title=_("Birthdays in the next 7 days"), items=items, count=len(items),
                 empty_text=_("No birthdays this week."))


@panel(order=60)
def in_hospital(user, today):
    if not user.sees_personal_data:
        return None
    members = Member.objects.visible_to(user).filter(status=Status.IN_HOSPITAL).select_related("unit")
    items = [Item(text=m.name, url=reverse("member_detail", args=[m.pk]), note=m.unit.name) for m in members[:20]]
    return Panel(key="in_hospital", title=_("In hospital now"), items=items, count=members.count(),
                 more_url=reverse("member_list") + "?status=in_hospital", empty_text=_("Nobody is in hospital."))
