"""Figures about liaison work (contacts, members without a liaison, partner commitments, cards) and its dashboard
panels: members not contacted, roster problems, and partner commitments still open."""

from django.db.models import Case, Count, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laogan.accounts.models import Role
from laogan.lib.figures import Column, Figure, register, register_area
from laogan.lib.worklist import Item, Panel, panel
from laogan.members.models import Member

from . import cards, roster
from .models import CardPrint, Commitment, ContactLog, JointActivity, LiaisonPolicy, PartnerUnit, in_force_q
from .yearly import partner_year

register_area("liaison", "结对联系", "Pairing and liaison", order=20)

MEMBER_COLUMNS = (Column("姓名", "name"), Column("党小组", "unit.name"), Column("原联络员", "liaison.display_name"))
CONTACT_COLUMNS = (Column("日期", "day"), Column("姓名", "member.name"), Column("方式", "kind"),
                   Column("联系人", "by.display_name"), Column("备注", "notes"))
COMMITMENT_COLUMNS = (Column("结对单位", "partner.name"), Column("承诺事项", "title"), Column("起始年份", "first_year"))
ACTIVITY_COLUMNS = (Column("日期", "date"), Column("结对单位", "partner.name"), Column("活动", "title"),
                    Column("地点", "place"), Column("参加人数", "attendance"))
CARD_COLUMNS = (Column("打印日期", "printed_on"), Column("姓名", "member.name"), Column("党小组", "member.unit.name"))


def _planned(period):
    return in_force_q(period.start.year, period.end.year)


def _done(period):
    fulfilled = JointActivity.objects.filter(date__gte=period.start, date__lte=period.end, commitment__isnull=False)
    return _planned(period) & Q(pk__in=fulfilled.values("commitment_id"))


register(
    Figure(
        key="members_without_liaison", area="liaison", label_zh="无联络员的老干部", label_en="Members without a liaison",
        unit="人", model=Member, path_field="unit_path", where=roster.needs_liaison_q(), order=10,
        rule_zh="当前在世、没有联络员或联络员已停用、调离、不再担任工作人员的老干部人数（按当前状态统计）。",
        columns=MEMBER_COLUMNS,
    ),
    Figure(
        key="liaison_contacts", area="liaison", label_zh="联络员联系老干部", label_en="Contacts logged by liaisons",
        unit="人次", model=ContactLog, path_field="member__unit_path", date_field="day", order=20, key_figure=True,
        rule_zh="期内登记的电话、上门、见面、短信等联系次数，同一人多次联系分别计数（走访和服务诉求另行统计）。",
        columns=CONTACT_COLUMNS,
    ),
    Figure(
        key="partner_commitments_planned", area="liaison", label_zh="多联一结对承诺事项",
        label_en="Partner commitments planned", unit="件", model=Commitment, path_field="partner__centre__path",
        where=_planned, order=30, rule_zh="期内有效的结对单位年度承诺事项数（每项每年一次）。", columns=COMMITMENT_COLUMNS,
    ),
    Figure(
        key="partner_commitments_done", area="liaison", label_zh="已落实的结对承诺事项",
        label_en="Partner commitments fulfilled", unit="件", model=Commitment, path_field="partner__centre__path",
        where=_done, order=40, rule_zh="期内有效、且期内至少有一次联合活动落实的年度承诺事项数。", columns=COMMITMENT_COLUMNS,
    ),
    Figure(
        key="partner_activities", area="liaison", label_zh="与结对单位联合开展活动", label_en="Joint activities with partner units",
        unit="场", model=JointActivity, path_field="partner__centre__path", date_field="date", order=50,
        rule_zh="期内与结对单位共同举办的学习会、培训班、游园等活动场次（含承诺以外的活动）。", columns=ACTIVITY_COLUMNS,
    ),
    Figure(
        key="service_cards_printed", area="liaison", label_zh="印发亲情服务卡", label_en="Members given a service card",
        unit="人", model=CardPrint, path_field="member__unit_path", date_field="printed_on", measure="members", order=60,
        rule_zh="期内打印亲情服务卡的老干部人数，同一人多次重印只计一次。", columns=CARD_COLUMNS,
    ),
)


def _own_centre(user):
    """Return the centre a user works in, or None for bureau users (whose panels would span many centres)."""
    if not user.sees_personal_data or not user.unit.centre_id:
        return None
    return user.unit.centre


@panel(order=20)
def not_contacted(user, today):
    """A liaison's own members not contacted in time; for a secretary, how many each liaison has."""
    centre = _own_centre(user)
    if centre is None or user.role not in (Role.STAFF, Role.SECRETARY, Role.ADMIN):
        return None
    policy = LiaisonPolicy.for_centre(centre)
    now = timezone.now()
    members = Member.objects.visible_to(user).filter(centre=centre).filter(roster.overdue_q(policy, now))
    if user.role == Role.STAFF:
        # Members in hospital or living alone first, then whoever has waited longest (never contacted first).
        mine = list(members.filter(liaison=user).annotate(priority=Case(When(roster.PRIORITY, then=Value(0)), default=Value(1)))
                    .order_by("priority", F("last_contact_at").asc(nulls_first=True), "name_pinyin")[:10])
        items = [Item(text=m.name, url=reverse("liaison_contact", args=[m.pk]) + "?next=" + reverse("liaison_mine"),
                      note=_note(m, now), urgent=roster.contact_interval(m, policy) < policy.contact_days) for m in mine]
        return Panel(key="not_contacted", title=gettext_lazy("My members not contacted in time"), items=items,
                     count=members.filter(liaison=user).count(), more_url=reverse("liaison_mine"),
                     empty_text=gettext_lazy("Everyone has been contacted in time."))
    rows = members.order_by().values("liaison_id", "liaison__full_name", "liaison__username").annotate(n=Count("id"))
    rows = sorted(rows, key=lambda r: -r["n"])
    items = [Item(text=r["liaison__full_name"] or r["liaison__username"] or _("No liaison"),
                  url=reverse("liaison_staff", args=[r["liaison_id"]]) if r["liaison_id"] else reverse("liaison_overdue"),
                  note=_("%(n)s members") % {"n": r["n"]}) for r in rows]
    return Panel(key="not_contacted", title=gettext_lazy("Members not contacted in time, per liaison"), items=items,
                 count=sum(r["n"] for r in rows), more_url=reverse("liaison_overdue"),
                 empty_text=gettext_lazy("Everyone has been contacted in time."))


def _note(member, now):
    days = roster.days_since_contact(member, now)
    return _("never contacted") if days is None else _("%(n)s days ago") % {"n": days}


@panel(order=25)
def liaison_roster(user, today):
    """For a secretary: members who need a liaison, caseloads outside the bounds, cards to reprint."""
    centre = _own_centre(user)
    if centre is None or user.role not in (Role.SECRETARY, Role.ADMIN):
        return None
    policy = LiaisonPolicy.for_centre(centre)
    members = Member.objects.visible_to(user).filter(centre=centre)
    needing = members.filter(roster.needs_liaison_q()).count()
    rows = roster.caseloads(centre, members, policy, timezone.now())
    # Only a member whose card was printed can hold a stale one; and a card shows no encrypted field, so nothing is
    # decrypted. Without both, every dashboard view of a 2,000-member centre decrypted 6,000 values (0.5 s).
    printed = members.filter(pk__in=CardPrint.objects.filter(is_current=True).values("member_id"))
    stale = sum(1 for s in cards.card_states(printed.defer("id_number", "address", "health_notes")) if s.stale)
    items = []
    roster_url = reverse("liaison_roster")
    if needing:
        items.append(Item(text=_("%(n)s members need a liaison") % {"n": needing}, url=roster_url + "#needing", urgent=True))
    for row in rows:
        if row.state in ("over", "under"):
            items.append(Item(text=row.liaison.display_name, url=reverse("liaison_staff", args=[row.liaison.pk]),
                              note=_("%(n)s members, outside %(lo)s–%(hi)s") % {"n": row.members, "lo": policy.min_caseload,
                                                                             "hi": policy.max_caseload},
                              urgent=row.state == "over"))
    if stale:
        items.append(Item(text=_("%(n)s service cards to reprint") % {"n": stale}, url=reverse("liaison_cards") + "#stale"))
    return Panel(key="liaison_roster", title=gettext_lazy("Liaison roster"), items=items, count=len(items) or None,
                 more_url=roster_url, empty_text=gettext_lazy("Every member has a liaison within the bounds."))


@panel(order=80)
def partner_commitments_open(user, today):
    """From October on (or once a commitment's month has passed): this year's partner commitments still open."""
    centre = _own_centre(user)
    if centre is None or user.role not in (Role.SECRETARY, Role.ADMIN):
        return None
    years = partner_year(PartnerUnit.objects.filter(centre=centre), today.year, today)
    open_rows = [(entry.partner, row) for entry in years for row in entry.rows if row.state != "done"]
    if not open_rows or (today.month < 10 and not any(row.state == "late" for _p, row in open_rows)):
        return None
    items = [Item(text=f"{partner.name}：{row.commitment.title}", url=reverse("liaison_partner", args=[partner.pk]),
                  urgent=row.state == "late" or today.month == 12) for partner, row in open_rows]
    return Panel(key="partner_open", title=gettext_lazy("Partner commitments still open this year"), items=items,
                 count=len(items), more_url=reverse("liaison_partners"))
