"""The liaison part of the demo centre: group leaders for every party group, liaisons placed by the balancing
action, the five partner units of the source document with their yearly commitments (some fulfilled this year),
the 一联一 pairing of the staff group with the retired members' group, and some logged contacts.

Deterministic and idempotent: each part is built only when it is missing.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from laogan.accounts.models import Role, Unit, User
from laogan.members.models import Member

from . import actions, assignment, roster
from .balancing import Mode
from .models import Commitment, ContactKind, ContactLog, GroupPairing, JointActivity, PairingSide, PartnerUnit

DEMO_PASSWORD = "laogan-demo-2026"
LIAISONS = ["staff1", "staff2", "staff3"]  # 74 living members among three liaisons: 24–25 each, within 20–30

# (name, contact person, post, work phone, mobile, commitment, detail, due month, when held: (month, day), place)
PARTNERS = [
    ("城区组织部", "陆志明", "组织科科长", "0771-3121001", "13907713001", "每年共同举办一场学习会",
     "组织部与支部共同组织离休党员集中学习。", None, (4, 18), "城区组织部三楼会议室"),
    ("城区党校", "韦海英", "教务科副科长", "0771-3121002", "13907713002", "每年共同开办一次党务知识培训班",
     "党校派教师为支部党员讲授党务知识。", None, (9, 16), "城区党校报告厅"),
    ("城区直属机关工委", "黄国平", "组织宣传科科长", "0771-3121003", "13907713003", "每年年初共同举办一场党员游园活动",
     "年初与机关党员一起游园，迎新春。", 2, (2, 12), "人民公园"),
    ("城区卫生局", "梁秀珍", "医政科科长", "0771-3121004", "13907713004", "每年共同开办一次保健知识培训班",
     "卫生局组织医生讲授老年保健知识，并现场义诊。", None, (5, 20), "中心活动室"),
    ("城区民政局", "蒙建新", "养老服务科科长", "0771-3121005", "13907713005", "依托居家养老服务中心（站）提供居家养老服务",
     "生活照料、家政服务、康复护理和精神慰藉；每年与服务站共同上门服务一次。", None, (10, 28), "各居家养老服务站"),
]
FULFILLED_THIS_YEAR = {"城区组织部", "城区直属机关工委", "城区卫生局"}


def build():
    centre = Unit.objects.filter(code="demo-c1").first()
    if centre is None:
        return
    secretary = User.objects.filter(username="secretary").first()
    today = timezone.localdate()
    _group_leaders(centre)
    _liaisons(centre, secretary)
    _partners(centre, secretary, today)
    _pairing(centre, secretary)
    _contacts(centre, today)


def _group_leaders(centre):
    """Give every party group a leader (the demo foundation names one, leader1 of the first group)."""
    for n in range(2, 5):
        group = Unit.objects.filter(code=f"demo-g{n}").first()
        if group is None or User.objects.filter(username=f"leader{n}").exists():
            continue
        first = Member.objects.filter(unit=group).order_by("id").first()
        user = User(username=f"leader{n}", full_name=first.name if first else f"组长{n}", role=Role.GROUP_LEADER,
                    unit=group, mobile=f"1397713100{n - 1}", work_phone=f"0771-31250{90 + n}")
        user.set_password(DEMO_PASSWORD)
        user.save()


def _liaisons(centre, secretary):
    living = Member.objects.filter(centre=centre).filter(roster.LIVING)
    if living.filter(liaison__isnull=False).exists():
        return
    participants = list(User.objects.filter(username__in=LIAISONS).order_by("username"))
    draft = assignment.make(centre, participants, Mode.FRESH)
    actions.do_apply_proposal(centre, draft.token, acting_user=secretary)


def _partners(centre, secretary, today):
    for order, (name, person, post, phone, mobile, title, detail, due, (month, day), place) in enumerate(PARTNERS, 1):
        partner = PartnerUnit.objects.filter(centre=centre, name=name).first()
        if partner is not None:
            continue
        partner = actions.do_save_partner(
            PartnerUnit(centre=centre, name=name, contact_person=person, contact_post=post, work_phone=phone,
                        mobile=mobile, sort_order=order), acting_user=secretary)
        commitment = actions.do_save_commitment(
            Commitment(partner=partner, title=title, detail=detail, due_month=due, first_year=today.year - 1),
            acting_user=secretary)
        days = [date(today.year - 1, month, day)]
        if name in FULFILLED_THIS_YEAR and date(today.year, month, day) < today:
            days.append(date(today.year, month, day))
        for n, held in enumerate(days):
            actions.do_record_joint_activity(
                JointActivity(partner=partner, commitment=commitment, title=title.replace("每年", "").replace("依托", ""),
                              date=held, place=place, attendance=38 + 7 * order - 3 * n,
                              notes="离休党员与结对单位干部共同参加。"),
                acting_user=secretary)


def _pairing(centre, secretary):
    branch = Unit.objects.filter(code="demo-b1").first()
    if branch is None or GroupPairing.objects.filter(centre=centre).exists():
        return
    actions.do_save_pairing(
        GroupPairing(centre=centre, first_name="在职党员干部组", first_unit=centre, first_side=PairingSide.STAFF,
                     second_name="离休党员干部组", second_unit=branch, second_side=PairingSide.MEMBERS,
                     purpose="两组联建、互帮互带：年轻帮年长，年长带年轻。", started_on=date(2008, 3, 1)),
        acting_user=secretary)


def _contacts(centre, today):
    if ContactLog.objects.filter(member__centre=centre).exists():
        return
    kinds = [ContactKind.PHONE, ContactKind.PHONE, ContactKind.HOME, ContactKind.MESSAGE]
    for liaison in User.objects.filter(username__in=LIAISONS).order_by("username"):
        members = list(Member.objects.filter(liaison=liaison).filter(roster.LIVING).order_by("id"))
        # About two in three are contacted at some point in the last six weeks; the rest show on the lists.
        for i, member in enumerate(members[: len(members) * 2 // 3]):
            day = today - timedelta(days=1 + (i * 7) % 40)
            at = timezone.make_aware(datetime.combine(day, time(10, 0)))
            actions.do_log_contact(member, kind=kinds[i % len(kinds)], at=at, acting_user=liaison,
                                   notes="电话问候，身体情况良好。" if kinds[i % len(kinds)] == ContactKind.PHONE else "")
