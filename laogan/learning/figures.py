"""Figures of 三个一 and study materials (the source's 450 books handed out, 230 reflections, 190 good deeds), and
the dashboard panel of this year's reflections still waiting for the author's consent to publication.

None of these is a score: they count records and people, never rank anyone (policy of 2026)."""

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from laogan.lib.figures import Column, Figure, get, register, register_area
from laogan.lib.worklist import Item, Panel, panel
from laogan.members.models import Member

from .models import BookReading, GoodDeed, MaterialHandout, Reflection, may_record

register_area("learning", "学习", "Learning", order=60)

HANDOUT_COLUMNS = (Column("日期", "handed_on"), Column("姓名", "member.name"), Column("党小组", "member.unit.name"),
                   Column("学习材料", "material.title"), Column("册数", "copies"), Column("送学上门", "delivered_home_text"))
READING_COLUMNS = (Column("日期", "read_on"), Column("姓名", "member.name"), Column("党小组", "member.unit.name"),
                   Column("书目", "book_title"))
REFLECTION_COLUMNS = (Column("日期", "written_on"), Column("姓名", "member.name"), Column("党小组", "member.unit.name"),
                      Column("题目", "title"), Column("口述代笔", "dictated_text"), Column("同意刊发", "consent_text"))
DEED_COLUMNS = (Column("日期", "done_on"), Column("姓名", "member.name"), Column("党小组", "member.unit.name"),
                Column("好事", "what"), Column("受益人", "for_whom"))
MEMBER_COLUMNS = (Column("姓名", "name"), Column("党小组", "unit.name"))


def _copies(unit, period):
    # A sum of copies (本), not of rows: one member may receive two copies. The list is the same rows.
    return get("learning_books_handed_out").records(unit, period).aggregate(n=Sum("copies"))["n"] or 0


def _in_period(model, date_field, period):
    return model.objects.filter(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end}).values("member_id")


def _all_three(period):
    return (Q(pk__in=_in_period(BookReading, "read_on", period)) & Q(pk__in=_in_period(Reflection, "written_on", period))
            & Q(pk__in=_in_period(GoodDeed, "done_on", period)))


register(
    Figure(key="learning_books_handed_out", area="learning", label_zh="发放学习读本", label_en="Study books handed out",
           unit="本", model=MaterialHandout, path_field="unit_path", date_field="handed_on", order=10,
           compute=_copies, columns=HANDOUT_COLUMNS, key_figure=True,
           rule_zh="期内发放给老干部的学习读本册数（含送学上门），按发放记录的册数合计。"),
    Figure(key="learning_readers", area="learning", label_zh="读一本好书", label_en="Members who read a book",
           unit="人", model=BookReading, path_field="unit_path", date_field="read_on", measure="members", order=20,
           columns=READING_COLUMNS, rule_zh="期内有读书记录的老干部人数（一人读多本计1人）。"),
    Figure(key="learning_reflections", area="learning", label_zh="撰写学习心得体会", label_en="Reflections written",
           unit="篇", model=Reflection, path_field="unit_path", date_field="written_on", order=30,
           columns=REFLECTION_COLUMNS, key_figure=True,
           rule_zh="期内老干部撰写的学习心得体会篇数（含口述代笔、手写稿扫描件）。"),
    Figure(key="learning_good_deeds", area="learning", label_zh="为群众做好事", label_en="Good deeds",
           unit="件", model=GoodDeed, path_field="unit_path", date_field="done_on", order=40, columns=DEED_COLUMNS,
           key_figure=True, rule_zh="期内老干部为群众做好事的件数。"),
    Figure(key="learning_all_three", area="learning", label_zh="完成“三个一”", label_en="Members who did all three",
           unit="人", model=Member, path_field="unit_path", where=_all_three, order=50, columns=MEMBER_COLUMNS,
           rule_zh="期内读了一本好书、写了一篇心得体会、做了一件好事三项都有记录的老干部人数。"),
)


@panel(order=70)
def reflections_awaiting_consent(user, today):
    """This year's reflections without the author's consent: ask before the special issue is printed."""
    if not may_record(user) or user.role == "group_leader":
        return None
    rows = Reflection.objects.visible_to(user).in_year(today.year).filter(consent_to_publish=False)
    count = rows.count()
    if not count:
        return None
    shown = rows.select_related("member").order_by("written_on", "pk")[:5]
    return Panel(key="learning_consent", title=_("Reflections awaiting consent to publication"), count=count,
                 items=[Item(text=r.member.name, note=r.title, url=reverse("learning_reflection", args=[r.pk]) + "#consent")
                        for r in shown],
                 more_url=reverse("learning_reflections") + "?" + urlencode({"year": today.year}))
