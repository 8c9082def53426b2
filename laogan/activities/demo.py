"""The demo centre's activities of the year: the 六共同 (eight, as in the source document), 请进来 reports and the
half-yearly 形势通报会 as a recurring series, 请出去 work, the quarter's 动起来 theme activities, a joint activity with
a partner unit, with attendance and 送学上门; the five advisory groups with members and work; about thirty suggestions
in every state, some with their reply overdue.

Deterministic and idempotent: each part is written only when it is missing, with every random draw made after
that check.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from laogan.accounts.models import Unit, User
from laogan.liaison.models import PartnerUnit
from laogan.members.models import Member

from . import actions
from .models import Activity, ActivitySeries, Adviser, AdvisoryGroup, Kind, Presence, Suggestion, WorkRecord

# (month, day, kind, title, place, organiser, partner, custom kind)
ACTIVITIES = [
    (2, 26, Kind.FORUM, "新春老党员座谈会", "中心活动室", "中心党支部", "", ""),
    (3, 12, Kind.THEME, "“我为家乡添绿叶”认养树木活动", "石门森林公园", "中心党支部", "", ""),
    (3, 26, Kind.SITUATION_REPORT, "城区经济社会发展形势报告会", "城区政府礼堂", "城区党政办", "", ""),
    (4, 3, Kind.YOUTH, "关工委“五老”进校园讲革命传统", "西乡塘区第一中学", "城区关工委", "", ""),
    (4, 18, Kind.STUDY, "与城区组织部共同举办学习会", "城区组织部三楼会议室", "中心党支部", "城区组织部", ""),
    (5, 9, Kind.CITY_TOUR, "参观邕江两岸市容市貌", "邕江滨江公园", "中心党支部", "", ""),
    (5, 20, Kind.PARTNER, "与城区卫生局共同开办保健知识培训班", "中心活动室", "城区卫生局", "城区卫生局", ""),
    (5, 22, Kind.ADVISORY, "农业组赴坛洛镇调研香蕉产业", "坛洛镇", "顾问团农业组", "", ""),
    (6, 5, Kind.THEME, "“服务明星大评比”活动", "中心活动室", "中心党支部", "", ""),
    (6, 18, Kind.PROJECT_TOUR, "参观城区重点工程建设项目", "五象新区", "中心党支部", "", ""),
    (7, 8, Kind.INVESTMENT, "协助接待粤港客商考察", "城区招商局", "城区招商局", "", ""),
    (8, 20, Kind.JOINT_WRITING, "共同撰写学习体会", "中心阅览室", "中心党支部", "", ""),
    (9, 10, Kind.LECTURE, "老年人防范电信诈骗专题辅导", "中心活动室", "城区公安分局", "", ""),
    (9, 25, Kind.THEME, "“多才多艺老党员”才艺展示", "中心活动室", "中心党支部", "", ""),
    (10, 15, Kind.SPECIAL_ISSUE, "共同出一期学习体会专刊", "中心阅览室", "中心党支部", "", ""),
    (10, 22, Kind.STUDY, "重阳节集中学习会", "中心活动室", "中心党支部", "", ""),
    (10, 29, Kind.OTHER, "重阳登高望远活动", "青秀山", "中心党支部", "", "重阳登高"),
    (11, 12, Kind.FORUM, "学习体会交流座谈会", "中心活动室", "中心党支部", "", ""),
    (12, 10, Kind.THEME, "“我想对你说”活动", "中心活动室", "中心党支部", "", ""),
]
STUDY_KINDS = {Kind.STUDY, Kind.SITUATION_REPORT, Kind.LECTURE, Kind.BRIEFING, Kind.FORUM}
GO_OUT = {Kind.ADVISORY, Kind.YOUTH, Kind.INVESTMENT}

EXPERTISE = {
    "党建": ["曾任区委组织部副部长，熟悉基层党建", "长期从事机关党务工作", "党史研究，撰写过支部史"],
    "农业": ["水稻和香蕉种植，曾任农业局副局长", "农村合作社管理", "畜牧兽医"],
    "宣讲": ["革命传统教育宣讲", "政策理论宣讲，曾任党校教员", "地方史讲解"],
    "科教": ["中学教育管理，曾任中学校长", "医疗卫生，曾任医院院长", "科普讲座"],
    "建设": ["城市规划，曾任建设局总工程师", "道路桥梁施工管理", "水利工程"],
}
WORK = {
    "党建": [("为社区党组织讲授“三会一课”规范", "社区党支部书记反映很有帮助")],
    "农业": [("赴坛洛镇调研香蕉产业，提出品种改良建议", "形成调研报告一份，报城区农业局"),
             ("为种植大户讲授病虫害防治", "培训农户40余人")],
    "宣讲": [("在西乡塘区第一中学讲革命传统故事", "师生300余人听讲"), ("为新任村干部讲党的优良作风", "")],
    "科教": [("参与城区老年大学课程设置论证", "建议增设智能手机使用课程，已采纳")],
    "建设": [("查看北湖路老旧小区改造工地", "提出加装扶手、坡道等适老化建议"), ("参加五象新区道路规划座谈", "")],
}
SUGGESTIONS = [
    ("党建", "建议在社区设立离退休干部党员活动点，方便就近过组织生活。"),
    ("农业", "建议扶持坛洛镇香蕉深加工，延长产业链，增加农民收入。"),
    ("建设", "北湖路老旧小区楼道狭窄，建议改造时加装扶手和照明。"),
    ("科教", "建议老年大学增设智能手机使用课程，帮助老同志跨越数字鸿沟。"),
    ("宣讲", "建议组织老党员到中小学讲革命传统，形成固定制度。"),
    ("建设", "明秀西路公交站无遮雨棚，老人候车不便，建议增设。"),
    ("其他", "建议社区卫生服务中心为高龄老人提供上门体检。"),
    ("党建", "建议组织部门定期通报城区党建工作情况，听取老党员意见。"),
    ("农业", "建议加强农产品质量安全检测，保障群众餐桌安全。"),
    ("建设", "建议在邕江沿岸增设老年人健身步道和休息座椅。"),
]
# How far each suggestion got: (status, received days ago, forwarded after, answered after, decided after)
STATES = (["received"] * 7 + ["forwarded"] * 5 + ["overdue"] * 4 + ["answered"] * 4 + ["adopted"] * 7
          + ["not_adopted"] * 3)
BODIES = ["城区党政办", "城区农业农村局", "城区住建局", "城区教育局", "城区卫健局", "城区民政局"]


def build():
    centre = Unit.objects.filter(code="demo-c1").first()
    if centre is None:
        return
    secretary = User.objects.filter(username="secretary").first()
    today = timezone.localdate()
    actions.do_create_default_groups(centre, acting_user=secretary)
    members = list(Member.objects.filter(centre=centre).living().select_related("unit").order_by("pk"))
    if not members:
        return
    _advisers(centre, members, secretary, today)
    _series(centre, secretary, today, members)
    _activities(centre, secretary, today, members)
    _suggestions(centre, secretary, today, members)


def _at(day, hour=9, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _advisers(centre, members, secretary, today):
    if Adviser.objects.filter(group__centre=centre).exists():
        return
    groups = list(AdvisoryGroup.objects.filter(centre=centre).order_by("sort_order", "id"))
    for g_index, group in enumerate(groups):
        picks = members[g_index * 3 + 1: g_index * 3 + 4]
        for i, member in enumerate(picks):
            expertise = EXPERTISE.get(group.field, ["熟悉城区情况"])[i % 3]
            actions.do_add_adviser(group, member, expertise=expertise, is_leader=i == 0, since=date(today.year - 2, 3, 1),
                                   acting_user=secretary)
        for n, (what, outcome) in enumerate(WORK.get(group.field, [])):
            day = min(date(today.year, 3 + 3 * n + g_index % 2, 10 + g_index), today)
            WorkRecord.objects.create(group=group, date=day, what=what, outcome=outcome, recorded_by=secretary,
                                      who="、".join(m.name for m in picks[:2]))


def _series(centre, secretary, today, members):
    title = "城区老干部形势通报会"
    series = ActivitySeries.objects.filter(centre=centre, title=title).first()
    if series is None:
        series = actions.do_save_series(
            ActivitySeries(unit=centre, kind=Kind.BRIEFING, title=title, place="城区政府第一会议室",
                           organiser="城区党政主要领导通报", starts_on=date(today.year, 1, 15), every_months=6),
            acting_user=secretary, today=today)
    for activity in series.activities.filter(date__lt=today).order_by("date"):
        if not activity.participations.exists():
            _attend(activity, members, secretary, random.Random(activity.date.toordinal()))
            activity.summary = "城区党政主要领导通报上半年经济社会发展情况，老同志提出意见建议。"
            activity.save(update_fields=["summary"])


def _activities(centre, secretary, today, members):
    if Activity.objects.filter(centre=centre, series__isnull=True).exists():
        return
    advisers = [a.member for a in Adviser.objects.filter(group__centre=centre).select_related("member__unit")]
    partners = {p.name: p for p in PartnerUnit.objects.filter(centre=centre)}
    for n, (month, day, kind, title, place, organiser, partner, custom) in enumerate(ACTIVITIES):
        when = date(today.year, month, day)
        activity = actions.do_save_activity(
            Activity(unit=centre, kind=kind, custom_kind=custom, title=title, place=place, organiser=organiser,
                     starts_at=_at(when, 9 if n % 2 else 15),
                     summary=f"{title}顺利举行，老同志积极参与。" if when < today else ""),
            partners=[partners[partner]] if partner in partners else [],
            invited=advisers if kind in GO_OUT else None, acting_user=secretary)
        if when < today:
            _attend(activity, advisers if kind in GO_OUT else members, secretary, random.Random(2014 + n))


def _attend(activity, pool, secretary, rng):
    presence = {}
    for m in pool:
        if m.died_on and m.died_on < activity.date:
            continue
        if m.bedridden or m.disabled:
            if activity.kind in STUDY_KINDS:
                presence[m] = Presence.HOME
            continue
        if rng.random() < 0.7:
            presence[m] = Presence.ATTENDED
    if presence:
        actions.do_record_attendance(activity, presence, acting_user=secretary)


def _suggestions(centre, secretary, today, members):
    if Suggestion.objects.filter(centre=centre).exists():
        return
    groups = list(AdvisoryGroup.objects.filter(centre=centre).order_by("sort_order", "id"))
    by_field = {g.field: g for g in groups}
    start = date(today.year, 1, 1)
    span = max((today - start).days, 1)
    rng = random.Random(260)
    for n, state in enumerate(STATES):
        field, text = SUGGESTIONS[n % len(SUGGESTIONS)]
        # Overdue ones went out long enough ago that their reply is late; the newest are still just received.
        if state == "received":
            received = today - timedelta(days=rng.randint(1, min(20, span)))
        elif state in ("forwarded",):
            received = today - timedelta(days=rng.randint(8, 20))
        else:
            received = start + timedelta(days=rng.randint(0, max(span - 60, 0)))
        received = max(min(received, today), start)
        group = by_field.get(field) if n % 3 == 0 else None
        s = actions.do_record_suggestion(centre=centre, text=text, field=field, received_on=received,
                                         member=None if group else members[(n * 7) % len(members)], group=group,
                                         acting_user=secretary)
        if state == "received":
            continue
        forwarded = min(received + timedelta(days=rng.randint(2, 6)), today)
        actions.do_forward(s, to=BODIES[n % len(BODIES)], on=forwarded, acting_user=secretary)
        if state in ("forwarded", "overdue"):
            continue
        answered = min(forwarded + timedelta(days=rng.randint(10, 28)), today)
        actions.do_answer(s, reply="已收悉，正在研究落实，感谢老同志的关心支持。", on=answered, acting_user=secretary)
        if state == "answered":
            continue
        decided = min(answered + timedelta(days=rng.randint(3, 15)), today)
        actions.do_decide(s, adopted=state == "adopted", on=decided, acting_user=secretary,
                          note="已纳入年度工作计划" if state == "adopted" else "受条件限制，暂不实施")
