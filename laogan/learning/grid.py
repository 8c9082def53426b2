"""The yearly 三个一 grid: one row per member living in the year, a mark for each of read / wrote / deed.

Four queries whatever the size of the unit: the members, then each kind of record of the year in the unit. Rows are
in party-group and name order, never by how much someone did: there is no score and no ranking (policy of 2026).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from laogan.members.models import Member

from .models import BookReading, GoodDeed, Reflection


@dataclass
class Row:
    member: Member
    readings: list = field(default_factory=list)
    reflections: list = field(default_factory=list)
    deeds: list = field(default_factory=list)

    @property
    def all_three(self):
        return bool(self.readings and self.reflections and self.deeds)


@dataclass
class Grid:
    unit: object
    year: int
    rows: list

    @property
    def totals(self):
        return {
            "members": len(self.rows),
            "read": sum(1 for r in self.rows if r.readings),
            "wrote": sum(1 for r in self.rows if r.reflections),
            "deed": sum(1 for r in self.rows if r.deeds),
            "all_three": sum(1 for r in self.rows if r.all_three),
        }


def members_of_year(user, unit, year):
    """Return the members of the unit the user may see who were alive at some time in the year."""
    alive = Q(died_on__isnull=True) | Q(died_on__gte=date(year, 1, 1))
    return Member.objects.visible_to(user).in_unit(unit).filter(alive)


def build(user, unit, year):
    members = list(members_of_year(user, unit, year).select_related("unit").order_by("unit_path", "name_pinyin", "id"))
    rows = {m.pk: Row(m) for m in members}
    for model, attr, fields in ((BookReading, "readings", ("pk", "member_id", "book_title")),
                                (Reflection, "reflections", ("pk", "member_id", "title", "dictated")),
                                (GoodDeed, "deeds", ("pk", "member_id", "what"))):
        for rec in model.objects.visible_to(user).in_unit(unit).in_year(year).order_by("pk").values(*fields):
            row = rows.get(rec["member_id"])
            if row is not None:
                getattr(row, attr).append(rec)
    return Grid(unit, year, list(rows.values()))
