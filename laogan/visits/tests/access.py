"""The visits app's part of the authorisation matrix (laogan/tests/test_access_matrix.py).

Visits are personal data; the money ledger and the visit rules are the secretary's (and admin's) business.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from laogan.members.tests.access import jpeg
from laogan.tests.matrix import Route, expect, post_only
from laogan.visits.actions import GiftLine, do_record_visit
from laogan.visits.models import Festival, MoneyEntry, Occasion, PlannedVisit, VisitForm, VisitPhoto


def build(world):
    today = timezone.localdate()
    world.festival = Festival.objects.create(centre=world.centre_a, name="矩阵节", month=12, day=1)
    world.planned = PlannedVisit.objects.create(
        centre=world.centre_a, member=world.member, key=f"festival:{world.festival.pk}:{today.year}",
        kind=Occasion.FESTIVAL, festival=world.festival, occasion_year=today.year, due_date=today + timedelta(days=3),
        window_start=today - timedelta(days=10), window_end=today + timedelta(days=3))
    world.visit, _ = do_record_visit([world.member], visited_at=timezone.now() - timedelta(days=2), form=VisitForm.HOME,
                                     occasion=Occasion.OTHER, gifts=[GiftLine("水果", 1, Decimal("88.00"))],
                                     acting_user=world.secretary)
    world.visit_photo = VisitPhoto.objects.create(record=world.visit, image=jpeg("visit.jpg"))
    world.money = MoneyEntry.objects.get(record=world.visit)


def _centre(w):
    return {"centre": w.centre_a.code}


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


ROUTES = [
    Route("visit_worklist", get=expect("personal-data", obj=False)),
    Route("visit_team", get=expect("personal-data", obj=False)),
    Route("visit_record", query=lambda w: {"member": w.member.pk}, get=expect("personal-data"),
          post=expect("personal-data")),
    Route("visit_gathering", get=expect("personal-data", obj=False), post=expect("personal-data", obj=False)),
    Route("visit_record_list", get=expect("personal-data", obj=False)),
    Route("visit_record_detail", kwargs=_pk("visit"), get=expect("personal-data")),
    Route("visit_record_photo", kwargs=lambda w: {"pk": w.visit.pk, "photo_pk": w.visit_photo.pk},
          get=expect("personal-data")),
    Route("visit_member", kwargs=_pk("member"), get=expect("personal-data")),
    # The planned visit is looked up first: out of scope (and for the viewer, who sees no member) it is a 404.
    Route("visit_cancel", kwargs=_pk("planned"), get=post_only(),
          post=expect("managers", 302, outsider=404, viewer=404)),
    Route("visit_ledger", query=_centre, get=expect("managers")),
    Route("visit_ledger_export", query=_centre, get=expect("managers"), writes=True),
    Route("visit_ledger_budget", query=_centre, get=post_only(), post=expect("managers", 302)),
    Route("visit_ledger_reverse", kwargs=_pk("money"), get=expect("managers"), post=expect("managers")),
    Route("visit_rules", query=_centre, get=expect("managers"), post=expect("managers")),
    Route("visit_festival_new", query=_centre, get=expect("managers"), post=expect("managers")),
    Route("visit_festival_edit", kwargs=_pk("festival"), get=expect("managers"), post=expect("managers")),
]
