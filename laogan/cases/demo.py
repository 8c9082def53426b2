"""The demo centre's case work: an after-death case for each member who died (most steps done, the latest one still
running with an overdue step), the hardship case of the member whose hardship was reported, a home-care referral
with its periodic checks, and one confidential mediation case with a mediator and two recorded conversations.

The deaths and the hardship are recorded before this runs; on an existing database the handlers may never have run
for them, so every case is opened here too (idempotently). Deterministic: fixed members by position, dates relative to
today; a second run finds what it made and changes nothing.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from laogan.accounts.models import Role, Unit, User
from laogan.members.models import EventKind, LifeEvent, Member

from . import actions
from .models import Asks, Case, CaseType, Kind, NoteKind, PartyRole, Satisfaction, StepStatus, Survivor

MEDIATION_MEMBER, MEDIATOR = 40, 8  # positions among the centre's living members


def build():
    centre = Unit.objects.filter(code="demo-c1").first()
    secretary = User.objects.filter(unit=centre, role=Role.SECRETARY).order_by("id").first() if centre else None
    if centre is None or secretary is None:
        return
    today = timezone.localdate()
    with transaction.atomic():
        _after_death(centre, secretary, today)
        _hardship(centre, secretary, today)
        living = list(Member.objects.filter(centre=centre).living().order_by("id"))
        if len(living) > MEDIATION_MEMBER:
            _home_care(living, secretary, today)
            _mediation(living, secretary, today)


def _finish(case, acting_user, today, *, leave=()):
    """Do the case's open steps in checklist order, each on its own due day (never later than today)."""
    for _round in range(20):
        step = case.steps.filter(status=StepStatus.OPEN).exclude(code__in=leave).order_by("order", "id").first()
        if step is None:
            return
        day = min(step.due_date or today, today)
        if step.predecessor_id and step.predecessor.done_on:
            day = max(day, step.predecessor.done_on)
        day = max(day, case.opened_on)
        kwargs = {}
        if step.asks == Asks.MONEY:
            kwargs = {"amount": Decimal("2000.00"), "recipient": _family(case)}
        elif step.asks == Asks.TEXT:
            kwargs = {"result": {"benefits_paid": f"{_family(case)}，抚恤金、丧葬费已由原单位发放"}.get(step.code, "已办理")}
        elif step.asks == Asks.SATISFACTION:
            kwargs = {"satisfaction": Satisfaction.SATISFIED}
        actions.do_complete_step(step, acting_user=step.assignee or case.owner or acting_user, done_on=day, **kwargs)
        case.refresh_from_db()
        if not case.is_open:
            return


def _family(case):
    contact = case.member.contacts.first()
    return f"{contact.relationship}{contact.name}" if contact else "家属"


def _after_death(centre, secretary, today):
    deceased = Member.objects.filter(centre=centre, died_on__isnull=False).order_by("died_on", "id")
    for member in deceased:
        case = actions.open_after_death_case(member, died_on=member.died_on, acting_user=secretary)
        if case is None or case.steps.filter(status=StepStatus.DONE).exists():
            continue
        contact = member.contacts.first()
        if contact is not None:
            actions.do_add_party(case, role=PartyRole.FAMILY, name=contact.name, relationship=contact.relationship,
                                 phone=contact.phone, acting_user=secretary)
        recent = (today - member.died_on).days < 45
        # The latest death is still being worked on: party dues not yet settled (overdue), benefits not yet paid,
        # the day-30 family visit due today.
        _finish(case, secretary, today, leave=("party_dues", "benefits_paid", "family_followup") if recent else ())
    oldest = deceased.first()
    if oldest is not None and not Survivor.objects.filter(deceased=oldest).exists():
        spouse = "女" if oldest.sex == "M" else "男"
        actions.do_add_survivor(oldest, name=oldest.name[0] + ("桂兰" if spouse == "女" else "国栋"), relationship="配偶",
                                phone="13977135001", address="同原住址", notes="独居，耳背，来访前先电话", acting_user=secretary)


def _hardship(centre, secretary, today):
    for event in LifeEvent.objects.filter(member__centre=centre, kind=EventKind.HARDSHIP_REPORTED).select_related("member"):
        case_type = CaseType.objects.get(code=Kind.HARDSHIP)
        case = Case.objects.filter(member=event.member, case_type=case_type).first()
        if case is None:
            if not event.member.has_hardship:
                continue
            case = actions.do_open_case(event.member, case_type=case_type, acting_user=secretary,
                                        summary=event.notes or "家庭困难", opened_on=event.date)
        if case.help.exists():
            continue
        actions.do_update_case(case, summary=case.summary, acting_user=secretary, expected_version=case.version,
                               assessment="老伴住院两周以上，本人行动不便，一日三餐和服药无人照看；子女在外地。"
                                          "需要：临时生活照料、住院期间的送餐，以及一次困难补助。")
        assess = case.steps.get(code="assess")
        yesterday = max(case.opened_on, today - timedelta(days=1))
        actions.do_complete_step(assess, acting_user=case.owner or secretary, done_on=yesterday)
        actions.do_add_help(case, kind="goods", given_on=yesterday,
                            description="米、油、牛奶各一份", recipient="本人", acting_user=case.owner or secretary)


def _home_care(living, secretary, today):
    member = next((m for m in living if m.lives_alone and not m.cases.exists()), None)
    case_type = CaseType.objects.get(code=Kind.HOME_CARE)
    if Case.objects.filter(case_type=case_type, member__centre=secretary.unit.centre_id).exists() or member is None:
        return
    case = actions.do_open_case(
        member, case_type=case_type, acting_user=secretary, summary="独居，需要每周上门打扫和代购",
        opened_on=today - timedelta(days=75), owner=member.liaison or secretary,
        referral={"station": "北湖街道居家养老服务站", "station_phone": "0771-3125103", "service": "housekeeping",
                  "check_every_days": 30},
    )
    actions.do_add_party(case, role=PartyRole.PARTNER, organisation="北湖街道居家养老服务站", name="周站长",
                         relationship="站长", phone="07713125103", acting_user=secretary)
    for code, ago, result in (("refer", 73, ""), ("accept", 68, ""), ("start", 61, ""),
                              ("first_check", 47, "每周二、五上门两小时，老人满意"), ("check", 16, "服务正常，老人希望增加代购药品")):
        step = case.steps.get(code=code, status=StepStatus.OPEN)
        actions.do_complete_step(step, acting_user=case.owner, done_on=today - timedelta(days=ago), result=result)


def _mediation(living, secretary, today):
    member, mediator = living[MEDIATION_MEMBER], living[MEDIATOR]
    case_type = CaseType.objects.get(code=Kind.MEDIATION)
    if Case.objects.filter(case_type=case_type, member__centre=member.centre_id).exists():
        return
    owner = User.objects.filter(username="staff1", is_active=True).first() or secretary
    case = actions.do_open_case(
        member, case_type=case_type, acting_user=secretary, owner=owner, opened_on=today - timedelta(days=80),
        summary="对离休待遇认定有意见，多年反复反映",
        assessment="认为本人参加工作时间应提前两年，享受的待遇偏低。2019年以来多次到局里反映，经办同志解释政策后仍不接受。",
    )
    actions.do_add_note(case, kind=NoteKind.ATTEMPT, happened_on=today - timedelta(days=78), with_whom="原经办人",
                        text="2019—2023年间先后五次上门解释政策，本人仍坚持原来的要求。", acting_user=owner)
    actions.do_add_party(case, role=PartyRole.MEDIATOR, member=mediator, relationship="原区领导，老战友",
                         acting_user=secretary)
    for code, ago, kwargs in (("listen", 75, {}), ("check_policy", 68, {"result": "档案记载的参加工作时间与现行认定一致"}),
                              ("choose_mediator", 66, {}), ("first_talk", 52, {})):
        step = case.steps.get(code=code, status=StepStatus.OPEN)
        actions.do_complete_step(step, acting_user=step.assignee or owner, done_on=today - timedelta(days=ago), **kwargs)
    for ago, text in ((52, "两位老同志一起回忆当年的工作经历，谈了两个小时，情绪明显缓和。"),
                      (24, "调解人现身说法，讲自己待遇问题的处理经过；本人表示理解政策，不再坚持原来的要求。")):
        actions.do_add_note(case, kind=NoteKind.CONVERSATION, happened_on=today - timedelta(days=ago),
                            with_whom=mediator.name, text=text, acting_user=owner)
